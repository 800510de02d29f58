// The guide's "Migration Logs": tail -f /var/log/mcp/migration.log, grep -i error …, mcp logs export.
// MCP_LOG_DIR stands in for /var/log/mcp (a system installation sets it there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { mcp, tempDir } from '../helpers/cli.js';
import { canaryMetrics, quickRollingPlan, type MetricsEndpoint } from '../helpers/canary-metrics.js';

let metrics: MetricsEndpoint;
let metricsUrl = '';
beforeAll(async () => {
  metrics = await canaryMetrics({ errorRate: 0.5, latencyMs: 12 });
  metricsUrl = metrics.url;
});
afterAll(() => metrics.close());

describe('migration.log', () => {
  it('narrates a run one line per event; grep -i error finds the failure; logs export carries it as JSON', async () => {
    const home = tempDir();
    const logDir = join(tempDir(), 'var/log/mcp');
    const env = { MCP_LOG_DIR: logDir };
    expect((await mcp(['init', '--example'], { home, env })).exitCode).toBe(0);
    const from = new Date(Date.now() - 1000).toISOString();
    const plan = await quickRollingPlan();
    const run = await mcp(['migration', 'execute', '--plan', plan, '--to', '5.0', '--metrics-url', metricsUrl], { home, env, timeoutMs: 120_000 });
    expect(run.exitCode).toBe(1);

    const file = join(logDir, 'migration.log');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\S+Z (INFO |WARN |ERROR) run \S+: /);
    expect(lines[0]).toMatch(/started rolling service migration/);
    expect(lines.some((l) => / step infrastructure\.postgres \(migrate postgres\) done in \d+ms$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/WARN {2}run \S+: rolled-back|rollback complete/);

    const grep = await execa('grep', ['-i', 'error', file], { reject: false });
    expect(grep.exitCode).toBe(0);
    expect(grep.stdout).toMatch(/ERROR run \S+: canary core breached: errorRate 50\.00%/);
    expect(grep.stdout).toMatch(/ERROR run \S+: failed: canary core at 10%/);

    const out = join(tempDir(), 'migration-logs.json');
    const to = new Date(Date.now() + 1000).toISOString();
    const exp = await mcp(['logs', 'export', '--service', 'migration', '--from', from, '--to', to, '--output', out], { home, env });
    expect(exp.exitCode).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const entries = Array.isArray(doc) ? doc : doc.entries;
    expect(entries.filter((e: any) => e.service === 'migration' && /canary core breached/.test(e.message ?? '')).length).toBeGreaterThan(0);
    expect(entries.some((e: any) => e.level === 'error' && /failed: canary/.test(e.message ?? ''))).toBe(true);
    // each event once: the narration is not also in mcp.log
    const starts = entries.filter((e: any) => /started rolling service migration/.test(e.message ?? ''));
    expect(starts).toHaveLength(1);
  }, 180_000);
});
