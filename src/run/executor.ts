// The one executor: runs any plan phase by phase, writes each step's start and end to the journal
// (fsync'd) before moving on, bounds parallel phases, enforces phase timeouts, holds canary gates,
// obeys pause/abort from the control file, and rolls back in reverse to the last rollback point.
//
// Crash rules (docs/plans.md, "Runs"): a completed step never runs again. A step that was started
// but not finished (kill -9, power loss, Ctrl-C) is undone from its saved pre-state, then run again on
// resume, or just undone on rollback. Undo is idempotent, so a crash during rollback resumes it.
import { join } from 'node:path';
import { assertSameHomes, homeOf, lockOthers } from './homes.js';
import { envForOtherHome } from '../home.js';
import { setMaxListeners } from 'node:events';
import { allSteps, formatDuration, type Phase, type Plan, type Step } from './plan.js';
import { acquireLock } from './home-lock.js';
import { Journal, clearControl, readControl, replay, newRunId, runDir, type RunState, type StepStatus, type Measurement } from './journal.js';
import type { StepContext, StepKind } from './steps/types.js';
import { preconditionError, McpError } from '../errors.js';
import { evaluateCanary, type CanaryEvaluation } from './canary.js';

export type Registry = ReadonlyMap<string, StepKind>;

export interface ExecEvent {
  type:
    | 'run.start'
    | 'run.resume'
    | 'phase.start'
    | 'phase.end'
    | 'step.start'
    | 'step.end'
    | 'step.fail'
    | 'step.skip'
    | 'step.undo'
    | 'step.undone'
    | 'step.plan'
    | 'canary.start'
    | 'canary.measure'
    | 'rollback.start'
    | 'rollback.end'
    | 'run.paused'
    | 'run.failed'
    | 'run.end';
  runId: string;
  phase?: string;
  step?: string;
  title?: string;
  kind?: string;
  durationMs?: number;
  error?: string;
  [k: string]: unknown;
}

export interface ExecOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  registry: Registry;
  signal?: AbortSignal;
  dryRun?: boolean;
  command?: string;
  onEvent?: (ev: ExecEvent) => void;
  detail?: (msg: string) => void;
  /** the homes of the environments the plan's steps name (step.environment → home), resolved by the caller */
  homes?: Record<string, string>;
}

export interface StepSummary {
  id: string;
  phase: string;
  title: string;
  kind: string;
  status: StepStatus;
  durationMs?: number;
  error?: string;
  result?: Record<string, unknown>;
}

export interface RunOutcome {
  runId: string;
  status: RunState['status'] | 'dry-run';
  plan: Plan;
  steps: StepSummary[];
  error?: string;
  rollback?: RunState['rollback'];
  measurements: Measurement[];
  durationMs: number;
}

export interface Refusal {
  step: string;
  kind: string;
  reason: string;
  source?: string;
}

/** Plan time: every step's kind exists and can run here; otherwise the whole plan is refused, naming each step. */
export async function checkPlan(plan: Plan, registry: Registry, home: string, env: NodeJS.ProcessEnv, homes?: Record<string, string>): Promise<Refusal[]> {
  const out: Refusal[] = [];
  for (const s of allSteps(plan)) {
    const k = registry.get(s.kind);
    if (!k) {
      out.push({ step: s.id, kind: s.kind, reason: `unknown step kind '${s.kind}'`, source: s.source });
      continue;
    }
    if (s.environment && !homes?.[s.environment]) {
      out.push({ step: s.id, kind: s.kind, reason: `it acts on the ${s.environment} environment, which this home does not know: mcp environments add ${s.environment} --home DIR`, source: s.source });
      continue;
    }
    const at = s.environment ? homes![s.environment]! : home;
    const why = await k.check?.(s.params, at, at === home ? env : envForOtherHome(env), homes);
    if (why) out.push({ step: s.id, kind: s.kind, reason: why, source: s.source });
  }
  return out;
}

export function refusalError(refusals: Refusal[]): McpError {
  const lines = refusals.map((r) => `  ${r.source ? r.source + ': ' : ''}step ${r.step} (${r.kind}): ${r.reason}`);
  return preconditionError(`the plan cannot run here; ${refusals.length} step(s) refused:\n${lines.join('\n')}`, {
    hint: 'nothing was changed; see docs/plans.md for the step kinds and what each needs',
    details: refusals,
  });
}

