// Backups on disk: <home>/backups/<id>.tar.gz (or .tar.gz.enc) and its sidecar <id>.manifest.json.
// A backup exists once both are there and the archive has the recorded size; a create that died leaves
// only a `.<id>.<pid>.partial` file, which never lists and which prune removes.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { exists, writeFileAtomic } from '../fsutil.js';
import { integrityError, invalidInput, preconditionError } from '../errors.js';
import type { Part, Sidecar } from './manifest.js';

export interface StoredBackup {
  id: string;
  sidecar: Sidecar;
  archivePath: string;
  sidecarPath: string;
  /** complete: archive present with the recorded size */
  complete: boolean;
  problem?: string;
  /** missing: the archive is gone (exit 3); damaged: truncated, extended or an unreadable manifest (exit 5) */
  problemKind?: 'missing' | 'damaged';
}

export const archiveName = (id: string, encrypted: boolean) => `${id}.tar.gz${encrypted ? '.enc' : ''}`;
export const sidecarName = (id: string) => `${id}.manifest.json`;
export const partialName = (id: string) => `.${id}.${process.pid}.partial`;

export function newBackupId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `bk-${ts}-${randomBytes(3).toString('hex')}`;
}

export async function listBackups(home: string): Promise<{ backups: StoredBackup[]; incomplete: StoredBackup[]; partials: string[] }> {
  const dir = layout(home).backups;
  if (!(await exists(dir))) return { backups: [], incomplete: [], partials: [] };
  const names = await readdir(dir);
  const backups: StoredBackup[] = [];
  const incomplete: StoredBackup[] = [];
  const partials = names.filter((n) => n.endsWith('.partial')).map((n) => join(dir, n));
  for (const n of names.filter((x) => x.endsWith('.manifest.json') && !x.startsWith('.'))) {
    const sidecarPath = join(dir, n);
    let sidecar: Sidecar;
    try {
      sidecar = JSON.parse(await readFile(sidecarPath, 'utf8')) as Sidecar;
      if (!sidecar || typeof sidecar.id !== 'string' || !sidecar.archive) throw new Error('not a backup manifest');
    } catch (e) {
      incomplete.push({ id: n.replace(/\.manifest\.json$/, ''), sidecar: undefined as unknown as Sidecar, archivePath: '', sidecarPath, complete: false, problem: `unreadable manifest: ${(e as Error).message}`, problemKind: 'damaged' });
      continue;
    }
    const archivePath = join(dir, sidecar.archive.file);
    let problem: string | undefined;
    let problemKind: StoredBackup['problemKind'];
    try {
      const st = await stat(archivePath);
      if (st.size !== sidecar.archive.size) {
        problem = `archive is ${st.size} bytes, the manifest says ${sidecar.archive.size} (${st.size < sidecar.archive.size ? 'truncated' : 'extended'})`;
        problemKind = 'damaged';
      }
    } catch {
      problem = 'archive missing';
      problemKind = 'missing';
    }
    const b: StoredBackup = { id: sidecar.id, sidecar, archivePath, sidecarPath, complete: !problem, problem, problemKind };
    (problem ? incomplete : backups).push(b);
  }
  backups.sort((a, b) => (a.sidecar.createdAt < b.sidecar.createdAt ? 1 : a.sidecar.createdAt > b.sidecar.createdAt ? -1 : a.id < b.id ? 1 : -1));
  return { backups, incomplete, partials };
}

/** By id, or by name when the name is unique. */
export async function findBackup(home: string, idOrName: string): Promise<StoredBackup> {
  if (!idOrName || idOrName.includes('/') || idOrName.startsWith('.')) throw invalidInput(`'${idOrName}' is not a backup id`, { hint: "see 'mcp backup list'" });
  const { backups, incomplete } = await listBackups(home);
  const byId = backups.find((b) => b.id === idOrName);
  if (byId) return byId;
  const byName = backups.filter((b) => b.sidecar.name === idOrName);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw invalidInput(`${byName.length} backups are named '${idOrName}'`, { hint: `use the id: ${byName.map((b) => b.id).join(', ')}` });
  const broken = incomplete.find((b) => b.id === idOrName);
  if (broken?.problemKind === 'damaged') throw integrityError(`backup ${idOrName} is damaged: ${broken.problem}`, { where: broken.archivePath || broken.sidecarPath, hint: 'restore from another backup (mcp backup list)' });
  if (broken) throw preconditionError(`backup ${idOrName} is incomplete (${broken.problem})`, { hint: 'an interrupted create or a removed archive; choose another backup' });
  throw preconditionError(`no backup '${idOrName}' in ${layout(home).backups}`, { hint: "see 'mcp backup list'" });
}

