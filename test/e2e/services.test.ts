// The guide's service commands against the built binary: a docker installation (stateful fake
// `docker compose`), a kubernetes one (stateful fake kubectl), runtime none, real MCP servers over HTTP
// and stdio, and the Manual Rollback health loop run by bash exactly as the guide writes it.
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, statSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MCP, mcp, tempDir } from '../helpers/cli.js';
import { fakeBins, type FakeBins } from '../helpers/fakebin.js';
import { DOCKER_COMPOSE, KUBECTL } from '../helpers/runtime-fakes.js';
import { FIXTURE, closedPort, startHttpFixture, type FixtureServer } from '../fixtures/mcp-server-launch.js';

function home(config: Record<string, unknown>): string {
  const h = join(tempDir(), 'home');
  for (const d of ['config', 'data', 'backups', 'state', 'logs']) mkdirSync(join(h, d), { recursive: true });
  writeFileSync(join(h, 'config/platform.json'), JSON.stringify(config, null, 2));
  return h;
}

function v5(services: unknown[], runtime?: unknown) {
  return { version: '5.0', environment: 'production', platform: { name: 'mcp' }, ...(runtime ? { runtime } : {}), services };
}

let fx: FixtureServer;
let deadPort: number;
let services: unknown[];

beforeAll(async () => {
  fx = await startHttpFixture();
  deadPort = await closedPort();
  services = [
    { name: 'filesystem-mcp', type: 'mcp', image: 'mcp-platform/filesystem:5.0', ports: [`${fx.port}:3000`], transport: 'http', healthCheck: { type: 'mcp', path: '/mcp', timeout: '30s' } },
    { name: 'git-mcp', type: 'mcp', image: 'mcp-platform/git:5.0', transport: 'stdio', healthCheck: { type: 'mcp', timeout: '30s', command: [process.execPath, FIXTURE, '--stdio', '--tools', 'git_log,git_diff'] } },
    { name: 'auth-service', type: 'core', image: 'mcp-platform/auth:5.0', ports: [`${fx.port}:8080`], healthCheck: { type: 'http', path: '/health', timeout: '30s' }, environment: { DATABASE_URL: 'postgres://mcp:hunter22@db/mcp' } },
    { name: 'redis', type: 'infrastructure', image: 'redis:7', ports: [`${deadPort}:6379`] },
  ];
});

const env = (fb: FakeBins) => ({ PATH: fb.path });

