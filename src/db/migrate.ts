// One entry point per operation whatever the database: what the executor's plan steps and the
// `mcp db` handlers call. SQL (PostgreSQL, PGlite) and MongoDB engines share planning and reports.
import type { Database } from './types.js';
import type { EngineOptions, RunReport, StatusReport } from './sql-engine.js';
import { loadSqlMigrations } from './sqlfile.js';
import { POSTGRES_MIGRATIONS_DIR } from './layouts.js';

export type { EngineOptions, RunReport, StatusReport };

export interface MigrationsSource {
  /** other migration files than the platform's own */
  migrationsDir?: string;
}

async function sqlMigs(src: MigrationsSource) {
  return loadSqlMigrations(src.migrationsDir ?? POSTGRES_MIGRATIONS_DIR);
}

export async function migrationStatus(db: Database, src: MigrationsSource = {}): Promise<StatusReport> {
  if (db.kind === 'mongo') {
    const m = await import('./mongo-engine.js');
    return m.mongoStatus(db, await m.loadMongoMigrations(src.migrationsDir));
  }
  const { sqlStatus } = await import('./sql-engine.js');
  return sqlStatus(db, await sqlMigs(src));
}

/** Apply pending migrations up to `target` (e.g. '5.0'; default: all). Reversible with rollbackTo. */
export async function migrateTo(db: Database, opts: EngineOptions & MigrationsSource & { target?: string; dryRun?: boolean; allowOutOfOrder?: boolean }): Promise<RunReport> {
  if (db.kind === 'mongo') {
    const m = await import('./mongo-engine.js');
    return m.mongoMigrate(db, await m.loadMongoMigrations(opts.migrationsDir), opts);
  }
  const { sqlMigrate } = await import('./sql-engine.js');
  return sqlMigrate(db, await sqlMigs(opts), opts);
}

/** Undo every migration after `to` (e.g. '4.2'), newest first. */
export async function rollbackTo(db: Database, opts: EngineOptions & MigrationsSource & { to: string; dryRun?: boolean }): Promise<RunReport> {
  if (db.kind === 'mongo') {
    const m = await import('./mongo-engine.js');
    return m.mongoRollback(db, await m.loadMongoMigrations(opts.migrationsDir), opts);
  }
  const { sqlRollback } = await import('./sql-engine.js');
  return sqlRollback(db, await sqlMigs(opts), opts);
}

/**
 * Every record now against the snapshot the newest migrate or rollback took before it ran (undefined: no
 * snapshot). PostgreSQL and PGlite; MongoDB compares its documents in its own engine (undefined here).
 */
export async function contentCheck(db: Database, src: MigrationsSource = {}): Promise<import('./content.js').ContentReport | undefined> {
  if (db.kind === 'mongo') return undefined;
  const { sqlContentCheck } = await import('./sql-engine.js');
  return sqlContentCheck(db, await sqlMigs(src));
}
