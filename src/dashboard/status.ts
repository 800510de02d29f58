// GET /migration/status: the guide's shape ({currentVersion, targetVersion, progress, steps[] with
// name, status, startTime, endTime, logs}) on top of the one status document (src/core/run-status.ts).
// Everything here ends up in a browser: it is redacted once more at this boundary.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { layout } from '../home.js';
import { redact, redactText } from '../redact.js';
import { statusDoc } from '../core/run-status.js';
import type { JournalRecord, RunState } from '../core/journal.js';

export type GuideStatus = ReturnType<typeof guideStatus>;

/** One log line of a step: its journal records, then what mcp.log says about it. */
function recordLine(r: JournalRecord): string {
  const { seq: _s, t, type, step: _st, phase: _p, ...rest } = redact(r);
  const extra = Object.keys(rest).length ? ' ' + JSON.stringify(rest) : '';
  return `${t} ${type}${extra}`;
}

export interface LogLine {
  time?: string;
  level?: string;
  event?: string;
  runId?: string;
  step?: string;
  phase?: string;
  [k: string]: unknown;
}

/** The last `maxBytes` of <home>/logs/mcp.log as JSON lines carrying this run's id. */
export function runLogLines(home: string, runId: string, maxBytes = 1 << 20): LogLine[] {
  const path = join(layout(home).logs, 'mcp.log');
  if (!existsSync(path)) return [];
  const size = statSync(path).size;
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const lines = buf.toString('utf8').split('\n');
  if (start > 0) lines.shift(); // cut mid-line
  const out: LogLine[] = [];
  for (const l of lines) {
    if (!l.includes(runId)) continue;
    try {
      const j = JSON.parse(l) as LogLine;
      if (j.runId === runId) out.push(j);
    } catch {
      /* a line being written */
    }
  }
  return out;
}

// mcp.log mirrors the executor's events as `run.<type>`; those say nothing the journal does not.
const MIRRORED = /^run\.(step|phase|canary|rollback|run)\./;

export function guideStatus(st: RunState, opts: { currentVersion?: string; logLines?: LogLine[] } = {}) {
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
  for (const l of opts.logLines ?? []) {
    if (typeof l.step !== 'string' || !logs.has(l.step) || (l.event && MIRRORED.test(l.event))) continue;
    const { time, level, event, runId: _r, step: _s, pid: _p, command: _c, ...rest } = redact(l);
    logs.get(l.step)!.push(`${time ?? ''} ${level ?? 'info'} ${event ?? ''}${Object.keys(rest).length ? ' ' + JSON.stringify(rest) : ''}`);
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
  const { done, total } = doc.progress;
  return redact({
    runId: doc.runId,
    status: doc.status,
    currentVersion: opts.currentVersion ?? doc.plan.from ?? null,
    targetVersion: doc.plan.to ?? null,
    /** percent of steps done, 0–100 */
    progress: total ? Math.round((done / total) * 100) : 0,
    stepsDone: done,
    stepsTotal: total,
    steps,
    plan: doc.plan,
    startedAt: doc.startedAt ?? null,
    endedAt: doc.endedAt ?? null,
    phases: doc.phases.map((p) => ({ name: p.name, status: p.status ?? 'pending', parallel: p.parallel, canary: p.canary ? { percentage: p.canary.percentage, durationMs: p.canary.durationMs } : null, steps: p.steps.map((s) => s.id) })),
    measurements: doc.measurements,
    rollback: doc.rollback ?? null,
    error: doc.error ?? null,
  });
}