describe('docker runtime (v5 default)', () => {
  it('start, stop by name, stop --force, start --version: compose file in the home, status tells the truth', async () => {
    const h = home(v5(services));
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE });

    const start = await mcp(['start', '--all', '--json'], { home: h, env: env(fb) });
    expect(start.exitCode, start.stderr).toBe(0);
    const composeFile = join(h, 'state/compose/docker-compose.yml');
    expect(start.json()).toMatchObject({ runtime: 'docker', action: 'start', services: ['filesystem-mcp', 'git-mcp', 'auth-service', 'redis'], files: [composeFile] });
    const compose = readFileSync(composeFile, 'utf8');
    expect(compose).toMatch(/^ {2}filesystem-mcp:\n {4}image: mcp-platform\/filesystem:5\.0$/m);
    expect(compose).toContain(`- '${fx.port}:3000'`);
    expect(statSync(composeFile).mode & 0o777).toBe(0o600); // it holds the services' environment
    expect(readdirSync(join(h, 'state/compose'))).toEqual(['docker-compose.yml']); // no temp files left
    expect(fb.calls('docker').map((c) => c.argv)).toEqual([['compose', '-p', 'home', '-f', composeFile, 'up', '-d', 'filesystem-mcp', 'git-mcp', 'auth-service', 'redis']]);

    const stop = await mcp(['stop', 'filesystem-mcp', 'git-mcp'], { home: h, env: env(fb) });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/Stopped filesystem-mcp, git-mcp/);

    const st = await mcp(['status', '--json'], { home: h, env: env(fb) });
    expect(st.exitCode, st.stderr).toBe(0);
    const states = Object.fromEntries(st.json().services.map((s: { name: string; state: string }) => [s.name, s.state]));
    expect(states).toEqual({ 'filesystem-mcp': 'stopped', 'git-mcp': 'stopped', 'auth-service': 'running', redis: 'running' });
    expect(st.json().summary).toEqual({ stopped: 2, running: 2 });

    const text = await mcp(['status'], { home: h, env: env(fb) });
    expect(text.stdout).toMatch(/^Runtime: docker compose project home/m);
    expect(text.stdout).toMatch(/^filesystem-mcp\s+stopped\s+Exited/m);

    const force = await mcp(['stop', '--all', '--force'], { home: h, env: env(fb) });
    expect(force.exitCode, force.stderr).toBe(0);
    expect(fb.calls('docker').at(-1)!.argv.slice(5)).toEqual(['kill', 'filesystem-mcp', 'git-mcp', 'auth-service', 'redis']);
    expect(Object.values(fb.state<{ containers: Record<string, { State: string }> }>().containers).map((c) => c.State)).toEqual(['exited', 'exited', 'exited', 'exited']);

    const rollback = await mcp(['start', '--all', '--version', '4.2'], { home: h, env: env(fb) });
    expect(rollback.exitCode, rollback.stderr).toBe(0);
    expect(readFileSync(composeFile, 'utf8')).toMatch(/image: mcp-platform\/filesystem:4\.2/);
    // infrastructure keeps the image it was configured with: --version re-tags only the platform's own images
    expect(fb.state<{ containers: Record<string, { State: string; Image: string }> }>().containers['redis']).toEqual({ State: 'running', Image: 'redis:7' });

    const reset = await mcp(['services', 'reset', 'redis', '--json'], { home: h, env: env(fb) });
    expect(reset.exitCode, reset.stderr).toBe(0);
    expect(reset.json().commands.map((c: string) => c.split(' ').slice(6).join(' '))).toEqual(['stop -t 10 redis', 'rm --force redis', 'up -d --force-recreate redis']);

    const log = readFileSync(join(h, 'logs/mcp.log'), 'utf8');
    expect(log).toMatch(/"event":"runtime.stop".*"force":true/);
    expect(log).not.toContain('hunter22');
  });

  it('an unknown service name exits 2 naming it and listing the known ones; nothing is run', async () => {
    const h = home(v5(services));
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE });
    for (const argv of [['stop', 'filesystem-mcp', 'gti-mcp'], ['health', 'gti-mcp'], ['services', 'verify', 'gti-mcp'], ['start', 'gti-mcp']]) {
      const r = await mcp(argv, { home: h, env: env(fb) });
      expect(r.exitCode, argv.join(' ')).toBe(2);
      expect(r.stderr).toBe("mcp: error: unknown service 'gti-mcp'\nhint: known services: filesystem-mcp, git-mcp, auth-service, redis\n");
    }
    const none = await mcp(['stop'], { home: h, env: env(fb) });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/name the services, or pass --all/);
    const both = await mcp(['start', '--all', 'redis'], { home: h, env: env(fb) });
    expect(both.exitCode).toBe(2);
    expect(fb.calls()).toEqual([]);
  });

  it('a v4 snake_case name finds the same service', async () => {
    const h = home(v5(services));
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE });
    const r = await mcp(['start', 'filesystem_mcp'], { home: h, env: env(fb) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fb.calls('docker')[0]!.argv.at(-1)).toBe('filesystem-mcp');
  });

  it('a missing docker is exit 3 naming the binary and what to do', async () => {
    const h = home(v5(services));
    for (const argv of [['start', '--all'], ['stop', '--all'], ['status'], ['services', 'reset', '--all']]) {
      const r = await mcp(argv, { home: h, env: { PATH: tempDir() } });
      expect(r.exitCode, argv.join(' ')).toBe(3);
      expect(r.stderr).toMatch(/^mcp: error: docker not found on PATH\nhint: install Docker/);
    }
  });
});

describe('services list', () => {
  it('names, json (with secrets redacted) and table', async () => {
    const h = home(v5(services));
    const names = await mcp(['services', 'list', '--format', 'names'], { home: h });
    expect(names.exitCode).toBe(0);
    expect(names.stdout).toBe('filesystem-mcp\ngit-mcp\nauth-service\nredis\n');
    // the guide's `mcp services list --format json > services-backup.json`: a list of the services
    const json = await mcp(['services', 'list', '--format', 'json'], { home: h });
    const list = json.json();
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((s: { name: string }) => s.name)).toEqual(['filesystem-mcp', 'git-mcp', 'auth-service', 'redis']);
    expect(list[0]).toMatchObject({ type: 'mcp', transport: 'http', healthCheck: 'mcp', ports: [`${fx.port}:3000`] });
    expect(list[3].healthCheck).toBe('tcp');
    expect(json.stdout).not.toContain('hunter22');
    // --json: the result document around it
    const doc = (await mcp(['services', 'list', '--json'], { home: h })).json();
    expect(doc).toMatchObject({ version: '5.0', services: list });
    expect((await mcp(['services', 'list', '--json'], { home: h })).stdout).not.toContain('hunter22');
    const table = await mcp(['services', 'list'], { home: h });
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+IMAGE\s+PORTS\s+CHECK$/);
    const bad = await mcp(['services', 'list', '--format', 'xml'], { home: h });
    expect(bad.exitCode).toBe(2);
  });

  it('without a config: exit 3 saying how to make one', async () => {
    const r = await mcp(['services', 'list'], { home: tempDir() });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no platform config/);
  });
});

