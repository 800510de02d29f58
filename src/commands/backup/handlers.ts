// Handlers of `mcp backup create|list|verify|restore|prune`, `mcp restore`, `mcp config restore` and
// `mcp data verify`. Thin: options → the backup engine → one result with text and a --json document.
import { withHomeLock } from '../../run/home-lock.js';
import { enterHome } from '../../cli/home-guard.js';
import { ctxForHome, engineEnv } from '../../cli/context.js';
import { join, posix } from 'node:path';
import { lstat, readdir, readlink } from 'node:fs/promises';
import type { Handler } from '../../cli/program.js';
import type { CommandResult } from '../../cli/output.js';
import { invalidInput, usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { exists } from '../../fsutil.js';
import { resolvePassphrase } from '../../backup/crypto.js';
import { PART_ROOT, type Part, type Scope, type Sidecar } from '../../backup/manifest.js';
import { findBackup, lastRestore, latestBackup, listBackups, removeBackup, shipBackup, stalePartials, writeSidecar, type StoredBackup } from '../../backup/store.js';
import { resolveEnvironment } from '../../environments.js';
import { readArchive } from '../../backup/reader.js';
import { countRows } from '../../backup/sql-dump.js';
import { isSql } from '../../db/types.js';
import { createBackup, hashFile, openHomeDatabase, proveRestores, restoreBackup, verifyBackup, type RestoreReport } from '../../backup/engine.js';
import { refuseMisfit } from '../../backup/fit.js';
import { rm } from 'node:fs/promises';
import { currentVersion } from '../../version-history.js';
import { sameRelease } from '../../versions.js';
import { RESTORES_TABLE } from '../../backup/restore-journal.js';


const human = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`);

function scopeOf(o: { full?: boolean; dataOnly?: boolean; configOnly?: boolean }): Scope {
  const set = [o.full && '--full', o.dataOnly && '--data-only', o.configOnly && '--config-only'].filter(Boolean);
  if (set.length > 1) throw usageError(`${set.join(' and ')} exclude each other`, { hint: 'choose one (default: --full)' });
  return o.configOnly ? 'config' : o.dataOnly ? 'data' : 'full';
}

const describe = (s: Sidecar) => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  createdAt: s.createdAt,
  scope: s.scope,
  contents: s.contents,
  environment: s.environment,
  platformVersion: s.platformVersion,
  size: s.archive.size,
  sha256: s.archive.sha256,
  file: s.archive.file,
  encrypted: Boolean(s.encryption),
  files: s.totals.files,
  bytes: s.totals.bytes,
  database: s.database ? { kind: s.database.kind, format: s.database.format, tables: s.database.tables.map((t) => ({ name: t.name, rows: t.rows })) } : null,
  verified: s.verified ?? null,
});

export const createHandler: Handler<{ name?: string; full?: boolean; dataOnly?: boolean; configOnly?: boolean; env?: string; verify?: boolean; encrypt?: boolean; passphraseFile?: string }> = async (ctx, o) => {
  // bad input is exit 2 whoever holds the home; the lock is for the work
  const scope = scopeOf(o);
  if (o.name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(o.name)) throw invalidInput(`--name '${o.name}' is not a backup name`, { hint: 'letters, digits, dot, dash and underscore, up to 128' });
  if (o.passphraseFile && !o.encrypt) throw usageError('--passphrase-file is for --encrypt', { hint: 'add --encrypt' });
  const passphrase = o.encrypt ? await resolvePassphrase(ctx.env, o.passphraseFile) : undefined;
  if (o.encrypt && passphrase === undefined) throw usageError('--encrypt needs a passphrase', { hint: 'set MCP_BACKUP_PASSPHRASE or pass --passphrase-file FILE' });
  // --env NAME, another environment: the backup is made of (and kept in) that environment's home
  const of = o.env ? await resolveEnvironment(ctx.home, o.env) : undefined;
  if (of && !of.own) ctx = await enterHome(ctx, of.home, o as Record<string, unknown>);
  return withHomeLock(ctx.home, 'backup create', async () => {
    const created = await createBackup(engineEnv(ctx), { scope, name: o.name, env: o.env, passphrase });
    const stored: StoredBackup = { id: created.sidecar.id, sidecar: created.sidecar, archivePath: created.archivePath, sidecarPath: '', complete: true };
    const text = [
      `Created backup ${created.sidecar.id}${created.sidecar.name !== created.sidecar.id ? ` (${created.sidecar.name})` : ''}`,
      `  archive: ${created.archivePath} (${human(created.sidecar.archive.size)}${passphrase ? ', encrypted' : ''})`,
      `  contents: ${created.sidecar.contents.join(', ')}; ${created.manifest.totals.files} files, ${human(created.manifest.totals.bytes)}`,
    ];
    if (created.manifest.database) text.push(`  database: ${created.manifest.database.tables.length} tables, ${created.manifest.database.tables.reduce((n, t) => n + t.rows, 0)} rows (${created.manifest.database.kind})`);
    for (const w of created.manifest.database?.warnings ?? []) ctx.out.warn(w);
    let exitCode: number | undefined;
    let verification: unknown = null;
    if (o.verify) {
      ctx.out.progress('verifying: restoring into a scratch directory and database …');
      const sidecarPath = join(ctx.home, 'backups', `${created.sidecar.id}.manifest.json`);
      try {
        const r = await proveRestores(engineEnv(ctx), { ...stored, sidecarPath }, passphrase);
        verification = r;
        created.sidecar.verified = { at: new Date().toISOString(), ok: true, detail: r.detail };
        text.push(`  verified: ${r.detail}`);
      } catch (e) {
        created.sidecar.verified = { at: new Date().toISOString(), ok: false, detail: (e as Error).message };
        await writeSidecar(ctx.home, created.sidecar);
        throw e;
      }
      await writeSidecar(ctx.home, created.sidecar);
    }
    return { data: { backup: describe(created.sidecar), path: created.archivePath, skipped: created.manifest.skipped, verification }, text, exitCode };
  });
};

export const listHandler: Handler<{ all?: boolean }> = async (ctx, o) => {
  const { backups, incomplete, partials } = await listBackups(ctx.home);
  const text: string[] = [];
  if (!backups.length) text.push(`No backups in ${join(ctx.home, 'backups')}`);
  else {
    text.push(['ID', 'NAME', 'CREATED', 'CONTENTS', 'SIZE', 'VERIFIED'].join('\t'));
    for (const b of backups) {
      const s = b.sidecar;
      text.push([s.id, s.name + (s.kind === 'safety' ? ' (safety)' : ''), s.createdAt, s.contents.join(',') + (s.encryption ? ' 🔒' : ''), human(s.archive.size), s.verified ? (s.verified.ok ? 'yes' : 'FAILED') : '-'].join('\t'));
    }
  }
  // the home guard has removed what dead processes left; what is left belongs to running ones
  const { findLeftovers } = await import('../../backup/leftovers.js');
  const { readJournal } = await import('../../backup/restore-journal.js');
  const leftovers = o.all ? await findLeftovers(ctx.home) : [];
  const restore = o.all ? await readJournal(ctx.home).catch(() => undefined) : undefined;
  if (o.all) {
    for (const b of incomplete) text.push(`${b.problemKind === 'damaged' ? 'DAMAGED' : 'INCOMPLETE'}\t${b.id}\t${b.problem}`);
    if (restore) text.push(`RESTORING\t${restore.backup}\t${restore.phase} (pid ${restore.pid} on ${restore.host}, since ${restore.startedAt}; mcp backup restore --resume settles it)`);
    for (const x of leftovers) text.push(`IN PROGRESS\t${x.kind}\t${x.path}${x.pid ? ` (pid ${x.pid})` : ''}`);
  } else if (incomplete.length || partials.length) text.push(`(${incomplete.length + partials.length} incomplete or damaged backups not listed; mcp backup list --all shows them, 'mcp backup prune' removes them)`);
  return {
    data: {
      backups: backups.map((b) => describe(b.sidecar)),
      incomplete: incomplete.map((b) => ({ id: b.id, problem: b.problem, kind: b.problemKind })),
      partials: partials.length,
      ...(o.all
        ? { inProgress: leftovers.map((x) => ({ kind: x.kind, path: x.path, pid: x.pid ?? null, bytes: x.bytes ?? null })), restore: restore ? { backup: restore.backup, phase: restore.phase, pid: restore.pid, host: restore.host, startedAt: restore.startedAt } : null }
        : {}),
    },
    text,
  };
};

async function pickBackup(ctx: Parameters<Handler>[0], o: { id?: string; latest?: boolean }, parts: Part[]): Promise<StoredBackup> {
  if (o.id && o.latest) throw usageError('--id and --latest exclude each other');
  if (o.id) return findBackup(ctx.home, o.id);
  if (o.latest) return latestBackup(ctx.home, parts);
  throw usageError('which backup? pass --id ID or --latest', { hint: "see 'mcp backup list'" });
}

export const verifyHandler: Handler<{ id?: string; latest?: boolean; passphraseFile?: string }> = async (ctx, o) => {
  const b = await pickBackup(ctx, o, []);
  const passphrase = await resolvePassphrase(ctx.env, o.passphraseFile);
  const r = await verifyBackup(engineEnv(ctx), b, passphrase);
  return {
    data: { backup: describe(b.sidecar), ok: true, files: r.files, bytes: r.bytes, archive: r.archive, tables: r.tables },
    text: [`Backup ${b.id} is intact: ${r.files} files (${human(r.bytes)}) and ${r.tables.length} table dumps match their SHA-256; archive ${r.archive.sha256}`],
  };
};

function partsFor(o: { dataOnly?: boolean; configOnly?: boolean }): Part[] {
  if (o.dataOnly && o.configOnly) throw usageError('--data-only and --config-only exclude each other');
  return o.dataOnly ? ['data', 'database'] : o.configOnly ? ['config', 'history'] : [];
}

function restoreResult(r: RestoreReport): CommandResult {
  const verb = r.dryRun ? 'Would restore' : 'Restored';
  const text = [`${verb} ${r.parts.join(', ')} from ${r.backup.id} (${r.backup.name}, ${r.backup.createdAt}); the archive verified`];
  for (const [root, d] of Object.entries(r.files)) text.push(`  ${root}/: ${d.added} added, ${d.changed} changed, ${d.removed} removed, ${d.unchanged} unchanged`);
  for (const t of r.database ?? []) text.push(`  ${t.name}: ${t.rows} rows${t.current !== undefined ? ` (${r.dryRun ? 'now' : 'was'} ${t.current < 0 ? 'absent' : t.current})` : ''}`);
  if (r.safetyBackup) text.push(`  safety backup of the previous state: ${r.safetyBackup} (undo with: mcp backup restore --id ${r.safetyBackup})`);
  else if (r.dryRun) text.push('  a safety backup of the current state would be taken first; nothing was changed');
  for (const n of r.notes) text.push(`  note: ${n}`);
  return { data: r, text };
}

export const restoreHandler: Handler<{ id?: string; latest?: boolean; dataOnly?: boolean; configOnly?: boolean; dryRun?: boolean; passphraseFile?: string; env?: string; anyVersion?: boolean; resume?: boolean }> = async (ctx, o) => {
  // --env NAME, another environment: this home's backup (the latest, or --id) is restored into NAME's home
  const source = ctx;
  const into = o.env ? await resolveEnvironment(ctx.home, o.env) : undefined;
  if (o.resume) {
    if (o.id || o.latest || o.dataOnly || o.configOnly || o.dryRun) throw usageError('--resume settles the interrupted restore; it takes no backup or part', { hint: 'mcp backup restore --resume' });
    // the interrupted restore of the home --env names: with another environment, that one's
    if (into && !into.own) ctx = ctxForHome(ctx, into.home);
    const { recoverPendingRestore } = await import('../../backup/engine.js');
    const done = await recoverPendingRestore(engineEnv(ctx), { readOnly: false, explicit: true });
    return { data: { resumed: Boolean(done), detail: done ?? null }, text: [done ? `${done[0]!.toUpperCase()}${done.slice(1)}.` : `No interrupted restore in ${ctx.home}: nothing to do.`] };
  }
  const asked = partsFor(o);
  if (into && !into.own) {
    // another environment keeps its own config (its database, endpoints, secrets): only data moves there
    if (!o.dataOnly) {
      throw usageError(`restore --env ${o.env} moves data into another environment's home; its config stays its own`, {
        hint: `mcp restore --env ${o.env} --data-only --latest (a config goes there with mcp deploy --env ${o.env} --config FILE)`,
      });
    }
    // that home is settled first, like the one a command starts in (an interrupted restore there, leftovers)
    ctx = await enterHome(ctx, into.home, o as Record<string, unknown>);
  }
  const picked = await pickBackup(source, o, asked.filter((p) => p !== 'history'));
  const passphrase = await resolvePassphrase(ctx.env, o.passphraseFile);
  const target = ctx;
  return lockedUnlessDryRun(ctx.home, 'backup restore', o.dryRun, async () => {
    let b = picked;
    // without --data-only / --config-only: everything the backup holds
    const parts = asked.length ? asked : b.sidecar.contents;
    // checked before the copy into another home: a refused restore leaves nothing there (restoreBackup checks again)
    if (!o.anyVersion) await refuseMisfit(target.home, b, parts);
    if (target !== source && !o.dryRun) {
      // checked first, copied under the target's lock: nothing lands in its backups while it migrates or
      // restores, or for a restore that is refused
      target.out.progress(`copying backup ${b.id} (${b.sidecar.environment ?? 'this home'}) into the ${o.env} home ${target.home}`);
      b = await shipBackup(b, target.home);
    }
    if (o.env && b.sidecar.environment && b.sidecar.environment !== o.env) target.out.progress(`moving ${parts.join(', ')} of ${b.sidecar.environment} into ${o.env} (${target.home})`);
    return restoreResult(await restoreBackup(engineEnv(target), { backup: b, parts, dryRun: Boolean(o.dryRun), passphrase, anyVersion: Boolean(o.anyVersion) }));
  });
};

