// `mcp db …`: the platform database — reach it, see and apply its migrations, undo them, repair.
import type { Command } from 'commander';
import type { App, Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';

const lockTimeout = (cmd: Command) =>
  cmd.option('--lock-timeout <seconds>', 'how long to wait for another run holding the database or the migration lock', '30');
const migrationsDir = (cmd: Command) =>
  cmd.option('--migrations-dir <dir>', "migration files to use instead of the platform's own (migrations/postgres or the compiled migrations/mongo)");
const dryRun = (cmd: Command, what: string) => cmd.option('--dry-run', `print ${what} without changing anything`);

export const registerDb: Register = (program, app: App) => {
  const db = group(program, 'db', 'the platform database: ping, migration status, migrate, rollback, reindex, repair, baseline', [
    'mcp db ping',
    'mcp db status --json',
    'mcp db migrate --version 5.0',
  ]);

  const ping = lockTimeout(
    leaf(db, {
      name: 'ping',
      description: 'connect to the platform database and report what it is (embedded PGlite by default, or MCP_DATABASE_URL / database.url)',
      examples: ['mcp db ping', 'MCP_DATABASE_URL=postgres://mcp@db:5432/mcp mcp db ping --json'],
    }),
  );
  handle(ping, app, async () => (await import('./ping.js')).dbPingHandler);

  const status = migrationsDir(
    lockTimeout(
      leaf(db, {
        name: 'status',
        description: 'list the migrations: applied, pending, failed (with the statement and error), changed since applied; read-only',
        examples: ['mcp db status', 'mcp db status --json'],
      }),
    ),
  );
  handle(status, app, async () => (await import('./status.js')).dbStatusHandler);

  const migrate = migrationsDir(
    lockTimeout(
      dryRun(
        leaf(db, {
          name: 'migrate',
          description: 'apply pending migrations in version order, each in its own transaction, under a lock; resumes a failed or interrupted one',
          examples: ['mcp db migrate --version 5.0', 'mcp db migrate --dry-run', 'mcp db migrate --lock-timeout 120'],
        }),
        'the SQL (or MongoDB operations) it would run',
      )
        .option('--version <version>', 'migrate up to this platform version (5.0 includes every 5.0.x migration); default: the newest')
        .option('--allow-out-of-order', 'also apply pending migrations older than the newest applied one'),
    ),
  );
  handle(migrate, app, async () => (await import('./migrate.js')).dbMigrateHandler);

  const rollback = migrationsDir(
    lockTimeout(
      dryRun(
        leaf(db, {
          name: 'rollback',
          description: 'undo every migration after VERSION (default: the newest applied version), newest first, with its down section; resumes a failed rollback',
          examples: ['mcp db rollback', 'mcp db rollback --to 4.2', 'mcp db rollback --to 5.0 --dry-run'],
        }),
        'the down SQL it would run',
      ).option('--to <version>', 'the version to return to (migrations of this version are kept); default: the version applied before the newest'),
    ),
  );
  handle(rollback, app, async () => (await import('./migrate.js')).dbRollbackHandler);

  const reindex = lockTimeout(
    dryRun(
      leaf(db, {
        name: 'reindex',
        description: "rebuild the indexes of the platform's tables (CONCURRENTLY on PostgreSQL, so writes go on), invalid ones included",
        examples: ['mcp db reindex', 'mcp db reindex --dry-run --json'],
      }),
      'the tables it would reindex',
    ),
  );
  handle(reindex, app, async () => (await import('./maint.js')).dbReindexHandler);

  const repair = migrationsDir(
    lockTimeout(
      dryRun(
        leaf(db, {
          name: 'repair',
          description: "accept the current checksum of applied migrations whose file changed (and replace the guide's placeholder checksums)",
          examples: ['mcp db repair --dry-run', 'mcp db repair'],
        }),
        'the checksums it would accept',
      ),
    ),
  );
  handle(repair, app, async () => (await import('./maint.js')).dbRepairHandler);

  const baseline = migrationsDir(
    lockTimeout(
      dryRun(
        leaf(db, {
          name: 'baseline',
          description: 'record every migration up to VERSION as applied without running it (a database whose schema was made another way)',
          examples: ['mcp db baseline --version 5.0', 'mcp db baseline --version 4.2 --dry-run'],
        }),
        'what it would record',
      ).option('--version <version>', 'the version the database already has'),
    ),
  );
  handle(baseline, app, async () => (await import('./maint.js')).dbBaselineHandler);
};
