// Blue/green on the docker runtime against a real engine: the plan's deployment phase (the guide's
// production-migration.yaml, `strategy: blue_green`) run from a staging home into a production home whose
// platform runs in compose. Green is a second compose project on the platform's network, health-checked over
// MCP before traffic moves; the switch rewrites the traefik file the platform's traefik container reads, and
// from inside that container the new endpoints answer with the new release. A breached gate takes it all back,
// and so does a rollback of a run killed while it held green.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { MCP, mcp, mcpMigrate, tempDir } from '../helpers/cli.js';
import { INFRA, SERVER, containers, dockerHome, engineEnv, projects, removeProject } from '../helpers/engine.js';

afterAll(async () => {
  for (const p of projects) {
    await removeProject(`${p}-green`);
    await removeProject(p);
  }
});

const PLAN = `migration:
  name: "blue/green on docker"
  source:
    environment: staging
  target:
    environment: production
  steps:
    - name: deployment
      strategy: blue_green
      actions:
        - deploy_blue_environment
        - run_health_checks
        - switch_traffic
        - monitor_metrics
`;

/** A traefik stand-in (busybox: it has wget) that mounts its static configuration and file provider directory. */
const TRAEFIK = `  - name: traefik
    type: infrastructure
    image: ${INFRA}
    environment:
      PORT: '8081'
    volumes:
      - ./traefik:/etc/traefik
`;

/** Production on docker at 4.2, running; a staging home that knows it; the operator's config moved to 5.0. */
async function promotion(greenEnv = '') {
  const { home: prod, project, env } = await dockerHome('4.2', TRAEFIK);
  const cfg = join(prod, 'config', 'platform.yaml');
  writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('environment: development', 'environment: production'), { mode: 0o600 });
  mkdirSync(join(prod, 'traefik', 'dynamic'), { recursive: true });
  writeFileSync(join(prod, 'traefik', 'traefik.yml'), 'entryPoints:\n  web:\n    address: ":8081"\nproviders:\n  file:\n    directory: /etc/traefik/dynamic\n    watch: true\n');
  const started = await mcp(['start', '--all'], { home: prod, env });
  expect(started.exitCode, started.stderr).toBe(0);
  const staging = tempDir('mcp-engine-staging-');
  expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home: staging })).exitCode).toBe(0);
  const added = await mcp(['environments', 'add', 'production', '--home', prod], { home: staging });
  expect(added.exitCode, added.stderr).toBe(0);
  // the new release: every MCP server at 5.0 (and, for the breach, what it is started with)
  let next = readFileSync(cfg, 'utf8').replaceAll(`${SERVER}:4.2`, `${SERVER}:5.0`);
  if (greenEnv) next = next.replace('  - name: filesystem_mcp\n    type: mcp\n', `$&    environment:\n${greenEnv}`);
  writeFileSync(cfg, next, { mode: 0o600 });
  const plan = join(staging, 'bluegreen.yaml');
  writeFileSync(plan, PLAN);
  return { prod, project, env, staging, plan, traffic: join(prod, 'traefik', 'dynamic', 'mcp-traffic.yml') };
}

/** What a URL answers from inside the platform's traefik container, on the platform's network (busybox's wget: its -T crashes the static build, so execa's timeout bounds it). */
async function fromTraefik(project: string, url: string): Promise<string> {
  const r = await execa('docker', ['exec', `${project}-traefik-1`, '/bin/busybox', 'wget', '-qO-', url], { env: { ...process.env, ...engineEnv() }, reject: false, timeout: 30_000 });
  return r.exitCode === 0 ? r.stdout : `failed (${r.exitCode}): ${r.stderr}`;
}

/** The addresses a name resolves to on the platform's network, from the traefik container. */
async function addresses(project: string, name: string): Promise<string[]> {
  const r = await execa('docker', ['exec', `${project}-traefik-1`, '/bin/busybox', 'nslookup', name], { env: { ...process.env, ...engineEnv() }, reject: false, timeout: 30_000 });
  const answer = r.stdout.split('Non-authoritative answer:').slice(1).join('\n');
  return [...new Set(answer.match(/^Address:\s*(\S+)$/gm) ?? [])];
}

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l));
const apps = (cs: Array<{ Names: string; State: string; Image: string }>) => cs.filter((c) => c.Image.startsWith(SERVER)).map((c) => [c.Names, c.State, c.Image]).sort();

