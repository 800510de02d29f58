// What `mcp backup create|restore|verify` and `mcp restore`, `mcp config restore` do, shared by all of them.
// create: stream config, version history, data files and a database dump into a temp archive, write
//   the sidecar manifest, then give the archive its name (a create that dies never lists as valid).
// restore: one pass verifies the whole archive while extracting into a staging directory; only then a
//   safety backup is taken, the staged directories are swapped in by rename, and the database is
//   restored in one transaction. A failure after the swap puts the old directories back.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, lstat, mkdir, open, readFile, readlink, readdir, realpath, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { busyError, McpError, integrityError, isMcpError, preconditionError } from '../errors.js';
import { ensureLayout, layout } from '../home.js';
import { exists } from '../fsutil.js';
import { packageVersion } from '../paths.js';
import { readStoredConfig, type StoredConfig } from '../config/store.js';
import type { Database } from '../db/types.js';
import { isSql } from '../db/types.js';
import { ArchiveWriter } from './writer.js';
import { readArchive, type ReadResult } from './reader.js';
import { PART_ROOT, PARTS_OF, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, type DatabaseDump, type Entry, type Manifest, type Part, type Scope, type Sidecar } from './manifest.js';
import { refuseMisfit } from './fit.js';
import { archiveName, newBackupId, partialName, recordRestore, writeSidecar, type StoredBackup } from './store.js';
import { checkDump, checkDumpChunks, countRows, dumpSql, restoreSql } from './sql-dump.js';
import { chunkStats, type ChunkStats } from './copy-chunks.js';
import { journalPath, newJournal, readJournal, removeJournal, removeLeftovers, RESTORES_TABLE, rollbackSwaps, writeJournal, type RestoreJournal, type Swap } from './restore-journal.js';

export const FILE_PARTS = ['config', 'history', 'data'] as const;

/**
 * What the backup engine needs of whoever calls it (a command, a run's step): the home, the environment, a way
 * to be interrupted, and where progress, warnings and details go. Never a CLI context.
 */
export interface BackupEnv {
  home: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** what is running, as a user would type it (shown to whoever waits on a lock, kept in the restore journal) */
  command: string;
  progress(message: string): void;
  warn(message: string): void;
  debug?(message: string): void;
  /** structured log (mcp.log) */
  log?(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void;
}

/** The home's database, or undefined when it is the embedded one and was never created. */
export async function openHomeDatabase(ctx: BackupEnv, config?: unknown): Promise<Database | undefined> {
  const { targetOf, openTarget } = await import('../db/open.js');
  const t = await targetOf({ home: ctx.home, env: ctx.env, config });
  if (t.kind === 'pglite' && !(t.dataDir && (await exists(t.dataDir)))) return undefined;
  return openTarget(t, { home: ctx.home, env: ctx.env, command: ctx.command, signal: ctx.signal, onWait: (h) => ctx.progress(`waiting for ${h} to release the embedded database…`) });
}

async function maybeConfig(home: string): Promise<StoredConfig | undefined> {
  try {
    return await readStoredConfig(home);
  } catch (e) {
    if (isMcpError(e) && e.kind === 'precondition') return undefined;
    throw e;
  }
}

export interface CreateOptions {
  scope: Scope;
  name?: string;
  env?: string;
  passphrase?: string;
  kind?: 'backup' | 'safety';
}

export interface Created {
  sidecar: Sidecar;
  manifest: Manifest;
  archivePath: string;
}

export async function createBackup(ctx: BackupEnv, o: CreateOptions): Promise<Created> {
  const l = await ensureLayout(ctx.home);
  const config = await maybeConfig(ctx.home);
  const doc = config?.doc as { environment?: unknown; version?: unknown } | undefined;
  const configEnv = typeof doc?.environment === 'string' ? doc.environment : null;
  if (o.env && configEnv && o.env !== configEnv) ctx.warn(`--env ${o.env} differs from the home's environment (${configEnv}); the backup is labelled ${o.env}`);
  const id = newBackupId();
  const parts = PARTS_OF[o.scope];
  const encrypted = o.passphrase !== undefined;
  const tmp = join(l.backups, partialName(id));
  const w = await ArchiveWriter.open(tmp, { passphrase: o.passphrase, signal: ctx.signal });
  let database: DatabaseDump | null = null;
  let result: Awaited<ReturnType<ArchiveWriter['finish']>>;
  try {
    for (const part of parts) {
      if (part === 'database') {
        database = await dumpHomeDatabase(ctx, w, config?.doc);
        continue;
      }
      const abs = join(ctx.home, PART_ROOT[part]);
      if (await exists(abs)) {
        ctx.progress(`backing up ${PART_ROOT[part]}/ …`);
        await w.addTree(abs, PART_ROOT[part]);
      }
    }
    result = await w.finish({
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_FORMAT_VERSION,
      id,
      name: o.name ?? id,
      kind: o.kind ?? 'backup',
      createdAt: new Date().toISOString(),
      cliVersion: packageVersion,
      platformVersion: config?.version ?? null,
      environment: o.env ?? configEnv,
      scope: o.scope,
      contents: parts,
      database,
    });
  } catch (e) {
    await w.abort();
    throw e;
  }
  for (const s of w.skipped) ctx.warn(`skipped ${s.path}: ${s.reason}`);
  const file = archiveName(id, encrypted);
  const { entries, ...rest } = result.manifest;
  const sidecar: Sidecar = {
    ...rest,
    entries: encrypted ? null : entries,
    archive: { file, size: result.archive.size, sha256: result.archive.sha256 },
    encryption: encrypted ? { algorithm: 'aes-256-gcm', kdf: 'scrypt' } : null,
  };
  await writeSidecar(ctx.home, sidecar);
  const archivePath = join(l.backups, file);
  await rename(tmp, archivePath);
  await syncDir(l.backups);
  ctx.log?.('info', 'backup.created', { id, scope: o.scope, size: result.archive.size, files: result.manifest.totals.files, kind: o.kind ?? 'backup' });
  return { sidecar, manifest: result.manifest, archivePath };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    /* some filesystems refuse fsync on directories */
  } finally {
    await fh.close();
  }
}

