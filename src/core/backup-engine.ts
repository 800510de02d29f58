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
import type { Ctx } from '../cli/context.js';
import { ExitCode, integrityError, isCliError, preconditionError } from '../cli/errors.js';
import { ensureLayout, layout } from '../home.js';
import { exists, writeFileAtomic } from '../fsutil.js';
import { packageVersion } from '../paths.js';
import { readStoredConfig, type StoredConfig } from '../config/store.js';
import type { Database } from '../db/types.js';
import { isSql } from '../db/types.js';
import { ArchiveWriter } from '../backup/writer.js';
import { readArchive, type ReadResult } from '../backup/reader.js';
import { PART_ROOT, PARTS_OF, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, type DatabaseDump, type Entry, type Manifest, type Part, type Scope, type Sidecar } from '../backup/manifest.js';
import { archiveName, newBackupId, partialName, recordRestore, writeSidecar, type StoredBackup } from '../backup/store.js';
import { countRows, dumpSql, restoreSql } from '../backup/sql-dump.js';

export const FILE_PARTS = ['config', 'history', 'data'] as const;

/** The home's database, or undefined when it is the embedded one and was never created. */
export async function openHomeDatabase(ctx: Ctx, config?: unknown): Promise<Database | undefined> {
  const { targetOf, openTarget } = await import('../db/open.js');
  const t = await targetOf({ home: ctx.home, env: ctx.env, config });
  if (t.kind === 'pglite' && !(t.dataDir && (await exists(t.dataDir)))) return undefined;
  return openTarget(t, { home: ctx.home, env: ctx.env, command: `mcp ${ctx.command}`, signal: ctx.signal, onWait: (h) => ctx.out.progress(`waiting for ${h} to release the embedded database…`) });
}