class Stop extends Error {
  constructor(
    readonly why: 'paused' | 'aborted' | 'interrupted' | 'failed',
    message: string,
    /** where it failed: the step, or the phase (a timeout, a canary) */
    readonly where: { step?: string; phase?: string } = {},
  ) {
    super(message);
  }
}

/** Run a new plan. */
export async function executePlan(plan: Plan, opts: ExecOptions): Promise<RunOutcome> {
  const refusals = await checkPlan(plan, opts.registry, opts.home, opts.env, opts.homes);
  if (refusals.length) throw refusalError(refusals);
  if (opts.dryRun) return dryRun(plan, opts);
  const id = newRunId();
  const lock = acquireLock(opts.home, id, opts.command ?? 'execute');
  let others: Array<{ release(): void }> = [];
  try {
    others = lockOthers(plan, opts, id, opts.command ?? 'execute');
    const journal = Journal.create(opts.home, id, plan);
    try {
      journal.append('run.start', { pid: process.pid, plan: plan.name, from: plan.from, to: plan.to, command: opts.command, ...(opts.homes ? { homes: opts.homes } : {}) });
      opts.onEvent?.({ type: 'run.start', runId: id, plan: plan.name, steps: allSteps(plan).length });
      return await drive(id, journal, opts);
    } finally {
      journal.close();
    }
  } finally {
    for (const l of others.reverse()) l.release();
    lock.release();
  }
}

/** Continue a paused, failed or interrupted run (or an interrupted rollback) from its journal. */
export async function resumeRun(id: string, opts: ExecOptions): Promise<RunOutcome> {
  const lock = acquireLock(opts.home, id, opts.command ?? 'resume');
  let others: Array<{ release(): void }> = [];
  try {
    const st = replay(opts.home, id);
    if (st.status === 'completed') throw preconditionError(`run ${id} already completed; nothing to resume`);
    const refusals = await checkPlan(st.plan, opts.registry, opts.home, opts.env, opts.homes);
    if (refusals.length) throw refusalError(refusals);
    assertSameHomes(st, opts);
    others = lockOthers(st.plan, opts, id, opts.command ?? 'resume');
    clearControl(opts.home, id);
    const journal = Journal.open(opts.home, id);
    try {
      journal.append('run.resume', { pid: process.pid, from: st.status, command: opts.command });
      opts.onEvent?.({ type: 'run.resume', runId: id, from: st.status });
      if ((st.status === 'rolling-back' || st.rollback?.failed) && st.rollback && !st.rollback.endedAt) {
        return await settled(opts.home, id, () => rollback(id, journal, opts, st.rollback!.to, st.rollback!.reason, st.rollback!.stopAt));
      }
      return await drive(id, journal, opts);
    } finally {
      journal.close();
    }
  } finally {
    for (const l of others.reverse()) l.release();
    lock.release();
  }
}

/**
 * Undo a run's steps in reverse: to the last completed rollback point (`rollback-point`), to the state a
 * given version was in (a rollback-point step whose params.version matches), or all the way (`start`).
 */
export async function rollbackRun(id: string, opts: ExecOptions & { to: 'rollback-point' | 'start' | { version: string }; reason?: string }): Promise<RunOutcome> {
  const lock = acquireLock(opts.home, id, opts.command ?? 'rollback');
  let others: Array<{ release(): void }> = [];
  try {
    const st = replay(opts.home, id);
    assertSameHomes(st, opts);
    others = lockOthers(st.plan, opts, id, opts.command ?? 'rollback');
    const journal = Journal.open(opts.home, id);
    try {
      clearControl(opts.home, id);
      let to: 'rollback-point' | 'start' = 'start';
      let stopAt: string | undefined;
      if (opts.to === 'rollback-point') {
        to = 'rollback-point';
        stopAt = lastRollbackPoint(st);
      } else if (typeof opts.to === 'object') {
        const want = opts.to.version;
        // `--to 4.0` after a 4.2 → 6.0 run: the run's start is the only 4.x state it knows
        if (st.plan.from && sameMajor(st.plan.from, want)) to = 'start';
        else {
          stopAt = [...doneOrder(st)].reverse().find((s) => {
            const step = stepOf(st.plan, s);
            return step?.rollbackPoint && typeof step.params.version === 'string' && sameVersion(step.params.version, want);
          });
          if (!stopAt) {
            throw preconditionError(`run ${id} (${st.plan.from ?? '?'} → ${st.plan.to ?? '?'}) has no completed state at version ${want}`, {
              hint: st.plan.from ? `roll back to ${st.plan.from} (the start), or to the last rollback point without --to` : 'roll back without --to',
            });
          }
          to = 'rollback-point';
        }
      }
      // a finished run (completed, or already rolled back) that a rollback would not change is refused, not
      // recorded as rolled back: after a completed upgrade its last rollback point is its last step, and
      // "rolled back" would be a lie. A paused or stopped run ends at its rollback point as asked (abort).
      const finished = st.status === 'completed' || st.status === 'rolled-back';
      if (finished && toUndo(st, to === 'rollback-point' ? stopAt : undefined).length === 0) {
        const where = to === 'rollback-point' && stopAt ? `its last rollback point (${stopAt})` : 'its start';
        throw preconditionError(`run ${id} is ${st.status}: rolling back to ${where} would undo nothing`, {
          hint: st.status === 'completed' && st.plan.from ? `to undo the whole run: mcp-migrate rollback --run ${id} --to ${st.plan.from}` : `run ${id} is already at ${where}; nothing was changed`,
        });
      }
      return await settled(opts.home, id, () => rollback(id, journal, opts, to, opts.reason ?? 'requested', stopAt));
    } finally {
      journal.close();
    }
  } finally {
    for (const l of others.reverse()) l.release();
    lock.release();
  }
}

