// `mcp db status`: what is applied, pending, failed or changed — read-only, creates nothing.
import type { Handler } from '../../cli/program.js';
import { openForCommand, sqlMigrationsFor, type DbOpts } from './common.js';
import { sqlStatus, type SqlStatusReport, type StatusReport } from '../../db/sql-engine.js';

const layoutName = (l: string) =>
  l === 'guide' ? "the guide's layout" : l === 'partial' ? 'partly migrated' : l === 'unknown' ? 'unknown layout' : l === 'none' ? 'no platform tables' : `${l} layout`;

export function renderStatus(r: StatusReport & Partial<Pick<SqlStatusReport, 'layout' | 'layoutDetails'>>): string[] {
  const lines = [
    `Database: ${r.database} (${r.kind}${r.layout ? `, ${layoutName(r.layout)}${(r.layout === 'v4' || r.layout === 'partial') && r.layoutDetails ? `: ${r.layoutDetails.legacyTable}` : ''}` : ''})`,
    ...(r.layoutDetails?.problems.map((p) => `  ! ${p}`) ?? []),
    `Tracking: ${r.trackingTable === 'missing' ? 'no migrations table yet' : r.trackingTable === 'guide' ? "the guide's migrations table (adopted on the next migrate)" : 'migrations table'}`,
    `Current version: ${r.current ?? 'none'}`,
    '',
  ];
  const w = Math.max(...r.migrations.map((m) => `${m.version}_${m.seq} ${m.name}`.length), 10);
  for (const m of r.migrations) {
    const flags = [m.drifted ? 'CHANGED since applied' : '', m.placeholderChecksum ? 'placeholder checksum' : ''].filter(Boolean).join(', ');
    const when = m.executedAt && (m.state === 'applied' || m.state === 'baselined') ? ` ${m.executedAt.replace('T', ' ').slice(0, 19)}${m.durationMs != null ? ` ${m.durationMs} ms` : ''}` : '';
    const partial = m.stepsDone !== undefined ? ` (${m.direction === 'down' ? 'rollback ' : ''}step ${m.stepsDone}/${m.steps}${m.rowsDone ? `, ${m.rowsDone} rows` : ''})` : '';
    lines.push(`  ${`${m.version}_${m.seq} ${m.name}`.padEnd(w)}  ${m.state.padEnd(11)}${when}${partial}${flags ? `  [${flags}]` : ''}`);
    if (m.error) lines.push(`      error: ${m.error}`);
    if (m.failedStatement) lines.push(`      statement: ${m.failedStatement.split('\n')[0]!.slice(0, 120)}`);
  }
  for (const u of r.unknown) lines.push(`  ${u.version} ${u.name}  ${u.status ?? ''}  [no such file here]`);
  lines.push('', `${r.pending} pending${r.failed ? `, ${r.failed} failed or interrupted` : ''}${r.drifted.length ? `, ${r.drifted.length} changed since applied (mcp db repair accepts)` : ''}`);
  return lines;
}

export const dbStatusHandler: Handler<DbOpts> = async (ctx, opts) => {
  const db = await openForCommand(ctx, opts);
  try {
    let report: StatusReport & Partial<Pick<SqlStatusReport, 'layout' | 'layoutDetails'>>;
    if (db.kind === 'mongo') {
      const { mongoStatus, loadMongoMigrations } = await import('../../db/mongo-engine.js');
      report = await mongoStatus(db, await loadMongoMigrations(opts.migrationsDir));
    } else {
      report = await sqlStatus(db, await sqlMigrationsFor(opts));
    }
    // ok: nothing failed, interrupted or changed since applied (pending migrations are not wrong)
    return { data: { ok: report.failed === 0 && report.drifted.length === 0, ...report }, text: renderStatus(report) };
  } finally {
    await db.close();
  }
};
