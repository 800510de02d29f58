// The main job on the built binary: `mcp init --example`, then `mcp upgrade --to 6.0`, interrupted with
// kill -9 at random points and resumed or rolled back. Also: two runs at once (exit 4), a saved plan
// whose installation changed (exit 5), plans without secrets.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { mcp, mcpMigrate, tempDir, MCP } from '../helpers/cli.js';
// @ts-expect-error plain JS helper shared with test/kill-upgrade.mjs
import { trial, fingerprintHome, dbRows } from '../helpers/kill-trial.mjs';

const TRIALS = Number(process.env.MCP_KILL_TRIALS ?? 20);
let template = '';
let start: any;
let fullMs = 0;
let ready = false;
let why = '';

beforeAll(async () => {
  template = join(tempDir(), 'home');
  const r = await mcp(['init', '--example'], { home: template, timeoutMs: 120_000 });
  expect(r.exitCode, r.stderr).toBe(0);
  start = await fingerprintHome(template);
  const dry = await mcp(['upgrade', '--to', '6.0', '--dry-run'], { home: template });
  ready = dry.exitCode === 0;
  why = dry.stderr;
}, 180_000);

describe('mcp init --example', () => {
  it('creates a v4.2 installation: the guide\'s services, data files, database rows in the v4 layout, no secret printed', async () => {
    const cfg = readFileSync(join(template, 'config/platform.yaml'), 'utf8');
    expect(cfg).toMatch(/^version: '4.2'/m);
    for (const s of ['traefik', 'redis', 'postgres', 'auth_service', 'config_service', 'registry_service', 'filesystem_mcp', 'git_mcp', 'browser_mcp']) expect(cfg).toContain(`name: ${s}\n`);
    expect(cfg).toMatch(/type: none/);
    expect(Object.keys(start.data).length).toBeGreaterThan(5);
    expect(Object.keys(start.rows)).toEqual(['platform_data']);
    const again = await mcp(['init', '--example', '--json'], { home: template });
    expect(again.exitCode).toBe(3);
  });
});

describe('mcp upgrade --to 6.0 (the main job)', () => {
  it('runs v4 → v5 → v6 and reports steps, durations and what is left to do', async (ctx) => {
    if (!ready) ctx.skip(`the upgrade is refused here: ${why}`);
    const home = join(tempDir(), 'home');
    const { cpSync } = await import('node:fs');
    cpSync(template, home, { recursive: true });
    const t0 = Date.now();
    const r = await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 180_000 });
    fullMs = Date.now() - t0;
    expect(r.exitCode, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Upgrade 4\.2 → 6\.0: completed in/);
    expect(r.stdout).toMatch(/What you must still do:/);
    expect(r.stdout).toMatch(/Runtime: none/);
    expect(r.stderr).toMatch(/✓ v5\.database › database migrations to 5\.0/);
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    expect(cfg.version).toBe('6.0');
    expect(Object.keys(await dbRows(home))).toEqual(expect.arrayContaining(['services', 'users', 'auth_providers']));
    expect((await mcp(['version', '--current'], { home })).stdout.trim()).toBe('6.0');
    const v = await mcp(['migration', 'verify', '--version', '6.0', '--json'], { home });
    expect(v.exitCode, v.stdout).toBe(0);
    const status = (await mcp(['migration', 'status', '--json'], { home })).json();
    expect(status.status).toBe('completed');
    // the guide's rollback to 4.0 undoes everything, byte for byte
    const back = await mcpMigrate(['rollback', '--to', '4.0'], { home, timeoutMs: 180_000 });
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await fingerprintHome(home)).toEqual(start);
  }, 240_000);

  it(`kill -9 at ${TRIALS} random points: resume or rollback ends fully upgraded or byte-identical to the start`, async (ctx) => {
    if (!ready) ctx.skip(`the upgrade is refused here: ${why}`);
    // two trials at a time (each is a killed run plus a resume or a rollback); kill points spread over the
    // whole run, which is slower here than when it ran alone
    const span = Math.max(fullMs, 3000);
    const isTarget = async (home: string) => {
      try {
        return JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8')).version === '6.0';
      } catch {
        return false;
      }
    };
    const results: any[] = [];
    let next = 0;
    const worker = async () => {
      while (next < TRIALS) {
        const i = next++;
        const killAfterMs = Math.floor(Math.random() * span);
        const action = i % 2 ? 'rollback' : 'resume';
        results.push(await trial({ template, start, run: ['upgrade', '--to', '6.0'], killAfterMs, action, isTarget, rollbackArgs: ['--to', i % 4 === 1 ? '4.0' : '4.2'] }));
      }
    };
    await Promise.all([worker(), worker()]);
    expect(results.length).toBe(TRIALS);
    // most kill points land inside the run (a loaded machine can make a run finish early or late)
    expect(results.filter((r: any) => r.killed).length).toBeGreaterThanOrEqual(TRIALS / 4);
  }, 2_400_000);
});

