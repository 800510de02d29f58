// `mcp backup create|list|verify|restore|prune`, `mcp restore`, `mcp config restore`, `mcp data verify`,
// and the data package `mcp migration export-data|transform|validate-data|verify-data`.
import type { Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';

import { PASSPHRASE_FILE } from '../options.js';

export const registerBackup: Register = (program, app) => {
  const backup = group(program, 'backup', 'verified backups: create, list, verify, restore, prune', [
    'mcp backup create --name "pre-migration-$(date +%Y%m%d-%H%M%S)"',
    'mcp backup list',
    'mcp backup restore --id backup_12345 --data-only',
  ]);
  const engine = async () => import('./handlers.js');

  const create = leaf(backup, {
    name: 'create',
    description: 'stream config, version history, data files and a consistent database dump into one archive with a SHA-256 manifest',
    examples: [
      'mcp backup create --name "pre-migration-$(date +%Y%m%d-%H%M%S)"',
      'mcp backup create --full --name "v4-final-backup"',
      'mcp backup create --full --verify',
      'mcp backup create --env development --data-only',
      'MCP_BACKUP_PASSPHRASE=… mcp backup create --encrypt',
    ],
  })
    .option('--name <name>', 'a name to find it by (default: the id)')
    .option('--full', 'config, version history, data files and database (the default)')
    .option('--data-only', 'data files and database only')
    .option('--config-only', 'config and version history only')
    .option('--env <name>', 'this home\'s environment (the label recorded, checked against the config), or a registered one: the backup is made of and kept in that environment\'s home')
    .option('--verify', 'prove the archive restores: into a scratch directory and embedded database, comparing checksums and row counts')
    .option('--encrypt', 'AES-256-GCM with a key derived (scrypt) from $MCP_BACKUP_PASSPHRASE or --passphrase-file')
    .option(...PASSPHRASE_FILE);
  handle(create, app, async () => (await engine()).createHandler);

  const list = leaf(backup, { name: 'list', description: 'complete backups, newest first (interrupted creates never list)', examples: ['mcp backup list', 'mcp backup list --all', 'mcp backup list --json'] }).option(
    '--all',
    'also damaged and incomplete backups, a restore in progress, and what running processes are writing (partial archives, staging directories)',
  );
  handle(list, app, async () => (await engine()).listHandler);

  const verify = leaf(backup, {
    name: 'verify',
    description: 're-read an archive and check every entry against its SHA-256 (exit 5 on any mismatch)',
    examples: ['mcp backup verify --id backup_12345', 'mcp backup verify --latest --json'],
  })
    .option('--id <id>', 'backup id (or its unique name)')
    .option('--latest', 'the newest backup')
    .option(...PASSPHRASE_FILE);
  handle(verify, app, async () => (await engine()).verifyHandler);

  const restore = leaf(backup, {
    name: 'restore',
    description: 'verify the whole archive, take a safety backup, swap staged files in and restore the database in one transaction',
    examples: ['mcp backup restore --id backup_12345 --data-only', 'mcp backup restore --id v4-final-backup --dry-run', 'mcp backup restore --latest --config-only', 'mcp backup restore --resume'],
  })
    .option('--id <id>', 'backup id (or its unique name)')
    .option('--resume', 'settle an interrupted restore: finish it if its database transaction committed, else put the home back as it was')
    .option('--latest', 'the newest backup holding what is restored')
    .option('--data-only', 'data files and database only')
    .option('--config-only', 'config and version history only')
    .option('--dry-run', 'verify the archive and show what would change; change nothing')
    .option('--any-version', "restore a database taken at another platform version under this version's config (normally refused: the layouts differ)")
    .option(...PASSPHRASE_FILE);
  handle(restore, app, async () => (await engine()).restoreHandler);

  const prune = leaf(backup, {
    name: 'prune',
    description: 'delete all but the newest N backups, and leftovers of interrupted creates',
    examples: ['mcp backup prune --keep 10', 'mcp backup prune --keep 3 --dry-run', 'mcp backup prune --keep 5 --yes'],
  })
    .requiredOption('--keep <n>', 'how many of the newest backups to keep')
    .option('--dry-run', 'show what would be deleted');
  handle(prune, app, async () => (await engine()).pruneHandler);

  const top = leaf(program, {
    name: 'restore',
    description: 'restore a backup into this installation (environment moves: back up in one, restore --latest in the other)',
    examples: ['mcp restore --env staging --data-only --latest', 'mcp restore --id backup_12345', 'mcp restore --latest --dry-run', 'mcp restore --resume'],
  })
    .option('--env <name>', 'this home\'s environment (checked against the config), or a registered one: this home\'s backup is restored there (--data-only); with --resume, that home\'s interrupted restore')
    .option('--resume', 'settle an interrupted restore: finish it if its database transaction committed, else put the home back as it was')
    .option('--id <id>', 'backup id (or its unique name)')
    .option('--latest', 'the newest backup holding what is restored')
    .option('--data-only', 'data files and database only')
    .option('--config-only', 'config and version history only')
    .option('--dry-run', 'verify the archive and show what would change; change nothing')
    .option('--any-version', "restore a database taken at another platform version under this version's config (normally refused: the layouts differ)")
    .option(...PASSPHRASE_FILE);
  handle(top, app, async () => (await engine()).restoreHandler);


};
