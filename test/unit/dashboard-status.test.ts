// GET /migration/status's document: the guide's shape, built from a real journal, redacted.
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { makePlan, PLAN_API_VERSION } from '../../src/core/plan.js';
import { Journal, replay } from '../../src/core/journal.js';
import { guideStatus } from '../../src/dashboard/status.js';

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

  it("a step's own progress lines are its log; no secrets from step errors, progress lines or the canary config", () => {
    const { home, id } = journaled();
    const j = Journal.open(home, id);
    j.append('step.log', { step: 'db', message: 'copying 1200 rows from postgres://admin:s3cretpw@db/x' }, { sync: false });
    j.close();
    const d = guideStatus(replay(home, id));
    const text = JSON.stringify(d);
    for (const secret of ['s3cretpw', 'hunter22']) expect(text).not.toContain(secret);
    const db = d.steps.find((s) => s.id === 'db')!;
    expect(db.logs.some((l) => /^\S+Z copying 1200 rows from postgres:\/\/admin:\S+@db\/x$/.test(l))).toBe(true);
  });
});