describe('health', () => {
  it('checks MCP over HTTP and stdio, HTTP and TCP; records tool lists; unhealthy exits 3', async () => {
    const h = home(v5(services));
    const r = await mcp(['health', '--json'], { home: h });
    expect(r.exitCode).toBe(3);
    const byName = Object.fromEntries(r.json().services.map((s: { name: string }) => [s.name, s]));
    expect(r.json().healthy).toBe(false);
    expect(byName['filesystem-mcp']).toMatchObject({ check: 'mcp', healthy: true, target: fx.url, tools: ['read_file', 'write_file', 'list_directory'], server: { name: 'fixture-filesystem', version: '5.0.1' } });
    expect(byName['git-mcp']).toMatchObject({ check: 'mcp', healthy: true, tools: ['git_log', 'git_diff'] });
    expect(byName['auth-service']).toMatchObject({ check: 'http', healthy: true, detail: 'HTTP 200' });
    expect(byName['redis']).toMatchObject({ check: 'tcp', healthy: false, target: `127.0.0.1:${deadPort}` });
    expect(byName['redis'].detail).toMatch(/ECONNREFUSED/);
    const rec = JSON.parse(readFileSync(join(h, 'state/services/tools/filesystem-mcp.json'), 'utf8'));
    expect(rec.baseline.tools).toEqual(['read_file', 'write_file', 'list_directory']);
    expect(rec.baseline.platformVersion).toBe('5.0');

    const one = await mcp(['health', 'filesystem-mcp'], { home: h });
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toMatch(/^✓ filesystem-mcp\s+healthy\s+mcp\s+\d+ ms\s+MCP .*fixture-filesystem 5\.0\.1: 3 tools$/m);
    const verbose = await mcp(['health', 'git-mcp', '--verbose'], { home: h });
    expect(verbose.stdout).toMatch(/tools: git_log, git_diff/);
  });

  it("the guide's Manual Rollback loop works as written, in bash", async () => {
    const h = home(v5(services));
    const bin = tempDir();
    writeFileSync(join(bin, 'mcp'), `#!/bin/sh\nexec "${process.execPath}" "${MCP}" "$@"\n`);
    chmodSync(join(bin, 'mcp'), 0o755);
    const script = `# 7. Verify services
for service in $(mcp services list --format names); do
  mcp health $service || echo "Service $service unhealthy"
done
`;
    const r = await execa('bash', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, MCP_HOME: h, NO_COLOR: '1' }, reject: false, input: '' });
    expect(r.exitCode).toBe(0);
    const echoed = r.stdout.split('\n').filter((l) => l.startsWith('Service '));
    expect(echoed).toEqual(['Service redis unhealthy']);
    expect(r.stdout).toMatch(/✓ filesystem-mcp/);
    expect(r.stdout).toMatch(/✗ redis\s+UNHEALTHY/);
  });

  it('timeouts are options: a server that does not answer is unhealthy after --timeout', async () => {
    // a TCP listener that accepts and never answers HTTP
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', () => res()));
    const port = (silent.address() as { port: number }).port;
    try {
      const h = home(v5([{ name: 'slow-mcp', type: 'mcp', ports: [`${port}:3000`], transport: 'http' }]));
      const started = Date.now();
      const r = await mcp(['health', 'slow-mcp', '--timeout', '700ms', '--json'], { home: h });
      expect(r.exitCode).toBe(3);
      expect(r.json().services[0].detail).toBe('timed out after 700 ms');
      expect(Date.now() - started).toBeLessThan(20_000); // not the 30+ s a hung server would take
      const bad = await mcp(['health', '--timeout', 'soon'], { home: h });
      expect(bad.exitCode).toBe(2);
    } finally {
      silent.close();
    }
  });
});

