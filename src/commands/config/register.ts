// Config commands: `mcp migrate`, `mcp config export|import|validate|optimize`,
// `mcp migration check|requirements|validate`, and `mcp-migrate check`.
import type { Command } from 'commander';
import type { App, Register } from '../../cli/program.js';
import { group, handle, leaf } from '../../cli/program.js';

const checkOptions = (cmd: Command) => cmd.option('--data-size <size>', 'data size to estimate downtime with, instead of measuring the home (e.g. 50GiB)');

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
    .option('--env <name>', 'apply an environment overlay: development, staging or production')
    .option('--include-secrets', 'print secrets in clear (refused when stdout is a terminal)');
  handle(exp, app, async () => (await import('./export.js')).exportHandler);

  const imp = leaf(config, {
    name: 'import',
    description: "validate a config file and make it the home's config (atomic; the previous one is kept under config/history/)",
    examples: ['mcp config import --file config-v5.json', 'mcp config import --file config-staging.json --env staging', 'mcp config import --file config-v6.json --dry-run --json'],
  })
    .requiredOption('--file <file>', 'the config to import (YAML or JSON)')
    .option('--env <name>', 'apply an environment overlay first: development, staging or production')
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

  const migration = group(program, 'migration', 'plan and check platform migrations', ['mcp migration check --target-version 6.0.0', 'mcp migration requirements --target 6.0']);

  const check = checkOptions(
    leaf(migration, {
      name: 'check',
      description: 'compatibility of the installation with a target version: path, breaking changes, migration type, downtime estimate',
      examples: ['mcp migration check --target-version 6.0.0', 'mcp migration check --target-version 5.x --json'],
    })
      .requiredOption('--target-version <version>', 'the version to migrate to (6.0.0, 5.x, …)')
      .option('--from <version>', "the current version (default: the home's config)"),
  );
  handle(check, app, async () => (await import('../migration/check.js')).migrationCheckHandler);

  const req = leaf(migration, {
    name: 'requirements',
    description: 'check what a migration to a target needs: config, path, tools on PATH, free disk, Node version, database reachable',
    examples: ['mcp migration requirements --target 6.0', 'mcp migration requirements --target 5.0 --json'],
  }).requiredOption('--target <version>', 'the version to migrate to');
  handle(req, app, async () => (await import('../migration/requirements.js')).requirementsHandler);

  const mval = leaf(migration, {
    name: 'validate',
    description: 'validate the current installation as the source of a migration (version, config, data, database)',
    examples: ['mcp migration validate --source 5.x', 'mcp migration validate --source 4.2 --json'],
  }).requiredOption('--source <version>', 'the version the installation should be at (4.x, 5.x, 5.1 …)');
  handle(mval, app, async () => (await import('../migration/validate.js')).migrationValidateHandler);
};

/** `mcp-migrate check --from 4.0 --to 5.0` */
export const registerMigrateCheck: Register = (program, app: App) => {
  const cmd = checkOptions(
    leaf(program, {
      name: 'check',
      description: 'is there an upgrade path from --from to --to: hops, breaking changes, migration type, downtime estimate',
      examples: ['mcp-migrate check --from 4.0 --to 5.0', 'mcp-migrate check --from 5.x --to 6.0.0 --data-size 40GiB --json'],
    })
      .requiredOption('--from <version>', 'the version you are at')
      .requiredOption('--to <version>', 'the version to migrate to'),
  );
  handle(cmd, app, async () => (await import('../migration/check.js')).migrateCheckHandler);
};
