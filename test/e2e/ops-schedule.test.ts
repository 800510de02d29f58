// `mcp migration schedule`: the guide's template filled in from the plan and this installation's size.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';
import { Journal, newRunId } from '../../src/run/journal.js';
import { upgradePlan } from '../../src/run/planner.js';

let home: string;
beforeAll(async () => {
  home = tempDir();
  const r = await mcp(['init', '--example'], { home });
  expect(r.exitCode).toBe(0);
}, 60_000);

const ARGS = ['migration', 'schedule', '--from', '5.0', '--to', '6.0', '--date', '2025-07-30', '--window', '02:00-06:00'];

describe('mcp migration schedule', () => {
  it('prints the template filled in: timeline before the date, the window, downtime, decision points, criteria', async () => {
    const r = await mcp([...ARGS, '--lead', 'John Doe', '--on-call', 'Emergency Team'], { home });
    expect(r.exitCode).toBe(0);
    const md = r.stdout;
    expect(md).toMatch(/^# Migration Schedule: v5\.0 to v6\.0$/m);
    expect(md).toContain('- **T-7 days**: Announce maintenance window (2025-07-23)');
    expect(md).toContain('- **T-0**: Begin migration (2025-07-30 02:00 UTC)');
    expect(md).toContain('- **Time**: 02:00 - 06:00 UTC');
    expect(md).toMatch(/- \*\*Expected Downtime\*\*: \d+ (minute|hour)/);
    expect(md).toContain('- **Migration Lead**: John Doe');
    expect(md).toContain('- **On-Call**: Emergency Team');
    expect(md).toMatch(/## Rollback Decision Points\n1\. After .+ \(T\+\d+(h\d*)?m?\)/);
    expect(md).toContain('- Performance within 10% of baseline');
  });

  it('--json: the figures behind it, from the plan the upgrade would run', async () => {
    const r = await mcp([...ARGS, '--json'], { home });
    expect(r.exitCode).toBe(0);
    const d = r.json();
    expect(d.plan).toMatchObject({ kind: 'upgrade', from: '5.0', to: '6.0' });
    expect(d.steps.length).toBeGreaterThan(5);
    // expected downtime = the steps from the stop through the start
    const stop = d.steps.findIndex((s: any) => s.kind === 'services.stop');
    const start = d.steps.findIndex((s: any) => s.kind === 'services.start');
    expect(d.downtime.expectedMs).toBe(d.steps.slice(stop, start + 1).reduce((a: number, s: any) => a + s.estimateMs, 0));
    expect(d.downtime.maximumMs).toBeGreaterThan(d.downtime.expectedMs);
    expect(d.rollbackPoints.map((p: any) => p.step)).toEqual(d.steps.filter((s: any) => s.rollbackPoint).map((s: any) => s.id));
    expect(d.facts.runtime).toBe('none');
    expect(d.facts.databaseBytes).toBeGreaterThan(0); // the example's embedded database was measured
    expect(d.markdown).toContain('## Success Criteria');
  });

  it('more data means more downtime; a plan that cannot fit the window is flagged', async () => {
    const small = (await mcp([...ARGS, '--json'], { home })).json();
    const r = await mcp([...ARGS, '--data-size', '2TiB', '--json'], { home });
    expect(r.exitCode).toBe(0);
    const big = r.json();
    expect(big.totalMs.expected).toBeGreaterThan(small.totalMs.expected + 3_600_000);
    expect(big.downtime.expectedMs).toBeGreaterThan(small.downtime.expectedMs + 3_600_000); // the database migration is in the downtime
    expect(big.downtime.fitsWindow).toBe(false);
    expect(r.stderr).toMatch(/does not fit the 4 hours window 02:00-06:00/);
    expect(big.markdown).toMatch(/\*\*Warning\*\*/);
  });

  it('a date in the past is a warning on stderr; the schedule is still printed', async () => {
    const r = await mcp(ARGS, { home });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/--date 2025-07-30 is in the past \(today is \d{4}-\d\d-\d\d\)/);
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const later = await mcp(['migration', 'schedule', '--from', '5.0', '--to', '6.0', '--date', soon, '--window', '02:00-06:00'], { home });
    expect(later.stderr).not.toMatch(/in the past/);
  });

  it('--output writes the file atomically and says where', async () => {
    const out = join(tempDir(), 'schedule.md');
    const r = await mcp([...ARGS, '--output', out], { home });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(out);
    expect(readFileSync(out, 'utf8')).toMatch(/^# Migration Schedule: v5\.0 to v6\.0\n/);
  });

  it('a bad window or date is a usage error naming the flag, and writes nothing', async () => {
    const out = join(tempDir(), 'schedule.md');
    const bad = await mcp(['migration', 'schedule', '--to', '6.0', '--date', '2025-07-30', '--window', '2am-6am', '--output', out], { home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--window '2am-6am'.*HH:MM-HH:MM/s);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    const badDate = await mcp(['migration', 'schedule', '--to', '6.0', '--date', '2025-02-30', '--window', '02:00-06:00', '--output', out], { home });
    expect(badDate.exitCode).toBe(2);
    expect(badDate.stderr).toMatch(/--date/);
    expect(existsSync(out)).toBe(false);
  });

  it('a step kind that took longer in an earlier run of this home is estimated at what was measured', async () => {
    const h = tempDir();
    expect((await mcp(['init', '--example'], { home: h })).exitCode).toBe(0);
    // an earlier upgrade whose database migration took two hours, as its journal recorded it
    const plan = upgradePlan('5.0', '6.0', { runtime: 'none' });
    const j = Journal.create(h, newRunId(), plan);
    j.append('run.start', { pid: 1 });
    const db = plan.phases.flatMap((p) => p.steps).find((s) => s.kind === 'db.migrate')!;
    j.append('step.start', { step: db.id, phase: 'database', kind: db.kind });
    j.append('step.end', { step: db.id, durationMs: 7_200_000 });
    j.append('run.end', { status: 'failed' });
    j.close();
    const d = (await mcp([...ARGS, '--json'], { home: h })).json();
    expect(d.steps.find((s: any) => s.kind === 'db.migrate')).toMatchObject({ estimateMs: 7_200_000, maxMs: 21_600_000, basis: 'measured' });
    expect(d.steps.find((s: any) => s.kind === 'backup.create').basis).toBe('model');
    expect(d.downtime.fitsWindow).toBe(false);
  }, 60_000);
});