describe('health of a stdio MCP server in a container', () => {
  it('without a command, docker runs a one-off container of the service and speaks MCP on its stdio', async () => {
    const h = home(v5([{ name: 'git-mcp', type: 'mcp', image: 'mcp-platform/git:5.0', transport: 'stdio', healthCheck: { type: 'mcp', timeout: 30 } }]));
    const fb = fakeBins(tempDir(), {
      docker: [{ args: ['compose', '-p', 'home', '-f', '/docker-compose\\.yml$/', 'run', '--rm', '-T', '--no-deps', 'git-mcp'], exec: [process.execPath, FIXTURE, '--stdio', '--tools', 'git_log'] }],
    });
    const r = await mcp(['health', 'git-mcp', '--json'], { home: h, env: env(fb) });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.json().services[0]).toMatchObject({ healthy: true, tools: ['git_log'], target: `stdio: docker compose -p home -f ${join(h, 'state/compose/docker-compose.yml')} run --rm -T --no-deps git-mcp` });
    expect(existsSync(join(h, 'state/compose/docker-compose.yml'))).toBe(true);
    const missing = await mcp(['health', 'git-mcp', '--json'], { home: h, env: { PATH: tempDir() } });
    expect(missing.exitCode).toBe(3);
    expect(missing.json().services[0].detail).toBe('docker not found on PATH');
  });
});

describe('services verify', () => {
  it('says "filesystem-mcp lost tool read_file" after a migration drops it; exit 3 until accepted', async () => {
    const before = await startHttpFixture({ tools: ['read_file', 'write_file'] });
    const svc = [{ name: 'filesystem-mcp', type: 'mcp', ports: [`${before.port}:3000`], transport: 'http', healthCheck: { type: 'mcp', timeout: '30s' } }];
    const h = home(v5(svc));
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE });
    expect((await mcp(['start', '--all'], { home: h, env: env(fb) })).exitCode).toBe(0);
    const ok = await mcp(['services', 'verify', '--all', '--json'], { home: h, env: env(fb) });
    expect(ok.exitCode, ok.stdout).toBe(0);
    expect(ok.json().services[0]).toMatchObject({ ok: true, state: 'running', tools: { current: ['read_file', 'write_file'], lost: [] } });

    // "the migration": the same port now serves a build without read_file
    const port = before.port;
    await before.stop();
    const after = await startHttpFixture({ tools: ['write_file', 'search'], port });
    const bad = await mcp(['services', 'verify', '--all'], { home: h, env: env(fb) });
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toMatch(/^ {4}filesystem-mcp lost tool read_file$/m);
    expect(bad.stdout).toMatch(/new: search/);
    const again = await mcp(['services', 'verify', 'filesystem-mcp', '--json'], { home: h, env: env(fb) });
    expect(again.exitCode).toBe(3);
    expect(again.json().services[0].tools.lost).toEqual(['read_file']);

    const accept = await mcp(['services', 'verify', '--all', '--accept'], { home: h, env: env(fb) });
    expect(accept.exitCode).toBe(0);
    expect((await mcp(['services', 'verify', '--all'], { home: h, env: env(fb) })).exitCode).toBe(0);

    // a stopped service fails verification too
    expect((await mcp(['stop', '--all'], { home: h, env: env(fb) })).exitCode).toBe(0);
    const stopped = await mcp(['services', 'verify', '--all'], { home: h, env: env(fb) });
    expect(stopped.exitCode).toBe(3);
    expect(stopped.stdout).toMatch(/filesystem-mcp is stopped/);
    await after.stop();
  });
});

