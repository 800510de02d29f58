// `mcp benchmark` against HTTP servers the test runs on 127.0.0.1 (bounded: tens of requests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

let server: Server;
let port = 0;
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

  it('an unknown baseline or service, or a bad name: exit 2 before any request; nothing to measure: exit 3', async () => {
    const home = await opsHome({ services: services() });
    hits = 0;
    const a = await mcp(['benchmark', '--compare-with', 'baseline'], { home });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toMatch(/no baseline named 'baseline'\nhint: save one first: mcp benchmark --save baseline/);
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
