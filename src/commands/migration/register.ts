// The run commands: `mcp migration execute|status|pause|resume|abort|verify`, `mcp upgrade` (the main
// job), `mcp version [restore]`, and `mcp-migrate plan|execute|verify|rollback`. All are ways to build a
// plan or act on a run's journal; one executor runs them (src/run/executor.ts).
import { Option, type Command } from 'commander';
import type { App, Register } from '../../cli/program.js';
import { group, handle, leaf, collect } from '../../cli/program.js';


function planFileOptions(cmd: Command): Command {
  return cmd
    .option('--plan <file>', 'plan file: migration-plan.yaml, rolling-migration.yaml, production-migration.yaml, automated-migration.yaml or a saved plan (JSON)')
    .option('--dry-run', 'show what would run, in order, and check every step can run here; change nothing')
    .option('--to <version>', 'target version for plans that do not name one (automated-migration.yaml)')
    .option('--skip <action>', 'leave out a named action the CLI refuses (recorded in the plan), repeatable or comma-separated', collect)
    .option('--metrics-url <url>', 'canary metrics endpoint (JSON or Prometheus text) for rollback conditions')
    .option('--health-url <url>', 'canary HTTP health check (2xx = passing), repeatable', collect);
}

function executeLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = planFileOptions(leaf(parent, { name: 'execute', description: 'run a plan: phases in order, parallel phases bounded, each phase under its timeout, every step journaled', examples }));
  handle(cmd, app, async () => (await import('./run.js')).executeHandler);
}

function verifyLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = leaf(parent, { name: 'verify', description: 'verify the installation is a healthy VERSION: config schema, database migrations and checksums, data counts, services (exit 3 listing what failed)', examples })
    .option('--version <version>', 'the version to verify against (default: the current one)')
    .option('--step-by-step', 'list every item of every check')
    .option('--baseline <backupId>', 'compare data counts with this backup (default: the newest pre-migration backup)');
  handle(cmd, app, async () => (await import('./verify.js')).verifyHandler);
}

function rollbackLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = leaf(parent, { name: 'rollback', description: 'undo the newest run\'s completed steps in reverse: to its last rollback point, or with --to to the state of that version', examples })
    .option('--to <version>', 'roll back to this version (the run\'s start, or a verified intermediate version)')
    .option('--run <id>', 'the run to roll back (default: the newest)');
  handle(cmd, app, async () => (await import('./run.js')).rollbackHandler);
}

export const registerMigration: Register = (program, app) => {
  const m = group(program, 'migration', 'plan, execute, watch and verify migrations', ['mcp migration execute --plan migration-plan.yaml --verbose', 'mcp migration status --watch']);
  executeLeaf(m, app, ['mcp migration execute --plan migration-plan.yaml --verbose', 'mcp migration execute --plan rolling-migration.yaml --metrics-url http://127.0.0.1:9090/metrics --dry-run', 'mcp migration execute --plan plan.json --json']);

  const status = leaf(m, { name: 'status', description: 'progress of the newest run (or --run ID): steps, durations, canary measurements against their thresholds', examples: ['mcp migration status', "watch -n 5 'mcp migration status'", 'mcp migration status --watch --json'] })
    .option('--run <id>', 'a run id (default: the newest)')
    .option('--watch', 'keep showing changes until the run stops')
    .addOption(new Option('--interval <ms>', 'with --watch: how often to look').default('1000'));
  handle(status, app, async () => (await import('./run.js')).statusHandler);

  const pause = leaf(m, { name: 'pause', description: 'ask the running run to stop before its next step (resumable)', examples: ['mcp migration pause'] }).option('--run <id>', 'a run id (default: the newest)');
  handle(pause, app, async () => (await import('./run.js')).pauseHandler);
  const resume = leaf(m, { name: 'resume', description: 'continue a paused, failed or interrupted run (even after kill -9) from its journal', examples: ['mcp migration resume', 'mcp migration resume --run 20260724-020000-ab12cd'] }).option('--run <id>', 'a run id (default: the newest)');
  handle(resume, app, async () => (await import('./run.js')).resumeHandler);
  const abort = leaf(m, { name: 'abort', description: 'stop the run and roll back to its last rollback point', examples: ['mcp migration abort'] }).option('--run <id>', 'a run id (default: the newest)');
  handle(abort, app, async () => (await import('./run.js')).abortHandler);

  verifyLeaf(m, app, ['mcp migration verify --version 5.0', 'mcp migration verify --step-by-step', 'mcp migration verify --version 6.0 --json']);

  const upgrade = leaf(program, {
    name: 'upgrade',
    description: 'plan and run the built-in upgrade of this installation to VERSION (4.x → 5.x → 6.0: pre-checks, backup, stop, config, database, start, verify per major) and print a report',
    examples: ['mcp init --example && mcp upgrade --to 6.0', 'mcp upgrade --to 5.0 --dry-run', 'mcp upgrade --to 6.0 --json'],
  })
    .requiredOption('--to <version>', 'target platform version, e.g. 6.0')
    .option('--dry-run', 'show the plan and check every step can run here; change nothing');
  handle(upgrade, app, async () => (await import('./run.js')).upgradeHandler);

  const version = leaf(program, { name: 'version', description: 'the platform version of this home and its version history', examples: ['mcp version --current', 'mcp version', 'mcp version restore 4.2'] }).option('--current', 'print only the current platform version');
  handle(version, app, async () => (await import('../version/version.js')).versionHandler);
  const restore = leaf(version, { name: 'restore <version>', description: 'put back the config a version ran with (from the version history) and make it current', examples: ['mcp version restore 4.2'] });
  handle(restore, app, async () => (await import('../version/version.js')).versionRestoreHandler);
};

export const registerMigrateTool: Register = (program, app) => {
  const plan = leaf(program, {
    name: 'plan',
    description: 'build a reviewable plan: an upgrade (--from/--to), a config conversion (--source/--target DIR), an environment promotion, or a plan file; --out saves it with a fingerprint',
    examples: ['mcp-migrate plan --from 4.x --to 5.x', 'mcp-migrate plan --source ./v4-config --target ./v5-config', 'mcp-migrate plan --to 6.0 --out plan.json', 'mcp-migrate plan --source-env staging --target-env production'],
  })
    .option('--from <version>', 'installed version (default: the home\'s)')
    .option('--to <version>', 'target version')
    .option('--source <dir>', 'a directory holding the config to convert')
    .option('--target <dir>', 'the directory to write the converted config into')
    .option('--source-env <env>', 'promotion: the source environment')
    .option('--target-env <env>', 'promotion: the target environment')
    .option('--plan <file>', 'read and check a plan file instead')
    .option('--skip <action>', 'leave out a refused named action (recorded in the plan)', collect)
    .option('--out <file>', 'save the plan (JSON, with a fingerprint of this installation; no secrets)');
  handle(plan, app, async () => (await import('./run.js')).planHandler);
  executeLeaf(program, app, ['mcp-migrate execute --plan migration-plan.yaml', 'mcp-migrate execute --plan plan.json --dry-run']);
  verifyLeaf(program, app, ['mcp-migrate verify --version 5.0']);
  rollbackLeaf(program, app, ['mcp-migrate rollback --to 4.0', 'mcp-migrate rollback']);
};
