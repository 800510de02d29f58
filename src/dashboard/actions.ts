// What a control request from the dashboard does, decided from the journal and the executor lock the
// same way the CLI decides it, then done through the same executor: a control file the running
// executor reads (pause, abort), or a new detached `mcp` process (resume, rollback of a stopped run).
// The answer says what was set in motion, never that it has happened.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replay, runDir, writeControl, type RunStatus } from '../run/journal.js';
import { alive, liveLock } from '../run/home-lock.js';

export const ACTIONS = ['pause', 'resume', 'rollback'] as const;
export type Action = (typeof ACTIONS)[number];
export const isAction = (s: string): s is Action => (ACTIONS as readonly string[]).includes(s);

/** What the executor lock says about who runs what right now. */
export interface Situation {
  runId: string;
  status: RunStatus;
  /** the run a live executor holds the lock for, if any */
  lockedRun?: string;
  lockPid?: number;
  /** a process this dashboard started for this run is still starting or running */
  pendingPid?: number;
  /** the version the run started from: a completed run rolls back to it */
  from?: string;
}

export type Decision =
  | { kind: 'control'; control: 'pause' | 'abort'; http: 202; message: string }
  | { kind: 'spawn'; bin: 'mcp' | 'mcp-migrate'; args: string[]; http: 202; message: string }
  | { kind: 'refuse'; http: 409; message: string };

/** The decision table; pure, so it is unit-tested on its own. */
export function decide(action: Action, s: Situation): Decision {
  const running = s.lockedRun === s.runId;
  const other = s.lockedRun !== undefined && !running;
  if (s.pendingPid !== undefined && !running) {
    return { kind: 'refuse', http: 409, message: `a process started from the dashboard for run ${s.runId} is still starting (pid ${s.pendingPid}); wait for the journal to show it` };
  }
  switch (action) {
    case 'pause':
      if (running) return { kind: 'control', control: 'pause', http: 202, message: `pause requested: the executor (pid ${s.lockPid}) stops before its next step or during its canary hold` };
      return { kind: 'refuse', http: 409, message: `run ${s.runId} is not in progress (${s.status}); only a running run can be paused` };
    case 'resume':
      if (running) return { kind: 'refuse', http: 409, message: `run ${s.runId} is already running (pid ${s.lockPid})` };
      if (other) return { kind: 'refuse', http: 409, message: `another run holds the executor lock: ${s.lockedRun} (pid ${s.lockPid}); one executor per home` };
      if (s.status === 'paused' || s.status === 'interrupted' || s.status === 'failed' || s.status === 'rolling-back') {
        return { kind: 'spawn', bin: 'mcp', args: ['migration', 'resume', '--run', s.runId], http: 202, message: `resume started: mcp migration resume --run ${s.runId}` };
      }
      return { kind: 'refuse', http: 409, message: `run ${s.runId} is ${s.status}; nothing to resume` };
    case 'rollback':
      if (running) return { kind: 'control', control: 'abort', http: 202, message: `rollback requested: the executor (pid ${s.lockPid}) stops and rolls back to its last rollback point` };
      if (other) return { kind: 'refuse', http: 409, message: `another run holds the executor lock: ${s.lockedRun} (pid ${s.lockPid}); one executor per home` };
      if (s.status === 'rolled-back') return { kind: 'refuse', http: 409, message: `run ${s.runId} is already rolled back; nothing to roll back` };
      if (s.status === 'completed') {
        // undo the whole run: its last rollback point is its last step, so "to the last rollback point" undoes nothing
        if (!s.from) return { kind: 'refuse', http: 409, message: `run ${s.runId} is completed and its plan names no starting version to go back to; roll back by hand with mcp-migrate rollback --run ${s.runId} --to VERSION` };
        return { kind: 'spawn', bin: 'mcp-migrate', args: ['rollback', '--run', s.runId, '--to', s.from], http: 202, message: `rollback started: mcp-migrate rollback --run ${s.runId} --to ${s.from}` };
      }
      return { kind: 'spawn', bin: 'mcp', args: ['migration', 'abort', '--run', s.runId], http: 202, message: `rollback started: mcp migration abort --run ${s.runId}` };
  }
}

export interface ActionReply {
  http: number;
  body: { action: Action; runId: string; status: 'requested' | 'started' | 'refused'; message: string; pid?: number; log?: string };
}

const binPath = (bin: 'mcp' | 'mcp-migrate') => fileURLToPath(new URL(`../../bin/${bin}.js`, import.meta.url));

/** Processes this dashboard started, per run, with the journal's length when they were started, so
 * a double click does not start two. Once the journal has grown, the process has shown itself there
 * and the journal and the lock decide from then on (a finished process may take a moment to exit). */
const pending = new Map<string, { pid: number; records: number }>();

export function situationOf(home: string, runId: string): Situation {
  const st = replay(home, runId);
  const lock = liveLock(home);
  const p = pending.get(runId);
  let pendingPid = p?.pid;
  if (p !== undefined && (!alive(p.pid) || lock?.runId === runId || st.records.length > p.records)) {
    pending.delete(runId);
    pendingPid = undefined;
  }
  return { runId, status: st.status, lockedRun: lock?.runId, lockPid: lock?.pid, pendingPid, from: st.plan.from };
}

/** Decide and act. `env` is the environment the started process gets. */
export function perform(home: string, runId: string, action: Action, env: NodeJS.ProcessEnv): ActionReply {
  const d = decide(action, situationOf(home, runId));
  if (d.kind === 'refuse') return { http: d.http, body: { action, runId, status: 'refused', message: d.message } };
  if (d.kind === 'control') {
    writeControl(home, runId, d.control);
    return { http: d.http, body: { action, runId, status: 'requested', message: d.message } };
  }
  const records = replay(home, runId).records.length;
  const log = join(runDir(home, runId), `dashboard-${action}-${Date.now()}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [binPath(d.bin), '--home', home, ...d.args], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...withoutToken(env), MCP_HOME: home, NO_COLOR: '1' },
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid !== undefined) pending.set(runId, { pid: child.pid, records });
    return { http: d.http, body: { action, runId, status: 'started', message: d.message, pid: child.pid, log } };
  } finally {
    closeSync(fd);
  }
}

function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { MCP_DASHBOARD_TOKEN: _t, ...rest } = env;
  return rest;
}
