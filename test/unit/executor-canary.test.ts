// Canary gates measured against a local HTTP server: health checks, JSON and Prometheus metrics,
// the "no data" rule, and the automatic rollback a breached condition triggers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { evaluateCanary, parseCondition, parsePrometheus } from '../../src/run/canary.js';
import { executePlan, type Registry } from '../../src/run/executor.js';
import { makePlan, PLAN_API_VERSION, type Canary, type Plan } from '../../src/run/plan.js';
import { saveState, restoreState } from '../../src/run/steps/snapshot.js';
import { replay } from '../../src/run/journal.js';

const state = { health: 200, metrics: '{"errorRate": 0.01, "latencyMs": 120}', type: 'application/json' };
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/health') return res.writeHead(state.health).end('ok');
    if (req.url === '/metrics') return res.writeHead(200, { 'content-type': state.type }).end(state.metrics);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const conditions = [{ errorRate: '> 5%' }, { latency: '> 500ms' }, { healthCheck: 'failing' }].map(parseCondition);
const rollback = (noData: 'fail' | 'pass' = 'fail'): Plan['rollback'] => ({ automatic: true, conditions, noData });
const canary = (over: Partial<Canary> = {}): Canary => ({ percentage: 10, durationMs: 0, metricsUrl: `${base}/metrics`, healthUrls: [`${base}/health`], ...over });

describe('canary conditions', () => {
  it('shows every measured value against its threshold (JSON metrics)', async () => {
    Object.assign(state, { health: 200, metrics: '{"errorRate": 0.01, "latencyMs": 120}', type: 'application/json' });
    const ev = await evaluateCanary(canary(), rollback());
    expect(ev.breached).toBe(false);
    expect(ev.checks.map((c) => [c.metric, c.value, c.threshold, c.breached])).toEqual([
      ['errorRate', '1.00%', '> 5.00%', false],
      ['latency', '120ms', '> 500ms', false],
      ['healthCheck', 'passing (1/1)', 'failing', false],
    ]);
  });

  it('reads Prometheus text: 5xx share of http_requests_total and the p95 latency', async () => {
    Object.assign(state, {
      type: 'text/plain; version=0.0.4',
      metrics: '# HELP x\nhttp_requests_total{status="200"} 90\nhttp_requests_total{status="503"} 10\nhttp_request_duration_seconds{quantile="0.95"} 0.72\n',
    });
    const ev = await evaluateCanary(canary(), rollback());
    expect(ev.checks.map((c) => [c.value, c.breached])).toEqual([
      ['10.00%', true],
      ['720ms', true],
      ['passing (1/1)', false],
    ]);
    expect(parsePrometheus('mcp_error_rate 0.2\nmcp_latency_ms 30\n')).toEqual({ errorRate: 0.2, latencyMs: 30 });
  });

  it('no data is never silent success: it fails by default, and passes only by the explicit rule', async () => {
    Object.assign(state, { health: 503, metrics: '{"unrelated": 1}', type: 'application/json' });
    const ev = await evaluateCanary(canary({ metricsUrl: 'http://127.0.0.1:1/metrics' }), rollback());
    expect(ev.breached).toBe(true);
    expect(ev.checks[0]).toMatchObject({ value: null, noData: true, breached: true, note: expect.stringMatching(/metrics endpoint unreachable.*counts as met by rule noData: fail/) });
    expect(ev.checks[2]).toMatchObject({ value: 'failing (' + `${base}/health 503)`, breached: true });
    const lenient = await evaluateCanary(canary(), rollback('pass'));
    expect(lenient.checks[0]).toMatchObject({ value: null, breached: false, note: expect.stringContaining('accepted by rule noData: pass') });
  });

  it('rejects conditions it cannot measure, naming what to write', () => {
    expect(() => parseCondition({ errorRate: 'high' })).toThrow(/start with a comparison/);
    expect(() => parseCondition({ cpu: '> 5' })).toThrow(/unknown condition 'cpu'/);
  });
});

describe('canary gate in the executor', () => {
  const write = {
    kind: 'write',
    summary: '',
    rollbackPoint: false,
    mutates: true,
    async run(ctx: any, p: any) {
      await saveState(ctx.dir, 'f', [join(ctx.home, p.file)]);
      writeFileSync(join(ctx.home, p.file), p.text);
    },
    async undo(ctx: any) {
      await restoreState(ctx.dir, 'f');
    },
  };
  const registry: Registry = new Map([['write', write]]);
  const plan = () =>
    makePlan({
      apiVersion: PLAN_API_VERSION,
      name: 'canary',
      kind: 'service-migration',
      rollback: rollback(),
      phases: [{ name: 'core', canary: canary({ durationMs: 300, intervalMs: 100 }), steps: [{ id: 'auth', kind: 'write', title: 'auth-service', params: { file: 'svc.txt', text: 'v6' } }] }],
    });

  it('holds for the duration while conditions are fine, journaling each measurement', async () => {
    Object.assign(state, { health: 200, metrics: '{"errorRate": 0.0, "latencyMs": 80}', type: 'application/json' });
    const h = tempDir();
    mkdirSync(join(h, 'state'));
    writeFileSync(join(h, 'svc.txt'), 'v5');
    const out = await executePlan(plan(), { home: h, env: {}, registry });
    expect(out.status).toBe('completed');
    // 300 ms at 100 ms intervals: at least two measurements even on a loaded machine
    expect(replay(h, out.runId).measurements.length).toBeGreaterThanOrEqual(2);
  });

  it('rolls back automatically when a condition is met', async () => {
    Object.assign(state, { health: 200, metrics: '{"errorRate": 0.09, "latencyMs": 80}', type: 'application/json' });
    const h = tempDir();
    mkdirSync(join(h, 'state'));
    writeFileSync(join(h, 'svc.txt'), 'v5');
    const out = await executePlan(plan(), { home: h, env: {}, registry });
    expect(out.status).toBe('rolled-back');
    expect(out.error).toMatch(/errorRate > 5% \(measured 9.00%\)/);
    expect(readFileSync(join(h, 'svc.txt'), 'utf8')).toBe('v5');
  });
});
