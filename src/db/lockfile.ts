// A cross-process lock file: PGlite corrupts a data directory opened by two processes at once, and the
// migration lock of the embedded database is this file too. Created with O_EXCL; a holder that died
// (SIGKILL, power loss) is detected by its pid and taken over atomically (rename, verify, restore).
import { open, readFile, rename, rm, link, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { busyError } from '../errors.js';

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command?: string;
  token: string;
}

export interface FileLock {
  path: string;
  holder: LockHolder;
  release(): Promise<void>;
}

export interface LockFileOptions {
  /** how long to wait for a live holder (ms); 0 = fail at once */
  timeoutMs: number;
  /** what this process is doing, shown to the one that waits */
  command?: string;
  /** called once when we start waiting */
  onWait?: (holder: LockHolder) => void;
  /** what the lock guards, for messages */
  what?: string;
  signal?: AbortSignal;
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined | 'unreadable'> {
  try {
    const text = await readFile(path, 'utf8');
    try {
      return JSON.parse(text) as LockHolder;
    } catch {
      return 'unreadable';
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const held = new Map<string, LockHolder>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // best effort on a normal exit; a killed process is detected by pid instead
  process.on('exit', () => {
    for (const [path, h] of held) {
      try {
        const cur = JSON.parse(readFileSync(path, 'utf8'));
        if (cur?.token === h.token) rmSync(path, { force: true });
      } catch {
        /* gone already */
      }
    }
  });
}

/** Is the holder stale (dead process on this host, or an unreadable file older than a few seconds)? */
function isStale(h: LockHolder | 'unreadable', ageMs: number): boolean {
  if (h === 'unreadable') return ageMs > 5000;
  if (h.host !== hostname()) return false; // cannot tell for another host: treat as live
  return !isAlive(h.pid);
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid}${h.host !== hostname() ? ` on ${h.host}` : ''}${h.command ? ` (${h.command})` : ''}, since ${h.started}`;
}

export async function acquireLockFile(path: string, opts: LockFileOptions): Promise<FileLock> {
  await mkdir(dirname(path), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command: opts.command, token: randomBytes(8).toString('hex') };
  const deadline = Date.now() + Math.max(0, opts.timeoutMs);
  let delay = 50;
  let waited = false;
  const firstSeen = Date.now();
  for (;;) {
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(me) + '\n');
        await fh.sync();
      } finally {
        await fh.close();
      }
      held.set(path, me);
      installExitHook();
      return {
        path,
        holder: me,
        async release() {
          held.delete(path);
          const cur = await readHolder(path).catch(() => undefined);
          if (cur && cur !== 'unreadable' && cur.token === me.token) await rm(path, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readHolder(path);
    if (holder === undefined) continue; // released in between
    if (isStale(holder, Date.now() - firstSeen)) {
      // take over: move the stale file aside (only one process wins the rename), check it is the one we judged
      const aside = `${path}.stale.${process.pid}.${randomBytes(3).toString('hex')}`;
      try {
        await rename(path, aside);
        const moved = await readHolder(aside);
        const same = moved === 'unreadable' ? holder === 'unreadable' : moved !== undefined && holder !== 'unreadable' && moved.token === holder.token;
        if (!same) {
          // we moved a fresh lock of another process: put it back (fails if a third one got in; then it wins)
          await link(aside, path).catch(() => undefined);
        }
        await rm(aside, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    if (holder !== 'unreadable' && holder.pid === process.pid && holder.host === hostname()) {
      throw busyError(`${opts.what ?? path} is already open in this process`, { where: path });
    }
    if (Date.now() >= deadline || opts.signal?.aborted) {
      const who = holder === 'unreadable' ? 'an unknown process (unreadable lock file)' : describeHolder(holder);
      throw busyError(`${opts.what ?? path} is locked by ${who}`, {
        where: path,
        hint: holder === 'unreadable' || !isAlive((holder as LockHolder).pid)
          ? 'wait and retry; if no mcp process is running, remove the lock file'
          : `wait for it to finish (or raise --lock-timeout), then retry`,
        details: { holder },
      });
    }
    if (!waited && holder !== 'unreadable') {
      waited = true;
      opts.onWait?.(holder);
    }
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(10, deadline - Date.now()))));
    delay = Math.min(delay * 2, 1000);
  }
}
