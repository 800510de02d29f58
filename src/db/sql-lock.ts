// The migration lock. PostgreSQL: pg_try_advisory_lock on a dedicated session that holds no transaction, retried
// with backoff up to --lock-timeout, its holder named from pg_stat_activity; a lost session is noticed before the
// next step. PGlite: the open database already holds the data directory's lock file, so there is nothing to take.
import { hostname } from 'node:os';
import { busyError } from '../errors.js';
import type { DedicatedSession, SqlDatabase, SqlSession } from './types.js';

/** The advisory lock key: ASCII 'mcpm' — the same for every mcp run against this database. */
export const ADVISORY_LOCK_KEY = 0x6d63706d;

export interface LockOptions {
  lockTimeoutMs: number;
  progress: (msg: string) => void;
  signal?: AbortSignal;
}

/** A connection went away mid-run (terminated backend, server restart, network): the run resumes on a rerun. */
export class LostConnection extends Error {}

const iso = (d: Date | string | null | undefined) => (d == null ? undefined : d instanceof Date ? d.toISOString() : String(d));

export interface HeldLock {
  release(): Promise<void>;
  /** throws when the session holding the lock was lost (another run could take it now) */
  check(): void;
}

/**
 * PostgreSQL: pg_try_advisory_lock on a dedicated session that holds no transaction (so CREATE INDEX
 * CONCURRENTLY, which waits for every older transaction, cannot wait for it), retried with backoff up to the
 * timeout. The holder is named from pg_stat_activity. PGlite: the open database already holds the lock file.
 */
export async function acquireMigrationLock(db: SqlDatabase, opts: LockOptions): Promise<HeldLock> {
  const name = `mcp pid ${process.pid} on ${hostname()}`.slice(0, 63);
  const session = await db.dedicated({ applicationName: name });
  if (!session) return { release: async () => undefined, check: () => undefined };
  const deadline = Date.now() + opts.lockTimeoutMs;
  let delay = 50;
  let told = false;
  try {
    for (;;) {
      const r = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ADVISORY_LOCK_KEY]);
      if (r.rows[0]!.ok) return heldOn(session);
      const holder = await lockHolder(session);
      if (Date.now() >= deadline || opts.signal?.aborted) {
        throw busyError(`the migration lock of ${db.display} is held by ${holder ?? 'another session'}`, {
          hint: 'wait for that run to finish (or raise --lock-timeout), then retry; a killed run releases it by itself',
          details: { holder },
        });
      }
      if (!told) {
        told = true;
        opts.progress(`waiting for the migration lock, held by ${holder ?? 'another session'} (up to ${Math.round(opts.lockTimeoutMs / 1000)} s)`);
      }
      await new Promise((res) => setTimeout(res, Math.min(delay, Math.max(10, deadline - Date.now()))));
      delay = Math.min(delay * 2, 1000);
    }
  } catch (e) {
    await session.release();
    throw e;
  }
}

function heldOn(session: DedicatedSession): HeldLock {
  return {
    async release() {
      await session.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
      await session.release();
    },
    check() {
      const lost = session.lost();
      if (lost) throw new LostConnection(`the connection holding the migration lock was lost (${lost.message}): another run could start now`);
    },
  };
}

async function lockHolder(s: SqlSession): Promise<string | undefined> {
  const r = await s.query<{ pid: number; application_name: string; client_addr: string | null; backend_start: Date; usename: string }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start, a.usename
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1::bigint AND l.classid = 0
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [ADVISORY_LOCK_KEY],
  );
  const h = r.rows[0];
  if (!h) return undefined;
  const app = h.application_name?.startsWith('mcp pid ') ? h.application_name.replace(/^mcp /, '') : undefined;
  return `${app ?? `${h.application_name || 'a session'}`} (server pid ${h.pid}, user ${h.usename}${h.client_addr ? ` from ${h.client_addr}` : ''}, since ${iso(h.backend_start)})`;
}