/** The steps a rollback to `stopAt` (or the start) would undo, latest first. */
function toUndo(st: RunState, stopAt: string | undefined): string[] {
  const out: string[] = [];
  for (const sid of doneOrder(st).reverse()) {
    if (stopAt && sid === stopAt) break;
    const ss = st.steps.get(sid)!;
    if (ss.status !== 'pending' && ss.status !== 'undone') out.push(sid);
  }
  return out;
}

const sameMajor = (a: string, b: string) => a.replace(/^v/i, '').split('.')[0] === b.replace(/^v/i, '').split('.')[0];

const sameVersion = (a: string, b: string) => {
  const n = (v: string) => v.replace(/^v/i, '').split('.');
  const [am, an] = n(a);
  const [bm, bn] = n(b);
  return am === bm && (an === undefined || bn === undefined || an === 'x' || bn === 'x' || an === bn);
};

function stepOf(plan: Plan, id: string): Step | undefined {
  for (const p of plan.phases) for (const s of p.steps) if (s.id === id) return s;
  return undefined;
}

/** Ids of steps in the order they (last) started, as the journal recorded them. */
function doneOrder(st: RunState): string[] {
  const last = new Map<string, number>();
  for (const r of st.records) if (r.type === 'step.start' && typeof r.step === 'string') last.set(r.step, r.seq);
  return [...last.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
}

function lastRollbackPoint(st: RunState): string | undefined {
  return [...doneOrder(st)].reverse().find((id) => st.steps.get(id)?.status === 'done' && stepOf(st.plan, id)?.rollbackPoint);
}

function ctxFor(id: string, step: Step, opts: ExecOptions, plan: Plan, signal: AbortSignal, journal: Journal): StepContext {
  // created on first use (saveState makes it): read-only steps cost no directory
  const home = homeOf(step, opts);
  // a step on another home keeps what it saves for its undo in that home (a copy of its config holds its
  // secrets: they never land in the home the plan runs in)
  const dir = home === opts.home ? join(runDir(opts.home, id), 'steps', step.id) : join(home, 'state', 'run-steps', id, step.id);
  return {
    home,
    runHome: opts.home,
    environment: step.environment,
    homeOf: (environment) => opts.homes?.[environment],
    resultOf: (stepId) => {
      const r = replay(opts.home, id).steps.get(stepId);
      return r?.status === 'done' ? r.result : undefined;
    },
    runId: id,
    stepId: step.id,
    dir,
    signal,
    env: home === opts.home ? opts.env : envForOtherHome(opts.env),
    plan,
    dryRun: false,
    // what a step says about its progress: in the journal (the dashboard shows it as the step's log, from
    // any process) and to the caller. Not fsync'd: losing a progress line is harmless.
    detail: (m) => {
      // a step abandoned by a phase timeout may still report after the run closed its journal: drop it
      try {
        journal.append('step.log', { step: step.id, message: m }, { sync: false });
      } catch {
        return;
      }
      opts.detail?.(`${step.id}: ${m}`);
    },
  };
}

async function undoStep(id: string, journal: Journal, opts: ExecOptions, plan: Plan, step: Step, result: Record<string, unknown> | undefined, redo: boolean): Promise<void> {
  const kind = opts.registry.get(step.kind);
  journal.append('step.undo.start', { step: step.id, redo });
  opts.onEvent?.({ type: 'step.undo', runId: id, step: step.id, title: step.title, kind: step.kind, redo });
  const t0 = Date.now();
  if (kind?.mutates && kind.undo) await kind.undo(ctxFor(id, step, opts, plan, new AbortController().signal, journal), step.params, result);
  journal.append('step.undo.end', { step: step.id, redo, durationMs: Date.now() - t0, nothing: !(kind?.mutates && kind.undo) });
  opts.onEvent?.({ type: 'step.undone', runId: id, step: step.id, title: step.title, kind: step.kind, durationMs: Date.now() - t0, redo });
}

async function drive(id: string, journal: Journal, opts: ExecOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  let st = replay(opts.home, id);
  const plan = st.plan;
  try {
    for (const phase of plan.phases) {
      st = replay(opts.home, id);
      const ps = st.phases.get(phase.name)!;
      if (ps.status === 'done' && phase.steps.every((s) => st.steps.get(s.id)!.status === 'done')) continue;
      // steps a crash (or a failure) left half-done: put their pre-state back before running them again
      for (const s of phase.steps) {
        const ss = st.steps.get(s.id)!;
        if (ss.status === 'running' || ss.status === 'failed' || ss.status === 'undoing') {
          await undoStep(id, journal, opts, plan, s, undefined, true);
        }
      }
      journal.append('phase.start', { phase: phase.name, parallel: phase.parallel, timeoutMs: phase.timeoutMs }, { sync: false });
      opts.onEvent?.({ type: 'phase.start', runId: id, phase: phase.name, parallel: phase.parallel, steps: phase.steps.length });
      const todo = phase.steps.filter((s) => st.steps.get(s.id)!.status !== 'done');
      await runPhase(id, journal, opts, plan, phase, todo);
      if (phase.canary) await canaryGate(id, journal, opts, plan, phase);
      journal.append('phase.end', { phase: phase.name, ok: true }, { sync: false });
      opts.onEvent?.({ type: 'phase.end', runId: id, phase: phase.name });
    }
    journal.append('run.end', { status: 'completed', durationMs: Date.now() - t0 });
    opts.onEvent?.({ type: 'run.end', runId: id, status: 'completed', durationMs: Date.now() - t0 });
    return outcome(opts.home, id);
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    if (e.why === 'paused') {
      journal.append('run.paused', {});
      opts.onEvent?.({ type: 'run.paused', runId: id });
    } else if (e.why === 'interrupted') {
      // no closing record: the journal says what was in flight, exactly as after a crash
      opts.onEvent?.({ type: 'run.end', runId: id, status: 'interrupted' });
    } else if (e.why === 'aborted') {
      journal.append('run.aborted', { reason: e.message });
      const failed = await rollback(id, journal, opts, 'rollback-point', `aborted: ${e.message}`, lastRollbackPoint(replay(opts.home, id))).then(() => undefined, rollbackError);
      if (failed) return withError(outcome(opts.home, id), failed);
    } else {
      journal.append('run.failed', { error: e.message });
      opts.onEvent?.({ type: 'run.failed', runId: id, error: e.message, step: e.where.step, phase: e.where.phase, durationMs: Date.now() - t0, rollback: plan.rollback.automatic });
      if (plan.rollback.automatic) {
        const failed = await rollback(id, journal, opts, 'rollback-point', e.message, lastRollbackPoint(replay(opts.home, id))).then(() => undefined, rollbackError);
        if (failed) return withError(outcome(opts.home, id), `${e.message}; ${failed}`);
      } else {
        opts.onEvent?.({ type: 'run.end', runId: id, status: 'failed', error: e.message });
      }
    }
    const out = outcome(opts.home, id);
    out.error = e.message;
    return out;
  }
}

async function runPhase(id: string, journal: Journal, opts: ExecOptions, plan: Plan, phase: Phase, todo: Step[]): Promise<void> {
  const phaseCtl = new AbortController();
  setMaxListeners(0, phaseCtl.signal); // one listener per running step
  const onOuter = () => phaseCtl.abort(new Stop('interrupted', 'interrupted by signal'));
  if (opts.signal?.aborted) throw new Stop('interrupted', 'interrupted by signal');
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (phase.timeoutMs === undefined) return;
    timer = setTimeout(() => {
      const err = new Stop('failed', `phase ${phase.name} exceeded its timeout of ${formatDuration(phase.timeoutMs!)}`, { phase: phase.name });
      phaseCtl.abort(err);
      reject(err);
    }, phase.timeoutMs);
  });
  timedOut.catch(() => undefined);
  const limit = phase.parallel ? Math.min(phase.maxParallel, todo.length) : 1;
  let next = 0;
  let stop: Stop | undefined;
  const inflight = new Set<Promise<void>>();

  const control = (): Stop | undefined => {
    if (opts.signal?.aborted) return new Stop('interrupted', 'interrupted by signal');
    const c = readControl(opts.home, id);
    if (c === 'pause') return new Stop('paused', 'paused by request');
    if (c === 'abort') return new Stop('aborted', 'aborted by request');
    return undefined;
  };

  const runOne = async (step: Step): Promise<void> => {
    const kind = opts.registry.get(step.kind)!;
    const t = Date.now();
    // a mutating step's start is fsync'd before it changes anything; a read-only step just reruns if lost
    const sync = kind.mutates;
    journal.append('step.start', { step: step.id, phase: phase.name, kind: step.kind }, { sync });
    opts.onEvent?.({ type: 'step.start', runId: id, phase: phase.name, step: step.id, title: step.title, kind: step.kind });
    try {
      const work = kind.run(ctxFor(id, step, opts, plan, phaseCtl.signal, journal), step.params);
      const result = await Promise.race([work, timedOut]);
      journal.append('step.end', { step: step.id, durationMs: Date.now() - t, result: result ?? undefined }, { sync });
      opts.onEvent?.({ type: 'step.end', runId: id, phase: phase.name, step: step.id, title: step.title, kind: step.kind, durationMs: Date.now() - t, result: result ?? undefined });
    } catch (e) {
      const reason = phaseCtl.signal.reason;
      if (reason instanceof Stop && reason.why === 'interrupted') {
        // like a crash: leave the step 'running' in the journal; resume undoes and redoes it
        stop ??= reason;
        return;
      }
      const msg = reason instanceof Stop ? reason.message : e instanceof Error ? e.message : String(e);
      journal.append('step.fail', { step: step.id, durationMs: Date.now() - t, error: msg, code: (e as McpError)?.code });
      opts.onEvent?.({ type: 'step.fail', runId: id, phase: phase.name, step: step.id, title: step.title, kind: step.kind, durationMs: Date.now() - t, error: msg });
      stop ??= new Stop('failed', `step ${step.id} (${step.title}) failed: ${msg}`, { step: step.id, phase: phase.name });
      if (!phaseCtl.signal.aborted) phaseCtl.abort(stop);
    }
  };

  try {
    while (next < todo.length || inflight.size) {
      while (!stop && next < todo.length && inflight.size < limit) {
        const c = control();
        if (c) {
          stop = c;
          break;
        }
        const p = runOne(todo[next++]!).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      if (!inflight.size) break;
      await Promise.race(inflight);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onOuter);
  }
  if (stop) {
    if (stop.why === 'failed') {
      journal.append('phase.end', { phase: phase.name, ok: false, error: stop.message });
      opts.onEvent?.({ type: 'phase.end', runId: id, phase: phase.name, ok: false, error: stop.message });
    }
    throw stop;
  }
}

