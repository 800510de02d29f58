// GET /migration/status: the guide's shape ({currentVersion, targetVersion, progress, steps[] with
// name, status, startTime, endTime, logs}) on top of the one status document (src/run/status.ts).
// Everything here ends up in a browser: it is redacted once more at this boundary.
import { redact, redactText } from '../redact.js';
import { statusDoc } from '../run/status.js';
import type { JournalRecord, RunState } from '../run/journal.js';

export type GuideStatus = ReturnType<typeof guideStatus>;

/** One log line of a step, from its journal record: a step's own progress message as it said it. */
function recordLine(r: JournalRecord): string {
  const { seq: _s, t, type, step: _st, phase: _p, ...rest } = redact(r);
  if (type === 'step.log') return `${t} ${String(rest.message ?? '')}`;
  const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
  return `${t} ${type}${extra}`;
}

export function guideStatus(st: RunState, opts: { currentVersion?: string } = {}) {
  const doc = statusDoc(st);
  const logs = new Map<string, string[]>();
  const phaseOf = new Map<string, string>();
  for (const p of doc.phases) for (const s of p.steps) {
    logs.set(s.id, []);
    phaseOf.set(s.id, p.name);
  }
  for (const r of st.records) {
    if (typeof r.step === 'string' && logs.has(r.step)) logs.get(r.step)!.push(recordLine(r));
    else if (r.type === 'canary.measure' || r.type === 'phase.canary') {
      // a canary hold belongs to the phase: show it under the phase's last step
      const p = doc.phases.find((x) => x.name === r.phase);
      const last = p?.steps[p.steps.length - 1];
      if (last) logs.get(last.id)!.push(recordLine(r));
    }
  }
  const steps = doc.phases.flatMap((p) =>
    p.steps.map((s) => ({
      name: s.title,
      status: s.status,
      startTime: s.startTime ?? null,
      endTime: s.endTime ?? null,
      logs: (logs.get(s.id) ?? []).map(redactText),
      id: s.id,
      phase: p.name,
      kind: s.kind,
      durationMs: s.durationMs ?? null,
      error: s.error ?? null,
      rollbackPoint: Boolean(s.rollbackPoint),
    })),
  );
  const { done, total, percent } = doc.progress;
  return redact({
    runId: doc.runId,
    status: doc.status,
    currentVersion: opts.currentVersion ?? doc.plan.from ?? null,
    targetVersion: doc.plan.to ?? null,
    /** percent of steps done, 0–100 */
    progress: percent,
    stepsDone: done,
    stepsTotal: total,
    steps,
    plan: doc.plan,
    startedAt: doc.startedAt ?? null,
    endedAt: doc.endedAt ?? null,
    phases: doc.phases.map((p) => ({ name: p.name, status: p.status ?? 'pending', startTime: p.startTime ?? null, endTime: p.endTime ?? null, parallel: p.parallel, canary: p.canary ? { percentage: p.canary.percentage, durationMs: p.canary.durationMs } : null, steps: p.steps.map((s) => s.id) })),
    measurements: doc.measurements,
    rollback: doc.rollback ?? null,
    error: doc.error ?? null,
  });
}
