// One reading of a run's journal for every place that shows it: `mcp migration status`, `mcp status
// --detailed`, `mcp metrics` and the dashboard. What they print is the journal replayed (the dashboard keeps
// the last document until the journal, the config or the executor changes).
import { formatDuration } from './plan.js';
import type { RunState } from './journal.js';

/** A phase whose steps were all undone by a rollback is `undone`, not the `done` or `canary` it had reached. */
function phaseStatus(st: RunState, p: RunState['plan']['phases'][number]) {
  const recorded = st.phases.get(p.name)?.status;
  const steps = p.steps.map((s) => st.steps.get(s.id)?.status);
  if (steps.some((x) => x === 'undone') && steps.every((x) => x === 'undone' || x === 'pending')) return 'undone' as const;
  return recorded;
}

/** What the run does at this moment: the steps running or being undone, or a canary it holds between steps. */
function doingNow(st: RunState): string[] {
  const now = st.plan.phases.flatMap((p) => p.steps.filter((s) => ['running', 'undoing'].includes(st.steps.get(s.id)!.status)).map((s) => s.title));
  if (st.status === 'running') for (const p of st.plan.phases) if (p.canary && st.phases.get(p.name)?.status === 'canary') now.push(`canary ${p.name} holding at ${p.canary.percentage}%`);
  return now;
}

export function statusDoc(st: RunState) {
  const done = [...st.steps.values()].filter((s) => s.status === 'done').length;
  const total = st.steps.size;
  return {
    runId: st.id,
    status: st.status,
    plan: { name: st.plan.name, kind: st.plan.kind, from: st.plan.from, to: st.plan.to },
    startedAt: st.startedAt,
    endedAt: st.endedAt,
    progress: { done, total, percent: total ? Math.floor((done / total) * 100) : 0 },
    now: doingNow(st),
    phases: st.plan.phases.map((p) => ({
      name: p.name,
      status: phaseStatus(st, p),
      // the phase as a whole: its steps and its canary hold
      startTime: st.phases.get(p.name)?.startedAt,
      endTime: st.phases.get(p.name)?.endedAt,
      parallel: p.parallel,
      timeoutMs: p.timeoutMs,
      canary: p.canary,
      steps: p.steps.map((s) => {
        const ss = st.steps.get(s.id)!;
        return { id: s.id, title: s.title, kind: s.kind, status: ss.status, startTime: ss.startedAt, endTime: ss.endedAt, durationMs: ss.durationMs, error: ss.error, rollbackPoint: s.rollbackPoint };
      }),
    })),
    measurements: st.measurements.map((m) => ({ t: m.t, phase: m.phase, verdict: m.verdict, checks: m.checks })),
    // "to the last rollback point" with none reached is a rollback to the start: say it as it happened
    rollback: st.rollback ? { ...st.rollback, to: st.rollback.to === 'rollback-point' && !st.rollback.stopAt ? ('start' as const) : st.rollback.to } : undefined,
    error: st.error,
  };
}

export function statusText(doc: RunStatusDoc): string[] {
  // the first two lines say it all (for `watch -n 5 'mcp migration status'` on a small terminal)
  const pct = doc.progress.percent;
  const width = 30;
  const bar = `[${'#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.')}] ${pct}%`;
  const lines = [
    `Run ${doc.runId}: ${doc.plan.name} — ${doc.status} (${doc.progress.done}/${doc.progress.total} steps done)${doc.now.length ? `; now: ${doc.now.join(', ')}` : ''}`,
    `  ${bar}${doc.startedAt ? `  started ${doc.startedAt.replace(/\.\d+Z$/, 'Z')}` : ''}${doc.endedAt ? `, ended ${doc.endedAt.replace(/\.\d+Z$/, 'Z')}` : ''}`,
  ];
  for (const p of doc.phases) {
    lines.push(`  ${p.name}: ${p.status}${p.parallel ? ' (parallel)' : ''}${p.timeoutMs ? `, timeout ${formatDuration(p.timeoutMs)}` : ''}${p.canary ? `, canary ${p.canary.percentage}% for ${formatDuration(p.canary.durationMs)}` : ''}`);
    for (const s of p.steps) lines.push(`    ${s.status.padEnd(8)} ${s.title}${s.durationMs !== undefined ? `  ${formatDuration(s.durationMs)}` : ''}${s.rollbackPoint ? '  [rollback point]' : ''}${s.error ? `  — ${s.error}` : ''}`);
  }
  const last = new Map<string, (typeof doc.measurements)[number]>();
  for (const m of doc.measurements) last.set(m.phase, m);
  for (const m of last.values()) {
    lines.push(`  canary ${m.phase} (${m.t}): ${m.verdict}`);
    for (const c of m.checks) lines.push(`    ${c.breached ? '✗' : '✓'} ${c.metric}: measured ${c.value ?? 'no data'}, rollback when ${c.threshold}${c.note ? ` — ${c.note}` : ''}`);
  }
  if (doc.rollback) lines.push(`  rollback: ${doc.rollback.to}${doc.rollback.stopAt ? ` (stops at ${doc.rollback.stopAt})` : ''} — ${doc.rollback.reason}${doc.rollback.endedAt ? ', done' : ', in progress'}`);
  if (doc.error) lines.push(`  error: ${doc.error}`);
  return lines;
}

export type RunStatusDoc = ReturnType<typeof statusDoc>;