async function canaryGate(id: string, journal: Journal, opts: ExecOptions, plan: Plan, phase: Phase): Promise<void> {
  const canary = phase.canary!;
  journal.append('phase.canary', { phase: phase.name, percentage: canary.percentage, durationMs: canary.durationMs });
  opts.onEvent?.({ type: 'canary.start', runId: id, phase: phase.name, percentage: canary.percentage, durationMs: canary.durationMs });
  const interval = canary.intervalMs ?? Math.max(1000, Math.min(30_000, Math.floor(canary.durationMs / 6) || 1000));
  const end = Date.now() + canary.durationMs;
  for (;;) {
    const ev: CanaryEvaluation = await evaluateCanary(canary, plan.rollback, opts.signal);
    journal.append('canary.measure', { phase: phase.name, checks: ev.checks, verdict: ev.breached ? 'breached' : 'ok' });
    opts.onEvent?.({ type: 'canary.measure', runId: id, phase: phase.name, checks: ev.checks, verdict: ev.breached ? 'breached' : 'ok' });
    if (ev.breached) {
      const what = ev.checks.filter((c) => c.breached).map((c) => `${c.condition} (measured ${c.value ?? 'no data'}${c.note ? `, ${c.note}` : ''})`);
      throw new Stop('failed', `canary ${phase.name} at ${canary.percentage}%: rollback condition met: ${what.join('; ')}`, { phase: phase.name });
    }
    const left = end - Date.now();
    if (left <= 0) return;
    const wait = Math.min(interval, left);
    const stopped = await sleepOrControl(wait, opts, id);
    if (stopped) throw stopped;
  }
}

