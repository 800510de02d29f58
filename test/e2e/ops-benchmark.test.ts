// `mcp benchmark` against HTTP servers the test runs on 127.0.0.1 (bounded: tens of requests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

let server: Server;
let port = 0;
/** a port nothing listens on: connecting is refused (ECONNREFUSED), as for a stopped service */
let deadPort = 0;
let delayMs = 0;
let hits = 0;
const paths = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    paths.add(req.url ?? '');
    setTimeout(() => res.end('{"status":"ok"}'), delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  deadPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
});
afterAll(() => new Promise((r) => server.close(r)));

const services = () => [
  { name: 'api-gateway', type: 'core', ports: [`${port}:3000`], healthCheck: { type: 'http', path: '/health' } },
  { name: 'filesystem-mcp', type: 'mcp', transport: 'stdio' },
];

describe('mcp benchmark', () => {
  it('measures percentiles and throughput over exactly --requests requests and saves a baseline', async () => {
    const home = await opsHome({ services: services() });
    delayMs = 0;
    hits = 0;
    const r = await mcp(['benchmark', '--requests', '40', '--concurrency', '4', '--save', 'baseline-v6', '--json'], { home });
    expect(r.exitCode).toBe(0);
    expect(hits).toBe(40);
    expect(paths).toEqual(new Set(['/health']));
    const doc = r.json();
    expect(doc.services).toHaveLength(1);
    const s = doc.services[0];
    expect(s).toMatchObject({ service: 'api-gateway', url: `http://127.0.0.1:${port}/health`, requests: 40, ok: 40, errors: 0 });
    expect(s.latencyMs.p50).toBeGreaterThan(0);
    expect(s.latencyMs.p50).toBeLessThanOrEqual(s.latencyMs.p95);
    expect(s.latencyMs.p95).toBeLessThanOrEqual(s.latencyMs.p99);
    expect(s.throughputRps).toBeGreaterThan(0);
    expect(doc.skipped).toEqual([{ service: 'filesystem-mcp', reason: 'stdio transport: no HTTP endpoint' }]);
    const saved = JSON.parse(readFileSync(join(home, 'state/benchmarks/baseline-v6.json'), 'utf8'));
    expect(saved).toMatchObject({ format: 'mcp-benchmark/1', name: 'baseline-v6', services: [{ service: 'api-gateway', requests: 40 }] });
    expect(doc.savedTo).toBe(join(home, 'state/benchmarks/baseline-v6.json'));
  });

  it('--compare-with: slower than the baseline by more than 10% exits 3 naming the metrics; faster passes', async () => {
    const home = await opsHome({ services: services() });
    delayMs = 0;
    // 0 ms against 250 ms per request: far apart even on a loaded two-core machine
    expect((await mcp(['benchmark', '--requests', '12', '--save', 'fast'], { home })).exitCode).toBe(0);
    delayMs = 250;
    const slow = await mcp(['benchmark', '--requests', '12', '--compare-with', 'fast', '--save', 'slow'], { home });
    expect(slow.exitCode, slow.stdout).toBe(3);
    expect(slow.stdout).toMatch(/✗ api-gateway latency\.p50: .* must be ≤/);
    expect(slow.stdout).toMatch(/✗ api-gateway throughput: /);
    expect(slow.stdout).toMatch(/Performance is NOT within 10% of the baseline \(exit 3\)/);
    expect(existsSync(join(home, 'state/benchmarks/slow.json'))).toBe(true);

    delayMs = 0;
    const fast = await mcp(['benchmark', '--requests', '12', '--compare-with', 'slow', '--json'], { home });
    expect(fast.exitCode, fast.stdout + fast.stderr).toBe(0);
    const cmp = fast.json().comparison;
    expect(cmp).toMatchObject({ baseline: 'slow', tolerance: 0.1, ok: true });
    expect(cmp.checks.map((c: any) => c.metric)).toEqual(['latency.p50', 'latency.p95', 'throughput', 'errorRate']);
  });

  it('errors are counted, not hidden: a dead endpoint shows its error rate', async () => {
    const home = await opsHome({ services: [{ name: 'dead', ports: ['1:3000'], healthCheck: { type: 'http', path: '/h' } }] });
    const r = await mcp(['benchmark', '--requests', '5', '--json'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.json().services[0]).toMatchObject({ service: 'dead', ok: 0, errors: 5, errorRate: 1 });
    expect(r.json().services[0].errorSamples[0]).toMatch(/\(×5\)$/);
  });

  it('--save leaves out a service every request of which failed, with a warning naming it and its errors', async () => {
    const home = await opsHome({ services: [...services(), { name: 'dead', ports: [`${deadPort}:3000`], healthCheck: { type: 'http', path: '/h' } }] });
    delayMs = 100; // slow when saved, fast when compared: far apart on a loaded machine
    const r = await mcp(['benchmark', '--requests', '6', '--save', 'partial', '--json'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: dead is left out of baseline 'partial': every request failed \(6 of 6: ECONNREFUSED \(×6\)\)/);
    const doc = r.json();
    expect(doc.services.map((s: any) => s.service)).toEqual(['api-gateway', 'dead']); // the run as measured
    expect(doc.leftOut).toEqual([{ service: 'dead', reason: 'every request failed (6 of 6: ECONNREFUSED (×6))' }]);
    const saved = JSON.parse(readFileSync(join(home, 'state/benchmarks/partial.json'), 'utf8'));
    expect(saved.services.map((s: any) => s.service)).toEqual(['api-gateway']);
    // compared later, the baseline measures and judges api-gateway only
    delayMs = 0;
    const c = await mcp(['benchmark', '--requests', '6', '--compare-with', 'partial', '--json'], { home });
    expect(c.exitCode, c.stdout + c.stderr).toBe(0);
    expect(c.json().services.map((s: any) => s.service)).toEqual(['api-gateway']);
  });

  it("automated-migration.yaml's performance_baseline: with no baseline yet it saves one; next time it compares with it (10%) and saves again", async () => {
    const home = await opsHome({ services: services() });
    const plan = join(tempDir(), 'automated-migration.yaml');
    writeFileSync(plan, 'automation:\n  pre_checks: []\n  migration:\n    - update_platform\n  post_checks:\n    - performance_baseline\n');
    delayMs = 0;
    const first = await mcp(['migration', 'execute', '--plan', plan, '--to', '5.0'], { home, timeoutMs: 60_000 });
    expect(first.exitCode, first.stderr).toBe(0);
    const saved = () => readdirSync(join(home, 'state/benchmarks')).filter((n) => n.startsWith('post-migration-'));
    expect(saved()).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(home, 'state/benchmarks', saved()[0]!), 'utf8')).services.map((x: any) => x.service)).toEqual(['api-gateway']);
    // slower than the saved one by far more than 10%: the post-check fails and nothing new is saved
    delayMs = 60;
    const slow = await mcp(['migration', 'execute', '--plan', plan, '--to', '5.0'], { home, timeoutMs: 60_000 });
    delayMs = 0;
    expect(slow.exitCode).toBe(1);
    expect(slow.stderr + slow.stdout).toMatch(/performance is not within 10% of baseline 'post-migration-/);
    expect(saved()).toHaveLength(1);
  }, 120_000);

  it('--save when no service answered: nothing saved, exit 3 naming the services and how to go on', async () => {
    const home = await opsHome({ services: [{ name: 'dead', ports: [`${deadPort}:3000`], healthCheck: { type: 'http', path: '/h' } }] });
    const r = await mcp(['benchmark', '--requests', '4', '--save', 'baseline'], { home });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no service answered, so baseline 'baseline' is not saved: dead: every request failed \(4 of 4: ECONNREFUSED \(×4\)\)/);
    expect(r.stderr).toMatch(/hint: start it \(mcp start dead\) and benchmark again, or pick a running service with --service NAME/);
    expect(existsSync(join(home, 'state/benchmarks/baseline.json'))).toBe(false);
  });

  it('an old baseline in which a service failed every request: that service is not comparable, not a 0 ms target', async () => {
    const home = await opsHome({ services: services() });
    delayMs = 0;
    // what earlier versions saved while the service was down
    const down = { service: 'api-gateway', url: `http://127.0.0.1:${port}/health`, requests: 200, ok: 0, errors: 200, errorRate: 1, errorSamples: ['ECONNREFUSED (×200)'], latencyMs: { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 }, throughputRps: 0, durationMs: 90 };
    const old = (svc: unknown[]) => JSON.stringify({ format: 'mcp-benchmark/1', name: 'x', createdAt: '2026-01-01T00:00:00.000Z', settings: { requests: 6, concurrency: 2, timeoutMs: 5000 }, services: svc, skipped: [] });
    mkdirSync(join(home, 'state/benchmarks'), { recursive: true });
    writeFileSync(join(home, 'state/benchmarks/down.json'), old([down]));
    hits = 0;
    const r = await mcp(['benchmark', '--compare-with', 'down', '--json'], { home });
    expect(r.exitCode).toBe(3);
    expect(hits).toBe(0);
    expect(r.json().error.message).toMatch(/baseline 'down' holds no measurement to compare with: api-gateway: not measured in the baseline: every request failed \(200 of 200: ECONNREFUSED \(×200\)\)/);
    expect(r.json().error.hint).toBe('save a new one while the services run: mcp benchmark --save down');

    // next to a measured service: the measured one is compared, the other reported
    delayMs = 100;
    expect((await mcp(['benchmark', '--requests', '6', '--save', 'good'], { home })).exitCode).toBe(0);
    delayMs = 0;
    const good = JSON.parse(readFileSync(join(home, 'state/benchmarks/good.json'), 'utf8'));
    writeFileSync(join(home, 'state/benchmarks/mixed.json'), old([good.services[0], { ...down, service: 'worker' }]));
    const m = await mcp(['benchmark', '--requests', '6', '--compare-with', 'mixed', '--json'], { home });
    expect(m.exitCode, m.stdout).toBe(0);
    const cmp = m.json().comparison;
    expect(cmp.notComparable).toEqual([{ service: 'worker', reason: 'not measured in the baseline: every request failed (200 of 200: ECONNREFUSED (×200))' }]);
    expect(new Set(cmp.checks.map((c: any) => c.service))).toEqual(new Set(['api-gateway']));
    const t = await mcp(['benchmark', '--requests', '6', '--compare-with', 'mixed'], { home });
    expect(t.stdout).toMatch(/ {2}- worker: not comparable, not measured in the baseline: every request failed/);
  });

  it('mcp test all --comprehensive compares with the newest baseline that measured something', async () => {
    const home = await opsHome({ services: services() });
    delayMs = 0;
    expect((await mcp(['benchmark', '--requests', '6', '--save', 'good'], { home })).exitCode).toBe(0);
    const good = JSON.parse(readFileSync(join(home, 'state/benchmarks/good.json'), 'utf8'));
    const s = good.services[0];
    // newer, saved by an earlier version while the service was down
    const down = { ...good, name: 'down', createdAt: new Date(Date.now() + 60_000).toISOString(), services: [{ ...s, ok: 0, errors: 6, errorRate: 1, errorSamples: ['ECONNREFUSED (×6)'], latencyMs: { ...s.latencyMs, p50: 0, p95: 0 }, throughputRps: 0 }] };
    writeFileSync(join(home, 'state/benchmarks/down.json'), JSON.stringify(down));
    const r = await mcp(['test', 'all', '--comprehensive', '--json'], { home, timeoutMs: 120_000 });
    const perf = r.json().checks.find((c: any) => c.id === 'performance');
    expect(perf.command).toBe('mcp benchmark --compare-with good');
  }, 120_000);

  it('a baseline not saved yet: exit 3 (a precondition) listing those saved; an unknown service or a bad name: exit 2; all before any request; nothing to measure: exit 3', async () => {
    const home = await opsHome({ services: services() });
    hits = 0;
    const a = await mcp(['benchmark', '--compare-with', 'baseline'], { home });
    expect(a.exitCode).toBe(3);
    expect(a.stderr).toMatch(/no baseline named 'baseline'\nhint: save one first: mcp benchmark --save baseline/);
    mkdirSync(join(home, 'state/benchmarks'), { recursive: true });
    writeFileSync(join(home, 'state/benchmarks/pre-migration.json'), '{}');
    const b = await mcp(['benchmark', '--compare-with', 'baseline'], { home });
    expect(b.exitCode).toBe(3);
    expect(b.stderr).toMatch(/hint: saved baselines: pre-migration/);
    expect((await mcp(['benchmark', '--save', '../escape'], { home })).exitCode).toBe(2);
    expect((await mcp(['benchmark', '--service', 'nope'], { home })).exitCode).toBe(2);
    expect((await mcp(['benchmark', '--requests', '0'], { home })).exitCode).toBe(2);
    expect(hits).toBe(0);
    const empty = await opsHome({ services: [{ name: 'filesystem-mcp', transport: 'stdio' }] });
    const e = await mcp(['benchmark'], { home: empty });
    expect(e.exitCode).toBe(3);
    expect(e.stderr).toMatch(/no service with an HTTP endpoint to benchmark\nhint: filesystem-mcp: stdio transport/);
  });

  it('a corrupted baseline is an integrity error (exit 5)', async () => {
    const home = await opsHome({ services: services() });
    expect((await mcp(['benchmark', '--requests', '3', '--save', 'b'], { home })).exitCode).toBe(0);
    writeFileSync(join(home, 'state/benchmarks/b.json'), '{"format":"other"}');
    expect((await mcp(['benchmark', '--compare-with', 'b'], { home })).exitCode).toBe(5);
  });
});

