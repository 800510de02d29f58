// The durable run journal: <home>/state/runs/<id>/journal.ndjson, append-only, one JSON record per
// line, fsync'd before the executor moves on. The run's state is whatever replaying it says; a torn
// last line (kill -9 mid-write) is ignored, so a record either counts fully or not at all.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync, existsSync, mkdirSync, readdirSync, writeFileSync, renameSync, unlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';
import { layout } from '../home.js';
import { busyError } from '../errors.js';
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

// ---- the run lock: one executor per home; a second one exits 4 naming the holder ----

export interface LockInfo {
  pid: number;
  host: string;
  runId: string;
  command: string;
  since: string;
}

const lockPath = (home: string) => join(layout(home).state, 'executor.lock');

/** Is this process alive (on this host)? EPERM means it is, just not ours. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(home: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(lockPath(home), 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** The executor lock, if its holder may be alive (a lock left by a dead process on this host is none). */
export function liveLock(home: string): LockInfo | undefined {
  const l = readLock(home);
  if (!l || (l.host === hostname() && !alive(l.pid))) return undefined;
  return l;
}

function lockHeldFor(home: string, id: string): boolean {
  const l = liveLock(home);
  return Boolean(l && l.runId === id && l.host === hostname());
}

export interface Lock {
  release(): void;
  setRun(id: string): void;
}

/** Take the home's executor lock (O_EXCL). A lock whose process is dead on this host is stale and taken over. */
export function acquireLock(home: string, runId: string, command: string): Lock {
  const p = lockPath(home);
  mkdirSync(layout(home).state, { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), runId, command, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeSync(fd, JSON.stringify(info));
      fsyncSync(fd);
      closeSync(fd);
      return {
        release: () => {
          const cur = readLock(home);
          if (cur && cur.pid === process.pid) {
            try {
              unlinkSync(p);
            } catch {
              /* gone */
            }
          }
        },
        setRun: (id: string) => {
          info.runId = id;
          writeFileSync(p + '.tmp', JSON.stringify(info));
          renameSync(p + '.tmp', p);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLock(home);
      if (holder && (holder.host !== hostname() || alive(holder.pid))) {
        throw busyError(`${holder.runId ? 'another run' : 'another operation'} holds ${p}: pid ${holder.pid} on ${holder.host}, ${holder.runId ? `run ${holder.runId} ` : ''}(${holder.command}), since ${holder.since}`, {
          hint: holder.runId ? 'wait for it (mcp migration status --watch), or pause it with mcp migration pause' : `wait for ${holder.command} to finish, then try again`,
        });
      }
      // stale: the holder died (kill -9, crash); move it aside atomically so only one taker wins
      try {
        renameSync(p, `${p}.stale-${process.pid}`);
        unlinkSync(`${p}.stale-${process.pid}`);
      } catch {
        /* someone else took it over first; retry */
      }
    }
  }
  throw busyError(`could not take ${p}`, { hint: 'another run is starting; try again' });
}

const held = new AsyncLocalStorage<ReadonlySet<string>>();
/**
 * Run `fn` holding the home's executor lock, outside any run: what must not overlap a migration or
 * another such operation (a restore swapping files under a running upgrade, a backup of a half-migrated
 * home). A second process gets exit 4 naming the holder. Re-entrant along one async call chain (a handler
 * that calls another in-process), for the same home only; concurrent calls in one process still exclude.
 */
export async function withHomeLock<T>(home: string, command: string, fn: () => Promise<T>): Promise<T> {
  const mine = held.getStore() ?? new Set<string>();
  if (mine.has(home)) return fn();
  const lock = acquireLock(home, '', command);
  try {
    return await held.run(new Set([...mine, home]), fn);
  } finally {
    lock.release();
  }
}
