// openDatabase: the one way to reach the platform's database.
//   MCP_DATABASE_URL  >  config database.url  >  embedded PGlite in <home>/state/pglite (zero setup)
// The embedded database is guarded by a lock file beside its data directory for as long as it is open:
// a second process waits up to lockTimeoutMs, then fails with exit 4 naming the holder's pid.
import { basename, dirname, join } from 'node:path';
import type { Database, MongoDatabase, SqlDatabase } from './types.js';
import type { LegacyTable } from './layouts.js';
import { resolveTarget, type DbTarget } from './url.js';
import { acquireLockFile, describeHolder, type LockHolder } from './lockfile.js';
import { readStoredConfig } from '../config/store.js';
import { McpError, isMcpError, preconditionError } from '../errors.js';
import { redactText } from '../redact.js';

export interface OpenOptions {
  home: string;
  env: NodeJS.ProcessEnv;
  /** the parsed platform config; read from the home when omitted (a home without config is fine) */
  config?: unknown;
  /** how long to wait for another process holding the embedded database (default 30 s) */
  lockTimeoutMs?: number;
  /** what we are doing, shown to a process that waits on us (e.g. 'mcp db migrate') */
  command?: string;
  /** told once when we start waiting for another process */
  onWait?: (holder: string) => void;
  signal?: AbortSignal;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

/** The lock file of a PGlite data directory: `<dir>.lock` beside it (state/pglite.lock). */
export const pgliteLockPath = (dataDir: string) => join(dirname(dataDir), `${basename(dataDir)}.lock`);

export async function targetOf(opts: Pick<OpenOptions, 'home' | 'env' | 'config'>): Promise<DbTarget> {
  let config = opts.config;
  if (config === undefined && !opts.env.MCP_DATABASE_URL?.trim()) {
    try {
      config = (await readStoredConfig(opts.home)).doc;
    } catch (e) {
      // no config yet: the embedded default; an unreadable config is the user's to fix
      if (!(isMcpError(e) && e.kind === 'precondition')) throw e;
    }
  }
  return resolveTarget(opts.home, opts.env, config);
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const t = await targetOf(opts);
  // read before opening: a bad name is the config's error, and nothing is held open while it is reported
  const legacyTable = t.kind === 'mongo' ? undefined : await configuredLegacyTable(opts);
  const d = await openTarget(t, opts);
  if (d.kind !== 'mongo') d.legacyTable = legacyTable;
  return d;
}

/** The v4 table the config names (v4 database.table, v5/v6 database.legacyTable); the default without a config. */
export async function configuredLegacyTable(opts: Pick<OpenOptions, 'home' | 'config'>): Promise<LegacyTable> {
  let config = opts.config;
  if (config === undefined) {
    try {
      config = (await readStoredConfig(opts.home)).doc;
    } catch (e) {
      if (!(isMcpError(e) && e.kind === 'precondition')) throw e;
    }
  }
  const { legacyTableOf } = await import('./layouts.js');
  return legacyTableOf(config);
}

export async function openSql(opts: OpenOptions): Promise<SqlDatabase> {
  const d = await openDatabase(opts);
  if (d.kind === 'mongo') {
    await d.close();
    throw preconditionError(`${d.display} is MongoDB; this needs PostgreSQL or the embedded database`);
  }
  return d;
}

export async function openTarget(t: DbTarget, opts: OpenOptions): Promise<Database> {
  try {
    if (t.kind === 'pglite') {
      const dataDir = t.dataDir!;
      const lock = await acquireLockFile(pgliteLockPath(dataDir), {
        timeoutMs: opts.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
        command: opts.command,
        what: `the embedded database ${dataDir}`,
        onWait: (h: LockHolder) => opts.onWait?.(describeHolder(h)),
        signal: opts.signal,
      });
      try {
        const { openPglite } = await import('./pglite.js');
        return await openPglite(dataDir, t.display, () => lock.release());
      } catch (e) {
        await lock.release();
        throw e;
      }
    }
    if (t.kind === 'postgres') {
      const { openPostgres } = await import('./postgres.js');
      return await openPostgres(t.url!, t.display);
    }
    const { openMongo } = await import('./mongo.js');
    return (await openMongo(t.url!, t.display)) as MongoDatabase;
  } catch (e) {
    if (isMcpError(e)) throw e;
    const msg = redactText((e as Error).message ?? String(e)).split('\n')[0];
    throw new McpError('precondition', 'db_unreachable', `cannot open ${t.display}: ${msg}`, {
      hint: t.kind === 'pglite'
        ? 'check the directory is readable and was written by PGlite; restore it from a backup if it is damaged'
        : `check the server is running and the URL (from ${t.source === 'env' ? 'MCP_DATABASE_URL' : t.source === 'config' ? 'database.url in the config' : 'the default'}) is right`,
      cause: e,
    });
  }
}