/** A dry run reads and changes nothing: it needs no lock and is not refused while a migration runs. */
const lockedUnlessDryRun = <T>(home: string, command: string, dryRun: boolean | undefined, fn: () => Promise<T>): Promise<T> => (dryRun ? fn() : withHomeLock(home, command, fn));

export const configRestoreHandler: Handler<{ backupId: string; dryRun?: boolean; passphraseFile?: string }> = async (ctx, o) => {
  const b = await findBackup(ctx.home, o.backupId);
  const passphrase = await resolvePassphrase(ctx.env, o.passphraseFile);
  return lockedUnlessDryRun(ctx.home, 'config restore', o.dryRun, async () => restoreResult(await restoreBackup(engineEnv(ctx), { backup: b, parts: ['config', 'history'], dryRun: Boolean(o.dryRun), passphrase })));
};

export const pruneHandler: Handler<{ keep: string; dryRun?: boolean }> = async (ctx, o) => {
  const keep = Number(o.keep);
  if (!Number.isInteger(keep) || keep < 1) throw invalidInput(`--keep '${o.keep}' is not a whole number of at least 1`, { where: '--keep' });
  const { backups, incomplete, partials } = await listBackups(ctx.home);
  const remove = backups.slice(keep);
  const stale = stalePartials(partials);
  // the question is asked before the home is locked: an open prompt must not hold off a migration
  if (!o.dryRun && remove.length) await ctx.confirm(`Delete ${remove.length} backups (keeping the newest ${keep})?`);
  return lockedUnlessDryRun(ctx.home, 'backup prune', o.dryRun, async () => {
    if (!o.dryRun) {
      // what was agreed to, as far as it is still there (another prune may have run meanwhile)
      for (const b of remove) await removeBackup(b);
      for (const b of incomplete) await removeBackup(b);
      for (const p of stale) await rm(p, { force: true });
    }
    const verb = o.dryRun ? 'Would delete' : 'Deleted';
    return {
      data: { dryRun: Boolean(o.dryRun), keep, kept: backups.slice(0, keep).map((b) => b.id), removed: remove.map((b) => b.id), incompleteRemoved: incomplete.map((b) => b.id), partialsRemoved: stale.length },
      text: [
        `${verb} ${remove.length} backups, kept the newest ${Math.min(keep, backups.length)}${remove.length ? `: ${remove.map((b) => b.id).join(', ')}` : ''}`,
        ...(incomplete.length || stale.length ? [`${verb} ${incomplete.length + stale.length} incomplete leftovers`] : []),
      ],
    };
  });
};

