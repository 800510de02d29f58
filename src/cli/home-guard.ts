// Before a command touches the home: an interrupted restore is finished or undone (its journal says which;
// src/backup/engine.ts recoverPendingRestore), and what dead processes left behind is removed. Commands
// that only read are not refused while a restore cannot be settled; they say so and go on.
import { existsSync } from 'node:fs';
import { ctxForHome, engineEnv, type Ctx } from './context.js';

// commands that change nothing in the home (with --dry-run every command is one)
const READ_ONLY = new Set([
  'db ping', 'db status', 'services list', 'status', 'health', 'data verify', 'config export', 'config validate',
  'migration check', 'migration requirements', 'migration validate', 'migration preflight', 'migration schedule', 'migration status',
  'migration verify', 'migration validate-data', 'migration verify-data', 'migration export-data', 'migration transform', 'migration convert',
  'logs', 'logs export', 'metrics', 'backup list', 'backup verify', 'version', 'dashboard', 'check', 'plan', 'verify', 'help', 'migrate', 'convert',
]);

export const isReadOnly = (command: string, opts: Record<string, unknown>) => READ_ONLY.has(command) || opts.dryRun === true;

export async function guardHome(ctx: Ctx, opts: Record<string, unknown>): Promise<void> {
  const { journalPath, readJournal } = await import('../backup/restore-journal.js');
  const resume = ctx.command.endsWith('restore') && opts.resume === true;
  let referenced = new Set<string>();
  if (existsSync(journalPath(ctx.home)) && !resume) {
    const { recoverPendingRestore } = await import('../backup/engine.js');
    await recoverPendingRestore(engineEnv(ctx), { readOnly: isReadOnly(ctx.command, opts) });
  }
  // what a restore still in progress (or not yet settled) refers to is its own, not a leftover
  const j = existsSync(journalPath(ctx.home)) ? await readJournal(ctx.home).catch(() => undefined) : undefined;
  if (j) referenced = new Set([j.stage, ...j.swaps.map((s) => s.old)]);
  const { sweepLeftovers } = await import('../backup/leftovers.js');
  for (const x of await sweepLeftovers(ctx.home, referenced)) {
    ctx.out.warn(`removed ${x.kind} ${x.path}${x.pid ? ` (its process ${x.pid} is gone)` : ''}`);
  }
}

/**
 * `ctx` moved to another environment's home (`--env NAME`), with that home guarded like the one a command
 * starts in: an interrupted restore there is settled first, leftovers of dead processes removed.
 */
export async function enterHome(ctx: Ctx, home: string, opts: Record<string, unknown>): Promise<Ctx> {
  const there = ctxForHome(ctx, home);
  await guardHome(there, opts);
  return there;
}
