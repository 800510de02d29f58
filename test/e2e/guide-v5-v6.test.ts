// The guide's "Upgrading from v5.x to v6.x" as an operator runs it: its bash blocks and its
// migration-plan.yaml taken from the guide itself, run line by line against the built CLI. Then a v5
// installation on docker handed over, service by service, to Kubernetes — and a failure in the last
// phase that puts every service, the config and the database back where they were.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, mcp, tempDir } from '../helpers/cli.js';
import { fakeBins, type FakeBins } from '../helpers/fakebin.js';
import { DOCKER_COMPOSE, KUBECTL } from '../helpers/runtime-fakes.js';
import { startHttpFixture } from '../fixtures/mcp-server-launch.js';

const guide = readFileSync(join(ROOT, 'test/fixtures/guide/MIGRATION_GUIDE.md'), 'utf8');
const section = guide.slice(guide.indexOf('### Upgrading from v5.x to v6.x'), guide.indexOf('## Environment Migration'));
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

/** The `mcp …` command lines of the section's bash blocks, continuations joined, in order. */
function guideCommands(): string[][] {
  const out: string[][] = [];
  for (const b of blocks('bash')) {
    for (const line of b.replace(/\\\n\s*/g, ' ').split('\n')) {
      const l = line.trim();
      if (l.startsWith('mcp ')) out.push(l.split(/\s+/).slice(1));
    }
  }
  return out;
}

const resultOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe("the guide's v5 → v6 section", () => {
  it('run verbatim on a 5.0 installation ends at 6.0: v6 config, no pending migration, verify passes, data compared', async () => {
    const home = tempDir();
    const work = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['upgrade', '--to', '5.0'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    // the operator's services run (runtime none: outside mcp): each core service and MCP server is a
    // real server here, its health check on the port inside its container, published on another
    const cfgPath = join(home, 'config/platform.json');
    const v5 = JSON.parse(readFileSync(cfgPath, 'utf8'));
    for (const s of v5.services.filter((x: any) => x.type !== 'infrastructure')) {
      const fx = await startHttpFixture();
      s.ports = [`${fx.port}:3000`];
      s.healthCheck = { type: 'http', path: '/health', port: 3000 };
    }
    writeFileSync(cfgPath, JSON.stringify(v5, null, 2));
    // the plan file exactly as the guide prints it
    const [plan] = blocks('yaml').filter((b) => b.startsWith('# migration-plan.yaml'));
    writeFileSync(join(work, 'migration-plan.yaml'), plan!);
    mkdirSync(join(work, 'backup'));

    const cmds = guideCommands();
    // the section's commands, in its order (a new line in the guide shows up here)
    expect(cmds.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'migration requirements', 'migration validate', 'migration export-data', 'migration transform', 'migration validate-data',
      'migration execute', 'migration test', 'services verify', 'migration verify-data', 'benchmark --save',
    ]);
    for (const argv of cmds) {
      const args = argv.map((a) => a.replace(/^\/backup\//, `${work}/backup/`).replace(/^migration-plan\.yaml$/, join(work, 'migration-plan.yaml')));
      const r = await mcp(args, { home, timeoutMs: 180_000 });
      expect(r.exitCode, `mcp ${argv.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (argv[1] === 'execute') {
        // each of the plan's phases ran, in its order, after the platform's own steps
        const phases = [...r.stdout.matchAll(/^ {2}([a-z][\w-]*)$/gm)].map((m) => m[1]);
        expect(phases).toEqual(['pre-checks', 'backup', 'config', 'database', 'version', 'infrastructure', 'core-services', 'mcp-services', 'verify']);
        expect(r.stdout).not.toMatch(/still at 5\.0/);
        // what is left is what mcp cannot do under runtime none
        expect(r.stdout).toMatch(/runtime none: the services run outside mcp — move them to 6\.0 yourself/);
      }
    }

    expect((await mcp(['version', '--current'], { home })).stdout.trim()).toMatch(/^6\.0/);
    const db = (await mcp(['db', 'status', '--json'], { home })).json();
    expect(db.pending).toBe(0);
    expect(db.migrations.map((m: any) => m.file)).toContain('6.0.0_1__v6_auth_and_deployments.sql');
    expect(db.migrations.every((m: any) => m.state === 'applied')).toBe(true);
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    expect(cfg.version).toBe('6.0');
    expect(cfg.auth.providers.jwt).toBeDefined();
    const verify = await mcp(['migration', 'verify', '--version', '6.0', '--json'], { home });
    expect(verify.exitCode, verify.stdout).toBe(0);
    expect(verify.json().ok).toBe(true);
    // the services the operator runs were probed and answered; the infrastructure mcp cannot reach is said so
    const services = verify.json().checks.find((c: any) => c.name === 'services');
    expect(services.detail).toMatch(/^runtime none: \d of 9 services answered healthy/);
    const served = v5.services.filter((x: any) => x.type !== 'infrastructure').map((x: any) => x.name);
    for (const i of services.items) expect(i.ok).toBe(true);
    expect(services.items.filter((i: any) => served.includes(i.name)).map((i: any) => /^external/.test(i.detail))).toEqual(served.map(() => false));
    // the v5 config is in the version history: the guide's rollback goes back to it
    expect((await mcp(['version', '--json'], { home })).json().history.map((h: any) => h.version)).toEqual(['4.2', '5.0', '6.0']);
  }, 600_000);

  it('a service the installation does not have: the dry run refuses it exactly as the run does, and nothing changes', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    const plan = join(tempDir(), 'migration-plan.yaml');
    writeFileSync(plan, 'version: 6.0\nmigration:\n  strategy: rolling\n  phases:\n    - name: infrastructure\n      services: [traefik-gateway]\n');
    const before = readFileSync(join(home, 'config/platform.json'), 'utf8');
    const dry = await mcp(['migration', 'execute', '--plan', plan, '--dry-run'], { home });
    const run = await mcp(['migration', 'execute', '--plan', plan], { home });
    expect(dry.exitCode).toBe(3);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toBe(dry.stderr);
    expect(run.stderr).toMatch(/migration-plan\.yaml:6.*step infrastructure\.traefik-gateway \(service\.migrate\): unknown service 'traefik-gateway'/);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(before);
    expect((await mcp(['migration', 'status', '--json'], { home })).stdout).not.toMatch(/rolling-back/);
  }, 120_000);
});

// ------------------------------------------------------------- docker → kubernetes, one service at a time

const SERVICES = [
  ['traefik', 'infrastructure', 'traefik:2.10'],
  ['redis', 'infrastructure', 'redis:7'],
  ['postgres', 'infrastructure', 'postgres:15'],
  ['auth-service', 'core', 'mcp-platform/auth:5.0'],
  ['config-service', 'core', 'mcp-platform/config:5.0'],
  ['registry-service', 'core', 'mcp-platform/registry:5.0'],
  ['filesystem-mcp', 'mcp', 'mcp-platform/filesystem:5.0'],
  ['git-mcp', 'mcp', 'mcp-platform/git:5.0'],
  ['browser-mcp', 'mcp', 'mcp-platform/browser:5.0'],
] as const;

/** A v5 installation written by hand: docker runtime, the guide's nine services, a field of our own. */
async function dockerHome(fb: FakeBins): Promise<string> {
  const home = tempDir();
  expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
  const path = join(home, 'config/platform.json');
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  doc.runtime = { type: 'docker' };
  // MCP servers on stdio: the health check speaks the protocol to a real server (the fixture)
  const stdio = { transport: 'stdio', healthCheck: { type: 'mcp', timeout: '30s', command: [process.execPath, join(ROOT, 'test/fixtures/mcp-server.mjs'), '--stdio'] } };
  doc.services = SERVICES.map(([name, type, image]) => ({ name, type, image, instances: 1, x_team: 'platform-ops', ...(type === 'mcp' ? stdio : {}) }));
  writeFileSync(path, JSON.stringify(doc, null, 2));
  expect((await mcp(['start', '--all'], { home, env: { PATH: fb.path } })).exitCode).toBe(0);
  // the operator applied the v6 manifests (mcp k8s …): the Deployments exist, scaled to 0
  fb.setState({ ...fb.state(), deployments: Object.fromEntries(SERVICES.map(([n, , image]) => [n, { replicas: 0, image: image.replace(':5.0', ':6.0') }])) });
  return home;
}

const running = (fb: FakeBins) => {
  const st = fb.state<{ containers: Record<string, { State: string }>; deployments: Record<string, { replicas: number }> }>();
  return {
    docker: Object.entries(st.containers ?? {}).filter(([, c]) => c.State === 'running').map(([n]) => n).sort(),
    kubernetes: Object.entries(st.deployments ?? {}).filter(([, d]) => d.replicas > 0).map(([n]) => n).sort(),
  };
};
const all = SERVICES.map(([n]) => n).sort();
const guidePlan = () => {
  const f = join(tempDir(), 'migration-plan.yaml');
  writeFileSync(f, blocks('yaml').find((b) => b.startsWith('# migration-plan.yaml'))!);
  return f;
};

describe('migration execute --plan on a docker v5 installation', () => {
  it('hands each service over to Kubernetes in the plan order: up there first, then down in docker', async () => {
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE, kubectl: KUBECTL });
    const home = await dockerHome(fb);
    const before = fb.calls().length;
    const r = await mcp(['migration', 'execute', '--plan', guidePlan(), '--json'], { home, env: { PATH: fb.path }, timeoutMs: 180_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(resultOf(r.stdout)).toMatchObject({ status: 'completed', plan: { kind: 'upgrade', from: '5.0', to: '6.0' } });
    expect(running(fb)).toEqual({ docker: [], kubernetes: all });
    // order: for each service, kubectl scale/restart of it comes before docker stop of it, and the
    // infrastructure phase is done before core-services starts
    const calls = fb.calls().slice(before).map((c) => `${c.bin} ${c.argv.join(' ')}`);
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c));
    for (const [n] of SERVICES) expect(at(new RegExp(`^kubectl .*rollout restart deployment/${n}$`))).toBeLessThan(at(new RegExp(`^docker compose .* stop -t 10 ${n}$`)));
    expect(at(/docker compose .* stop -t 10 postgres$/)).toBeLessThan(at(/kubectl .*scale deployment\/auth-service /));
    expect(at(/docker compose .* stop -t 10 registry-service$/)).toBeLessThan(at(/kubectl .*scale deployment\/filesystem-mcp /));
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    expect(cfg).toMatchObject({ version: '6.0', runtime: { type: 'kubernetes' } });
    expect(cfg.services.every((s: any) => s.x_team === 'platform-ops')).toBe(true);
    expect((await mcp(['version', '--current'], { home })).stdout).toMatch(/^6\.0/);
  }, 300_000);

  it('a service that fails to come up in the last phase: everything is put back — docker running, Kubernetes at 0, config and database at 5.0', async () => {
    const fb = fakeBins(tempDir(), { docker: DOCKER_COMPOSE, kubectl: KUBECTL });
    const home = await dockerHome(fb);
    const st = fb.state<any>();
    delete st.deployments['browser-mcp']; // its manifest was never applied
    fb.setState(st);
    const cfgBefore = readFileSync(join(home, 'config/platform.json'), 'utf8');
    const dbBefore = (await mcp(['db', 'status', '--json'], { home })).json();

    const r = await mcp(['migration', 'execute', '--plan', guidePlan(), '--json'], { home, env: { PATH: fb.path }, timeoutMs: 180_000 });
    expect(r.exitCode).toBe(1);
    const doc = resultOf(r.stdout);
    expect(doc.status, doc.error).toBe('rolled-back');
    expect(doc.steps.find((s: any) => s.id === 'mcp-services.browser-mcp')).toMatchObject({ error: expect.stringMatching(/browser-mcp.*not found/) });
    expect(running(fb)).toEqual({ docker: all, kubernetes: [] });
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(cfgBefore);
    expect((await mcp(['db', 'status', '--json'], { home })).json().migrations).toEqual(dbBefore.migrations);
    expect((await mcp(['version', '--current'], { home })).stdout).toMatch(/^5\.0/);
    expect(existsSync(join(home, 'state/compose/docker-compose.yml'))).toBe(true);
    expect(readFileSync(join(home, 'state/compose/docker-compose.yml'), 'utf8')).toMatch(/image: mcp-platform\/browser:5\.0/);
  }, 300_000);
});
