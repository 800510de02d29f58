// The docker runtime against a real container engine (podman's Docker API, set up by test/engine/setup.mjs):
// the built `mcp` starts, inspects, probes over MCP, stops and kills real containers, and the engine's own
// event log shows it did.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { join } from 'node:path';
import { MCP, ROOT, mcp, mcpMigrate, tempDir } from '../helpers/cli.js';
import { spawn } from 'node:child_process';
import { INFRA, SERVER, containers, dockerHome, engineEvents, projects, removeProject } from '../helpers/engine.js';

afterAll(async () => {
  for (const p of projects) await removeProject(p);
});

describe('docker runtime on a real engine', () => {
  it('start --all, status --detailed, health --verbose over MCP on the published ports, stop --all; the engine logged each start and stop', async () => {
    const { home, project, env, ports } = await dockerHome();
    const since = new Date(Date.now() - 1000);
    const start = await mcp(['start', '--all', '--json'], { home, env });
    expect(start.exitCode, start.stderr).toBe(0);
    const running = await containers(project);
    expect(running.map((c) => [c.Names, c.State, c.Image]).sort()).toEqual([
      [`${project}-filesystem_mcp-1`, 'running', `${SERVER}:4.2`],
      [`${project}-git_mcp-1`, 'running', `${SERVER}:4.2`],
      [`${project}-redis-1`, 'running', INFRA],
    ]);

    const status = await mcp(['status', '--detailed', '--json'], { home, env });
    expect(status.exitCode, status.stderr).toBe(0);
    const services = status.json().services as Array<{ name: string; state: string }>;
    expect(services.map((s) => [s.name, s.state]).sort()).toEqual([
      ['filesystem_mcp', 'running'],
      ['git_mcp', 'running'],
      ['redis', 'running'],
    ]);

    // the MCP protocol itself, over the ports the engine published
    const health = await mcp(['health', '--verbose', '--json'], { home, env });
    expect(health.exitCode, health.stdout + health.stderr).toBe(0);
    const checks = health.json().services as Array<{ name: string; healthy: boolean; check: string; target: string; tools?: string[]; server?: { name: string; version: string } }>;
    expect(checks.find((c) => c.name === 'filesystem_mcp')).toMatchObject({ healthy: true, check: 'mcp', target: `http://127.0.0.1:${ports.fs}/mcp`, server: { name: 'engine-test-server', version: '4.2' }, tools: ['read_file', 'write_file', 'list_directory'] });
    expect(checks.find((c) => c.name === 'redis')).toMatchObject({ healthy: true, check: 'tcp', target: `127.0.0.1:${ports.redis}` });

    const stop = await mcp(['stop', '--all', '--json'], { home, env });
    expect(stop.exitCode, stop.stderr).toBe(0);
    // a graceful stop: SIGTERM and the servers' own exit, not a kill (exit 0, not 137)
    const stopped = await containers(project);
    for (const c of stopped.filter((x) => x.Image.startsWith(SERVER))) expect([c.Names, c.State, c.Status]).toEqual([c.Names, 'exited', expect.stringMatching(/^Exited \(0\)/)]);
    const after = await mcp(['status', '--json'], { home, env });
    expect((after.json().services as Array<{ state: string }>).every((s) => s.state === 'stopped')).toBe(true);

    // the engine's own record
    const events = await engineEvents(since, `${project}-`);
    for (const n of ['filesystem_mcp', 'git_mcp', 'redis']) {
      const mine = events.filter((e) => e.name === `${project}-${n}-1`).map((e) => e.status);
      expect(mine, n).toContain('start');
      expect(mine, n).toContain('died');
    }
  }, 180_000);

  it('stop --force kills at once; start brings the same containers back; services verify says which are down', async () => {
    const { home, project, env } = await dockerHome();
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    const ids = (await containers(project)).map((c) => c.Names).sort();
    const killed = await mcp(['stop', 'git_mcp', '--force', '--json'], { home, env });
    expect(killed.exitCode, killed.stderr).toBe(0);
    const git = (await containers(project)).find((c) => c.Names === `${project}-git_mcp-1`)!;
    expect([git.State, git.Status]).toEqual(['exited', expect.stringMatching(/^Exited \(137\)/)]);
    const verify = await mcp(['services', 'verify', '--all', '--json'], { home, env });
    expect(verify.exitCode, verify.stdout + verify.stderr).toBe(3);
    expect(JSON.stringify(verify.json())).toContain('git_mcp');
    expect((await mcp(['start', 'git_mcp'], { home, env })).exitCode).toBe(0);
    expect((await containers(project)).map((c) => c.Names).sort()).toEqual(ids);
    const ok = await mcp(['services', 'verify', '--all', '--json'], { home, env });
    expect(ok.exitCode, ok.stdout).toBe(0);
  }, 180_000);

  it('when the engine dies, a command exits 3 naming it and records no start; once it is back, the same command works', async () => {
    const { home, project, env } = await dockerHome();
    const socket = env.DOCKER_HOST!.replace(/^unix:\/\//, '');
    await execa('pkill', ['-f', `podman system service --time=0 unix://${socket}`], { reject: false });
    try {
      const r = await mcp(['start', '--all', '--json'], { home, env });
      expect(r.exitCode, r.stdout + r.stderr).toBe(3);
      expect(r.json().error.message).toBe(`the container engine does not answer at DOCKER_HOST ${env.DOCKER_HOST}`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const st = await mcp(['status', '--json'], { home, env });
      expect(st.exitCode).toBe(3);
      // nothing says the services were started
      const log = readFileSync(join(home, 'logs', 'mcp.log'), 'utf8');
      expect(log).not.toMatch(/"event":"runtime\.start"/);
    } finally {
      // the engine back, as setup.mjs starts it
      await execa(process.execPath, [join(ROOT, 'test/engine/setup.mjs')], { stdio: 'inherit' });
    }
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    expect((await containers(project)).every((c) => c.State === 'running')).toBe(true);
  }, 180_000);

  it('mcp upgrade 4.2 → 5.0 recreates the containers on the new tags; killed (-9) after the config step, it resumes to a healthy 5.0', async () => {
    const { home, project, env } = await dockerHome();
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    // kill -9 once the config is transformed (services stopped, database not yet migrated)
    const child = spawn(process.execPath, [MCP, '--home', home, 'upgrade', '--to', '5.0', '--json'], { env: { ...process.env, ...env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const killedAt = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        for (const l of out.split('\n')) {
          if (!l.startsWith('{')) continue;
          const e = JSON.parse(l);
          if (e.type === 'step.end' && e.kind === 'config.transform') {
            child.kill('SIGKILL');
            resolve(e.step);
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`upgrade ended (${code}) before its config step: ${out.slice(-500)}`)));
    });
    expect(killedAt).toBeTruthy();
    await new Promise((r) => child.on('close', r));
    // what the engine runs now: the 4.2 containers stopped, nothing at 5.0 yet
    expect((await containers(project)).filter((c) => c.State === 'running')).toEqual([]);
    const resumed = await mcp(['migration', 'resume', '--json'], { home, env });
    expect(resumed.exitCode, resumed.stdout.slice(-2000) + resumed.stderr).toBe(0);
    const running = (await containers(project)).filter((c) => c.State === 'running');
    expect(running.map((c) => [c.Names, c.Image]).sort()).toEqual([
      [`${project}-filesystem-mcp-1`, `${SERVER}:5.0`],
      [`${project}-git-mcp-1`, `${SERVER}:5.0`],
      [`${project}-redis-1`, INFRA],
    ]);
    const health = await mcp(['health', '--verbose', '--json'], { home, env });
    expect(health.exitCode, health.stdout).toBe(0);
    expect(health.json().services.find((s: { name: string }) => s.name === 'filesystem-mcp')).toMatchObject({ healthy: true, check: 'mcp', server: { version: '5.0' } });
    const verify = await mcp(['migration', 'verify', '--version', '5.0', '--json'], { home, env });
    expect(verify.exitCode, verify.stdout.slice(-2000)).toBe(0);
  }, 300_000);

  it("a rolling migration's canary gate reads the container's own metrics: held when they are good, rolled back when the container starts failing", async () => {
    for (const failing of [false, true]) {
      const { home, project, env, ports } = await dockerHome();
      if (failing) {
        // this release comes up healthy and starts failing 4 s later (health and MCP answer 500; its /metrics says so)
        const f = join(home, 'config', 'platform.yaml');
        writeFileSync(f, readFileSync(f, 'utf8').replace(/( {2}- name: filesystem_mcp\n {4}type: mcp\n)/, "$1    environment:\n      MCP_FAIL_AFTER_MS: '4000'\n"), { mode: 0o600 });
      }
      expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
      const plan = join(home, 'rolling.yaml');
      writeFileSync(
        plan,
        `version: "4.2"
migration:
  strategy: rolling
  order:
    - group: mcp-services
      services: [filesystem_mcp]
      canary: true
      canaryPercentage: 50
      canaryDuration: 8s
      canaryInterval: 1s
      metrics: http://127.0.0.1:${ports.fs}/metrics
      health: [http://127.0.0.1:${ports.fs}/health]
  rollback:
    automatic: true
    conditions:
      - errorRate: "> 5%"
      - healthCheck: "failing"
`,
      );
      const r = await mcp(['migration', 'execute', '--plan', plan, '--json'], { home, env });
      const ev = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      const measured = ev.filter((e) => e.type === 'canary.measure');
      expect(measured.length, r.stdout.slice(-1500)).toBeGreaterThan(0);
      const last = measured[measured.length - 1].checks.map((c: { condition: string; value: string; breached: boolean }) => [c.condition, c.breached]);
      if (!failing) {
        expect(r.exitCode, r.stdout.slice(-1500)).toBe(0);
        expect(last).toEqual([['errorRate > 5%', false], ['healthCheck failing', false]]);
        expect(measured[measured.length - 1].checks[0].value).toBe('0.00%');
      } else {
        expect(r.exitCode).not.toBe(0);
        expect(ev.pop()).toMatchObject({ type: 'result', status: 'rolled-back' });
        // held while it was healthy, then the container's own numbers broke the gate
        expect(measured[0].verdict).toBe('ok');
        // the first failing answer breaks the health gate; the error rate beside it is the container's own (measured just before)
        expect(measured[measured.length - 1].verdict).toBe('breached');
        expect(last[1]).toEqual(['healthCheck failing', true]);
        expect(measured[measured.length - 1].checks[1].value).toMatch(new RegExp(`^failing \\(http://127\\.0\\.0\\.1:${ports.fs}/health 500\\)$`));
        expect(measured[measured.length - 1].checks[0].value).toMatch(/^\d+\.\d\d%$/);
      }
      // the recreated container is the engine's, running either way (the rollback recreates the previous definition)
      expect((await containers(project)).find((c) => c.Names === `${project}-filesystem_mcp-1`)?.State).toBe('running');
    }
  }, 300_000);

  it('deploy --env staging --runtime docker: staging runs the config through its own runtime, so its status, health and stop see the containers', async () => {
    const { home: staging, project, env } = await dockerHome();
    const dev = tempDir('mcp-engine-dev-');
    expect((await mcp(['init', '--version', '4.2'], { home: dev })).exitCode).toBe(0);
    // staging's home is staging; the config to deploy is the one dockerHome wrote, for staging
    const cfgFile = join(dev, 'config-staging.yaml');
    writeFileSync(cfgFile, readFileSync(join(staging, 'config', 'platform.yaml'), 'utf8').replace('environment: development', 'environment: staging'));
    writeFileSync(join(staging, 'config', 'platform.yaml'), readFileSync(cfgFile, 'utf8'), { mode: 0o600 });
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    const d = await mcp(['deploy', '--env', 'staging', '--config', cfgFile, '--runtime', 'docker', '--json'], { home: dev, env });
    expect(d.exitCode, d.stdout + d.stderr).toBe(0);
    expect(d.json()).toMatchObject({ runtime: 'docker', environment: 'staging', project, services: ['redis', 'filesystem_mcp', 'git_mcp'] });
    const st = await mcp(['status', '--json'], { home: staging, env });
    expect((st.json().services as Array<{ name: string; state: string }>).map((s) => [s.name, s.state]).sort()).toEqual([
      ['filesystem_mcp', 'running'],
      ['git_mcp', 'running'],
      ['redis', 'running'],
    ]);
    expect((await mcp(['stop', '--all'], { home: staging, env })).exitCode).toBe(0);
    expect((await containers(project)).every((c) => c.State === 'exited')).toBe(true);
  }, 180_000);

  it("logs --service shows the container's own lines; services reset recreates a container from its definition", async () => {
    const { home, project, env } = await dockerHome();
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    const logs = await mcp(['logs', '--service', 'filesystem_mcp', '--json'], { home, env });
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.json().entries).toEqual(expect.arrayContaining([expect.objectContaining({ service: 'filesystem_mcp', source: 'docker:filesystem_mcp', message: 'engine-test-server 4.2 listening 3000' })]));
    const id = async () => (await containers(project)).find((c) => c.Names === `${project}-git_mcp-1`) as unknown as { ID: string; State: string };
    const before = await id();
    const reset = await mcp(['services', 'reset', 'git_mcp', '--json'], { home, env });
    expect(reset.exitCode, reset.stderr).toBe(0);
    const after = await id();
    expect(after.State).toBe('running');
    expect(after.ID).not.toBe(before.ID);
    const list = await mcp(['services', 'list', '--json'], { home, env });
    expect(list.json().services.map((s: { name: string; image: string }) => [s.name, s.image])).toEqual([
      ['redis', INFRA],
      ['filesystem_mcp', `${SERVER}:4.2`],
      ['git_mcp', `${SERVER}:4.2`],
    ]);
  }, 180_000);

  it("logs --follow --service prints the container's new lines as they come", async () => {
    const { home, env, ports } = await dockerHome();
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    const child = spawn(process.execPath, [MCP, '--home', home, 'logs', '--follow', '--service', 'filesystem_mcp', '--json'], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    try {
      const probe = `/follow-probe-${Date.now()}`;
      const until = Date.now() + 30_000;
      // asked again until the follower is attached: the first requests may come before it is
      while (!out.includes(`"message":"GET ${probe} 404"`)) {
        if (Date.now() > until) throw new Error(`no followed line for ${probe}: ${out.slice(-800)}`);
        await fetch(`http://127.0.0.1:${ports.fs}${probe}`).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const line = out.split('\n').find((l) => l.includes(probe))!;
      expect(JSON.parse(line)).toMatchObject({ type: 'log', service: 'filesystem_mcp', source: 'docker:filesystem_mcp', message: `GET ${probe} 404` });
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);

  it('the engine dies in the middle of an upgrade: the run fails naming it, its rollback stops where it needs the engine, and once the engine is back the rollback puts 4.2 back running', async () => {
    const { home, project, env } = await dockerHome();
    expect((await mcp(['start', '--all'], { home, env })).exitCode).toBe(0);
    const socket = env.DOCKER_HOST!.replace(/^unix:\/\//, '');
    const child = spawn(process.execPath, [MCP, '--home', home, 'upgrade', '--to', '5.0', '--json'], { env: { ...process.env, ...env, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let killed = false;
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      // the services are stopped: the engine goes away before the upgrade starts them again
      if (!killed && /"type":"step.end"[^\n]*"kind":"services.stop"/.test(out)) {
        killed = true;
        void execa('pkill', ['-f', `podman system service --time=0 unix://${socket}`], { reject: false });
      }
    });
    let code: number | null;
    try {
      code = await new Promise<number | null>((r) => child.on('close', r));
    } finally {
      await execa(process.execPath, [join(ROOT, 'test/engine/setup.mjs')], { stdio: 'inherit' });
    }
    expect(killed).toBe(true);
    // a run that failed exits 1 (docs/exit-codes.md); what failed is named, and the journal says where the rollback stopped
    expect(code, out.slice(-1500)).toBe(1);
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result).toMatchObject({ type: 'result', status: 'failed', rollback: { failed: true } });
    expect(result.error).toMatch(/the container engine does not answer at DOCKER_HOST .*; rollback stopped: undoing start \(start all services at 5\.0\) failed: the container engine does not answer/);
    // the engine back: the rollback goes on from where it stopped, to the run's start (--to 4.2: services running again;
    // without it, it stops at the rollback point after the services were stopped)
    const rb = await mcpMigrate(['rollback', '--to', '4.2', '--json'], { home, env });
    expect(rb.exitCode, rb.stdout.slice(-1500) + rb.stderr).toBe(0);
    const running = (await containers(project)).filter((c) => c.State === 'running');
    expect(running.map((c) => [c.Names, c.Image]).sort()).toEqual([
      [`${project}-filesystem_mcp-1`, `${SERVER}:4.2`],
      [`${project}-git_mcp-1`, `${SERVER}:4.2`],
      [`${project}-redis-1`, INFRA],
    ]);
  }, 300_000);
});
