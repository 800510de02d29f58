// `mcp db repair`, `mcp db baseline`, `mcp db reindex`: explicit, tracked maintenance — never a silent "force".
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { engineOpts, openForCommand, sqlMigrationsFor, versionFlag, type DbOpts } from './common.js';
import { sqlBaseline, sqlReindex, sqlRepair } from '../../db/sql-engine.js';
import { TRACKING_TABLE, V4_TABLES, V6_TABLES } from '../../db/layouts.js';
import { renderRun } from './migrate.js';

export const dbRepairHandler: Handler<DbOpts> = async (ctx, opts) => {
  const db = await openForCommand(ctx, opts);
  try {
    let r: { accepted: { file: string; from: string | null; to: string }[]; dryRun: boolean; locksCleared?: number };
    if (db.kind === 'mongo') {
      const { mongoRepair, loadMongoMigrations } = await import('../../db/mongo-engine.js');
      r = await mongoRepair(db, await loadMongoMigrations(opts.migrationsDir), { ...engineOpts(ctx, opts), dryRun: opts.dryRun });
    } else {
      r = await sqlRepair(db, await sqlMigrationsFor(opts), { ...engineOpts(ctx, opts), dryRun: opts.dryRun });
    }
    const text = r.accepted.length
      ? [
          `${r.dryRun ? 'Would accept' : 'Accepted'} the current checksum of ${r.accepted.length} applied migration${r.accepted.length > 1 ? 's' : ''}:`,
          ...r.accepted.map((a) => `  ${a.file}: ${a.from ?? '(none)'} -> ${a.to}`),
        ]
      : ['Nothing to repair: every applied migration matches its file.'];
    return { data: { database: db.display, dryRun: r.dryRun, accepted: r.accepted }, text };
  } finally {
    await db.close();
  }
};

export const dbBaselineHandler: Handler<DbOpts & { version?: string }> = async (ctx, opts) => {
  if (!opts.version) throw usageError('--version V is required', { hint: 'e.g. mcp db baseline --version 5.0 (records every migration up to 5.0 as applied, runs none)' });
  const version = versionFlag(opts.version, '--version')!;
  const db = await openForCommand(ctx, opts);
  try {
    const r =
      db.kind === 'mongo'
        ? await (async () => {
            const { mongoBaseline, loadMongoMigrations } = await import('../../db/mongo-engine.js');
            return mongoBaseline(db, await loadMongoMigrations(opts.migrationsDir), { ...engineOpts(ctx, opts), version, dryRun: opts.dryRun });
          })()
        : await sqlBaseline(db, await sqlMigrationsFor(opts), { ...engineOpts(ctx, opts), version, dryRun: opts.dryRun });
    return {
      data: { database: db.display, version, dryRun: r.dryRun, baselined: r.items.map((i) => i.file) },
      text: r.items.length ? renderRun(r, 'baseline', db.display) : [`Nothing to baseline: every migration up to ${version} is already recorded as applied.`],
    };
  } finally {
    await db.close();
  }
};

export const dbReindexHandler: Handler<DbOpts> = async (ctx, opts) => {
  const db = await openForCommand(ctx, opts);
  try {
    if (db.kind === 'mongo') {
      const { mongoReindex } = await import('../../db/mongo-engine.js');
      const r = await mongoReindex(db, { ...engineOpts(ctx, opts), dryRun: opts.dryRun });
      return { data: { database: db.display, ...r }, text: r.collections.map((c) => `${r.dryRun ? 'would check' : 'checked'} ${c.collection}: ${c.indexes.join(', ')}`) };
    }
    const tables = [...new Set([...V6_TABLES, ...V4_TABLES, TRACKING_TABLE])];
    const r = await sqlReindex(db, tables, { ...engineOpts(ctx, opts), dryRun: opts.dryRun });
    return {
      data: { database: db.display, ...r },
      text: [
        ...(r.invalidBefore.length ? [`invalid indexes found: ${r.invalidBefore.join(', ')} (rebuilt)`] : []),
        ...r.tables.map((t) => (r.dryRun ? `would reindex ${t.table} (concurrently)` : `reindexed ${t.table} in ${t.durationMs} ms`)),
        ...(r.tables.length ? [] : ['no platform tables to reindex']),
      ],
    };
  } finally {
    await db.close();
  }
};
