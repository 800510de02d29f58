// How much data a migration moves: the home's data directory (services' bind mounts), the embedded
// database directory, and the database server's own size when it can be reached.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { redactText } from '../redact.js';

/** Total size of regular files under `dir` (symlinks not followed); 0 when it does not exist. */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) {
      try {
        total += (await lstat(p)).size;
      } catch {
        /* vanished meanwhile */
      }
    }
  }
  return total;
}

export interface DataSize {
  /** bytes under <home>/data */
  dataDir: number;
  /** bytes of the database (embedded directory or server-reported), when known */
  database: number | null;
  databaseKind: string | null;
  /** why the database size is unknown */
  databaseNote?: string;
  total: number;
  /** measured, or given with --data-size */
  source: 'measured' | 'given' | 'none';
}

export async function measureDataSize(home: string, env: NodeJS.ProcessEnv, config: unknown | undefined): Promise<DataSize> {
  const l = layout(home);
  const dataDir = await dirSize(l.data);
  let database: number | null = null;
  let databaseKind: string | null = null;
  let databaseNote: string | undefined;
  try {
    const { targetOf, openTarget } = await import('../db/open.js');
    const t = await targetOf({ home, env, config });
    databaseKind = t.kind;
    if (t.kind === 'pglite') {
      database = await dirSize(t.dataDir!);
    } else {
      const db = await openTarget(t, { home, env, config, lockTimeoutMs: 5000, command: 'mcp migration check' });
      try {
        if (db.kind === 'mongo') {
          const s = await db.db.stats();
          database = Number(s.dataSize ?? 0) + Number(s.indexSize ?? 0);
        } else {
          const r = await db.query<{ size: string }>('select pg_database_size(current_database())::text as size');
          database = Number(r.rows[0]?.size ?? 0);
        }
      } finally {
        await db.close();
      }
    }
  } catch (e) {
    databaseNote = `database size not measured: ${redactText((e as Error).message).split('\n')[0]}`;
  }
  return { dataDir, database, databaseKind, databaseNote, total: dataDir + (database ?? 0), source: 'measured' };
}