// the guide's automated-migration.yaml post-check `performance_baseline` is this step
describe('benchmark.compare, a plan step', () => {
  const planFile = (dir: string) => {
    const f = join(dir, 'plan.json');
    writeFileSync(
      f,
      JSON.stringify({
        apiVersion: 'mcp.plan/v1',
        name: 'performance check',
        kind: 'upgrade',
        createdAt: new Date().toISOString(),
        phases: [{ name: 'post-checks', steps: [{ id: 'perf', kind: 'benchmark.compare', title: 'performance within 10% of the baseline', params: {} }] }],
      }),
    );
    return f;
  };

  it('refused at plan time without a baseline; passes against it; fails the run when slower by more than 10%', async () => {
    const home = await opsHome({ services: services() });
    const plan = planFile(home);
    delayMs = 0;
    const refused = await mcp(['migration', 'execute', '--plan', plan], { home });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/no benchmark baseline.*mcp benchmark --save pre-migration/);
    // the baseline at 100 ms a request; after the "migration" the service answers at once: better passes
    delayMs = 100;
    expect((await mcp(['benchmark', '--requests', '12', '--save', 'pre-migration'], { home })).exitCode).toBe(0);
    delayMs = 0;
    hits = 0;
    const ok = await mcp(['migration', 'execute', '--plan', plan, '--json'], { home });
    expect(ok.exitCode).toBe(0);
    expect(hits).toBe(12); // measured as the baseline was
    delayMs = 400;
    const slow = await mcp(['migration', 'execute', '--plan', plan], { home, timeoutMs: 120_000 });
    delayMs = 0;
    expect(slow.exitCode).toBe(1);
    expect(slow.stdout).toMatch(/not within 10% of baseline 'pre-migration': api-gateway latency\.p50/);
  }, 120_000);
});