describe('runs and plans', () => {
  const planOf = (steps: unknown[]) => ({ apiVersion: 'mcp.plan/v1', name: 'settings', kind: 'config-change', from: '5.0', to: '5.0', phases: [{ name: 'one', steps }] });

  it('a second execute while one runs exits 4 naming the holder', async () => {
    const home = join(tempDir(), 'home');
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    const file = join(tempDir(), 'slow.json');
    writeFileSync(file, JSON.stringify(planOf([{ id: 'w', kind: 'wait', title: 'wait', params: { ms: 4000 } }])));
    const first = spawn(process.execPath, [MCP, '--home', home, 'migration', 'execute', '--plan', file], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    const done = new Promise((r) => first.on('exit', r));
    await new Promise((r) => setTimeout(r, 1500));
    const second = await mcp(['migration', 'execute', '--plan', file], { home });
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toMatch(/another run holds .*pid \d+/);
    expect(await done).toBe(0);
  });

  it('a saved plan carries a fingerprint and no secrets; executing it after the installation changed exits 5', async () => {
    const home = join(tempDir(), 'home');
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    const file = join(tempDir(), 'plan.json');
    // a promotion goes into the target's own home: with none registered, exit 2 naming how, and no plan written
    const made = await mcpMigrate(['plan', '--source-env', 'development', '--target-env', 'staging', '--out', file], { home });
    expect(made.exitCode).toBe(2);
    expect(made.stderr).toMatch(/mcp environments add staging --home DIR/);
    expect(existsSync(file)).toBe(false);
    const own = join(tempDir(), 'own.json');
    writeFileSync(own, JSON.stringify(planOf([{ id: 'set', kind: 'config.set', title: 'set host', params: { set: { 'api.host': 'staging.example' } } }])));
    const saved = join(tempDir(), 'saved.json');
    const p = await mcpMigrate(['plan', '--plan', own, '--out', saved], { home });
    expect(p.exitCode, p.stderr).toBe(0);
    expect(JSON.parse(readFileSync(saved, 'utf8')).fingerprint.inputs).toHaveProperty('config');
    // the world changes
    const cfgPath = join(home, 'config/platform.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, environment: 'staging' }, null, 2));
    const stale = await mcpMigrate(['execute', '--plan', saved], { home });
    expect(stale.exitCode).toBe(5);
    expect(stale.stderr).toMatch(/config changed since/);
    // a fresh plan runs, and the JSON mode streams NDJSON events ending with the result
    const fresh = join(tempDir(), 'fresh.json');
    expect((await mcpMigrate(['plan', '--plan', own, '--out', fresh], { home })).exitCode).toBe(0);
    const ran = await mcp(['migration', 'execute', '--plan', fresh, '--json'], { home });
    expect(ran.exitCode, ran.stderr).toBe(0);
    const events = ran.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.type)).toEqual(['run.start', 'phase.start', 'step.start', 'step.end', 'phase.end', 'run.end', 'result']);
    expect(JSON.parse(readFileSync(cfgPath, 'utf8')).api.host).toBe('staging.example');
    expect(readdirSync(join(home, 'state/runs')).length).toBe(1);
  });

  it('kill -9 during a run of engine steps, then resume or rollback: the config ends as planned or as it was', async () => {
    const home = join(tempDir(), 'home');
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    const before = readFileSync(join(home, 'config/platform.json'), 'utf8');
    const steps = [];
    for (let i = 0; i < 6; i++) {
      steps.push({ id: `set${i}`, kind: 'config.set', title: `set ${i}`, params: { set: { [`platform.k${i}`]: i } } });
      steps.push({ id: `w${i}`, kind: 'wait', title: `wait ${i}`, params: { ms: 150 } });
    }
    const file = join(tempDir(), 'p.json');
    writeFileSync(file, JSON.stringify(planOf(steps)));
    for (let i = 0; i < 4; i++) {
      const h = join(tempDir(), 'h');
      const { cpSync } = await import('node:fs');
      cpSync(home, h, { recursive: true });
      const child = spawn(process.execPath, [MCP, '--home', h, 'migration', 'execute', '--plan', file], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
      const exited = new Promise((r) => child.on('exit', r));
      // wait until the run has started changing the config, then kill it somewhere in the middle
      for (let n = 0; n < 100 && readFileSync(join(h, 'config/platform.json'), 'utf8') === before; n++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 600));
      child.kill('SIGKILL');
      await exited;
      if (i % 2) {
        const r = await mcpMigrate(i === 1 ? ['rollback', '--to', '5.0'] : ['rollback'], { home: h });
        expect(r.exitCode, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/rolled-back/);
        expect(readFileSync(join(h, 'config/platform.json'), 'utf8')).toBe(before);
      } else {
        const r = await mcp(['migration', 'resume'], { home: h });
        expect([0, 3], r.stderr).toContain(r.exitCode);
        const cfg = JSON.parse(readFileSync(join(h, 'config/platform.json'), 'utf8'));
        if (r.exitCode === 0) expect(cfg.platform).toMatchObject({ k0: 0, k5: 5 });
      }
    }
  }, 120_000);
});