async function sleepOrControl(ms: number, opts: ExecOptions, id: string): Promise<Stop | undefined> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (opts.signal?.aborted) return new Stop('interrupted', 'interrupted by signal');
    const c = readControl(opts.home, id);
    if (c === 'pause') return new Stop('paused', 'paused by request');
    if (c === 'abort') return new Stop('aborted', 'aborted by request');
    await new Promise((r) => setTimeout(r, Math.min(200, until - Date.now())));
  }
  return undefined;
}

/** A step's undo failed: the run is failed (not rolling back), the journal says which step and why. */
class RollbackFailed extends Error {}

const rollbackError = (e: unknown): string => {
  if (e instanceof RollbackFailed) return e.message;
  throw e;
};
const withError = (o: RunOutcome, error: string): RunOutcome => ({ ...o, error });

/** Run a rollback and return the run's outcome either way (a failed undo is the outcome's error, not a throw). */
async function settled(home: string, id: string, fn: () => Promise<void>): Promise<RunOutcome> {
  const failed = await fn().then(() => undefined, rollbackError);
  const o = outcome(home, id);
  return failed ? withError(o, failed) : o;
}

async function rollback(id: string, journal: Journal, opts: ExecOptions, to: 'rollback-point' | 'start', reason: string, stopAt?: string): Promise<void> {
  const st = replay(opts.home, id);
  if (!st.rollback || st.rollback.endedAt || st.rollback.failed) journal.append('rollback.start', { to, reason, stopAt });
  opts.onEvent?.({ type: 'rollback.start', runId: id, to, reason, stopAt });
  for (const sid of toUndo(st, to === 'rollback-point' ? stopAt : undefined)) {
    const ss = st.steps.get(sid)!;
    const step = stepOf(st.plan, sid)!;
    try {
      // a step whose undo was cut short keeps the result it ran with: the retry needs it as much
      await undoStep(id, journal, opts, st.plan, step, ss.result, false);
    } catch (e) {
      // a failed undo ends the rollback as failed, with the step and the error: never a run left
      // 'rolling-back' forever. Undo is idempotent, so resume (or rollback) tries that step again.
      const error = `rollback stopped: undoing ${sid} (${step.title}) failed: ${(e as Error).message ?? String(e)}`;
      journal.append('rollback.failed', { step: sid, error });
      opts.onEvent?.({ type: 'run.failed', runId: id, error, step: sid, phase: undefined, durationMs: 0, rollback: false });
      throw new RollbackFailed(error);
    }
  }
  journal.append('rollback.end', { to, stopAt });
  opts.onEvent?.({ type: 'rollback.end', runId: id, to, stopAt, reason });
}

