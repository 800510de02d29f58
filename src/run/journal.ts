// The durable run journal: <home>/state/runs/<id>/journal.ndjson, append-only, one JSON record per
// line, fsync'd before the executor moves on. The run's state is whatever replaying it says; a torn
// last line (kill -9 mid-write) is ignored, so a record either counts fully or not at all.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync, existsSync, mkdirSync, readdirSync, writeFileSync, renameSync, unlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { layout } from '../home.js';
import { lockHeldFor } from './home-lock.js';
import { redact } from '../redact.js';
import { PlanSchema, type Plan } from './plan.js';

export type RunStatus = 'running' | 'paused' | 'completed' | 'failed' | 'rolling-back' | 'rolled-back' | 'aborted' | 'interrupted';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'undoing' | 'undone';

export interface JournalRecord {
  seq: number;
  t: string;
  type: string;
  [k: string]: unknown;
}

export const runsDir = (home: string) => join(layout(home).state, 'runs');
export const runDir = (home: string, id: string) => join(runsDir(home), id);

export function newRunId(): string {
  const d = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${d}-${randomBytes(3).toString('hex')}`;
}

export class Journal {
  private fd: number;
  private seq: number;
  readonly path: string;

  private constructor(path: string, seq: number) {
    this.path = path;
    this.seq = seq;
    this.fd = openSync(path, 'a');
  }

  static create(home: string, id: string, plan: Plan): Journal {
    const dir = runDir(home, id);
    mkdirSync(dir, { recursive: true });
    // the plan the run executes, frozen beside its journal (no secrets: plans never hold any)
    const tmp = join(dir, '.plan.json.tmp');
    writeFileSync(tmp, JSON.stringify(redact(plan), null, 2) + '\n');
    const fd = openSync(tmp, 'r+');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(dir, 'plan.json'));
    fsyncDir(dir);
    fsyncDir(runsDir(home));
    return new Journal(join(dir, 'journal.ndjson'), 0);
  }

  static open(home: string, id: string): Journal {
    const path = join(runDir(home, id), 'journal.ndjson');
    // a crash mid-append leaves a torn last line: cut it so the next record starts on its own line
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.length && !text.endsWith('\n')) truncateSync(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
    }
    const records = readRecords(path);
    return new Journal(path, records.length ? records[records.length - 1]!.seq : 0);
  }

  /**
   * Append one record. When this returns, the record survives the death of this process (it is in the
   * kernel); with `sync` (the default) it is also fsync'd, so it survives a power loss. The executor skips
   * the fsync only for records whose loss is harmless: a read-only step that would simply run again.
   * Any later synced record flushes the unsynced ones before it.
   */
  append(type: string, fields: Record<string, unknown> = {}, opts: { sync?: boolean } = {}): JournalRecord {
    if (this.closed) throw new Error(`journal ${this.path} is closed: no record of type ${type} can be added`);
    const rec: JournalRecord = { seq: ++this.seq, t: new Date().toISOString(), type, ...(redact(fields) as Record<string, unknown>) };
    writeSync(this.fd, JSON.stringify(rec) + '\n');
    if (opts.sync !== false) fsyncSync(this.fd);
    return rec;
  }

  /** After close, a late write (a step still reporting after its phase timed out) must not land in a reused fd. */
  private closed = false;

  close(): void {
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on every platform */
  }
}

export function readRecords(path: string): JournalRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const out: JournalRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      // only the last line can be torn (a crash mid-append); anything else is corruption worth saying
      if (i < lines.length - 2 || (i === lines.length - 2 && lines[lines.length - 1] !== '')) {
        throw new Error(`${path}:${i + 1}: journal line is not JSON (corrupted journal)`);
      }
    }
  }
  return out;
}

export function readPlan(home: string, id: string): Plan {
  const text = readFileSync(join(runDir(home, id), 'plan.json'), 'utf8');
  return PlanSchema.parse(JSON.parse(text));
}

export interface StepState {
  id: string;
  phase: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  attempts: number;
  result?: Record<string, unknown>;
  error?: string;
}

export interface Measurement {
  t: string;
  phase: string;
  checks: Array<{ condition: string; metric: string; value: number | string | null; threshold: string; breached: boolean; noData?: boolean; note?: string }>;
  verdict: 'ok' | 'breached';
}

export interface RunState {
  id: string;
  plan: Plan;
  status: RunStatus;
  startedAt?: string;
  endedAt?: string;
  pid?: number;
  steps: Map<string, StepState>;
  phases: Map<string, { status: 'pending' | 'running' | 'done' | 'failed' | 'canary'; startedAt?: string; endedAt?: string }>;
  measurements: Measurement[];
  rollback?: { to: 'rollback-point' | 'start'; reason: string; startedAt: string; endedAt?: string; stopAt?: string; failed?: boolean };
  error?: string;
  records: JournalRecord[];
}

/** Replay a run's journal into its state. */
export function replay(home: string, id: string): RunState {
  const plan = readPlan(home, id);
  const records = readRecords(join(runDir(home, id), 'journal.ndjson'));
  const st: RunState = { id, plan, status: 'running', steps: new Map(), phases: new Map(), measurements: [], records };
  for (const ph of plan.phases) {
    st.phases.set(ph.name, { status: 'pending' });
    for (const s of ph.steps) st.steps.set(s.id, { id: s.id, phase: ph.name, status: 'pending', attempts: 0 });
  }
  let ended = false;
  for (const r of records) {
    const step = typeof r.step === 'string' ? st.steps.get(r.step) : undefined;
    const phase = typeof r.phase === 'string' ? st.phases.get(r.phase) : undefined;
    switch (r.type) {
      case 'run.start':
      case 'run.resume':
        st.startedAt ??= r.t;
        st.pid = r.pid as number;
        if (st.status !== 'rolling-back') st.status = 'running';
        ended = false;
        break;
      case 'phase.start':
        if (phase) Object.assign(phase, { status: 'running', startedAt: phase.startedAt ?? r.t });
        break;
      case 'phase.canary':
        if (phase) phase.status = 'canary';
        break;
      case 'phase.end':
        if (phase) Object.assign(phase, { status: r.ok === false ? 'failed' : 'done', endedAt: r.t });
        break;
      case 'step.start':
        if (step) Object.assign(step, { status: 'running', startedAt: r.t, endedAt: undefined, error: undefined, attempts: step.attempts + 1 });
        break;
      case 'step.end':
        if (step) Object.assign(step, { status: 'done', endedAt: r.t, durationMs: r.durationMs, result: r.result });
        break;
      case 'step.fail':
        if (step) Object.assign(step, { status: 'failed', endedAt: r.t, durationMs: r.durationMs, error: r.error });
        break;
      case 'step.undo.start':
        if (step) step.status = 'undoing';
        break;
      case 'step.undo.end':
        if (step) Object.assign(step, { status: r.redo ? 'pending' : 'undone' });
        break;
      case 'canary.measure':
        st.measurements.push(r as unknown as Measurement);
        break;
      case 'rollback.start':
        st.status = 'rolling-back';
        st.rollback = { to: r.to as 'rollback-point' | 'start', reason: String(r.reason ?? ''), startedAt: r.t, stopAt: r.stopAt as string | undefined };
        break;
      case 'rollback.failed':
        st.status = 'failed';
        st.error = String(r.error ?? '');
        if (st.rollback) st.rollback.failed = true;
        break;
      case 'rollback.end':
        if (st.rollback) st.rollback.endedAt = r.t;
        st.status = 'rolled-back';
        ended = true;
        break;
      case 'run.paused':
        st.status = 'paused';
        break;
      case 'run.failed':
        st.status = 'failed';
        st.error = String(r.error ?? '');
        break;
      case 'run.aborted':
        st.status = 'aborted';
        break;
      case 'run.end':
        st.status = (r.status as RunStatus) ?? 'completed';
        st.endedAt = r.t;
        ended = true;
        break;
    }
  }
  // a run whose process is gone without a closing record was interrupted (crash, kill -9, power loss)
  if (!ended && (st.status === 'running' || st.status === 'rolling-back') && !lockHeldFor(home, id)) {
    st.status = st.status === 'rolling-back' ? 'rolling-back' : 'interrupted';
  }
  return st;
}

export function listRuns(home: string): string[] {
  const dir = runsDir(home);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'plan.json')))
    .sort();
}

export function latestRun(home: string): string | undefined {
  const runs = listRuns(home);
  return runs[runs.length - 1];
}

// ---- the control file: pause / abort requests read by the executor between steps ----

export type Control = 'pause' | 'abort';
export function writeControl(home: string, id: string, c: Control): void {
  const p = join(runDir(home, id), 'control');
  writeFileSync(p + '.tmp', c);
  renameSync(p + '.tmp', p);
}
export function readControl(home: string, id: string): Control | undefined {
  try {
    const v = readFileSync(join(runDir(home, id), 'control'), 'utf8').trim();
    return v === 'pause' || v === 'abort' ? v : undefined;
  } catch {
    return undefined;
  }
}
export function clearControl(home: string, id: string): void {
  try {
    unlinkSync(join(runDir(home, id), 'control'));
  } catch {
    /* none */
  }
}
