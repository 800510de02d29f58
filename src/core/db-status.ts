// `mcp db status`: what is applied, pending, failed or changed — read-only, creates nothing.
import type { Handler } from '../cli/program.js';
import { openForCommand, sqlMigrationsFor, type DbOpts } from './db-common.js';
import { sqlStatus, type StatusReport } from '../db/sql-engine.js';
import { detectLayout } from '../db/layouts.js';

export function renderStatus(r: StatusReport & { layout?: string }): string[] {
  const lines = [
    `Database: ${r.database} (${r.kind}${r.layout ? `, ${r.layout} layout` : ''})`,
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
    let report: StatusReport & { layout?: string };
    if (db.kind === 'mongo') {
      const { mongoStatus, loadMongoMigrations } = await import('../db/mongo-engine.js');
      report = await mongoStatus(db, await loadMongoMigrations(opts.migrationsDir));
    } else {
      report = { ...(await sqlStatus(db, await sqlMigrationsFor(opts))), layout: await detectLayout(db) };
    }
    return { data: report, text: renderStatus(report) };
  } finally {
    await db.close();
  }
};
