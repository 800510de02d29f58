// Blue/green, end to end with the built binary: the guide's production-migration.yaml run from the staging home
// into a production home whose services are external (runtime none) — real MCP servers on 127.0.0.1 — and
// whose traefik reads a file provider directory. The new color is health-checked over MCP before traffic moves,
// the traffic file is rewritten to it, the gates hold it for a window, and a breach puts everything back.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import yaml from 'js-yaml';
import { MCP, ROOT, mcp, mcpMigrate } from '../helpers/cli.js';
import { files, homes, productionHome, rows, tree } from '../helpers/envs.js';

const PLAN = join(ROOT, 'test/fixtures/plans/production-migration.yaml');
const SERVER = join(ROOT, 'test/fixtures/mcp-server.mjs');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGTERM');
});

/**
 * A real MCP server over Streamable HTTP on 127.0.0.1 (health, MCP, Prometheus /metrics from `metricsFile` when
 * it exists), answering DELAY_MS late: what performance_tests measures is then the servers' latency, which holds
 * within the guide's 10%, not loopback noise.
 */
const DELAY_MS = 200;
async function server(metricsFile: string): Promise<number> {
  const c = spawn(process.execPath, [SERVER, '--http', '--port', '0', '--metrics-file', metricsFile, '--delay-ms', String(DELAY_MS), '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(c);
  return new Promise((resolve, reject) => {
    let out = '';
    c.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = out.match(/listening (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    c.on('exit', (code) => reject(new Error(`fixture server exited ${code}`)));
  });
}

/**
 * Production as an operator writes it: external MCP servers (runtime none) on their own ports, traefik reading
 * ./traefik/dynamic (file provider), the v4 table the data lands in. Returns the traffic file's path.
 */
async function externalProduction(prod: string, metricsFile: string): Promise<{ traffic: string; ports: number[] }> {
  await productionHome(prod);
  const ports = [await server(metricsFile), await server(metricsFile)];
  writeFileSync(
    join(prod, 'config', 'platform.yaml'),
    `version: '4.2'
environment: production
platform:
  name: mcp-production
api:
  host: api.mcp-platform.io
  port: 8443
  base_path: /api/
security:
  tls:
    enabled: false
    cert_file: tls/cert.pem
    key_file: tls/key.pem
auth:
  type: bearer
  tokens: []
database:
  type: pglite
  table: platform_data
runtime:
  type: none
services:
  - name: traefik
    type: infrastructure
    image: traefik:2.11
    volumes:
      - ./traefik:/etc/traefik:ro
  - name: filesystem_mcp
    type: mcp
    image: mcp/filesystem-server:4.2
    ports:
      - '127.0.0.1:${ports[0]}:${ports[0]}'
  - name: git_mcp
    type: mcp
    image: mcp/git-server:4.2
    ports:
      - '127.0.0.1:${ports[1]}:${ports[1]}'
`,
    { mode: 0o600 },
  );
  mkdirSync(join(prod, 'traefik', 'dynamic'), { recursive: true });
  writeFileSync(join(prod, 'traefik', 'traefik.yml'), 'entryPoints:\n  web:\n    address: ":8081"\nproviders:\n  file:\n    directory: /etc/traefik/dynamic\n    watch: true\n');
  writeFileSync(join(prod, 'traefik', 'dynamic', 'routes.yml'), 'http:\n  routers:\n    api:\n      rule: PathPrefix(`/api/`)\n      service: mcp-filesystem_mcp@file\n');
  return { traffic: join(prod, 'traefik', 'dynamic', 'mcp-traffic.yml'), ports };
}

/**
 * Staging as it runs before a promotion: its filesystem_mcp and git_mcp served (on `ports`) and a benchmark
 * baseline saved from them, the baseline performance_tests holds production to.
 */
async function stagingBaseline(staging: string, ports: number[]): Promise<void> {
  const file = join(staging, 'config', 'platform.yaml');
  const doc = yaml.load(readFileSync(file, 'utf8')) as { services: { name: string; ports?: string[]; health_check?: unknown }[] };
  for (const [i, name] of ['filesystem_mcp', 'git_mcp'].entries()) {
    const s = doc.services.find((x) => x.name === name)!;
    s.ports = [`127.0.0.1:${ports[i]}:${ports[i]}`];
    delete s.health_check;
  }
  writeFileSync(file, yaml.dump(doc), { mode: 0o600 });
  const saved = await mcp(['benchmark', '--save', 'staging-baseline', '--service', 'filesystem_mcp', '--service', 'git_mcp', '--requests', '40', '--json'], { home: staging });
  expect(saved.exitCode, saved.stdout + saved.stderr).toBe(0);
}

const events = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l));
const PASS = 'production-passphrase-bluegreen-91';

describe("blue/green in the guide's production-migration.yaml (runtime none, traefik file provider)", () => {
  it('three homes, nothing skipped: production serves staging\'s data on green, health-checked over MCP, within 10% of staging\'s benchmark; development and staging unchanged; a rollback switches back first', async () => {
    const { root, dev, staging, run } = await homes();
    const prod = join(root, 'production');
    const metrics = join(root, 'metrics.prom');
    const { traffic, ports } = await externalProduction(prod, metrics);
    const stagingPorts = [await server(metrics), await server(metrics)];
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    const devConfig = tree(join(dev, 'config'));
    const devData = tree(join(dev, 'data'));
    const devRows = await rows(dev);
    const toStaging = await run({ MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN: 'staging-token-bluegreen-0001' });
    expect(toStaging.exitCode, toStaging.stdout + toStaging.stderr).toBe(0);
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    await stagingBaseline(staging, stagingPorts);
    const stagingConfig = tree(join(staging, 'config'));
    const stagingData = tree(join(staging, 'data'));
    const prodBefore = { data: tree(join(prod, 'data')), traefik: tree(join(prod, 'traefik')), rows: await rows(prod).catch(() => 'no table') };

    const promo = await mcp(['migration', 'execute', '--plan', PLAN, '--monitor-window', '3s', '--json'], { home: staging, env: { MCP_PRODUCTION_BACKUP_PASSPHRASE: PASS } });
    expect(promo.exitCode, promo.stdout + promo.stderr).toBe(0);
    const ev = events(promo.stdout);
    // every action of the guide's plan ran to its end, in the plan's order: none left out
    const actions = (yaml.load(readFileSync(PLAN, 'utf8')) as { migration: { steps: { name: string; actions: string[] }[] } }).migration.steps.flatMap((p) => p.actions.map((a) => `${p.name.replace(/_/g, '-')}.${a.replace(/_/g, '-')}`));
    expect(actions).toHaveLength(16);
    expect(ev.filter((e) => e.type === 'step.end' && actions.includes(e.step)).map((e) => e.step)).toEqual(actions);
    const ended = (id: string) => ev.find((e) => e.type === 'step.end' && e.step === id);
    // green was probed over the MCP protocol before anything switched
    const deployed = ended('deployment.deploy-blue-environment').result;
    expect(deployed).toMatchObject({ color: 'green', live: 'blue', services: ['filesystem_mcp', 'git_mcp'] });
    expect(deployed.health.map((h: { service: string; ok: boolean; detail: string }) => [h.service, h.ok, /MCP .*fixture-filesystem/.test(h.detail)])).toEqual([
      ['filesystem_mcp', true, true],
      ['git_mcp', true, true],
    ]);
    expect(ended('deployment.switch-traffic').result).toMatchObject({ color: 'green', from: 'blue', trafficFile: traffic });
    const monitored = ended('deployment.monitor-metrics').result;
    expect(monitored.measurements).toBeGreaterThanOrEqual(2);
    expect(monitored.last.checks.map((c: { condition: string; value: string; breached: boolean }) => [c.condition, c.value, c.breached])).toEqual([
      ['errorRate > 5%', '0.00%', false],
      ['latency > 500ms', '12ms', false],
      ['healthCheck failing', 'passing (2/2)', false],
    ]);
    expect(ended('validation.functional-tests')).toBeTruthy();
    // production's green measured against staging's saved baseline: both services, every check within 10%
    expect(ended('validation.performance-tests').result).toMatchObject({ baseline: 'staging-baseline', services: 2, checks: 8 });
    // traffic: the file traefik reads routes to green's servers; the operator's own routes file is untouched
    const file = readFileSync(traffic, 'utf8');
    expect(file).toMatch(/^# mcp-color: green$/m);
    for (const p of ports) expect(file).toContain(`url: http://127.0.0.1:${p}`);
    expect(readFileSync(join(prod, 'traefik', 'dynamic', 'routes.yml'), 'utf8')).toContain('mcp-filesystem_mcp@file');
    expect(JSON.parse(readFileSync(join(prod, 'state', 'bluegreen.json'), 'utf8'))).toMatchObject({ active: 'green', colors: { green: { services: ['filesystem_mcp', 'git_mcp'] } } });
    // production holds development's data (through staging) by content; its rows equal
    expect(tree(join(prod, 'data'))).toEqual(devData);
    expect(await rows(prod)).toEqual(devRows);
    // development and staging: byte for byte as before (staging as dev-to-staging.sh left it)
    expect(tree(join(dev, 'config'))).toEqual(devConfig);
    expect(tree(join(dev, 'data'))).toEqual(devData);
    expect(tree(join(staging, 'config'))).toEqual(stagingConfig);
    expect(tree(join(staging, 'data'))).toEqual(stagingData);
    expect(await rows(staging)).toEqual(devRows);
    for (const home of [dev, staging, prod]) for (const f of [...files(join(home, 'config')), ...files(join(home, 'data'))]) expect(readFileSync(f, 'utf8'), f).not.toContain('[REDACTED]');

    // the operator changes their mind: the rollback switches traffic back before it puts the data back
    const rb = await mcpMigrate(['rollback', '--json'], { home: staging, env: { MCP_PRODUCTION_BACKUP_PASSPHRASE: PASS } });
    expect(rb.exitCode, rb.stdout + rb.stderr).toBe(0);
    const undone = events(rb.stdout).filter((e) => e.type === 'step.undo' || e.type === 'step.undone').map((e) => e.step);
    expect(undone.indexOf('deployment.switch-traffic')).toBeGreaterThanOrEqual(0);
    expect(undone.indexOf('deployment.switch-traffic')).toBeLessThan(undone.indexOf('deployment.deploy-blue-environment'));
    expect(existsSync(traffic)).toBe(false);
    expect(tree(join(prod, 'traefik'))).toEqual(prodBefore.traefik);
    expect(tree(join(prod, 'data'))).toEqual(prodBefore.data);
    expect(existsSync(join(prod, 'state', 'bluegreen.json'))).toBe(false);
  }, 600_000);

  it('mcp-migrate plan --source-env staging --target-env production, executed: a breached gate during monitor_metrics switches back; traffic file, data and state as they were, the error names the gate', async () => {
    const { root, dev, staging, run } = await homes();
    const prod = join(root, 'production');
    const metrics = join(root, 'metrics.prom');
    const { traffic } = await externalProduction(prod, metrics);
    // a previous release already routes through mcp's file: blue is live there
    writeFileSync(traffic, '# mcp-color: blue\nhttp:\n  services:\n    mcp-filesystem_mcp:\n      loadBalancer:\n        servers:\n          - url: http://127.0.0.1:1\n');
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    expect((await run({ MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN: 'staging-token-bluegreen-0002' })).exitCode).toBe(0);
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    const before = { data: tree(join(prod, 'data')), traefik: tree(join(prod, 'traefik')), config: readFileSync(join(prod, 'config', 'platform.yaml'), 'utf8') };
    // the same promotion planned by mcp-migrate from the staging home: the guide's actions, each step on the home
    // it acts on; from another home, into an unregistered or its own environment: exit 2, nothing written
    const saved = join(root, 'promotion.json');
    for (const [args, home, msg] of [
      [['--source-env', 'staging', '--target-env', 'production'], dev, /this home is the development environment; a promotion runs in its source's home/],
      [['--target-env', 'production'], dev, /--target-env production: this home is the development environment and no production environment is registered/],
      [['--source-env', 'staging', '--target-env', 'staging'], staging, /is this home's own environment/],
    ] as const) {
      const bad = await mcpMigrate(['plan', ...args, '--out', saved], { home });
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).not.toMatch(/^\s+at /m);
      expect(bad.stderr).toMatch(msg);
      expect(existsSync(saved)).toBe(false);
    }
    const planned = await mcpMigrate(['plan', '--source-env', 'staging', '--target-env', 'production', '--out', saved], { home: staging });
    expect(planned.exitCode, planned.stderr).toBe(0);
    const steps = (JSON.parse(readFileSync(saved, 'utf8')) as { phases: { steps: { id: string; environment?: string }[] }[] }).phases.flatMap((p) => p.steps.map((x) => `${x.id} ${x.environment}`));
    expect(steps).toEqual([
      'pre-flight.validate-source staging', 'pre-flight.check-target-capacity production', 'pre-flight.verify-backups staging',
      'data-sync.export-staging-data staging', 'data-sync.transform-for-production production', 'data-sync.encrypt-sensitive-data production',
      'configuration.update-endpoints production', 'configuration.configure-ssl production', 'configuration.set-production-limits production',
      'deployment.deploy-blue-environment production', 'deployment.run-health-checks production', 'deployment.switch-traffic production', 'deployment.monitor-metrics production',
      'validation.functional-tests production', 'validation.security-scan production',
    ]);
    // green answers health and MCP, but one in two requests fails
    writeFileSync(metrics, 'http_requests_total{status="200"} 50\nhttp_requests_total{status="500"} 50\nmcp_latency_ms 20\n');
    const r = await mcp(['migration', 'execute', '--plan', saved, '--json'], { home: staging, env: { MCP_PRODUCTION_BACKUP_PASSPHRASE: PASS } });
    expect(r.exitCode).not.toBe(0);
    const doc = events(r.stdout).pop();
    expect(JSON.stringify(doc)).toMatch(/green deployment breached errorRate > 5% \(measured 50\.00%\)/);
    expect(tree(join(prod, 'traefik'))).toEqual(before.traefik);
    expect(readFileSync(traffic, 'utf8')).toMatch(/^# mcp-color: blue$/m);
    expect(tree(join(prod, 'data'))).toEqual(before.data);
    expect(readFileSync(join(prod, 'config', 'platform.yaml'), 'utf8')).toBe(before.config);
    expect(existsSync(join(prod, 'state', 'bluegreen.json'))).toBe(false);
  }, 600_000);

  it('killed (-9) while monitor_metrics holds green: the rollback from the journal switches traffic back first, then puts the data back', async () => {
    const { root, dev, staging, run } = await homes();
    const prod = join(root, 'production');
    const { traffic } = await externalProduction(prod, join(root, 'metrics.prom'));
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    expect((await run({ MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN: 'staging-token-bluegreen-0003' })).exitCode).toBe(0);
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    const before = { data: tree(join(prod, 'data')), traefik: tree(join(prod, 'traefik')) };
    const env = { ...process.env, MCP_HOME: staging, MCP_PRODUCTION_BACKUP_PASSPHRASE: PASS, NO_COLOR: '1', CI: 'true' };
    const child = spawn(process.execPath, [MCP, 'migration', 'execute', '--plan', PLAN, '--skip', 'performance_tests', '--monitor-window', '10m', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('"type":"step.start"') && /"step":"deployment\.monitor-metrics"/.test(out)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`the run ended (${code}) before monitor_metrics: ${out.slice(-800)}`)));
    });
    await new Promise((r) => child.on('close', r));
    // killed mid-hold: green serves, the state says so
    expect(readFileSync(traffic, 'utf8')).toMatch(/^# mcp-color: green$/m);
    // the operator rolls the interrupted run back from staging's journal: traffic first, then the data
    const rb = await mcpMigrate(['rollback', '--json'], { home: staging, env: { MCP_PRODUCTION_BACKUP_PASSPHRASE: PASS } });
    expect(rb.exitCode, rb.stdout.slice(-1500) + rb.stderr).toBe(0);
    const undone = events(rb.stdout).filter((e) => e.type === 'step.undone').map((e) => e.step);
    expect(undone.indexOf('deployment.switch-traffic')).toBeGreaterThanOrEqual(0);
    expect(undone.indexOf('deployment.switch-traffic')).toBeLessThan(undone.indexOf('deployment.deploy-blue-environment'));
    expect(existsSync(traffic)).toBe(false);
    expect(tree(join(prod, 'traefik'))).toEqual(before.traefik);
    expect(tree(join(prod, 'data'))).toEqual(before.data);
    expect(existsSync(join(prod, 'state', 'bluegreen.json'))).toBe(false);
  }, 600_000);
});
