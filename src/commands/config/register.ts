// Config commands: `mcp migrate`, `mcp config export|import|validate|optimize`,
// `mcp migration check|requirements|validate`, and `mcp-migrate check`.
import { PASSPHRASE_FILE } from '../options.js';
import type { App, Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';

export const registerConfig: Register = (program, app: App) => {
  const migrate = leaf(program, {
    name: 'migrate',
    description: 'transform a platform config file from one version to another (YAML or JSON in, hop by hop along the upgrade path)',
    examples: [
      'mcp migrate --from 4.x --to 5.x --config config-v4.json --output config-v5.json',
      'mcp migrate --from 5.0 --to 6.0.0 --config config-v5.json --output config-v6.json --json',
      'mcp migrate --from 4.2 --to 6.0 --config config-v4.json --dry-run',
    ],
  })
    .option('--from <version>', 'version of the input config (4.x means what the file says)')
    .requiredOption('--to <version>', 'target version: 5.x, 5.0, 6.0.0 …')
    .option('--config <file>', "the config to transform (default: the home's config)")
    .option('--output <file>', 'where to write the result (JSON for v5/v6, YAML for v4 unless the name ends in .json)')
    .option('--dry-run', 'report the path, breaking changes and manual actions; write nothing');
  handle(migrate, app, async () => (await import('./migrate.js')).migrateHandler);

  const config = group(program, 'config', 'the platform config: export, import, validate, optimize', [
    'mcp config export > config-backup.json',
    'mcp config import --file config-v5.json',
    'mcp config validate --file config-staging.json',
  ]);

  const exp = leaf(config, {
    name: 'export',
    description: 'print the platform config on stdout for redirection; secrets become [REDACTED] placeholders that import puts back',
    examples: ['mcp config export > config-backup.json', 'mcp config export --format v4 > config-v4.json', 'mcp config export --env development > config-dev.json'],
  })
    .option('--format <format>', 'json, yaml, or v4 (the v4 YAML of a v4 config)', 'json')
    .option('--env <name>', 'a registered environment: its home\'s config, as it is; else this home\'s config with that environment\'s overlay (development, staging or production)')
    .option('--include-secrets', 'print secrets in clear (refused when stdout is a terminal)');
  handle(exp, app, async () => (await import('./export.js')).exportHandler);

  const imp = leaf(config, {
    name: 'import',
    description: "validate a config file and make it the home's config (atomic; the previous one is kept under config/history/)",
    examples: ['mcp config import --file config-v5.json', 'mcp config import --file config-staging.json --env staging', 'mcp config import --file config-v6.json --dry-run --json'],
  })
    .requiredOption('--file <file>', 'the config to import (YAML or JSON)')
    .option('--env <name>', 'apply the environment overlay (development, staging or production); a registered environment\'s home receives the config, with its own secrets')
    .option('--dry-run', 'validate and report; write nothing');
  handle(imp, app, async () => (await import('./import.js')).importHandler);

  const val = leaf(config, {
    name: 'validate',
    description: "validate a config (default: the home's) against its version's schema, or --schema; unknown fields are warnings",
    examples: ['mcp config validate', 'mcp config validate --file config-staging.json', 'mcp config validate --file config-v6.json --schema v6 --json'],
  })
    .option('--file <file>', "the config to validate (default: the home's config)")
    .option('--schema <version>', 'validate against this generation: v4, v5, v6 (default: the file’s version)');
  handle(val, app, async () => (await import('./validate.js')).validateHandler);

  const opt = leaf(config, {
    name: 'optimize',
    description: 'find configuration problems (missing limits, single replicas or TLS off in production, …); --auto applies the safe fixes',
    examples: ['mcp config optimize', 'mcp config optimize --auto', 'mcp config optimize --auto --dry-run --json'],
  })
    .option('--auto', 'apply the safe fixes (the previous config is kept under config/history/)')
    .option('--dry-run', 'with --auto: show what would change, write nothing');
  handle(opt, app, async () => (await import('./optimize.js')).optimizeHandler);

  const cr = leaf(config, {
    name: 'restore',
    description: 'restore the config and version history from a backup (safety backup first)',
    examples: ['mcp config restore --backup-id backup_12345', 'mcp config restore --backup-id v4-final-backup --dry-run'],
  })
    .requiredOption('--backup-id <id>', 'backup id (or its unique name)')
    .option('--dry-run', 'verify the archive and show what would change; change nothing')
    .option(...PASSPHRASE_FILE);
  handle(cr, app, async () => (await import('../backup/handlers.js')).configRestoreHandler);



};
