// A run in a few fields and one line, for the commands that show migrations beside other things
// (`mcp status`, `mcp metrics`): the same journal replay as `mcp migration status`, condensed.
import { latestRun, listRuns, replay, type RunState } from './journal.js';
import { formatDuration } from './plan.js';
import { statusDoc, type RunStatusDoc } from './status.js';

export interface RunSummary {
  runId: string;
  status: RunStatusDoc['status'];
  plan: RunStatusDoc['plan'];
  progress: RunStatusDoc['progress'];
  /** what the run does now: steps running or being undone, a canary it holds */
  running: string[];
  startedAt?: string;
  endedAt?: string;
  /** from the first record to the last one */
  durationMs?: number;
  error?: string;
}

export function summarize(st: RunState): RunSummary {
  const doc = statusDoc(st);
  const first = st.records[0]?.t;
  const last = st.records[st.records.length - 1]?.t;
  return {
    runId: doc.runId,
    status: doc.status,
    plan: doc.plan,
    progress: doc.progress,
    running: doc.now,
    startedAt: doc.startedAt,
    endedAt: doc.endedAt,
    durationMs: first && last ? Date.parse(last) - Date.parse(first) : undefined,
    error: doc.error,
  };
}

export function summaryLine(s: RunSummary): string {
  const what = `${s.plan.name}${s.plan.from && s.plan.to && !s.plan.name.includes(s.plan.to) ? ` (${s.plan.from} → ${s.plan.to})` : ''}`;
  const parts = [`run ${s.runId}: ${what} — ${s.status}, ${s.progress.done}/${s.progress.total} steps done`];
  if (s.running.length) parts.push(`now: ${s.running.join(', ')}`);
  if (s.durationMs !== undefined) parts.push(`${s.status === 'running' || s.status === 'rolling-back' ? 'for' : 'took'} ${formatDuration(s.durationMs)}`);
  let line = parts.join('; ');
  if (s.error) line += ` — ${s.error}`;
  return line;
}

/** The newest run of a home, replayed; undefined when none ran (or its journal cannot be read). */
export function latestRunState(home: string): RunState | undefined {
  const id = latestRun(home);
  if (!id) return undefined;
  try {
    return replay(home, id);
  } catch {
    return undefined;
  }
}

/** The runs that recorded anything since `since`, replayed, oldest first. */
export function runsSince(home: string, since: Date): RunState[] {
  const out: RunState[] = [];
  for (const id of listRuns(home)) {
    let st: RunState;
    try {
      st = replay(home, id);
    } catch {
      continue;
    }
    const last = st.records[st.records.length - 1]?.t;
    if (last && Date.parse(last) >= since.getTime()) out.push(st);
  }
  return out;
}