function dryRun(plan: Plan, opts: ExecOptions): RunOutcome {
  for (const ph of plan.phases) {
    opts.onEvent?.({ type: 'phase.start', runId: 'dry-run', phase: ph.name, parallel: ph.parallel, steps: ph.steps.length, dryRun: true });
    for (const s of ph.steps) {
      const k = opts.registry.get(s.kind)!;
      opts.onEvent?.({ type: 'step.plan', runId: 'dry-run', phase: ph.name, step: s.id, title: s.title, kind: s.kind, would: k.describe?.(s.params) ?? s.title, rollbackPoint: s.rollbackPoint });
    }
  }
  return {
    runId: 'dry-run',
    status: 'dry-run',
    plan,
    steps: allSteps(plan).map((s) => ({ id: s.id, phase: s.phase, title: s.title, kind: s.kind, status: 'pending' })),
    measurements: [],
    durationMs: 0,
  };
}

export function outcome(home: string, id: string): RunOutcome {
  const st = replay(home, id);
  const steps: StepSummary[] = allSteps(st.plan).map((s) => {
    const ss = st.steps.get(s.id)!;
    return { id: s.id, phase: s.phase, title: s.title, kind: s.kind, status: ss.status, durationMs: ss.durationMs, error: ss.error, result: ss.result };
  });
  const start = st.startedAt ? Date.parse(st.startedAt) : Date.now();
  const last = st.records.length ? Date.parse(st.records[st.records.length - 1]!.t) : start;
  return { runId: id, status: st.status, plan: st.plan, steps, error: st.error, rollback: st.rollback, measurements: st.measurements, durationMs: last - start };
}

