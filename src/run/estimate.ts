// How long each step of a plan will take on this installation: the schedule's expected and maximum
// downtime and its T+ rollback decision points come from here (docs/operations.md, "Schedule").
//
// The estimate of a step is the larger of a model and what this home measured: the model scales with
// the installation (bytes of data and database, number of services, runtime); the measurement is the
// longest completed run of a step of the same kind in this home's journals. The maximum is three times
// the estimate, capped by the phase timeout when the plan sets one (the executor fails the phase there).
// A canary phase adds its hold (percentage held for its duration) as a step of its own.
import { allSteps, type Plan } from './plan.js';
import type { ScheduleStep } from '../ops/schedule.js';

export interface InstallationFacts {
  /** bytes under <home>/data */
  dataBytes: number;
  /** bytes of the database */
  databaseBytes: number;
  services: number;
  runtime: string;
  /** longest completed duration per step kind in this home's earlier runs */
  measuredByKind: ReadonlyMap<string, number>;
}

export interface StepEstimate extends ScheduleStep {
  /** how the estimate was made: the model, or an earlier run measured in this home */
  basis: 'model' | 'measured';
}

export interface PlanEstimate {
  /** one entry a step (and a canary hold), in plan order; a parallel phase's steps overlap, so their
   * durations are carried by the phase's longest step and the others count 0 in the timeline */
  steps: StepEstimate[];
  /** phases whose expected duration is already over their timeout: the executor would fail them */
  overTimeout: Array<{ phase: string; expectedMs: number; timeoutMs: number }>;
}

/** Throughputs and fixed costs of the model; deliberately conservative (production disks and networks are slower than a laptop's). */
export const MODEL = {
  backupBytesPerSec: 50 * 1024 * 1024,
  verifyBytesPerSec: 100 * 1024 * 1024,
  dbMigrateBytesPerSec: 20 * 1024 * 1024,
  /** docker compose stop/up of one service, including its health wait */
  dockerPerServiceMs: 10_000,
  /** a rollout of one Deployment */
  kubernetesPerServiceMs: 30_000,
  /** runtime none: an operator stops or starts the services by hand */
  manualServicesMs: 15 * 60_000,
  healthPerServiceMs: 2_000,
  maxFactor: 3,
} as const;

const sec = (n: number) => n * 1000;

function model(kind: string, params: Record<string, unknown>, f: InstallationFacts): number {
  const services = Array.isArray(params.services) && params.services.length ? params.services.length : Math.max(1, f.services);
  switch (kind) {
    case 'noop':
      return 0;
    case 'wait':
      return typeof params.ms === 'number' ? params.ms : 0;
    case 'check.version':
    case 'check.disk-space':
    case 'config.validate':
    case 'config.set':
    case 'version.record':
      return sec(2);
    case 'config.transform':
    case 'config.convert':
      return sec(5);
    case 'backup.create':
      return sec(10) + ((f.dataBytes + f.databaseBytes) / MODEL.backupBytesPerSec) * 1000;
    case 'backup.verify':
      return sec(5) + ((f.dataBytes + f.databaseBytes) / MODEL.verifyBytesPerSec) * 1000;
    case 'db.migrate':
      return sec(10) + (f.databaseBytes / MODEL.dbMigrateBytesPerSec) * 1000;
    case 'services.stop':
    case 'services.start':
      if (f.runtime === 'none') return MODEL.manualServicesMs;
      return sec(5) + services * (f.runtime === 'kubernetes' ? MODEL.kubernetesPerServiceMs : MODEL.dockerPerServiceMs);
    case 'service.migrate':
      return sec(30) + (f.runtime === 'kubernetes' ? MODEL.kubernetesPerServiceMs : MODEL.dockerPerServiceMs);
    case 'health.check':
      return sec(10) + services * MODEL.healthPerServiceMs;
    case 'verify':
      return sec(30) + services * MODEL.healthPerServiceMs;
    default:
      return sec(60);
  }
}

/** Round up to whole seconds so a schedule never shows an estimate of 0.3 s as a promise. */
const ceilSec = (ms: number) => Math.ceil(ms / 1000) * 1000;

export function estimatePlan(plan: Plan, facts: InstallationFacts): PlanEstimate {
  const out: StepEstimate[] = [];
  const overTimeout: PlanEstimate['overTimeout'] = [];
  for (const phase of plan.phases) {
    const mine: StepEstimate[] = [];
    for (const s of phase.steps) {
      const m = ceilSec(model(s.kind, s.params, facts));
      const measured = facts.measuredByKind.get(s.kind);
      const estimateMs = measured !== undefined && ceilSec(measured) > m ? ceilSec(measured) : m;
      mine.push({
        id: s.id,
        title: s.title,
        phase: phase.name,
        kind: s.kind,
        estimateMs,
        maxMs: estimateMs * MODEL.maxFactor,
        rollbackPoint: s.rollbackPoint,
        basis: estimateMs === m ? 'model' : 'measured',
      });
    }
    // a parallel phase takes as long as its longest step (in rounds of maxParallel): the longest carries
    // the phase's duration, the others overlap it
    if (phase.parallel && mine.length > 1) {
      const rounds = Math.ceil(mine.length / Math.max(1, phase.maxParallel));
      const longest = mine.reduce((a, b) => (b.estimateMs > a.estimateMs ? b : a));
      const est = longest.estimateMs * rounds;
      const max = longest.maxMs! * rounds;
      for (const s of mine) {
        s.estimateMs = s === longest ? est : 0;
        s.maxMs = s === longest ? max : 0;
      }
    }
    // the executor fails the steps of a phase at its timeout (the canary hold comes after, unbounded by it):
    // their worst case is at most the timeout
    if (phase.timeoutMs !== undefined) {
      const expected = mine.reduce((a, s) => a + s.estimateMs, 0);
      if (expected > phase.timeoutMs) overTimeout.push({ phase: phase.name, expectedMs: expected, timeoutMs: phase.timeoutMs });
      const total = mine.reduce((a, s) => a + s.maxMs!, 0);
      if (total > phase.timeoutMs) {
        for (const s of mine) s.maxMs = Math.floor((s.maxMs! * phase.timeoutMs) / total);
        // never a worst case below the expectation (a phase expected over its timeout is reported above)
        for (const s of mine) s.maxMs = Math.max(s.maxMs!, Math.min(s.estimateMs, phase.timeoutMs));
      }
    }
    if (phase.canary) {
      const hold = phase.canary.durationMs;
      mine.push({ id: `${phase.name}.canary`, title: `canary at ${phase.canary.percentage}% (${phase.name})`, phase: phase.name, kind: 'canary.hold', estimateMs: hold, maxMs: hold, rollbackPoint: false, basis: 'model' });
    }
    out.push(...mine);
  }
  return { steps: out, overTimeout };
}

/** The longest completed duration per step kind across a home's runs, from their journals. */
export async function measuredDurations(home: string): Promise<Map<string, number>> {
  const { listRuns, replay } = await import('./journal.js');
  const out = new Map<string, number>();
  for (const id of listRuns(home)) {
    let st;
    try {
      st = replay(home, id);
    } catch {
      continue; // an unreadable journal says nothing about durations
    }
    const kinds = new Map(allSteps(st.plan).map((s) => [s.id, s.kind]));
    for (const ss of st.steps.values()) {
      if (ss.status !== 'done' || typeof ss.durationMs !== 'number') continue;
      const k = kinds.get(ss.id)!;
      out.set(k, Math.max(out.get(k) ?? 0, ss.durationMs));
    }
  }
  return out;
}
