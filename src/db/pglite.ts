// Embedded PostgreSQL (PGlite, WASM): the zero-setup default, its data directory under the platform home.
// One process at a time: open.ts holds a lock file for as long as the database is open.
// COPY goes through PGlite's /dev/blob device (TO STDOUT / FROM STDIN are rewritten to it).
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite as PGliteT, Transaction } from '@electric-sql/pglite';
import type { Isolation, QueryResult, SqlDatabase, SqlSession } from './types.js';

type Q = Pick<PGliteT, 'query' | 'exec'> | Transaction;

const toBlobDevice = (sql: string, dir: 'to' | 'from') =>
  dir === 'to' ? sql.replace(/\bTO\s+STDOUT\b/i, "TO '/dev/blob'") : sql.replace(/\bFROM\s+STDIN\b/i, "FROM '/dev/blob'");

function sessionOf(q: Q): SqlSession {
  return {
    async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await q.query<R>(sql, params as any[] | undefined);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyTo(sql, dest) {
      const r = await q.query(toBlobDevice(sql, 'to'));
      if (!r.blob) return 0;
      const buf = Buffer.from(await r.blob.arrayBuffer());
      await new Promise<void>((resolve, reject) => {
        dest.write(buf, (e) => (e ? reject(e) : resolve()));
      });
      return buf.length;
    },
    async copyFrom(sql, src) {
      const parts: Buffer[] = [];
      for await (const c of src as AsyncIterable<Uint8Array | string>) parts.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
      const r = await q.query(toBlobDevice(sql, 'from'), [], { blob: new Blob(parts) });
      return r.affectedRows ?? 0;
    },
  };
}

export async function openPglite(dataDir: string, display: string, onClose: () => Promise<void>): Promise<SqlDatabase> {
  await mkdir(dataDir, { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const pg = await PGlite.create(dataDir);
  const base = sessionOf(pg);
  let closed = false;
  return {
    kind: 'pglite',
    display,
    ...base,
    async transaction<T>(fn: (s: SqlSession) => Promise<T>, opts: { isolation?: Isolation; readOnly?: boolean } = {}): Promise<T> {
      return pg.transaction(async (tx) => {
        if (opts.isolation || opts.readOnly) {
          await tx.exec(`SET TRANSACTION ISOLATION LEVEL ${(opts.isolation ?? 'read committed').toUpperCase()}${opts.readOnly ? ' READ ONLY' : ''}`);
        }
        return fn(sessionOf(tx));
      });
    },
    async dedicated() {
      return undefined;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pg.close();
        await ownerOnly(dataDir);
      } finally {
        await onClose();
      }
    },
  };
}

/**
 * PGlite's file system layer creates every data file 0666 whatever the umask: once it is closed, the data
 * directory is made its owner's alone again (files 0600, directories 0700), like everything under the home.
 */
export async function ownerOnly(dir: string): Promise<void> {
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop()!;
    for (const name of await readdir(d).catch(() => [] as string[])) {
      const p = join(d, name);
      const st = await lstat(p).catch(() => undefined);
      if (!st || st.isSymbolicLink()) continue;
      const want = st.isDirectory() ? 0o700 : st.mode & 0o700;
      if ((st.mode & 0o777) !== want) await chmod(p, want).catch(() => undefined);
      if (st.isDirectory()) stack.push(p);
    }
  }
}
