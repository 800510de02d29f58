// `mcp status`, `mcp status --detailed`, `mcp metrics` and `mcp migration status` tell one story: the
// run journal's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MCP, mcp, tempDir } from '../helpers/cli.js';
import { canaryMetrics, quickRollingPlan, type MetricsEndpoint } from '../helpers/canary-metrics.js';

let metrics: MetricsEndpoint;
let metricsUrl = '';
beforeAll(async () => {
  metrics = await canaryMetrics({ errorRate: 0.01, latencyMs: 40 });
  metricsUrl = metrics.url;
});
afterAll(() => metrics.close());

const journalOf = (home: string, id: string) =>
  readFileSync(join(home, 'state/runs', id, 'journal.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('one truth: the journal', () => {
  it('before any run, status says so; after an upgrade, all three agree with the journal', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const before = await mcp(['status'], { home });
    expect(before.exitCode).toBe(0);
    expect(before.stdout).toMatch(/^Migration: none has run in this home$/m);
    expect(before.stdout).not.toMatch(/\bat\b.*\.js:\d+/);
    const none = await mcp(['migration', 'status', '--json'], { home });
    expect(none.exitCode).toBe(0);
    expect(none.json()).toEqual({ runId: null, status: 'none' });

    expect((await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const [id] = readdirSync(join(home, 'state/runs'));
    const journal = journalOf(home, id!);
    const ended = journal.filter((r) => r.type === 'step.end');

    const ms = (await mcp(['migration', 'status', '--json'], { home })).json();
    expect(ms).toMatchObject({ runId: id, status: 'completed', progress: { done: ended.length, total: ended.length } });

    // the first two lines tell it, for watch -n 5 'mcp migration status'
    const text = (await mcp(['migration', 'status'], { home })).stdout.split('\n');
    expect(text[0]).toBe(`Run ${id}: upgrade 4.2 → 5.0 → 6.0 — completed (${ended.length}/${ended.length} steps done)`);
    expect(text[1]).toMatch(/^ {2}\[#{30}\] 100% {2}started \S+Z, ended \S+Z$/);

    const plain = await mcp(['status', '--json'], { home });
    expect(plain.exitCode).toBe(0);
    expect(plain.json().migration).toMatchObject({ runId: id, status: 'completed', progress: ms.progress, running: [] });
    expect((await mcp(['status'], { home })).stdout).toMatch(new RegExp(`^Migration: run ${id}: upgrade 4\\.2 → 5\\.0 → 6\\.0 — completed, ${ended.length}/${ended.length} steps done; took `, 'm'));

    const detailed = await mcp(['status', '--detailed', '--json'], { home, timeoutMs: 60_000 });
    expect(detailed.json().migration).toEqual(ms);

    const m = (await mcp(['metrics', '--json'], { home, timeoutMs: 60_000 })).json();
    expect(m.runs.map((r: any) => [r.runId, r.status])).toEqual([[id, 'completed']]);
    // every step the journal timed, with the journal's duration
    expect(m.steps.map((s: any) => [s.step, s.ms]).sort()).toEqual(ended.map((r) => [r.step, r.durationMs]).sort());
    expect(new Set(m.steps.map((s: any) => s.runId))).toEqual(new Set([id]));
  }, 240_000);

  it('a canary run: metrics report the breach and the measurements against their thresholds; a short window leaves old runs out', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const plan = await quickRollingPlan();
    const r = await mcp(['migration', 'execute', '--plan', plan, '--metrics-url', metricsUrl], { home, timeoutMs: 120_000 });
    // no health URL is configured: by the plan's rule (noData: fail) the canary is breached and rolled back
    expect(r.exitCode).toBe(1);
    const m = (await mcp(['metrics', '--json'], { home, timeoutMs: 60_000 })).json();
    expect(m.runs.map((x: any) => x.status)).toEqual(['rolled-back']);
    // after the rollback, the status says what is true now: phases undone, rolled back to the start
    const st = (await mcp(['migration', 'status', '--json'], { home })).json();
    expect(st.rollback.to).toBe('start');
    expect(st.phases.map((p: any) => p.status)).toEqual(st.phases.map((p: any) => (p.steps.some((s: any) => s.status === 'undone') ? 'undone' : 'pending')));
    expect(st.phases.some((p: any) => p.status === 'undone')).toBe(true);
    const canary = m.runs[0].canary;
    expect(canary.length).toBeGreaterThan(0);
    const err = canary[0].checks.find((c: any) => c.metric === 'errorRate');
    expect(err).toMatchObject({ threshold: '> 5.00%', breached: false });
    const text = (await mcp(['metrics'], { home, timeoutMs: 60_000 })).stdout;
    expect(text).toMatch(/canary core: \w+ — errorRate 1\.00% \(rollback when > 5\.00%\)/);
    await new Promise((res) => setTimeout(res, 1100));
    const later = (await mcp(['metrics', '--duration', '1s', '--json'], { home })).json();
    expect(later.runs).toEqual([]);
  }, 240_000);

  it('while a canary holds, the first line says so (watch -n 5 reads it)', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const healthy = await canaryMetrics({ errorRate: 0.001, latencyMs: 20 });
    try {
      const plan = await quickRollingPlan(4);
      const run = execa(process.execPath, [MCP, '--home', home, 'migration', 'execute', '--plan', plan, '--metrics-url', healthy.url, '--health-url', healthy.healthUrl], { env: { ...process.env, CI: 'true' }, reject: false });
      let first = '';
      for (let i = 0; i < 100 && !/now: canary/.test(first); i++) {
        first = (await mcp(['migration', 'status'], { home })).stdout.split('\n')[0]!;
        if (!/now: canary/.test(first)) await new Promise((r) => setTimeout(r, 150));
      }
      expect(first).toMatch(/^Run \S+: rolling service migration — running \(5\/8 steps done\); now: canary core holding at 10%$/);
      expect((await run).exitCode).toBe(0);
    } finally {
      await healthy.close();
    }
  }, 120_000);
});
