// `mcp db …`: the platform database — reach it, see and apply its migrations, undo them, repair.
import type { Command } from 'commander';
import type { App, Register } from '../program.js';
import { group, handle, leaf } from '../program.js';

const lockTimeout = (cmd: Command) =>
  cmd.option('--lock-timeout <seconds>', 'how long to wait for another run holding the database or the migration lock', '30');

export const registerDb: Register = (program, app: App) => {
  const db = group(program, 'db', 'the platform database: ping, migration status, migrate, rollback, reindex, repair, baseline', [
    'mcp db ping',
    'mcp db status --json',
    'mcp db migrate --version 5.0',
  ]);

  lockTimeout(
    leaf(db, {
      name: 'ping',
      description: 'connect to the platform database and report what it is (embedded PGlite by default, or MCP_DATABASE_URL / database.url)',
      examples: ['mcp db ping', 'MCP_DATABASE_URL=postgres://mcp@db:5432/mcp mcp db ping --json'],
    }),
  );
  handle(db.commands.find((c) => c.name() === 'ping')!, app, async () => (await import('../../core/db-ping.js')).dbPingHandler);
};
