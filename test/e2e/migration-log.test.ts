// The guide's "Migration Logs": tail -f /var/log/mcp/migration.log, grep -i error …, mcp logs export.
// MCP_LOG_DIR stands in for /var/log/mcp (a system installation sets it there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { mcp, ROOT, tempDir } from '../helpers/cli.js';
import { canaryMetrics, quickRollingPlan, type MetricsEndpoint } from '../helpers/canary-metrics.js';
import { createTestDb, pgExec, type TestDb } from '../helpers/pg.js';
import { opsHome } from '../helpers/ops-home.js';

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

// A migration command that changes something and is no executor run leaves one line at its end.
describe('migration.log: the end of mcp db migrate and friends', { timeout: 120_000 }, () => {
  let t: TestDb;
  beforeAll(async () => (t = await createTestDb('mcp_miglog')));
  afterAll(async () => t?.drop());

  it('a failed mcp db migrate leaves one ERROR line grep -i error finds; mcp logs --service migration shows it once; success is an INFO line', async () => {
    const home = await opsHome();
    const logs = tempDir('mcp-logdir-');
    const env = { MCP_DATABASE_URL: t.url, MCP_LOG_DIR: logs };
    // a migration that fails on the server: a table it creates exists already, made another way
    const dir = tempDir('mcp-migs-');
    cpSync(join(ROOT, 'migrations', 'postgres'), dir, { recursive: true });
    writeFileSync(join(dir, '6.5.0_1__reports.sql'), '-- migrate:up\nCREATE TABLE reports (id int);\n-- migrate:down\nDROP TABLE reports;\n');
    await pgExec(t.url, 'CREATE TABLE reports (x int)');
    const r = await mcp(['db', 'migrate', '--migrations-dir', dir], { home, env });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/relation "reports" already exists/);

    const file = join(logs, 'migration.log');
    const grep = await execa('grep', ['-i', 'error', file], { reject: false });
    expect(grep.exitCode).toBe(0);
    const errors = grep.stdout.split('\n');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z ERROR mcp db migrate failed \(exit 1\): .*6\.5\.0_1__reports\.sql failed while applying: relation "reports" already exists$/);

    const shown = await mcp(['logs', '--service', 'migration', '--level', 'error'], { home, env });
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout.split('\n').filter((l) => l.includes('relation "reports" already exists'))).toHaveLength(1);
    expect(shown.stdout).toMatch(/ERROR migration mcp db migrate failed \(exit 1\)/);
    // the command's own structured record stays in mcp.log, under the CLI
    const all = await mcp(['logs', '--level', 'error', '--json'], { home, env });
    const hits = all.stdout.split('\n').filter((l) => l.includes('already exists'));
    expect(hits.length).toBeGreaterThanOrEqual(1);

    // fixed, run again: done
    await pgExec(t.url, 'DROP TABLE reports');
    const ok = await mcp(['db', 'migrate', '--migrations-dir', dir], { home, env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const last = readFileSync(file, 'utf8').trimEnd().split('\n').pop()!;
    expect(last).toMatch(/^\S+ INFO {2}mcp db migrate done in \S+/);
  });

  it("with no MCP_LOG_DIR, a system log directory that exists gets the same lines (the guide's /var/log/mcp); one that does not is not created", async () => {
    const home = tempDir();
    const sys = join(tempDir(), 'var-log-mcp');
    const env = { MCP_SYSTEM_LOG_DIR: sys };
    expect((await mcp(['init', '--example'], { home, env })).exitCode).toBe(0);
    const out = join(tempDir(), 'v5.json');
    const args = ['migrate', '--from', '4.x', '--to', '5.x', '--config', join(home, 'config/platform.yaml'), '--output', out];
    expect((await mcp(args, { home, env })).exitCode).toBe(0);
    expect(existsSync(sys)).toBe(false);
    mkdirSync(sys);
    expect((await mcp([...args.slice(0, -1), out + '.2'], { home, env })).exitCode).toBe(0);
    const bad = join(tempDir(), 'bad.yaml');
    writeFileSync(bad, 'version: "4.2"\nservices: {}\n');
    expect((await mcp(['migrate', '--from', '4.x', '--to', '5.x', '--config', bad, '--output', out + '.3'], { home, env })).exitCode).toBe(2);
    const own = readFileSync(join(home, 'logs/migration.log'), 'utf8').trim().split('\n');
    const mirrored = readFileSync(join(sys, 'migration.log'), 'utf8').trim().split('\n');
    expect(own).toHaveLength(3);
    expect(mirrored).toEqual(own.slice(1));
    const grep = await execa('grep', ['-i', 'error', join(sys, 'migration.log')], { reject: false });
    expect(grep.stdout).toMatch(/ERROR mcp migrate failed \(exit \d\)/);
  });

  it('read-only migration commands and executor runs leave no end line of their own', async () => {
    const home = await opsHome({ runtime: { type: 'none' } });
    const logs = tempDir('mcp-logdir-');
    const env = { MCP_LOG_DIR: logs };
    expect((await mcp(['migration', 'status'], { home, env })).exitCode).toBe(0);
    const file = join(logs, 'migration.log');
    expect(existsSync(file) ? readFileSync(file, 'utf8') : '').toBe('');
    // an executor run: its events are narrated once, no second "done"/"failed" line for the command
    const up = await mcp(['upgrade', '--to', '6.0'], { home, env, timeoutMs: 120_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/ INFO {2}run \S+: /);
    expect(text).not.toMatch(/mcp upgrade (done|failed)/);
  });
});
