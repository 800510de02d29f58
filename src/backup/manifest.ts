// The backup manifest: what an archive holds, with the size and SHA-256 of every entry. It is the last
// entry of the archive (`manifest.json`) and, with the archive's own size and SHA-256, the sidecar
// `<id>.manifest.json` beside it (so `backup list` never has to decompress anything).
import { integrityError } from '../errors.js';

export const MANIFEST_FORMAT = 'mcp-backup';
export const MANIFEST_FORMAT_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';

export type Scope = 'full' | 'data' | 'config';
export type Part = 'config' | 'history' | 'data' | 'database';

export const PARTS_OF: Record<Scope, Part[]> = {
  full: ['config', 'history', 'data', 'database'],
  data: ['data', 'database'],
  config: ['config', 'history'],
};

/** Top-level archive directories and the part each one belongs to. */
export const PART_ROOT: Record<Exclude<Part, 'database'>, string> = { config: 'config', history: 'state/versions', data: 'data' };
export const DB_ROOT = 'db';

export interface FileEntry {
  path: string;
  type: 'file';
  size: number;
  sha256: string;
  mode: number;
}
export interface DirEntry {
  path: string;
  type: 'dir';
  mode: number;
}
export interface LinkEntry {
  path: string;
  type: 'symlink';
  target: string;
}
export type Entry = FileEntry | DirEntry | LinkEntry;

export interface TableDump {
  /** schema-qualified, e.g. public.services (MongoDB: the collection name) */
  name: string;
  rows: number;
  /** archive paths of the chunks holding the rows, in order */
  chunks: string[];
}

export interface DatabaseDump {
  kind: 'postgres' | 'pglite' | 'mongo';
  /** pg-copy-text/1: DDL in db/schema.json, rows in PostgreSQL COPY text format; mongo-ejson/1: one canonical EJSON document per line */
  format: 'pg-copy-text/1' | 'mongo-ejson/1';
  snapshot: string;
  serverVersion?: string;
  schemaEntry?: string;
  tables: TableDump[];
  warnings: string[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  id: string;
  name: string;
  /** safety: taken automatically before a restore */
  kind: 'backup' | 'safety';
  createdAt: string;
  cliVersion: string;
  platformVersion: string | null;
  environment: string | null;
  scope: Scope;
  contents: Part[];
  database: DatabaseDump | null;
  entries: Entry[];
  skipped: { path: string; reason: string }[];
  totals: { files: number; bytes: number };
}

export interface Encryption {
  algorithm: 'aes-256-gcm';
  kdf: 'scrypt';
}

/** The sidecar: the manifest plus what can only be known once the archive is complete. */
export interface Sidecar extends Omit<Manifest, 'entries' | 'database'> {
  entries: Entry[] | null;
  database: DatabaseDump | null;
  archive: { file: string; size: number; sha256: string };
  encryption: Encryption | null;
  verified?: { at: string; ok: boolean; detail: string };
  /**
   * A copy received from another home (`restore --env`, a promotion's package): never this home's own
   * "latest" backup — its data is another installation's until it is restored here.
   */
  incoming?: { from: string | null; at: string };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Structural check of a manifest read from an archive: anything off is an integrity error. */
export function parseManifest(text: string, where: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw integrityError(`the manifest is not JSON: ${(e as Error).message}`, { where });
  }
  const bad = (what: string) => integrityError(`the manifest is malformed: ${what}`, { where, hint: 'the archive is damaged or was not written by mcp backup create' });
  if (!isObj(doc)) throw bad('not an object');
  if (doc.format !== MANIFEST_FORMAT) throw bad(`format is ${JSON.stringify(doc.format)}, expected "${MANIFEST_FORMAT}"`);
  if (doc.formatVersion !== MANIFEST_FORMAT_VERSION) throw bad(`formatVersion ${String(doc.formatVersion)} is not supported by this CLI (supports ${MANIFEST_FORMAT_VERSION})`);
  if (typeof doc.id !== 'string' || typeof doc.createdAt !== 'string') throw bad('id or createdAt missing');
  if (!['full', 'data', 'config'].includes(doc.scope as string)) throw bad('scope');
  if (!Array.isArray(doc.entries)) throw bad('entries is not a list');
  const seen = new Set<string>();
  for (const e of doc.entries as unknown[]) {
    if (!isObj(e) || typeof e.path !== 'string') throw bad('an entry without a path');
    if (seen.has(e.path)) throw bad(`entry ${e.path} is listed twice`);
    seen.add(e.path);
    if (e.type === 'file') {
      if (typeof e.size !== 'number' || typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) throw bad(`entry ${e.path} has no size or SHA-256`);
    } else if (e.type === 'symlink') {
      if (typeof e.target !== 'string') throw bad(`link ${e.path} has no target`);
    } else if (e.type !== 'dir') throw bad(`entry ${e.path} has type ${String(e.type)}`);
  }
  if (doc.database !== null && doc.database !== undefined) {
    const d = doc.database;
    if (!isObj(d) || !Array.isArray(d.tables)) throw bad('database');
    for (const t of d.tables as unknown[]) {
      if (!isObj(t) || typeof t.name !== 'string' || typeof t.rows !== 'number' || !Array.isArray(t.chunks)) throw bad('database.tables');
      for (const c of t.chunks as unknown[]) if (typeof c !== 'string' || !seen.has(c)) throw bad(`database chunk ${String(c)} is not an entry`);
    }
    if (d.schemaEntry !== undefined && !seen.has(d.schemaEntry as string)) throw bad('database.schemaEntry is not an entry');
  }
  return doc as unknown as Manifest;
}

/** Canonical form of the entry list, to compare the sidecar's copy with the archive's own. */
export function entriesKey(entries: Entry[]): string {
  return JSON.stringify(entries.map((e) => (e.type === 'file' ? [e.path, e.type, e.size, e.sha256] : e.type === 'symlink' ? [e.path, e.type, e.target] : [e.path, e.type])));
}