/**
 * `mcp data verify --checksum`: the data files (and row counts) now against the manifest of the backup
 * they should equal: the last one restored if a restore happened since, else the newest backup.
 */
export const dataVerifyHandler: Handler<{ checksum?: boolean; id?: string; passphraseFile?: string }> = async (ctx, o) => {
  let b: StoredBackup;
  if (o.id) b = await findBackup(ctx.home, o.id);
  else {
    // this home's newest, or what was restored here since (a copy from another home counts once restored)
    const latest = await latestBackup(ctx.home, ['data']).catch((e) => e as Error);
    const lr = await lastRestore(ctx.home);
    const restored = lr && lr.parts.includes('data') && (latest instanceof Error || lr.at > latest.sidecar.createdAt) ? await findBackup(ctx.home, lr.backupId).catch(() => undefined) : undefined;
    if (restored) b = restored;
    else if (latest instanceof Error) throw latest;
    else b = latest;
  }
  let entries = b.sidecar.entries;
  if (!entries) {
    const passphrase = await resolvePassphrase(ctx.env, o.passphraseFile);
    entries = (await readArchive(b.archivePath, { sidecar: b.sidecar, passphrase, signal: ctx.signal })).manifest.entries;
  }
  const root = PART_ROOT.data;
  const want = new Map(entries.filter((e) => e.path.startsWith(root + '/') && e.type !== 'dir').map((e) => [e.path, e]));
  const changed: string[] = [];
  const missing: string[] = [];
  const extra: string[] = [];
  let checked = 0;
  const walk = async (abs: string, rel: string): Promise<void> => {
    if (!(await exists(abs))) return;
    for (const n of (await readdir(abs)).sort()) {
      const a = join(abs, n);
      const p = posix.join(rel, n);
      const st = await lstat(a);
      if (st.isDirectory()) {
        await walk(a, p);
        continue;
      }
      const e = want.get(p);
      want.delete(p);
      if (!e) {
        extra.push(p);
        continue;
      }
      checked++;
      const same =
        e.type === 'file' ? st.isFile() && st.size === e.size && (o.checksum === false ? true : (await hashFile(a)) === e.sha256) : e.type === 'symlink' && st.isSymbolicLink() && (await readlink(a)) === e.target;
      if (!same) changed.push(p);
    }
  };
  await walk(join(ctx.home, root), root);
  missing.push(...want.keys());
  const tables: { name: string; expected: number; actual: number }[] = [];
  // A backup taken at another platform version (an upgrade's own pre-upgrade backup) holds the
  // database of the old layout: tables merged, split and added by the upgrade's migrations. Its row
  // counts say nothing about loss; the files are still compared. `mcp migration verify` checks the rows.
  const installed = await currentVersion(ctx.home);
  const backupVersion = b.sidecar.platformVersion;
  let database: { compared: boolean; reason?: string } = { compared: false, reason: 'the backup holds no database dump' };
  if (b.sidecar.database && b.sidecar.database.format === 'pg-copy-text/1' && installed && backupVersion && !sameRelease(installed, backupVersion)) {
    database = {
      compared: false,
      reason: `backup ${b.id} is from ${backupVersion}, the installation is ${installed}: the database layout changed; mcp migration verify --version ${installed} checks the rows`,
    };
  } else if (b.sidecar.database && b.sidecar.database.format === 'pg-copy-text/1') {
    database = { compared: true };
    const db = await openHomeDatabase(engineEnv(ctx));
    if (db && isSql(db)) {
      try {
        // the restore ledger is mcp's own bookkeeping: every restore adds its row, so it never equals a backup's
        const platformTables = b.sidecar.database.tables.filter((t) => t.name.replace(/^public\./, '') !== RESTORES_TABLE);
        const cur = await countRows(db, platformTables.map((t) => t.name));
        for (const t of platformTables) tables.push({ name: t.name, expected: t.rows, actual: cur[t.name]! });
      } finally {
        await db.close();
      }
    } else {
      await db?.close();
      database = { compared: false, reason: 'the installation has no SQL database to count rows in' };
    }
  }
  const badTables = tables.filter((t) => t.actual !== t.expected);
  const ok = !changed.length && !missing.length && !extra.length && !badTables.length;
  const text = [
    `${ok ? 'Data matches' : 'Data differs from'} backup ${b.id} (${b.sidecar.name}): ${checked} files checked${o.checksum === false ? ' by size' : ' by SHA-256'}, ${database.compared ? `${tables.length} tables counted` : 'database rows not compared'}`,
    ...(!database.compared && b.sidecar.database ? [`  database rows not compared: ${database.reason}`] : []),
    ...changed.map((p) => `  changed: ${p}`),
    ...missing.map((p) => `  missing: ${p}`),
    ...extra.map((p) => `  extra:   ${p}`),
    ...badTables.map((t) => `  rows:    ${t.name}: ${t.actual < 0 ? 'table absent' : t.actual} (backup: ${t.expected})`),
  ];
  return { data: { ok, backup: b.id, backupPlatformVersion: backupVersion, installedVersion: installed ?? null, checked, changed, missing, extra, tables, database }, text, exitCode: ok ? ExitCode.OK : ExitCode.PRECONDITION };
};