async function maybeConfig(home: string): Promise<StoredConfig | undefined> {
  try {
    return await readStoredConfig(home);
  } catch (e) {
    if (isCliError(e) && e.exitCode === ExitCode.PRECONDITION) return undefined;
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

export async function createBackup(ctx: Ctx, o: CreateOptions): Promise<Created> {
  const l = await ensureLayout(ctx.home);
  const config = await maybeConfig(ctx.home);
  const doc = config?.doc as { environment?: unknown; version?: unknown } | undefined;
  const configEnv = typeof doc?.environment === 'string' ? doc.environment : null;
  if (o.env && configEnv && o.env !== configEnv) ctx.out.warn(`--env ${o.env} differs from the home's environment (${configEnv}); the backup is labelled ${o.env}`);
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
        ctx.out.progress(`backing up ${PART_ROOT[part]}/ …`);
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
  for (const s of w.skipped) ctx.out.warn(`skipped ${s.path}: ${s.reason}`);
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
  ctx.log.log('info', 'backup.created', { id, scope: o.scope, size: result.archive.size, files: result.manifest.totals.files, kind: o.kind ?? 'backup' });
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

async function dumpHomeDatabase(ctx: Ctx, w: ArchiveWriter, config: unknown): Promise<DatabaseDump | null> {
  const db = await openHomeDatabase(ctx, config);
  if (!db) {
    ctx.out.progress('no database yet (the embedded one was never created): nothing to dump');
    return null;
  }
  try {
    ctx.out.progress(`dumping ${db.display} …`);
    const onTable = (name: string, rows: number) => ctx.out.debug(`  ${name}: ${rows} rows`);
    if (isSql(db)) return await dumpSql(db, w, { onTable, signal: ctx.signal });
    const { dumpMongo } = await import('../backup/mongo-dump.js');
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

/** `backup verify`: re-read every byte and SHA-256 (exit 5 on any mismatch). */
export async function verifyBackup(ctx: Ctx, b: StoredBackup, passphrase?: string): Promise<VerifyReport> {
  const r = await readArchive(b.archivePath, { sidecar: b.sidecar, passphrase, signal: ctx.signal });
  return reportOf(r, 'every entry matches its SHA-256; the archive matches its manifest');
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
export async function proveRestores(ctx: Ctx, b: StoredBackup, passphrase?: string): Promise<VerifyReport> {
  const scratch = join(layout(ctx.home).state, `.verify-${b.id}-${randomBytes(3).toString('hex')}`);
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

const JOURNAL = 'restore-journal.json';

export async function restoreBackup(ctx: Ctx, o: RestoreOptions): Promise<RestoreReport> {
  const l = await ensureLayout(ctx.home);
  const journal = join(l.state, JOURNAL);
  if (await exists(journal)) {
    const j = await readFile(journal, 'utf8').catch(() => '');
    throw preconditionError(`an earlier restore was interrupted while swapping directories (${journal})`, {
      hint: `the previous directories are kept beside the live ones; the journal lists them: ${j.replace(/\s+/g, ' ').slice(0, 400)}`,
    });
  }
  const sc = o.backup.sidecar;
  const parts = o.parts.filter((p) => sc.contents.includes(p));
  const missing = o.parts.filter((p) => !sc.contents.includes(p) && p !== 'history');
  if (missing.length) throw preconditionError(`backup ${sc.id} holds ${sc.contents.join(', ')}, not ${missing.join(', ')}`, { hint: "choose a backup that holds them ('mcp backup list')" });
  const notes: string[] = [];
  const stage = join(ctx.home, `.mcp-restore-${randomBytes(4).toString('hex')}`);
  const filter = entryFilter(parts);
  let read: ReadResult;
  try {
    ctx.out.progress(`verifying${o.dryRun ? '' : ' and staging'} ${sc.id} (${sc.archive.size} bytes) …`);
    read = await readArchive(o.backup.archivePath, { sidecar: sc, passphrase: o.passphrase, stageDir: o.dryRun ? undefined : stage, include: filter, signal: ctx.signal });
  } catch (e) {
    await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    throw e;
  }
  const m = read.manifest;
  const fileParts = FILE_PARTS.filter((p) => parts.includes(p));
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
  for (const p of fileParts) report.files[PART_ROOT[p]] = await diffTree(join(ctx.home, PART_ROOT[p]), m.entries, PART_ROOT[p]);
  const dump = parts.includes('database') ? m.database : null;
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

  try {
    // A safety backup of what is about to be replaced makes the restore reversible (scripts run it without --yes).
    const safetyScope: Scope = parts.some((p) => p === 'data' || p === 'database') ? (parts.includes('config') ? 'full' : 'data') : 'config';
    ctx.out.progress('taking a safety backup of the current state …');
    const safety = await createBackup(ctx, { scope: safetyScope, name: `safety-before-restore-${m.id}`, kind: 'safety', passphrase: sc.encryption ? o.passphrase : undefined });
    report.safetyBackup = safety.sidecar.id;

    // Swap the staged directories in; remember how to undo it until the database is restored too.
    const swaps: { live: string; old: string | null }[] = [];
    await writeFileAtomic(journal, JSON.stringify({ backup: m.id, stage, swaps: fileParts.map((p) => join(ctx.home, PART_ROOT[p])), safetyBackup: safety.sidecar.id }, null, 2) + '\n');
    try {
      for (const p of fileParts) {
        const staged = join(stage, ...PART_ROOT[p].split('/'));
        if (!(await exists(staged))) await mkdir(staged, { recursive: true });
        swaps.push(await swapIn(join(ctx.home, PART_ROOT[p]), staged));
      }
      if (dump) {
        const db = await openHomeDatabase(ctx);
        const target = db ?? (await openCreatingEmbedded(ctx));
        try {
          ctx.out.progress(`restoring ${dump.tables.length} tables into ${target.display} in one transaction …`);
          const src = { read: (p: string) => readFile(join(stage, ...p.split('/'))) };
          if (isSql(target)) {
            if (dump.format !== 'pg-copy-text/1') throw preconditionError(`the backup holds a ${dump.format} dump; the database is ${target.kind}`);
            await restoreSql(target, dump, src, { signal: ctx.signal, onTable: (n, r) => ctx.out.debug(`  ${n}: ${r} rows`) });
          } else {
            const { restoreMongo } = await import('../backup/mongo-dump.js');
            await restoreMongo(target, dump, src);
          }
        } finally {
          await target.close();
        }
      }
    } catch (e) {
      for (const s of swaps.reverse()) await swapBack(s).catch(() => undefined);
      throw e;
    }
    for (const s of swaps) if (s.old) await rm(s.old, { recursive: true, force: true });
    await rm(journal, { force: true });
    await recordRestore(ctx.home, { backupId: m.id, parts, at: new Date().toISOString(), safetyBackupId: safety.sidecar.id });
    ctx.log.log('info', 'backup.restored', { id: m.id, parts, safetyBackup: safety.sidecar.id });
    return report;
  } finally {
    await rm(stage, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

async function openCreatingEmbedded(ctx: Ctx): Promise<Database> {
  const { openDatabase } = await import('../db/open.js');
  return openDatabase({ home: ctx.home, env: ctx.env, command: `mcp ${ctx.command}`, signal: ctx.signal });
}

/**
 * Replace `live` with `staged`: rename the live directory aside (beside its real location, so a
 * data directory that is a link to another disk stays one), then move the staged tree in.
 */
async function swapIn(live: string, staged: string): Promise<{ live: string; old: string | null }> {
  let target = live;
  try {
    if ((await lstat(live)).isSymbolicLink()) target = await realpath(live);
  } catch {
    /* does not exist yet */
  }
  const old = join(dirname(target), `.${basename(target)}.mcp-old-${randomBytes(3).toString('hex')}`);
  const had = await exists(target);
  if (had) await rename(target, old);
  try {
    await rename(staged, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') {
      if (had) await rename(old, target);
      throw e;
    }
    await cp(staged, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true });
  }
  return { live: target, old: had ? old : null };
}

async function swapBack(s: { live: string; old: string | null }): Promise<void> {
  await rm(s.live, { recursive: true, force: true });
  if (s.old) await rename(s.old, s.live);
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
