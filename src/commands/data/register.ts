// `mcp data migrate` (the guide's filesystem migration: rsync, permissions, checksums, the data link) and
// `mcp data verify` (the data files and rows against a backup's manifest).
import type { Register } from '../../cli/program.js';
import { collect, group, handle, leaf } from '../../cli/program.js';

import { PASSPHRASE_FILE } from '../options.js';

export const registerData: Register = (program, app) => {
  const data = group(program, 'data', 'the services’ data files: move them, verify them against a backup', ['mcp data migrate --source /old/data/path --target /new/data/path', 'mcp data verify --checksum']);
  const migrate = leaf(data, {
    name: 'migrate',
    description: 'move the data directory: rsync -a with excludes, permissions 755/644, content-checksum verification, then the data symlink',
    examples: [
      'mcp data migrate --source /old/data/path --target /new/data/path',
      "mcp data migrate --source /old/data/path --target /new/data/path --exclude '*.tmp' --exclude '*.log' --exclude cache/",
      'mcp data migrate --source /old/data/path --target /new/data/path --dry-run',
      'mcp data migrate --source /old/data/path --target /new/data/path --link /var/lib/mcp/data',
    ],
  })
    .option('--source <dir>', 'the current data directory')
    .option('--target <dir>', 'the new data directory (created with services/ configs/ backups/ logs/)')
    .option('--exclude <glob>', "rsync exclude pattern, repeatable (default: '*.tmp' '*.log')", collect)
    .option('--link <path>', 'symlink to point at the target after verification (default: <home>/data when it is a symlink)')
    .option('--no-link', 'do not touch any symlink')
    .option('--bwlimit <KiBps>', 'limit the copy to this many KiB/s (rsync --bwlimit), to spare a production disk')
    .option('--dry-run', 'show what would be created, copied and linked; change nothing');
  handle(migrate, app, async () => (await import('./migrate.js')).dataMigrateHandler);
  const dv = leaf(data, {
    name: 'verify',
    description: 'compare the data files and row counts with the manifest of the last restored or newest backup (exit 3 on differences)',
    examples: ['mcp data verify --checksum', 'mcp data verify --checksum --id backup_12345 --json'],
  })
    .option('--checksum', 'compare SHA-256 of every file (default; --no-checksum compares sizes only)', true)
    .option('--no-checksum', 'compare sizes only')
    .option('--id <id>', 'compare with this backup instead')
    .option(...PASSPHRASE_FILE);
  handle(dv, app, async () => (await import('../backup/handlers.js')).dataVerifyHandler);
};
