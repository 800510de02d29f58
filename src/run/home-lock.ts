// The home's executor lock (state/executor.lock): one run or lock-taking operation per home at a time. Apart
// from the journal (src/run/journal.ts) so that commands which only take the lock (backup, environments) do
// not load the plan's schemas.
import { closeSync, fsyncSync, openSync, readFileSync, writeSync, mkdirSync, writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { AsyncLocalStorage } from 'node:async_hooks';
import { layout } from '../home.js';
import { busyError } from '../errors.js';

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

export function lockHeldFor(home: string, id: string): boolean {
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