describe('blue/green on the docker runtime (real engine)', () => {
  it('green is a second compose project, probed over MCP; the switch rewrites the traefik file to it; lifecycle commands follow it; retire-blue removes blue', async () => {
    const { prod, project, env, staging, plan, traffic } = await promotion();
    // before: traefik reaches blue by its service name
    expect(JSON.parse(await fromTraefik(project, 'http://filesystem_mcp:3000/health'))).toMatchObject({ version: '4.2' });

    const r = await mcp(['migration', 'execute', '--plan', plan, '--monitor-window', '3s', '--json'], { home: staging, env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const ev = events(r.stdout);
    const deployed = ev.find((e) => e.type === 'step.end' && e.step === 'deployment.deploy-blue-environment').result;
    expect(deployed).toMatchObject({ color: 'green', live: 'blue', services: ['filesystem_mcp', 'git_mcp'], workloads: [`${project}-green`] });
    expect(deployed.endpoints).toEqual({ filesystem_mcp: 'http://green-filesystem-mcp:3000', git_mcp: 'http://green-git-mcp:3000' });
    expect(deployed.health.map((h: { service: string; ok: boolean; detail: string }) => [h.service, h.ok, /MCP/.test(h.detail)])).toEqual([
      ['filesystem_mcp', true, true],
      ['git_mcp', true, true],
    ]);

    // both colors run: blue untouched at 4.2 in the platform's project, green at 5.0 in its own
    expect(apps(await containers(project))).toEqual([
      [`${project}-filesystem_mcp-1`, 'running', `${SERVER}:4.2`],
      [`${project}-git_mcp-1`, 'running', `${SERVER}:4.2`],
    ]);
    expect(apps(await containers(`${project}-green`))).toEqual([
      [`${project}-green-green-filesystem-mcp-1`, 'running', `${SERVER}:5.0`],
      [`${project}-green-green-git-mcp-1`, 'running', `${SERVER}:5.0`],
    ]);
    // on the shared network blue's names are blue's alone: green never answers to them, before or after the switch
    for (const n of ['filesystem_mcp', 'git_mcp']) expect(await addresses(project, n), n).toHaveLength(1);
    expect(JSON.parse(await fromTraefik(project, 'http://filesystem_mcp:3000/health'))).toMatchObject({ version: '4.2' });
    // the traefik file names green's aliases, and from the traefik container they answer as 5.0
    const routed = readFileSync(traffic, 'utf8');
    expect(routed).toMatch(/^# mcp-color: green$/m);
    expect(routed).toContain('url: http://green-filesystem-mcp:3000');
    expect(JSON.parse(await fromTraefik(project, 'http://green-filesystem-mcp:3000/health'))).toMatchObject({ version: '5.0' });
    expect(JSON.parse(await fromTraefik(project, 'http://green-git-mcp:3000/health'))).toMatchObject({ version: '5.0' });

    // mcp's own commands in production now see green: status, and health over MCP at green's ports
    const health = await mcp(['health', '--verbose', '--json'], { home: prod, env });
    expect(health.exitCode, health.stdout + health.stderr).toBe(0);
    const checks = health.json().services as Array<{ name: string; healthy: boolean; server?: { version: string } }>;
    expect(checks.filter((c) => c.server).map((c) => [c.name, c.healthy, c.server!.version]).sort()).toEqual([
      ['filesystem_mcp', true, '5.0'],
      ['git_mcp', true, '5.0'],
    ]);

    // retire blue: its application containers go; the infrastructure and green stay
    const retired = await mcp(['environments', 'retire-blue', '--yes', '--json'], { home: prod, env });
    expect(retired.exitCode, retired.stdout + retired.stderr).toBe(0);
    expect(retired.json()).toMatchObject({ retired: 'blue', active: 'green' });
    expect((await containers(project)).map((c) => c.Names).sort()).toEqual([`${project}-redis-1`, `${project}-traefik-1`]);

    // stop and start act on green's project for the application services
    expect((await mcp(['stop', '--all'], { home: prod, env })).exitCode).toBe(0);
    expect((await containers(`${project}-green`)).every((c) => c.State === 'exited')).toBe(true);
    expect((await mcp(['start', '--all'], { home: prod, env })).exitCode).toBe(0);
    const status = await mcp(['status', '--json'], { home: prod, env });
    expect((status.json().services as Array<{ name: string; state: string }>).map((s) => [s.name, s.state]).sort()).toEqual([
      ['filesystem_mcp', 'running'],
      ['git_mcp', 'running'],
      ['redis', 'running'],
      ['traefik', 'running'],
    ]);
    expect(apps(await containers(project))).toEqual([]);
    expect(JSON.parse(await fromTraefik(project, 'http://green-filesystem-mcp:3000/health'))).toMatchObject({ version: '5.0' });
    // the services' own logs are green's containers' (blue's are gone): the requests the probes and traefik made
    const logs = await mcp(['logs', '--service', 'filesystem_mcp', '--json'], { home: prod, env });
    expect(logs.exitCode, logs.stderr).toBe(0);
    const lines = (logs.json().entries as Array<{ service: string; message: string; source: string }>).filter((l) => l.source === 'docker:filesystem_mcp');
    expect(lines.map((l) => l.message)).toContain('GET /health 200');
  }, 300_000);

  it('green starts failing while monitor_metrics holds it: traffic goes back to blue, green\'s project is removed, blue never stopped', async () => {
    const { prod, project, env, staging, plan, traffic } = await promotion("      MCP_FAIL_AFTER_MS: '4000'\n");
    const blueBefore = (await containers(project)).map((c) => [c.Names, c.State]).sort();
    const r = await mcp(['migration', 'execute', '--plan', plan, '--monitor-window', '60s', '--json'], { home: staging, env });
    expect(r.exitCode, r.stdout + r.stderr).not.toBe(0);
    const ev = events(r.stdout);
    expect(ev.find((e) => e.type === 'step.end' && e.step === 'deployment.switch-traffic')?.result).toMatchObject({ color: 'green', from: 'blue' });
    expect(JSON.stringify(ev)).toMatch(/the green deployment breached/);
    // back as it was: no traffic file (there was none), no green project, no blue/green state; blue ran throughout
    expect(existsSync(traffic)).toBe(false);
    expect(await containers(`${project}-green`)).toEqual([]);
    expect(existsSync(join(prod, 'state', 'bluegreen.json'))).toBe(false);
    expect((await containers(project)).map((c) => [c.Names, c.State]).sort()).toEqual(blueBefore);
    expect(JSON.parse(await fromTraefik(project, 'http://filesystem_mcp:3000/health'))).toMatchObject({ version: '4.2' });
  }, 300_000);

  it('killed (-9) while monitor_metrics holds green: mcp-migrate rollback from the journal switches back and removes green; blue never stopped', async () => {
    const { project, env, staging, plan, traffic } = await promotion();
    const blueBefore = (await containers(project)).map((c) => [c.Names, c.State]).sort();
    const child = spawn(process.execPath, [MCP, 'migration', 'execute', '--plan', plan, '--monitor-window', '10m', '--json'], { env: { ...process.env, ...env, MCP_HOME: staging, NO_COLOR: '1', CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (/"type":"step.start"[^\n]*"step":"deployment\.monitor-metrics"/.test(out)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`the run ended (${code}) before monitor_metrics: ${out.slice(-800)}`)));
    });
    await new Promise((r) => child.on('close', r));
    // killed mid-hold: green serves
    expect(readFileSync(traffic, 'utf8')).toMatch(/^# mcp-color: green$/m);
    expect(apps(await containers(`${project}-green`)).map((c) => c[1])).toEqual(['running', 'running']);
    const rb = await mcpMigrate(['rollback', '--json'], { home: staging, env });
    expect(rb.exitCode, rb.stdout.slice(-1500) + rb.stderr).toBe(0);
    expect(existsSync(traffic)).toBe(false);
    expect(await containers(`${project}-green`)).toEqual([]);
    expect((await containers(project)).map((c) => [c.Names, c.State]).sort()).toEqual(blueBefore);
    expect(JSON.parse(await fromTraefik(project, 'http://filesystem_mcp:3000/health'))).toMatchObject({ version: '4.2' });
  }, 300_000);
});
