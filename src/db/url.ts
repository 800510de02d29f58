// Where the database is: MCP_DATABASE_URL, else the config's database.url, else embedded PGlite under
// <home>/state/pglite. A URL's password is registered as a secret and never part of `display`.
import { join } from 'node:path';
import { layout } from '../home.js';
import { registerSecret } from '../redact.js';
import { invalidInput, preconditionError } from '../errors.js';

export type DbKind = 'postgres' | 'pglite' | 'mongo';

export interface DbTarget {
  kind: DbKind;
  /** connection string (postgres, mongo) — may hold a password: never print it, print `display` */
  url?: string;
  /** PGlite data directory */
  dataDir?: string;
  /** safe to print */
  display: string;
  /** where the choice came from */
  source: 'env' | 'config' | 'default';
}

/** A URL with its password replaced by `***`. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const k of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@\s]*):[^@\s]*@/, '$1:***@');
  }
}

export function kindOfUrl(url: string, where: string): DbKind {
  const scheme = url.split(':')[0]!.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mongodb' || scheme === 'mongodb+srv') return 'mongo';
  if (scheme === 'pglite' || scheme === 'file') return 'pglite';
  throw invalidInput(`database URL scheme '${scheme}:' is not supported`, {
    where,
    hint: 'use postgres://…, mongodb://… or pglite:///path (embedded); leave it unset for the embedded default',
  });
}

export function pgliteDefaultDir(home: string): string {
  return join(layout(home).state, 'pglite');
}

/** Read `database: {type, url}` defensively from a parsed config document. */
export function databaseSection(config: unknown): { type?: string; url?: string } {
  if (!config || typeof config !== 'object') return {};
  const db = (config as Record<string, unknown>).database;
  if (!db || typeof db !== 'object') return {};
  const d = db as Record<string, unknown>;
  return {
    type: typeof d.type === 'string' ? d.type : undefined,
    url: typeof d.url === 'string' && d.url.trim() !== '' ? d.url.trim() : undefined,
  };
}

export function resolveTarget(home: string, env: NodeJS.ProcessEnv, config?: unknown): DbTarget {
  const fromEnv = env.MCP_DATABASE_URL?.trim();
  const section = databaseSection(config);
  const url = fromEnv || section.url;
  const source = fromEnv ? 'env' : section.url ? 'config' : 'default';
  if (!url) {
    if (section.type && section.type !== 'pglite') {
      throw preconditionError(`the config says database.type '${section.type}' but gives no database.url`, {
        where: 'database.url',
        hint: 'set MCP_DATABASE_URL (keeps the password out of the config), or add database.url, or use type pglite',
      });
    }
    const dataDir = pgliteDefaultDir(home);
    return { kind: 'pglite', dataDir, display: `pglite:${dataDir}`, source };
  }
  const kind = kindOfUrl(url, fromEnv ? 'MCP_DATABASE_URL' : 'database.url');
  if (kind === 'pglite') {
    const dataDir = url.replace(/^(pglite|file):(\/\/)?/i, '') || pgliteDefaultDir(home);
    return { kind, dataDir, display: `pglite:${dataDir}`, source };
  }
  try {
    const u = new URL(url);
    if (u.password) registerSecret(decodeURIComponent(u.password));
  } catch {
    throw invalidInput('the database URL cannot be parsed', { where: fromEnv ? 'MCP_DATABASE_URL' : 'database.url', hint: 'write it as postgres://user:password@host:5432/dbname' });
  }
  return { kind, url, display: displayUrl(url), source };
}