async function dumpHomeDatabase(ctx: BackupEnv, w: ArchiveWriter, config: unknown): Promise<DatabaseDump | null> {
  const db = await openHomeDatabase(ctx, config);
  if (!db) {
    ctx.progress('no database yet (the embedded one was never created): nothing to dump');
    return null;
  }
  try {
    ctx.progress(`dumping ${db.display} …`);
    const onTable = (name: string, rows: number) => ctx.debug?.(`  ${name}: ${rows} rows`);
    if (isSql(db)) return await dumpSql(db, w, { onTable, signal: ctx.signal });
    const { dumpMongo } = await import('./mongo-dump.js');
    return await dumpMongo(db, w, { onTable });
  } finally {
    await db.close();
  }
}

/** Which archive entries belong to the parts being restored. */
export function entryFilter(parts: Part[]): (p: string) => boolean {
  const roots = FILE_PARTS.filter((p) => parts.includes(p)).map((p) => PART_ROOT[p]);
  const db = parts.includes('database');
  return (p) => roots.some((r) => p === r || p.startsWith(r + '/')) || (db && p.startsWith('db/'));
}

export interface VerifyReport {
  ok: boolean;
  files: number;
  bytes: number;
  archive: { size: number; sha256: string };
  tables: { name: string; rows: number; restored?: number }[];
  detail: string;
}

/**
 * `backup verify`: re-read every byte and SHA-256, and check the database dump as restore will — the schema
 * document, every row of every chunk in valid COPY text with the table's number of fields, the row counts
 * (exit 5 on any of it). A backup that verifies is a backup that restores.
 */
export async function verifyBackup(ctx: BackupEnv, b: StoredBackup, passphrase?: string): Promise<VerifyReport> {
  const stats = new Map<string, ChunkStats>();
  let schema: string | undefined;
  const format = b.sidecar.database?.format;
  const r = await readArchive(b.archivePath, {
    sidecar: b.sidecar,
    passphrase,
    signal: ctx.signal,
    inspect: {
      match: (p) => p.startsWith('db/'),
      take: (p, data) => {
        if (p === b.sidecar.database?.schemaEntry) schema = data.toString('utf8');
        else stats.set(p, chunkStats(data, format));
      },
    },
  });
  if (r.manifest.database) checkDump(r.manifest.database, schema, stats);
  return reportOf(r, `every entry matches its SHA-256; the archive matches its manifest${r.manifest.database ? `; every row of the ${r.manifest.database.tables.length} tables parses and the row counts match` : ''}`);
}

