// Moving a data directory (the guide's filesystem-migration.sh, done safely):
//   1. create the target structure (services, configs, backups, logs)
//   2. rsync -a with the excludes (resumable: rerunning after an interruption completes the copy)
//   3. normalize permissions (dirs 755, files 644) without following links; private entries stay private
//   4. verify by content checksum, listing every difference (one repair pass with rsync --checksum)
//   5. only then point the data symlink at the target (atomically)
// Dry-run builds the same plan and asks rsync what it would copy (rsync -n), changing nothing.
import { chmod, lstat, mkdir, readlink, realpath, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../runtime/exec.js';
import { preconditionError, usageError } from '../errors.js';
import { compareTrees, excludeMatcher, walk, type CompareResult } from './tree.js';

export const DEFAULT_EXCLUDES = ['*.tmp', '*.log'];
export const TARGET_DIRS = ['services', 'configs', 'backups', 'logs'];
/** rsync keeps partially transferred files here across an interruption; removed when a run completes */
export const PARTIAL_DIR = '.mcp-rsync-partial';

export interface MigrateOptions {
  source: string;
  target: string;
  excludes?: string[];
  /** rsync --bwlimit in KiB/s: spare a production disk or network during the copy */
  bwlimitKiBps?: number;
  /** the symlink to point at the target: a path, false for none, undefined for the default */
  link?: string | false;
  /** <home>/data: the default link when it is a symlink */
  defaultLink: string;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  echo?: (line: string) => void;
  progress?: (msg: string) => void;
}

export interface LinkPlan {
  path: string;
  action: 'update' | 'create' | 'unchanged' | 'skip';
  from?: string;
  to: string;
  reason?: string;
}

export interface MigratePlan {
  source: string;
  target: string;
  excludes: string[];
  createDirs: string[];
  rsync: string[];
  link: LinkPlan;
}

const within = (parent: string, child: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

async function realOrResolved(p: string): Promise<string> {
  // the target may not exist yet: resolve its nearest existing ancestor
  const abs = resolve(p);
  let cur = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(await realpath(cur), ...rest.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return abs;
      rest.push(cur.slice(up.length).replace(/^[/\\]/, ''));
      cur = up;
    }
  }
}

export async function planMigration(o: MigrateOptions): Promise<MigratePlan> {
  const srcStat = await stat(o.source).catch(() => undefined);
  if (!srcStat) throw usageError(`${o.source} does not exist`, { where: '--source', hint: 'give the current data directory' });
  if (!srcStat.isDirectory()) throw usageError(`${o.source} is not a directory`, { where: '--source' });
  const source = await realpath(o.source);
  const target = await realOrResolved(o.target);
  if (within(source, target)) throw usageError(`--target ${o.target} is inside --source ${o.source}`, { where: '--target', hint: 'the copy would copy itself; choose a target outside the source' });
  if (within(target, source)) throw usageError(`--source ${o.source} is inside --target ${o.target}`, { where: '--target', hint: 'choose a target that does not contain the source' });
  const tStat = await stat(target).catch(() => undefined);
  if (tStat && !tStat.isDirectory()) throw usageError(`${o.target} exists and is not a directory`, { where: '--target' });
  const excludes = o.excludes && o.excludes.length ? o.excludes : DEFAULT_EXCLUDES;
  const createDirs: string[] = [];
  for (const d of ['', ...TARGET_DIRS]) {
    const p = d ? join(target, d) : target;
    if (!(await stat(p).catch(() => undefined))) createDirs.push(p);
  }
  const rsync = ['-a', `--partial-dir=${PARTIAL_DIR}`, ...(o.bwlimitKiBps ? [`--bwlimit=${o.bwlimitKiBps}`] : []), ...excludes.map((e) => `--exclude=${e}`), `${source}/`, `${target}/`];
  return { source, target, excludes, createDirs, rsync, link: await planLink(o, target) };
}

async function planLink(o: MigrateOptions, target: string): Promise<LinkPlan> {
  if (o.link === false) return { path: o.defaultLink, action: 'skip', to: target, reason: '--no-link' };
  const explicit = typeof o.link === 'string';
  const path = resolve(explicit ? (o.link as string) : o.defaultLink);
  const st = await lstat(path).catch(() => undefined);
  if (!st) {
    if (explicit) return { path, action: 'create', to: target };
    return { path, action: 'skip', to: target, reason: `${path} does not exist (pass --link ${path} to create it)` };
  }
  if (!st.isSymbolicLink()) {
    if (explicit) throw preconditionError(`--link ${path} exists and is not a symbolic link`, { where: '--link', hint: 'move it away first, or pass another --link path' });
    return { path, action: 'skip', to: target, reason: `${path} is a directory, not a symbolic link; left alone (pass --link PATH to point a link at the target)` };
  }
  const from = await readlink(path);
  const cur = await realpath(path).catch(() => undefined);
  return { path, action: cur === target ? 'unchanged' : 'update', from, to: target };
}

export interface PermissionReport {
  directories: number;
  files: number;
  changed: number;
  /** entries with no group/other access in the target: kept private (700/600) rather than opened up */
  keptPrivate: string[];
}

/** dirs 755, files 644; entries with no group/other permission stay 700/600; symlinks are never followed or changed. */
export async function normalizePermissions(root: string, skip: (rel: string) => boolean): Promise<PermissionReport> {
  const entries = await walk(root, () => false, skip);
  const rep: PermissionReport = { directories: 0, files: 0, changed: 0, keptPrivate: [] };
  const apply = async (p: string, mode: number, want: number) => {
    if (mode !== want) {
      await chmod(p, want);
      rep.changed++;
    }
  };
  for (const e of [{ rel: '', kind: 'dir' as const, mode: (await lstat(root)).mode & 0o7777 }, ...entries]) {
    const p = e.rel ? join(root, e.rel) : root;
    const priv = (e.mode & 0o077) === 0;
    if (e.kind === 'dir') {
      rep.directories++;
      if (priv && e.rel) rep.keptPrivate.push(`${e.rel}/`);
      await apply(p, e.mode, priv && e.rel ? 0o700 : 0o755);
    } else if (e.kind === 'file') {
      rep.files++;
      if (priv) rep.keptPrivate.push(e.rel);
      await apply(p, e.mode, priv ? 0o600 : 0o644);
    }
  }
  return rep;
}

export interface MigrateResult {
  plan: MigratePlan;
  dryRun: boolean;
  /** files rsync copied (or would copy, with --dry-run) */
  transferred: number;
  wouldTransfer?: string[];
  permissions?: PermissionReport;
  verification?: CompareResult;
  repaired?: boolean;
  link: LinkPlan & { done: boolean };
}

const rsyncEnv = (env: NodeJS.ProcessEnv) => ({ ...env, LC_ALL: 'C' });

function countTransferred(stdout: string): number {
  const m = stdout.match(/Number of (?:regular )?files transferred:\s*([\d,]+)/);
  return m ? Number(m[1]!.replace(/,/g, '')) : 0;
}

export async function migrateData(o: MigrateOptions): Promise<MigrateResult> {
  const plan = await planMigration(o);
  const runOpts = { env: rsyncEnv(o.env), echo: o.echo, signal: o.signal };
  if (o.dryRun) {
    // rsync -n against a target that does not exist yet still lists everything it would copy
    const r = await run('rsync', ['-n', '--out-format=%n', ...plan.rsync], runOpts);
    const names = r.stdout.split('\n').filter((l) => l && !l.endsWith('/'));
    return { plan, dryRun: true, transferred: names.length, wouldTransfer: names, link: { ...plan.link, done: false } };
  }
  // a missing rsync is found before anything is created (exec.ts makes it exit 3 naming the binary)
  await run('rsync', ['--version'], runOpts);
  // the guide's layout of a data target (mkdir -p …; chmod 755): mounted into containers, so readable by them,
  // whatever umask mcp runs with
  for (const d of plan.createDirs) {
    await mkdir(d, { recursive: true, mode: 0o755 });
    await chmod(d, 0o755);
  }
  o.progress?.(`copying ${plan.source}/ → ${plan.target}/ (rsync -a, excluding ${plan.excludes.join(' ')})`);
  const first = await run('rsync', ['--stats', ...plan.rsync], runOpts);
  let transferred = countTransferred(first.stdout);
  const skipTarget = (rel: string) => rel === PARTIAL_DIR;
  const exclude = excludeMatcher(plan.excludes);
  const permissions = await normalizePermissions(plan.target, skipTarget);
  o.progress?.('verifying by content checksum');
  let verification = await compareTrees(plan.source, plan.target, exclude, skipTarget);
  let repaired = false;
  if (verification.differences.some((d) => d.kind !== 'extra')) {
    // rsync's quick check trusts size+mtime; compare contents once and copy what differs, then verify again
    o.progress?.(`${verification.differences.length} differences; one repair pass with rsync --checksum`);
    const again = await run('rsync', ['--stats', '--checksum', ...plan.rsync], runOpts);
    transferred += countTransferred(again.stdout);
    Object.assign(permissions, await normalizePermissions(plan.target, skipTarget));
    verification = await compareTrees(plan.source, plan.target, exclude, skipTarget);
    repaired = true;
  }
  await rm(join(plan.target, PARTIAL_DIR), { recursive: true, force: true });
  let done = false;
  if (verification.identical && (plan.link.action === 'update' || plan.link.action === 'create')) {
    await mkdir(dirname(plan.link.path), { recursive: true });
    const tmp = join(dirname(plan.link.path), `.${relative(dirname(plan.link.path), plan.link.path)}.${randomBytes(4).toString('hex')}.tmp`);
    await symlink(plan.target, tmp);
    try {
      await rename(tmp, plan.link.path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    done = true;
  }
  return { plan, dryRun: false, transferred, permissions, verification, repaired, link: { ...plan.link, done } };
}