describe('kubernetes runtime (v6 default)', () => {
  const v6 = (runtime?: unknown) => ({
    version: '6.0',
    platform: { architecture: 'microservices' },
    ...(runtime ? { runtime } : {}),
    services: [
      { name: 'auth-service', type: 'core', image: 'mcp-platform/auth:6.0', deployment: { type: 'kubernetes', replicas: 2 } },
      { name: 'filesystem-mcp', type: 'mcp', image: 'mcp-platform/filesystem:6.0', dependsOn: ['auth-service'], deployment: { type: 'kubernetes', replicas: 3 } },
    ],
  });
  const deployments = { 'auth-service': { replicas: 2, image: 'mcp-platform/auth:6.0' }, 'filesystem-mcp': { replicas: 3, image: 'mcp-platform/filesystem:6.0' } };

  it('stop scales to 0, start scales back to the configured replicas, with --namespace and --context', async () => {
    const h = home(v6({ type: 'kubernetes', namespace: 'mcp-platform', context: 'prod-eu' }));
    const fb = fakeBins(tempDir(), { kubectl: KUBECTL });
    fb.setState({ deployments });
    const stop = await mcp(['stop', '--all'], { home: h, env: env(fb) });
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect(fb.state<any>().deployments['filesystem-mcp'].replicas).toBe(0);
    const st = await mcp(['status', '--json'], { home: h, env: env(fb) });
    expect(st.json().services.map((s: { state: string }) => s.state)).toEqual(['stopped', 'stopped']);
    const start = await mcp(['start', '--all'], { home: h, env: env(fb) });
    expect(start.exitCode, start.stderr).toBe(0);
    expect(fb.state<any>().deployments).toMatchObject({ 'auth-service': { replicas: 2 }, 'filesystem-mcp': { replicas: 3 } });
    const running = await mcp(['status', '--json'], { home: h, env: env(fb) });
    expect(running.json().services[1]).toMatchObject({ name: 'filesystem-mcp', state: 'running', replicas: { desired: 3, ready: 3 } });
    const calls = fb.calls('kubectl').map((c) => c.argv);
    expect(calls.every((a) => a[0] === '--namespace=mcp-platform' && a[1] === '--context=prod-eu')).toBe(true);
    // dependencies first when starting, last when stopping
    expect(calls.filter((a) => a[2] === 'scale').map((a) => `${a[3]} ${a[4]}`)).toEqual([
      'deployment/filesystem-mcp --replicas=0',
      'deployment/auth-service --replicas=0',
      'deployment/auth-service --replicas=2',
      'deployment/filesystem-mcp --replicas=3',
    ]);
  });

  it('applies the manifests directory when present; --version sets the image tag', async () => {
    const h = home(v6());
    mkdirSync(join(h, 'k8s'));
    writeFileSync(join(h, 'k8s/deployment.yaml'), 'kind: Deployment\n');
    const fb = fakeBins(tempDir(), { kubectl: KUBECTL });
    fb.setState({ deployments });
    const r = await mcp(['start', 'filesystem-mcp', '--version', '5.2'], { home: h, env: env(fb) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fb.state<any>().applied).toEqual([join(h, 'k8s')]);
    expect(fb.state<any>().deployments['filesystem-mcp'].image).toBe('mcp-platform/filesystem:5.2');
    expect(fb.calls('kubectl')[0]!.argv[0]).toBe('--namespace=mcp-platform'); // the default namespace
  });

  it('a missing deployment is reported truthfully; a kubectl error is exit 1 with its message', async () => {
    const h = home(v6());
    const fb = fakeBins(tempDir(), { kubectl: KUBECTL });
    fb.setState({ deployments: { 'auth-service': deployments['auth-service'] } });
    const st = await mcp(['status', '--json'], { home: h, env: env(fb) });
    expect(st.json().services[1]).toMatchObject({ name: 'filesystem-mcp', state: 'missing' });
    const r = await mcp(['stop', 'filesystem-mcp'], { home: h, env: env(fb) });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/deployments.apps "filesystem-mcp" not found/);
  });

  it('a missing kubectl is exit 3 naming it', async () => {
    const h = home(v6());
    const r = await mcp(['stop', '--all'], { home: h, env: { PATH: tempDir() } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^mcp: error: kubectl not found on PATH\nhint: install kubectl/);
  });
});

describe('runtime none', () => {
  it('records the request and says the services are external; runs nothing', async () => {
    const h = home(v5(services, { type: 'none' }));
    const fb = fakeBins(tempDir(), { docker: [], kubectl: [] });
    const r = await mcp(['stop', '--all', '--force'], { home: h, env: env(fb) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the services are external \(runtime none\); nothing was run/);
    const st = await mcp(['status', '--json'], { home: h, env: env(fb) });
    expect(st.json().services.every((s: { state: string }) => s.state === 'external')).toBe(true);
    expect(fb.calls()).toEqual([]);
    expect(readFileSync(join(h, 'logs/mcp.log'), 'utf8')).toMatch(/"event":"runtime.stop.requested".*"external":true/);
    expect(existsSync(join(h, 'state/compose'))).toBe(false);
  });
});
