import { describe, expect, it } from 'vitest';
import { estimatePlan, MODEL, type InstallationFacts, type StepEstimate } from '../../src/run/estimate.js';
import { upgradePlan } from '../../src/run/planner.js';
import { makePlan, PLAN_API_VERSION } from '../../src/run/plan.js';
import { buildSchedule, parseDate, parseWindow } from '../../src/ops/schedule.js';

const GiB = 1024 ** 3;
const facts = (over: Partial<InstallationFacts> = {}): InstallationFacts => ({ dataBytes: 0, databaseBytes: 0, services: 9, runtime: 'docker', measuredByKind: new Map(), ...over });
const byKind = (steps: StepEstimate[], kind: string) => steps.find((s) => s.kind === kind)!;
const est = (plan: Parameters<typeof estimatePlan>[0], f: InstallationFacts): StepEstimate[] => estimatePlan(plan, f).steps;

describe('per-step estimates', () => {
  const plan = upgradePlan('5.0', '6.0', { runtime: 'docker' });

  it('every step of the plan gets an estimate and a worst case three times as long, in plan order', () => {
    const steps = est(plan, facts());
    expect(steps.map((s) => s.id)).toEqual(plan.phases.flatMap((p) => p.steps.map((s) => s.id)));
    for (const s of steps) {
      expect(s.estimateMs % 1000).toBe(0);
      expect(s.maxMs).toBe(s.estimateMs * MODEL.maxFactor);
    }
  });

  it('backups and database migrations grow with the data; stopping services with their number', () => {
    const small = est(plan, facts());
    const big = est(plan, facts({ dataBytes: 50 * GiB, databaseBytes: 20 * GiB }));
    expect(byKind(big, 'backup.create').estimateMs - byKind(small, 'backup.create').estimateMs).toBe(Math.ceil((70 * GiB) / MODEL.backupBytesPerSec) * 1000);
    expect(byKind(big, 'db.migrate').estimateMs).toBeGreaterThan(byKind(small, 'db.migrate').estimateMs + 1000 * 1000);
    const many = est(plan, facts({ services: 30 }));
    expect(byKind(many, 'services.stop').estimateMs).toBe(byKind(small, 'services.stop').estimateMs + 21 * MODEL.dockerPerServiceMs);
  });

  it('a longer duration measured in this home wins over the model, and says so', () => {
    const steps = est(plan, facts({ measuredByKind: new Map([['db.migrate', 3_600_000], ['backup.create', 10]]) }));
    expect(byKind(steps, 'db.migrate')).toMatchObject({ estimateMs: 3_600_000, basis: 'measured' });
    expect(byKind(steps, 'backup.create').basis).toBe('model');
  });

  it('runtime none: services are stopped and started by hand, which takes minutes', () => {
    const steps = est(upgradePlan('5.0', '6.0', { runtime: 'none' }), facts({ runtime: 'none' }));
    expect(byKind(steps, 'services.stop').estimateMs).toBe(MODEL.manualServicesMs);
  });

  const custom = (phases: unknown[]) => makePlan({ apiVersion: PLAN_API_VERSION, name: 't', kind: 'upgrade', createdAt: new Date().toISOString(), phases } as never);

  it("a phase timeout caps its steps' worst case at the timeout; the canary hold after them is not capped", () => {
    const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, kind: 'config.validate', title: `check ${i}`, params: {} }));
    const r = estimatePlan(custom([{ name: 'db', timeoutMs: 60_000, steps: steps(7) }, { name: 'core', timeoutMs: 600_000, canary: { percentage: 10, durationMs: 3_600_000 }, steps: [{ id: 's', kind: 'service.migrate', title: 'auth', params: {} }] }]), facts());
    const db = r.steps.filter((s) => s.phase === 'db');
    expect(db.reduce((a, s) => a + s.maxMs!, 0)).toBeLessThanOrEqual(60_000);
    for (const s of r.steps) expect(s.maxMs).toBeGreaterThanOrEqual(s.estimateMs);
    expect(r.steps.find((s) => s.kind === 'canary.hold')).toMatchObject({ estimateMs: 3_600_000, maxMs: 3_600_000, phase: 'core' });
    expect(r.overTimeout).toEqual([]);
  });

  it('a phase expected to take longer than its timeout is reported: the executor would fail it', () => {
    const r = estimatePlan(custom([{ name: 'db', timeoutMs: 60_000, steps: [{ id: 'm', kind: 'db.migrate', title: 'migrate', params: {} }] }]), facts({ databaseBytes: 10 * GiB }));
    expect(r.overTimeout).toEqual([{ phase: 'db', expectedMs: r.steps[0]!.estimateMs, timeoutMs: 60_000 }]);
  });

  it('a parallel phase lasts as long as its longest step, per round of maxParallel', () => {
    const svc = (i: number) => ({ id: `s${i}`, kind: 'service.migrate', title: `svc ${i}`, params: {} });
    const one = est(custom([{ name: 'p', parallel: true, maxParallel: 8, steps: [svc(0), svc(1), svc(2)] }]), facts());
    const single = est(custom([{ name: 'p', steps: [svc(0)] }]), facts())[0]!.estimateMs;
    expect(one.reduce((a, s) => a + s.estimateMs, 0)).toBe(single);
    const two = est(custom([{ name: 'p', parallel: true, maxParallel: 2, steps: [svc(0), svc(1), svc(2)] }]), facts());
    expect(two.reduce((a, s) => a + s.estimateMs, 0)).toBe(2 * single);
  });

  it('a multi-hop upgrade is down once per hop: the schedule counts each stop-to-start span, not the time between', () => {
    const steps = est(upgradePlan('4.2', '6.0', { runtime: 'docker' }), facts());
    const s = buildSchedule({ from: '4.2', to: '6.0', date: parseDate('2025-07-30'), window: parseWindow('02:00-06:00'), steps });
    expect(s.downtime.periods).toBe(2);
    const spans: number[] = [];
    let open = -1;
    steps.forEach((x, i) => {
      if (x.kind === 'services.stop') open = i;
      if (x.kind === 'services.start' && open >= 0) {
        spans.push(steps.slice(open, i + 1).reduce((a, y) => a + y.estimateMs, 0));
        open = -1;
      }
    });
    expect(s.downtime.expectedMs).toBe(spans[0]! + spans[1]!);
    // the v5 verification and the v6 pre-checks and backup happen while the services run
    const between = steps.slice(steps.findIndex((x) => x.kind === 'services.start') + 1, steps.map((x) => x.kind).lastIndexOf('services.stop'));
    expect(between.length).toBeGreaterThan(0);
    expect(s.totalMs.expected).toBe(steps.reduce((a, x) => a + x.estimateMs, 0));
    expect(s.downtime.expectedMs).toBe(s.totalMs.expected - steps.slice(0, steps.findIndex((x) => x.kind === 'services.stop')).reduce((a, x) => a + x.estimateMs, 0) - between.reduce((a, x) => a + x.estimateMs, 0) - steps.slice(steps.map((x) => x.kind).lastIndexOf('services.start') + 1).reduce((a, x) => a + x.estimateMs, 0));
  });

  it('feeds the schedule: downtime from stop to start, decision points at the rollback points', () => {
    const steps = est(plan, facts({ dataBytes: 5 * GiB }));
    const s = buildSchedule({ from: '5.0', to: '6.0', date: parseDate('2025-07-30'), window: parseWindow('02:00-06:00'), steps });
    const stop = steps.findIndex((x) => x.kind === 'services.stop');
    const start = steps.findIndex((x) => x.kind === 'services.start');
    expect(s.downtime.expectedMs).toBe(steps.slice(stop, start + 1).reduce((a, x) => a + x.estimateMs, 0));
    expect(s.rollbackPoints.map((r) => r.step)).toEqual(steps.filter((x) => x.rollbackPoint).map((x) => x.id));
    const offsets = s.rollbackPoints.map((r) => r.offsetMs);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });
});
