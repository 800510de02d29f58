import { describe, expect, it } from 'vitest';
import { estimatePlan, MODEL, type InstallationFacts } from '../../src/core/estimate.js';
import { upgradePlan } from '../../src/core/planner.js';
import { makePlan, PLAN_API_VERSION } from '../../src/core/plan.js';
import { buildSchedule, parseDate, parseWindow } from '../../src/ops/schedule.js';

const GiB = 1024 ** 3;
const facts = (over: Partial<InstallationFacts> = {}): InstallationFacts => ({ dataBytes: 0, databaseBytes: 0, services: 9, runtime: 'docker', measuredByKind: new Map(), ...over });
const byKind = (steps: ReturnType<typeof estimatePlan>, kind: string) => steps.find((s) => s.kind === kind)!;

describe('per-step estimates', () => {
  const plan = upgradePlan('5.0', '6.0', { runtime: 'docker' });

  it('every step of the plan gets an estimate and a worst case three times as long, in plan order', () => {
    const steps = estimatePlan(plan, facts());
    expect(steps.map((s) => s.id)).toEqual(plan.phases.flatMap((p) => p.steps.map((s) => s.id)));
    for (const s of steps) {
      expect(s.estimateMs % 1000).toBe(0);
      expect(s.maxMs).toBe(s.estimateMs * MODEL.maxFactor);
    }
  });

  it('backups and database migrations grow with the data; stopping services with their number', () => {
    const small = estimatePlan(plan, facts());
    const big = estimatePlan(plan, facts({ dataBytes: 50 * GiB, databaseBytes: 20 * GiB }));
    expect(byKind(big, 'backup.create').estimateMs - byKind(small, 'backup.create').estimateMs).toBe(Math.ceil((70 * GiB) / MODEL.backupBytesPerSec) * 1000);
    expect(byKind(big, 'db.migrate').estimateMs).toBeGreaterThan(byKind(small, 'db.migrate').estimateMs + 1000 * 1000);
    const many = estimatePlan(plan, facts({ services: 30 }));
    expect(byKind(many, 'services.stop').estimateMs).toBe(byKind(small, 'services.stop').estimateMs + 21 * MODEL.dockerPerServiceMs);
  });

  it('a longer duration measured in this home wins over the model, and says so', () => {
    const steps = estimatePlan(plan, facts({ measuredByKind: new Map([['db.migrate', 3_600_000], ['backup.create', 10]]) }));
    expect(byKind(steps, 'db.migrate')).toMatchObject({ estimateMs: 3_600_000, basis: 'measured' });
    expect(byKind(steps, 'backup.create').basis).toBe('model');
  });

  it('runtime none: services are stopped and started by hand, which takes minutes', () => {
    const steps = estimatePlan(upgradePlan('5.0', '6.0', { runtime: 'none' }), facts({ runtime: 'none' }));
    expect(byKind(steps, 'services.stop').estimateMs).toBe(MODEL.manualServicesMs);
  });

  it('a phase timeout caps the worst case; a canary hold is a step of its own', () => {
    const p = makePlan({
      apiVersion: PLAN_API_VERSION,
      name: 't',
      kind: 'upgrade',
      createdAt: new Date().toISOString(),
      phases: [
        { name: 'db', timeoutMs: 60_000, steps: [{ id: 'm', kind: 'db.migrate', title: 'migrate', params: {} }] },
        { name: 'core', canary: { percentage: 10, durationMs: 3_600_000 }, steps: [{ id: 's', kind: 'service.migrate', title: 'auth', params: {} }] },
      ],
    } as never);
    const steps = estimatePlan(p, facts({ databaseBytes: 10 * GiB }));
    expect(steps.find((s) => s.id === 'm')!.maxMs).toBeLessThanOrEqual(Math.max(60_000, steps.find((s) => s.id === 'm')!.estimateMs));
    const hold = steps.find((s) => s.kind === 'canary.hold')!;
    expect(hold).toMatchObject({ estimateMs: 3_600_000, phase: 'core' });
  });

  it('feeds the schedule: downtime from stop to start, decision points at the rollback points', () => {
    const steps = estimatePlan(plan, facts({ dataBytes: 5 * GiB }));
    const s = buildSchedule({ from: '5.0', to: '6.0', date: parseDate('2025-07-30'), window: parseWindow('02:00-06:00'), steps });
    const stop = steps.findIndex((x) => x.kind === 'services.stop');
    const start = steps.findIndex((x) => x.kind === 'services.start');
    expect(s.downtime.expectedMs).toBe(steps.slice(stop, start + 1).reduce((a, x) => a + x.estimateMs, 0));
    expect(s.rollbackPoints.map((r) => r.step)).toEqual(steps.filter((x) => x.rollbackPoint).map((x) => x.id));
    const offsets = s.rollbackPoints.map((r) => r.offsetMs);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });
});
