// GET /migration/status's document: the guide's shape, built from a real journal, redacted.
import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { makePlan, PLAN_API_VERSION } from '../../src/core/plan.js';
import { Journal, replay } from '../../src/core/journal.js';
import { guideStatus, runLogLines } from '../../src/dashboard/status.js';

function journaled() {
  const home = tempDir();
  mkdirSync(join(home, 'state'), { recursive: true });
  const plan = makePlan({
    apiVersion: PLAN_API_VERSION,
    name: 'upgrade 4.2 → 5.0',
    kind: 'upgrade',
    from: '4.2',
    to: '5.0',
    phases: [
      { name: 'prepare', steps: [{ id: 'backup', kind: 'noop', title: 'back up', rollbackPoint: true }] },
      { name: 'apply', canary: { percentage: 10, durationMs: 1000, metricsUrl: 'http://u:hunter22@metrics.local/m' }, steps: [{ id: 'config', kind: 'noop', title: 'migrate config' }, { id: 'db', kind: 'noop', title: 'migrate database' }] },
    ],
  });
  const id = 'run-1';
  const j = Journal.create(home, id, plan);
  j.append('run.start', { pid: 1 });
  j.append('step.start', { step: 'backup', phase: 'prepare' });
  j.append('step.end', { step: 'backup', durationMs: 12 });
  j.append('step.start', { step: 'config', phase: 'apply' });
  j.append('step.fail', { step: 'config', durationMs: 3, error: 'cannot connect to postgres://admin:s3cretpw@db/x' });
  j.append('canary.measure', { phase: 'apply', verdict: 'ok', checks: [{ condition: 'errorRate > 5%', metric: 'errorRate', value: '0.1%', threshold: '> 5%', breached: false }] });
  j.append('run.failed', { error: 'step config failed' });
  j.close();
  return { home, id };
}

describe('dashboard status document', () => {
  it("has the guide's fields with values from the journal", () => {
    const { home, id } = journaled();
    const d = guideStatus(replay(home, id), { currentVersion: '4.2' });
    expect(d).toMatchObject({ runId: id, status: 'failed', currentVersion: '4.2', targetVersion: '5.0', stepsDone: 1, stepsTotal: 3, progress: 33 });
    expect(d.steps.map((s) => [s.name, s.status])).toEqual([['back up', 'done'], ['migrate config', 'failed'], ['migrate database', 'pending']]);
    for (const s of d.steps) expect(Object.keys(s)).toEqual(expect.arrayContaining(['name', 'status', 'startTime', 'endTime', 'logs']));
    const [backup, config, db] = d.steps;
    expect(backup!.startTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(backup!.endTime!)).toBeGreaterThanOrEqual(Date.parse(backup!.startTime!));
    expect(backup!.rollbackPoint).toBe(true);
    expect(backup!.logs.some((l) => l.includes('step.end'))).toBe(true);
    expect(db!.startTime).toBeNull();
    expect(db!.logs.some((l) => l.includes('canary.measure'))).toBe(true); // the phase's canary, under its last step
    expect(config!.logs.some((l) => l.includes('step.fail'))).toBe(true);
    expect(d.phases.map((p) => p.name)).toEqual(['prepare', 'apply']);
    expect(d.measurements[0]!.checks[0]).toMatchObject({ metric: 'errorRate', threshold: '> 5%', breached: false });
  });

  it('carries no secrets: not from step errors, the canary config or mcp.log', () => {
    const { home, id } = journaled();
    mkdirSync(join(home, 'logs'), { recursive: true });
    appendFileSync(join(home, 'logs', 'mcp.log'), JSON.stringify({ time: '2026-01-01T00:00:00.000Z', level: 'info', event: 'db.connect', runId: id, step: 'config', url: 'postgres://admin:s3cretpw@db/x', password: 'pw-in-log-123' }) + '\n');
    appendFileSync(join(home, 'logs', 'mcp.log'), JSON.stringify({ time: '2026-01-01T00:00:00.000Z', level: 'info', event: 'run.step.start', runId: id, step: 'config' }) + '\n');
    const lines = runLogLines(home, id);
    expect(lines).toHaveLength(2);
    const d = guideStatus(replay(home, id), { logLines: lines });
    const text = JSON.stringify(d);
    for (const secret of ['s3cretpw', 'pw-in-log-123', 'hunter22']) expect(text).not.toContain(secret);
    const config = d.steps.find((s) => s.id === 'config')!;
    expect(config.logs.some((l) => l.includes('db.connect'))).toBe(true);
    // mcp.log's mirror of a journal record is not shown twice
    expect(config.logs.some((l) => l.includes('run.step.start'))).toBe(false);
  });
});