function reportOf(r: ReadResult, detail: string): VerifyReport {
  return {
    ok: true,
    files: r.manifest.totals.files,
    bytes: r.manifest.totals.bytes,
    archive: r.archive,
    tables: (r.manifest.database?.tables ?? []).map((t) => ({ name: t.name, rows: t.rows })),
    detail,
  };
}

/**
 * `backup create --verify`: restore the archive into a scratch directory and a scratch embedded
 * database, re-hash every file on disk and count every table's rows against the manifest.
 */
export async function proveRestores(ctx: BackupEnv, b: StoredBackup, passphrase?: string): Promise<VerifyReport> {
  const scratch = join(layout(ctx.home).state, `.verify-${b.id}-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    const files = join(scratch, 'files');
    const r = await readArchive(b.archivePath, { sidecar: b.sidecar, passphrase, stageDir: files, signal: ctx.signal });
    for (const e of r.manifest.entries) {
      const abs = join(files, ...e.path.split('/'));
      if (e.type === 'file') {
        const got = await hashFile(abs);
        if (got !== e.sha256) throw integrityError(`restored file differs from the manifest (SHA-256 ${got.slice(0, 12)}…)`, { where: e.path });
      } else if (e.type === 'symlink') {
        if ((await readlink(abs)) !== e.target) throw integrityError('restored link differs from the manifest', { where: e.path });
      } else if (!(await lstat(abs)).isDirectory()) throw integrityError('restored directory is missing', { where: e.path });
    }
    const report = reportOf(r, 'restored into a scratch directory and database: every SHA-256 and row count matches');
    const dump = r.manifest.database;
    if (dump) await checkDumpChunks(dump, { read: (p) => readFile(join(files, ...p.split('/'))) });
    if (dump && dump.format === 'pg-copy-text/1') {
      const { openPglite } = await import('../db/pglite.js');
      const db = await openPglite(join(scratch, 'pglite'), 'scratch embedded database', async () => undefined);
      try {
        await restoreSql(db, dump, { read: (p) => readFile(join(files, ...p.split('/'))) });
        const counts = await countRows(db, dump.tables.map((t) => t.name));
        for (const t of report.tables) {
          t.restored = counts[t.name];
          if (t.restored !== t.rows) throw integrityError(`${t.name}: ${t.restored} rows restored, the manifest says ${t.rows}`);
        }
      } finally {
        await db.close();
      }
    } else if (dump) {
      for (const t of dump.tables) {
        let n = 0;
        for (const c of t.chunks) n += (await readFile(join(files, ...c.split('/')), 'utf8')).split('\n').filter((x) => x !== '').length;
        const row = report.tables.find((x) => x.name === t.name)!;
        row.restored = n;
        if (n !== t.rows) throw integrityError(`${t.name}: ${n} documents in the dump, the manifest says ${t.rows}`);
      }
      report.detail = 'restored into a scratch directory: every SHA-256 and document count matches (MongoDB dumps are not loaded into the embedded database)';
    }
    return report;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function hashFile(abs: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(abs, { highWaterMark: 1024 * 1024 })) h.update(c as Buffer);
  return h.digest('hex');
}

export interface RestoreOptions {
  backup: StoredBackup;
  /** what to restore; intersected with what the backup holds */
  parts: Part[];
  dryRun: boolean;
  passphrase?: string;
  /** restore a database without its config even when refuseMisfit (fit.ts) says it does not fit (--any-version) */
  anyVersion?: boolean;
}

export interface RestoreReport {
  backup: { id: string; name: string; createdAt: string; environment: string | null; platformVersion: string | null };
  dryRun: boolean;
  parts: Part[];
  verified: true;
  files: Record<string, { added: number; changed: number; removed: number; unchanged: number }>;
  database: { name: string; rows: number; current?: number }[] | null;
  safetyBackup: string | null;
  notes: string[];
}

/**
 * Restore a backup, journaled (src/backup/restore-journal.ts): verify and stage the whole archive, take a safety
 * backup, swap the staged directories in one recorded rename at a time, restore the database in one transaction
 * that records the restore's id. Any failure puts the home back and leaves no journal; a crash or a kill leaves
 * the journal, from which the next command finishes the restore or puts the home back (recoverPendingRestore).
 */
export async function restoreBackup(ctx: BackupEnv, o: RestoreOptions): Promise<RestoreReport> {
  await ensureLayout(ctx.home);
  const pending = await readJournal(ctx.home);
  if (pending) throw incompleteRestore(pending, ctx.home);
  const sc = o.backup.sidecar;
  const parts = o.parts.filter((p) => sc.contents.includes(p));
  const missing = o.parts.filter((p) => !sc.contents.includes(p) && p !== 'history');
  if (missing.length) throw preconditionError(`backup ${sc.id} holds ${sc.contents.join(', ')}, not ${missing.join(', ')}`, { hint: "choose a backup that holds them ('mcp backup list')" });
  if (!o.anyVersion) await refuseMisfit(ctx.home, o.backup, parts);
  const notes: string[] = [];
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const stage = join(ctx.home, `.mcp-restore-${tag}`);
  const filter = entryFilter(parts);
  const fileParts = FILE_PARTS.filter((p) => parts.includes(p));
  const j = newJournal(ctx.home, { id: `rs-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`, command: ctx.command, backup: sc.id, parts, stage, database: parts.includes('database') && Boolean(sc.database) });
  // the journal exists before the staging directory does: a kill while staging leaves nothing unaccounted for
  if (!o.dryRun) await writeJournal(ctx.home, j);
  let read: ReadResult;
  try {
    ctx.progress(`verifying${o.dryRun ? '' : ' and staging'} ${sc.id} (${sc.archive.size} bytes) …`);
    read = await readArchive(o.backup.archivePath, { sidecar: sc, passphrase: o.passphrase, stageDir: o.dryRun ? undefined : stage, include: filter, signal: ctx.signal });
    if (!o.dryRun && read.manifest.database) await checkDumpChunks(read.manifest.database, { read: (p) => readFile(join(stage, ...p.split('/'))) }, parts.includes('database'));
  } catch (e) {
    await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    if (!o.dryRun) await removeJournal(ctx.home);
    throw e;
  }
  const m = read.manifest;
  const report: RestoreReport = {
    backup: { id: m.id, name: m.name, createdAt: m.createdAt, environment: m.environment, platformVersion: m.platformVersion },
    dryRun: o.dryRun,
    parts,
    verified: true,
    files: {},
    database: null,
    safetyBackup: null,
    notes,
  };
  const dump = parts.includes('database') ? m.database : null;
  try {
    for (const p of fileParts) report.files[PART_ROOT[p]] = await diffTree(join(ctx.home, PART_ROOT[p]), m.entries, PART_ROOT[p]);
    if (parts.includes('database') && !m.database) notes.push('the backup holds no database dump (there was no database when it was taken); the database is left as it is');
    if (dump) {
      report.database = dump.tables.map((t) => ({ name: t.name, rows: t.rows }));
      const db = await openHomeDatabase(ctx);
      if (db && isSql(db) && dump.format === 'pg-copy-text/1') {
        try {
          const cur = await countRows(db, dump.tables.map((t) => t.name));
          for (const t of report.database) t.current = cur[t.name];
        } finally {
          await db.close();
        }
      } else await db?.close();
    }
    if (o.dryRun) return report;
    // A safety backup of what is about to be replaced makes the restore reversible (scripts run it without --yes).
    const safetyScope: Scope = parts.some((p) => p === 'data' || p === 'database') ? (parts.includes('config') ? 'full' : 'data') : 'config';
    ctx.progress('taking a safety backup of the current state …');
    const safety = await createBackup(ctx, { scope: safetyScope, name: `safety-before-restore-${m.id}`, kind: 'safety', passphrase: sc.encryption ? o.passphrase : undefined });
    report.safetyBackup = safety.sidecar.id;
    j.safetyBackup = safety.sidecar.id;
    await writeJournal(ctx.home, j);
  } catch (e) {
    if (!o.dryRun) {
      await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      await removeJournal(ctx.home);
    }
    throw e;
  }

  try {
    j.phase = 'swapping';
    for (const p of fileParts) {
      const staged = join(stage, ...PART_ROOT[p].split('/'));
      if (!(await exists(staged))) await mkdir(staged, { recursive: true });
      await swapIn(ctx.home, j, p, join(ctx.home, PART_ROOT[p]), staged);
    }
    if (dump) {
      j.phase = 'database';
      await writeJournal(ctx.home, j);
      const db = await openHomeDatabase(ctx);
      const target = db ?? (await openCreatingEmbedded(ctx));
      try {
        ctx.progress(`restoring ${dump.tables.length} tables into ${target.display} in one transaction …`);
        const src = { read: (p: string) => readFile(join(stage, ...p.split('/'))) };
        const marker = { id: j.id, backup: m.id };
        if (isSql(target)) {
          if (dump.format !== 'pg-copy-text/1') throw preconditionError(`the backup holds a ${dump.format} dump; the database is ${target.kind}`);
          await restoreSql(target, dump, src, { signal: ctx.signal, onTable: (n, r) => ctx.debug?.(`  ${n}: ${r} rows`), marker });
        } else {
          const { restoreMongo } = await import('./mongo-dump.js');
          await restoreMongo(target, dump, src, { marker });
        }
      } finally {
        await target.close();
      }
    }
  } catch (e) {
    // put the home back as it was; the database transaction rolled back by itself
    try {
      await rollbackSwaps(j);
      await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      await removeJournal(ctx.home);
    } catch (undo) {
      throw preconditionError(`the restore failed (${(e as Error).message}) and putting the directories back failed too: ${(undo as Error).message}`, {
        hint: 'the journal is kept: mcp backup restore --resume retries putting the home back',
        cause: e,
      });
    }
    throw e;
  }
  j.phase = 'finishing';
  await writeJournal(ctx.home, j);
  await finishRestore(ctx.home, j);
  ctx.log?.('info', 'backup.restored', { id: m.id, parts, safetyBackup: j.safetyBackup });
  return report;
}

async function finishRestore(home: string, j: RestoreJournal): Promise<void> {
  await removeLeftovers(j);
  await recordRestore(home, { backupId: j.backup, parts: j.parts, at: new Date().toISOString(), safetyBackupId: j.safetyBackup ?? null });
  await removeJournal(home);
}

function incompleteRestore(j: RestoreJournal, home: string): McpError {
  return busyError(`a restore of backup ${j.backup} (${j.command}, pid ${j.pid} on ${j.host}, since ${j.startedAt}) is incomplete: it stopped while ${describePhase(j.phase)}`, {
    hint: 'mcp backup restore --resume finishes it or puts the home back as it was (the journal says which); commands that change the home refuse until then',
    details: { restore: j.id, backup: j.backup, phase: j.phase, journal: journalPath(home) },
  });
}

const describePhase = (p: RestoreJournal['phase']) =>
  p === 'staging' ? 'staging the archive' : p === 'swapping' ? 'swapping directories' : p === 'database' ? 'restoring the database' : 'removing the previous directories';

/** Did the restore's database transaction commit? undefined: the database cannot be reached to tell. */
async function restoreCommitted(ctx: BackupEnv, j: RestoreJournal): Promise<boolean | undefined> {
  let db: Database | undefined;
  try {
    db = await openHomeDatabase(ctx);
  } catch {
    return undefined;
  }
  if (!db) return false;
  try {
    if (isSql(db)) {
      const t = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [RESTORES_TABLE]);
      if (!t.rows[0]?.t) return false;
      return (await db.query(`SELECT 1 FROM ${RESTORES_TABLE} WHERE id = $1`, [j.id])).rows.length > 0;
    }
    return (await db.db.collection<{ _id: string }>(`_${RESTORES_TABLE}`).countDocuments({ _id: j.id })) > 0;
  } catch {
    return undefined;
  } finally {
    await db.close().catch(() => undefined);
  }
}

/**
 * Before a command touches the home: an interrupted restore is finished (its database transaction committed)
 * or undone (it had not), and what was done is said on stderr. A restore that is still running refuses the
 * command (exit 4) unless it only reads; one whose database cannot be reached to tell refuses changes too.
 */
export async function recoverPendingRestore(ctx: BackupEnv, opts: { readOnly: boolean; explicit?: boolean }): Promise<string | undefined> {
  const j = await readJournal(ctx.home);
  if (!j) return undefined;
  const { isPidAlive } = await import('./store.js');
  const { hostname } = await import('node:os');
  if (j.pid !== process.pid && (j.host !== hostname() || isPidAlive(j.pid))) {
    if (opts.readOnly && !opts.explicit) {
      ctx.warn(`a restore of backup ${j.backup} is running (pid ${j.pid} on ${j.host}, since ${j.startedAt})`);
      return undefined;
    }
    throw busyError(`a restore of backup ${j.backup} is running: pid ${j.pid} on ${j.host}, since ${j.startedAt}`, { hint: 'wait for it to finish, then try again' });
  }
  const { withHomeLock } = await import('../run/home-lock.js');
  return withHomeLock(ctx.home, 'restore recovery', async () => {
    let done: string;
    if (j.phase === 'staging') {
      await rm(j.stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
      await removeJournal(ctx.home);
      done = `an interrupted restore of backup ${j.backup} had changed nothing: removed its staging directory`;
    } else if (j.phase === 'swapping' || j.phase === 'database') {
      const committed = j.phase === 'database' && j.database ? await restoreCommitted(ctx, j) : false;
      if (committed === undefined) {
        if (opts.readOnly && !opts.explicit) {
          ctx.warn(`a restore of backup ${j.backup} is incomplete and the database cannot be reached to tell whether it was restored; run mcp backup restore --resume when it is reachable`);
          return undefined;
        }
        throw busyError(`a restore of backup ${j.backup} stopped while restoring the database, and the database cannot be reached to tell whether it committed`, {
          hint: 'make the database reachable, then run mcp backup restore --resume (it finishes the restore or puts the home back); commands that change the home refuse until then',
        });
      }
      if (committed) {
        await finishRestore(ctx.home, j);
        done = `finished an interrupted restore of backup ${j.backup}: its database transaction had committed; removed the previous directories`;
      } else {
        const back = await rollbackSwaps(j);
        await rm(j.stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
        await removeJournal(ctx.home);
        done = `undid an interrupted restore of backup ${j.backup}: ${back.length ? `${back.join(', ')} put back as ${back.length > 1 ? 'they were' : 'it was'}` : 'nothing had been swapped in'}${j.database ? ', the database untouched (its transaction had not committed)' : ''}${j.safetyBackup ? `; safety backup ${j.safetyBackup} kept` : ''}`;
      }
    } else {
      await finishRestore(ctx.home, j);
      done = `finished an interrupted restore of backup ${j.backup}: removed the previous directories`;
    }
    if (!opts.explicit) ctx.warn(done);
    return done;
  });
}

async function openCreatingEmbedded(ctx: BackupEnv): Promise<Database> {
  const { openDatabase } = await import('../db/open.js');
  return openDatabase({ home: ctx.home, env: ctx.env, command: ctx.command, signal: ctx.signal });
}

/**
 * Replace `live` with `staged`: rename the live directory aside (beside its real location, so a data directory
 * that is a link to another disk stays one), then move the staged tree in. Each rename is in the journal first.
 */
async function swapIn(home: string, j: RestoreJournal, part: string, live: string, staged: string): Promise<void> {
  let target = live;
  try {
    if ((await lstat(live)).isSymbolicLink()) target = await realpath(live);
  } catch {
    /* does not exist yet */
  }
  const had = await exists(target);
  const swap: Swap = { part, live: target, old: join(dirname(target), `.${basename(target)}.mcp-old-${process.pid}-${randomBytes(3).toString('hex')}`), had, state: 'planned' };
  j.swaps.push(swap);
  await writeJournal(home, j);
  if (had) {
    await rename(target, swap.old);
    swap.state = 'aside';
    await writeJournal(home, j);
  }
  try {
    await rename(staged, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await cp(staged, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true });
  }
  swap.state = 'in';
  await writeJournal(home, j);
}

/** Files of an archive part against what is on disk now. */
async function diffTree(abs: string, entries: Entry[], root: string): Promise<{ added: number; changed: number; removed: number; unchanged: number }> {
  const want = new Map(entries.filter((e) => e.path.startsWith(root + '/')).map((e) => [e.path, e]));
  const out = { added: 0, changed: 0, removed: 0, unchanged: 0 };
  const seen = new Set<string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const a = join(dir, n);
      const p = posix.join(rel, n);
      const st = await lstat(a);
      if (st.isDirectory()) {
        await walk(a, p);
        continue;
      }
      seen.add(p);
      const e = want.get(p);
      if (!e) out.removed++;
      else if (e.type === 'file' && st.isFile() && st.size === e.size && (await hashFile(a)) === e.sha256) out.unchanged++;
      else if (e.type === 'symlink' && st.isSymbolicLink() && (await readlink(a)) === e.target) out.unchanged++;
      else out.changed++;
    }
  };
  await walk(abs, root);
  for (const [p, e] of want) if (e.type !== 'dir' && !seen.has(p)) out.added++;
  return out;
}
