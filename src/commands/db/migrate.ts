// `mcp db migrate` and `mcp db rollback`: both reversible (down migrations, tracked progress), so they run
// without --yes and without a terminal, as the guide's upgrade script does.
import type { Handler } from '../../cli/program.js';
import { preconditionError } from '../../errors.js';
import { engineOpts, openForCommand, versionFlag, type DbOpts } from './common.js';
import type { PlanItem, RunReport } from '../../db/sql-engine.js';
import { migrateTo, migrationStatus, rollbackTo } from '../../db/migrate.js';
import { describeContent } from '../../db/content.js';

export function renderRun(r: RunReport, verb: string, database: string): string[] {
  if (r.items.length === 0) return [`Nothing to ${verb}: ${database} is up to date${verb === 'roll back' ? ' for that version' : ''}.`];
  const lines: string[] = [];
  if (r.dryRun) lines.push(`Dry run against ${database}: nothing was changed. Would:`, '');
  for (const it of r.items) {
    const head = `${it.action.padEnd(8)} ${it.file}${it.variant && it.variant !== 'v4' ? ` [from the ${it.variant} layout]` : ''}${it.note ? `  (${it.note})` : ''}`;
    lines.push(r.dryRun ? head : `${it.ok ? '✓' : '✗'} ${head}${it.durationMs !== undefined ? ` — ${it.durationMs} ms` : ''}${it.rows ? `, ${it.rows} rows copied` : ''}`);
    if (r.dryRun) lines.push(...renderSteps(it));
  }
  if (r.content) lines.push(`✓ content: ${describeContent(r.content)}`);
  return lines;
}

function renderSteps(it: PlanItem): string[] {
  const out: string[] = [];
  it.steps.forEach((s, i) => {
    const label =
      s.kind === 'tx' ? 'in one transaction'
      : s.kind === 'notx' ? 'outside a transaction'
      : s.kind === 'check' ? 'checks: each row returned is a problem that stops the migration before it changes anything'
      : s.kind === 'verify' ? 'verify: every record is compared with the snapshot taken before the run; a difference stops here'
      : `in batches of ${s.size} ($1 = last key done, $2 = batch size), one transaction each`;
    out.push(`  -- step ${it.fromStep + i + 1}: ${label}`);
    for (const st of s.statements) out.push(...st.split('\n').map((l) => `  ${l}`).map((l, j, a) => (j === a.length - 1 ? `${l};` : l)));
  });
  return out;
}

const summary = (r: RunReport) =>
  r.items.map((i) => ({ action: i.action, version: i.version, seq: i.seq, name: i.name, file: i.file, variant: i.variant, note: i.note, durationMs: i.durationMs, rows: i.rows, steps: r.dryRun ? i.steps : undefined }));
const contentOf = (r: RunReport) => (r.content ? { ok: r.content.ok, records: r.content.records, tables: r.content.tables, changed: r.content.changed, missing: r.content.missing, added: r.content.added, snapshot: { takenAt: r.content.baseline.takenAt, label: r.content.baseline.label, records: r.content.baseline.records } } : undefined);

export const dbMigrateHandler: Handler<DbOpts & { version?: string; allowOutOfOrder?: boolean }> = async (ctx, opts) => {
  const target = versionFlag(opts.version, '--version');
  const db = await openForCommand(ctx, opts);
  try {
    const r = await migrateTo(db, { ...engineOpts(ctx, opts), migrationsDir: opts.migrationsDir, target, dryRun: opts.dryRun, allowOutOfOrder: opts.allowOutOfOrder });
    ctx.log.log('info', 'db.migrate', { database: db.display, target, dryRun: !!opts.dryRun, applied: r.items.map((i) => `${i.action} ${i.file}`) });
    return { data: { database: db.display, target: target ?? 'latest', dryRun: r.dryRun, actions: summary(r), content: contentOf(r) }, text: renderRun(r, 'migrate', db.display) };
  } finally {
    await db.close();
  }
};

/**
 * Without --to: undo the newest applied version (every migration of it), back to the version applied
 * before it. Nothing applied, or only one version: nothing older to return to, exit 3 naming --to.
 */
async function lastVersionBack(db: Awaited<ReturnType<typeof openForCommand>>, migrationsDir: string | undefined): Promise<string> {
  const st = await migrationStatus(db, { migrationsDir });
  const applied = [...new Set(st.migrations.filter((m) => m.state === 'applied' || m.state === 'baselined' || m.state === 'failed').map((m) => m.version))];
  if (!applied.length) throw preconditionError(`no migration is applied to ${db.display}: nothing to roll back`, { hint: 'mcp db status shows what is applied' });
  if (applied.length === 1) {
    throw preconditionError(`only ${applied[0]} is applied to ${db.display}: there is no older version to return to`, { hint: 'to undo it too, name the version before it: mcp db rollback --to VERSION' });
  }
  return applied[applied.length - 2]!;
}

export const dbRollbackHandler: Handler<DbOpts & { to?: string }> = async (ctx, opts) => {
  const db = await openForCommand(ctx, opts);
  try {
    const to = opts.to ? versionFlag(opts.to, '--to')! : await lastVersionBack(db, opts.migrationsDir);
    if (!opts.to) ctx.out.progress(`rolling back the newest applied version, to ${to}`);
    const r = await rollbackTo(db, { ...engineOpts(ctx, opts), migrationsDir: opts.migrationsDir, to, dryRun: opts.dryRun });
    ctx.log.log('info', 'db.rollback', { database: db.display, to, dryRun: !!opts.dryRun, rolledBack: r.items.map((i) => i.file) });
    return { data: { database: db.display, to, dryRun: r.dryRun, actions: summary(r), content: contentOf(r) }, text: renderRun(r, 'roll back', db.display) };
  } finally {
    await db.close();
  }
};
