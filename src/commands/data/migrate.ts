// `mcp data migrate --source A --target B [--exclude GLOB…] [--link PATH | --no-link] [--dry-run]`.
// A run is recorded in <home>/state/data-migrate.json; a rerun after an interruption says it resumes
// and completes the copy (rsync skips what is already there).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { layout } from '../../home.js';
import { writeFileAtomic } from '../../fsutil.js';
import { migrateData, planMigration, type MigrateResult } from '../../data/migrate.js';

interface Opts {
  source?: string;
  target?: string;
  exclude?: string[];
  link?: string | boolean;
  dryRun?: boolean;
  bwlimit?: string;
}

interface Journal {
  source: string;
  target: string;
  status: 'running' | 'verified' | 'differences';
  startedAt: string;
  finishedAt?: string;
}

export const dataMigrateHandler: Handler<Opts> = async (ctx, opts) => {
  if (!opts.source) throw usageError('--source is required', { hint: 'mcp data migrate --source /old/data/path --target /new/data/path' });
  if (!opts.target) throw usageError('--target is required', { hint: 'mcp data migrate --source /old/data/path --target /new/data/path' });
  const journalPath = join(layout(ctx.home).state, 'data-migrate.json');
  const previous = await readFile(journalPath, 'utf8').then((t) => JSON.parse(t) as Journal, () => undefined);
  let bwlimitKiBps: number | undefined;
  if (opts.bwlimit !== undefined) {
    bwlimitKiBps = Number(opts.bwlimit);
    if (!Number.isInteger(bwlimitKiBps) || bwlimitKiBps <= 0) throw usageError(`--bwlimit '${opts.bwlimit}' is not a positive whole number of KiB/s`, { where: '--bwlimit' });
  }
  const link: string | false | undefined = opts.link === false ? false : typeof opts.link === 'string' ? opts.link : undefined;
  const common = {
    source: opts.source,
    target: opts.target,
    excludes: opts.exclude,
    bwlimitKiBps,
    link,
    defaultLink: layout(ctx.home).data,
    env: ctx.env,
    signal: ctx.signal,
    echo: (l: string) => ctx.out.debug(l),
    progress: (m: string) => ctx.out.progress(m),
  };
  let result: MigrateResult;
  if (opts.dryRun) {
    result = await migrateData({ ...common, dryRun: true });
  } else {
    const plan = await planMigration({ ...common, dryRun: true });
    const resuming = previous?.status === 'running' && previous.source === plan.source && previous.target === plan.target;
    if (resuming) ctx.out.progress(`resuming the interrupted migration started ${previous!.startedAt}`);
    const journal: Journal = { source: plan.source, target: plan.target, status: 'running', startedAt: resuming ? previous!.startedAt : new Date().toISOString() };
    await writeFileAtomic(journalPath, JSON.stringify(journal, null, 2) + '\n');
    ctx.log.log('info', 'data.migrate.start', { source: plan.source, target: plan.target, excludes: plan.excludes, resuming });
    result = await migrateData({ ...common, dryRun: false });
    journal.status = result.verification?.identical ? 'verified' : 'differences';
    journal.finishedAt = new Date().toISOString();
    await writeFileAtomic(journalPath, JSON.stringify(journal, null, 2) + '\n');
    ctx.log.log(result.verification?.identical ? 'info' : 'warn', 'data.migrate.end', {
      source: plan.source,
      target: plan.target,
      transferred: result.transferred,
      differences: result.verification?.differences.length,
      link: result.link,
    });
  }
  return render(result);
};

function render(r: MigrateResult) {
  const p = r.plan;
  const text: string[] = [];
  const linkLine = () => {
    const l = r.link;
    if (l.action === 'skip') return `data link: not changed (${l.reason})`;
    if (l.action === 'unchanged') return `data link: ${l.path} already points at ${l.to}`;
    if (r.dryRun) return `data link: would ${l.action === 'create' ? 'create' : 'update'} ${l.path} → ${l.to}${l.from ? ` (now → ${l.from})` : ''}`;
    return l.done ? `data link: ${l.path} → ${l.to}${l.from ? ` (was → ${l.from})` : ''}` : `data link: NOT changed (${l.path} still → ${l.from ?? 'nothing'}) because verification failed`;
  };
  if (r.dryRun) {
    text.push(`Dry run: nothing was changed.`);
    text.push(`would create: ${p.createDirs.length ? p.createDirs.join(', ') : '(target structure exists)'}`);
    text.push(`would run: rsync ${p.rsync.join(' ')}`);
    text.push(`would copy ${r.transferred} file${r.transferred === 1 ? '' : 's'}${r.wouldTransfer?.length ? `: ${r.wouldTransfer.slice(0, 20).join(', ')}${r.wouldTransfer.length > 20 ? ', …' : ''}` : ''}`);
    text.push('would normalize permissions (directories 755, files 644) and verify by content checksum');
    text.push(linkLine());
    return { data: { dryRun: true, plan: p, wouldTransfer: r.wouldTransfer, link: r.link }, text };
  }
  const v = r.verification!;
  text.push(`Copied ${p.source}/ → ${p.target}/: ${r.transferred} file${r.transferred === 1 ? '' : 's'} transferred (excluded: ${p.excludes.join(' ')})`);
  const perm = r.permissions!;
  text.push(`permissions: ${perm.directories} directories 755, ${perm.files} files 644 (${perm.changed} changed)${perm.keptPrivate.length ? `; kept private: ${perm.keptPrivate.join(', ')}` : ''}`);
  if (v.identical) text.push(`verified: ${v.files} files (${v.bytes} bytes), ${v.directories} directories, ${v.symlinks} symlinks identical by SHA-256`);
  else {
    text.push(`verification FAILED: ${v.differences.length} difference${v.differences.length === 1 ? '' : 's'}${r.repaired ? ' (after a repair pass)' : ''}:`);
    for (const d of v.differences) text.push(`  ${d.kind.padEnd(7)} ${d.path}: ${d.detail}`);
  }
  text.push(linkLine());
  return {
    data: {
      ok: v.identical,
      dryRun: false,
      plan: p,
      transferred: r.transferred,
      permissions: perm,
      verification: v,
      repaired: r.repaired,
      link: r.link,
    },
    text,
    exitCode: v.identical ? ExitCode.OK : ExitCode.PRECONDITION,
  };
}