/** The newest complete backup of this home holding every one of `parts`; safety backups only when asked, copies received from another home never. */
export async function latestBackup(home: string, parts: Part[], opts: { includeSafety?: boolean } = {}): Promise<StoredBackup> {
  const { backups } = await listBackups(home);
  const b = backups.find((x) => (opts.includeSafety || x.sidecar.kind !== 'safety') && !x.sidecar.incoming && parts.every((p) => x.sidecar.contents.includes(p)));
  if (!b) throw preconditionError(`no backup holding ${parts.join(' and ')} in ${layout(home).backups}`, { hint: "create one with 'mcp backup create'" });
  return b;
}

export async function writeSidecar(home: string, sidecar: Sidecar): Promise<string> {
  const p = join(layout(home).backups, sidecarName(sidecar.id));
  await writeFileAtomic(p, JSON.stringify(sidecar, null, 2) + '\n', { mode: 0o600 });
  return p;
}

export async function removeBackup(b: StoredBackup): Promise<void> {
  // archive first: a sidecar without its archive never lists as valid
  if (b.archivePath) await rm(b.archivePath, { force: true });
  await rm(b.sidecarPath, { force: true });
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Partial archives whose writer is gone. */
export function stalePartials(partials: string[]): string[] {
  return partials.filter((p) => {
    const m = p.match(/\.(\d+)\.partial$/);
    return !m || Number(m[1]) === process.pid ? false : !isPidAlive(Number(m[1]));
  });
}

export const LAST_RESTORE = 'last-restore.json';
export async function recordRestore(home: string, rec: { backupId: string; parts: Part[]; at: string; safetyBackupId: string | null }): Promise<void> {
  await writeFileAtomic(join(layout(home).state, LAST_RESTORE), JSON.stringify(rec, null, 2) + '\n');
}
export async function lastRestore(home: string): Promise<{ backupId: string; parts: Part[]; at: string } | undefined> {
  try {
    return JSON.parse(await readFile(join(layout(home).state, LAST_RESTORE), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * A copy of backup `b` in `home`'s backups (another environment's home): the archive copied under a
 * temporary name, its SHA-256 checked against the manifest, renamed, then the sidecar. Already there: kept.
 */
/** A backup's sidecar as another home keeps it: received (never that home's own latest until restored there). */
export function received<S extends Sidecar>(sidecar: S): S {
  return { ...sidecar, incoming: { from: sidecar.environment ?? null, at: new Date().toISOString() } };
}

export async function shipBackup(b: StoredBackup, home: string): Promise<StoredBackup> {
  const dir = layout(home).backups;
  const there = await findBackup(home, b.id).catch(() => undefined);
  if (there) return there;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const archive = join(dir, b.sidecar.archive.file);
  const tmp = join(dir, partialName(b.id));
  let sum: string;
  try {
    await copyFile(b.archivePath, tmp);
    await chmod(tmp, 0o600);
    const h = createHash('sha256');
    await pipeline(createReadStream(tmp), h);
    sum = h.digest('hex');
    // on disk before it is named: a crash after the rename must not leave a short archive under its name
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    // a copy that failed (disk full, the source gone) leaves nothing behind
    await rm(tmp, { force: true });
    throw e;
  }
  if (sum !== b.sidecar.archive.sha256) {
    await rm(tmp, { force: true });
    throw integrityError(`backup ${b.id} changed while it was copied to ${dir} (SHA-256 ${sum.slice(0, 12)}…, the manifest says ${b.sidecar.archive.sha256.slice(0, 12)}…)`, { where: b.archivePath, hint: 'verify it (mcp backup verify --id ' + b.id + ') and try again' });
  }
  await rename(tmp, archive);
  await writeSidecar(home, received(b.sidecar));
  return findBackup(home, b.id);
}
