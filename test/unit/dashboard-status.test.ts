// GET /migration/status's document: the guide's shape, built from a real journal, redacted.
import { describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { makePlan, PLAN_API_VERSION } from '../../src/run/plan.js';
import { Journal, replay } from '../../src/run/journal.js';
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

  it("a step's own progress lines are its log", () => {
    const { home, id } = journaled();
    const j = Journal.open(home, id);
    j.append('step.log', { step: 'db', message: 'copying 1200 rows' }, { sync: false });
    j.close();
    const db = guideStatus(replay(home, id)).steps.find((s) => s.id === 'db')!;
    expect(db.logs.some((l) => /^\S+Z copying 1200 rows$/.test(l))).toBe(true);
  });

  it('masks secrets the state holds raw (not only what the journal already masked when it was written)', () => {
    const { home, id } = journaled();
    const st = replay(home, id);
    // as a journal written by another tool or an older version could hold them
    st.steps.get('config')!.error = 'cannot connect to postgres://admin:s3cretpw@db/x';
    st.records.push({ seq: 99, t: new Date().toISOString(), type: 'step.log', step: 'db', message: 'GET http://m/health?access_token=abcdef123 -> 503' });
    st.measurements.push({ t: new Date().toISOString(), phase: 'apply', verdict: 'breached', checks: [{ condition: 'healthCheck failing', metric: 'healthCheck', value: 'failing (http://u:hunter22@m/h?token=zzz999)', threshold: 'failing', breached: true }] });
    const text = JSON.stringify(guideStatus(st));
    for (const secret of ['s3cretpw', 'abcdef123', 'hunter22', 'zzz999']) expect(text).not.toContain(secret);
    expect(text).toContain('cannot connect to postgres://admin:');
  });
});
