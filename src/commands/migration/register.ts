// The run commands: `mcp migration execute|status|pause|resume|abort|verify`, `mcp upgrade` (the main
// job), `mcp version [restore]`, and `mcp-migrate plan|execute|verify|rollback`. All are ways to build a
// plan or act on a run's journal; one executor runs them (src/run/executor.ts).
import { Option, type Command } from 'commander';
import type { App, Register } from '../../cli/program.js';
import { group, handle, leaf, collect } from '../../cli/program.js';


const checkOptions = (cmd: Command) => cmd.option('--data-size <size>', 'data size to estimate downtime with, instead of measuring the home (e.g. 50GiB)');

function planFileOptions(cmd: Command): Command {
  return cmd
    .option('--plan <file>', 'plan file: migration-plan.yaml, rolling-migration.yaml, production-migration.yaml, automated-migration.yaml or a saved plan (JSON)')
    .option('--dry-run', 'show what would run, in order, and check every step can run here; change nothing')
    .option('--to <version>', 'target version for plans that do not name one (automated-migration.yaml)')
    .option('--skip <action>', 'leave out a named action the CLI refuses (recorded in the plan), repeatable or comma-separated', collect)
    .option('--metrics-url <url>', 'canary metrics endpoint (JSON or Prometheus text) for rollback conditions')
    .option('--health-url <url>', 'canary HTTP health check (2xx = passing), repeatable', collect)
    .option('--monitor-window <duration>', 'how long monitor_metrics holds the new color of a blue/green deployment under the canary gates', '5m');
}

function executeLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = planFileOptions(leaf(parent, { name: 'execute', description: 'run a plan: phases in order, parallel phases bounded, each phase under its timeout, every step journaled', examples }));
  handle(cmd, app, async () => (await import('./run.js')).executeHandler);
}

function verifyLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = leaf(parent, { name: 'verify', description: 'verify the installation is a healthy VERSION: config schema, database migrations and checksums, every record against the snapshot taken before the migration, services (exit 3 listing what failed)', examples })
    .option('--version <version>', 'the version to verify against (default: the current one)')
    .option('--step-by-step', 'list every item of every check')
    .option('--baseline <backupId>', 'deprecated: records are compared with the snapshot the migration took; ignored');
  handle(cmd, app, async () => (await import('./verify.js')).verifyHandler);
}

function rollbackLeaf(parent: Command, app: App, examples: string[]): void {
  const cmd = leaf(parent, { name: 'rollback', description: 'undo the newest run\'s completed steps in reverse: to its last rollback point, or with --to to the state of that version', examples })
    .option('--to <version>', 'roll back to this version (the run\'s start, or a verified intermediate version)')
    .option('--run <id>', 'the run to roll back (default: the newest)');
  handle(cmd, app, async () => (await import('./run.js')).rollbackHandler);
}

export const registerMigration: Register = (program, app) => {
  const m = group(program, 'migration', 'migrations: check, plan, execute, watch and verify them, move their data, convert to Kubernetes', ['mcp migration execute --plan migration-plan.yaml --verbose', 'mcp migration status --watch']);
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
  checksLeaves(m, app);
  dataPackageLeaves(m, app);
  convertLeaves(m, app);
  operationsLeaves(m, app);

  // the main job: the built-in upgrade, planned and run in one go
  const upgrade = leaf(program, {
    name: 'upgrade',
    description: 'plan and run the built-in upgrade of this installation to VERSION (4.x → 5.x → 6.0: pre-checks, backup, stop, config, database, start, verify per major) and print a report',
    examples: ['mcp init --example && mcp upgrade --to 6.0', 'mcp upgrade --to 5.0 --dry-run', 'mcp upgrade --to 6.0 --json'],
  })
    .requiredOption('--to <version>', 'target platform version, e.g. 6.0')
    .option('--dry-run', 'show the plan and check every step can run here; change nothing');
  handle(upgrade, app, async () => (await import('./run.js')).upgradeHandler);

};

/** The checks before a migration: compatibility, requirements, the source. */
function checksLeaves(m: Command, app: App): void {

  const check = checkOptions(
    leaf(m, {
      name: 'check',
      description: 'compatibility of the installation with a target version: path, breaking changes, migration type, downtime estimate',
      examples: ['mcp migration check --target-version 6.0.0', 'mcp migration check --target-version 5.x --json'],
    })
      .requiredOption('--target-version <version>', 'the version to migrate to (6.0.0, 5.x, …)')
      .option('--from <version>', "the current version (default: the home's config)"),
  );
  handle(check, app, async () => (await import('./check.js')).migrationCheckHandler);

  const req = leaf(m, {
    name: 'requirements',
    description: 'check what a migration to a target needs: config, path, tools on PATH, free disk, Node version, database reachable',
    examples: ['mcp migration requirements --target 6.0', 'mcp migration requirements --target 5.0 --json'],
  }).requiredOption('--target <version>', 'the version to migrate to');
  handle(req, app, async () => (await import('./requirements.js')).requirementsHandler);

  const mval = leaf(m, {
    name: 'validate',
    description: 'validate the current installation as the source of a migration (version, config, data, database)',
    examples: ['mcp migration validate --source 5.x', 'mcp migration validate --source 4.2 --json'],
  }).requiredOption('--source <version>', 'the version the installation should be at (4.x, 5.x, 5.1 …)');
  handle(mval, app, async () => (await import('./validate.js')).migrationValidateHandler);
}

/** The data package of the guide's v5 → v6 step 2: export, transform, validate, verify. */
function dataPackageLeaves(m: Command, app: App): void {
  const pkg = async () => import('./data-package.js');
  const ex = leaf(m, {
    name: 'export-data',
    description: 'export services, config, users and keys into a data package (sensitive files 0600)',
    examples: ['mcp migration export-data --version 5.x --output /backup/mcp-v5-data --include services,config,users,keys'],
  })
    .requiredOption('--version <version>', 'the platform version of this installation (5.x, 5.0)')
    .requiredOption('--output <dir>', 'a new directory for the package')
    .option('--include <kinds>', 'comma-separated: services,config,users,keys', 'services,config,users,keys');
  handle(ex, app, async () => (await pkg()).exportDataHandler);

  const tr = leaf(m, {
    name: 'transform',
    description: 'transform a data package to another platform version (through the config transformer registry)',
    examples: ['mcp migration transform --source /backup/mcp-v5-data --target 6.0 --output /backup/mcp-v6-data'],
  })
    .requiredOption('--source <dir>', 'the package to read')
    .requiredOption('--target <version>', 'the platform version to reach (6.0)')
    .requiredOption('--output <dir>', 'a new directory for the transformed package');
  handle(tr, app, async () => (await pkg()).transformHandler);

  const va = leaf(m, {
    name: 'validate-data',
    description: 'check a data package against a platform schema: config, services, users and keys (exit 2 on violations)',
    examples: ['mcp migration validate-data --data /backup/mcp-v6-data --schema v6'],
  })
    .requiredOption('--data <dir>', 'the package to check')
    .requiredOption('--schema <schema>', 'v4, v5 or v6');
  handle(va, app, async () => (await pkg()).validateDataHandler);

  const vd = leaf(m, {
    name: 'verify-data',
    description: 'compare the installation record by record with an exported package, through the transform (exit 3 on differences)',
    examples: ['mcp migration verify-data --compare-with /backup/mcp-v5-data'],
  })
    .requiredOption('--compare-with <dir>', 'the package exported before the migration');
  handle(vd, app, async () => (await pkg()).verifyDataHandler);
}

/** Compose (or the platform config) → Kubernetes manifests. */
function convertLeaves(m: Command, app: App): void {
  const convert = leaf(m, {
    name: 'convert',
    description: 'convert Docker Compose files (or the platform config) into Kubernetes manifests that validate offline, with a report of every key',
    examples: [
      'mcp migration convert --compose docker-compose.yml --out k8s-manifests/',
      'mcp migration convert --compose docker-compose.yml --compose docker-compose.prod.yml --stdout > k8s.yaml',
      'mcp migration convert --config config-staging.json --namespace mcp-staging --out k8s/',
      'mcp migration convert --compose docker-compose.yml --json',
      'mcp migration convert --validate k8s-manifests/ other.yaml',
    ],
  })
    .option('--compose <file>', 'compose file; repeat to merge overrides in order', collect)
    .option('--config <file>', 'a v5/v6 platform config to convert (default: the home\'s config when --compose is not given)')
    .option('--namespace <name>', 'namespace of every object (default: runtime.namespace of the config, else mcp-platform)')
    .option('--out <dir>', 'write one manifest per object into DIR (Secrets with mode 0600)')
    .option('--stdout', 'print the manifests as one YAML stream (Secret values withheld)')
    .option('--validate <file>', 'validate manifest files or directories against the Kubernetes schemas instead of converting; repeatable', collect)
    .option('--volume-size <size>', 'size of PVCs whose volume does not say', '1Gi')
    .option('--wait-image <image>', 'image of the init containers that wait for depends_on', 'busybox:1.36')
    .option('--no-interpolate', 'keep ${VAR} as written in the compose files')
    .option('--all', 'list every key in the report, not only what needs attention');
  handle(convert, app, async () => (await import('./convert.js')).convertHandler);
}

/** The test suite, the pre-flight checklist and the schedule. */
function operationsLeaves(m: Command, app: App): void {
  // mcp migration test
  const mtest = leaf(m, {
    name: 'test',
    description: "after a migration: the guide's post-migration validation as one report (health, MCP protocol, database, services, data; --comprehensive adds logs and performance)",
    examples: ['mcp migration test --comprehensive', 'mcp migration test --json'],
  })
    .option('--comprehensive', 'also: no error in the logs over --since, performance within 10% of the baseline')
    .option('--since <duration>', 'the logs window for --comprehensive', '1h')
    .option('--baseline <name>', 'the benchmark baseline for --comprehensive (default: the newest saved)')
    .option('--timeout <duration>', 'per-check timeout');
  handle(mtest, app, async () => (await import('../ops/test.js')).migrationTestHandler);

  // mcp migration preflight
  const pre = leaf(m, {
    name: 'preflight',
    description: "the guide's pre-migration checklist: version, compatibility, backup, config export, services, disk, database, and three confirmations (prompts on a TTY; flags or --yes in scripts); exit 3 when a check fails",
    examples: [
      'mcp migration preflight --target-version 6.0.0',
      'mcp migration preflight --target-version 6.0.0 --tested-in-staging --window-scheduled --users-notified --json',
      'mcp migration preflight --target-version 6.0.0 --yes --output-dir /backup/pre-6.0',
    ],
  })
    .requiredOption('--target-version <version>', 'the version to migrate to (6.0.0, 5.x, …)')
    .option('--tested-in-staging', 'confirm: the migration was tested in staging')
    .option('--window-scheduled', 'confirm: the maintenance window is scheduled')
    .option('--users-notified', 'confirm: users have been notified')
    .option('--output-dir <dir>', 'where config-backup.json and services-backup.json are written', '.')
    .option('--backup-name <name>', 'name of the backup (default: pre-migration-YYYYMMDD-HHMMSS)')
    .option('--min-free-disk <size>', 'least free space on the home\'s filesystem', '1GiB');
  handle(pre, app, async () => (await import('./preflight.js')).preflightHandler);

  // mcp migration schedule
  const sched = leaf(m, {
    name: 'schedule',
    description: "the guide's migration schedule template filled in from the plan: timeline, maintenance window, expected and maximum downtime from per-step estimates for this installation, T+ rollback decision points, success criteria (Markdown)",
    examples: [
      'mcp migration schedule --from 5.0 --to 6.0 --date 2025-07-30 --window 02:00-06:00',
      'mcp migration schedule --to 6.0 --date 2025-07-30 --window 22:00-02:00 --lead "John Doe" --output schedule.md',
      'mcp migration schedule --plan rolling-migration.yaml --to 6.0 --date 2025-07-30 --window 02:00-06:00 --json',
    ],
  })
    .option('--from <version>', 'the version migrated from (default: the installed version)')
    .option('--to <version>', 'the version migrated to')
    .requiredOption('--date <YYYY-MM-DD>', 'the day of the maintenance window (UTC)')
    .requiredOption('--window <HH:MM-HH:MM>', 'the maintenance window in UTC; may cross midnight (22:00-02:00)')
    .option('--plan <file>', 'schedule this plan file instead of the built-in upgrade plan')
    .option('--data-size <size>', 'estimate with this much data instead of measuring the home (e.g. 50GiB)')
    .option('--lead <names>', 'the migration lead')
    .option('--database-team <names>', 'the database team')
    .option('--platform-team <names>', 'the platform team')
    .option('--on-call <names>', 'who is on call')
    .option('--output <file>', 'write the Markdown to this file (atomically) instead of stdout');
  handle(sched, app, async () => (await import('./schedule.js')).scheduleHandler);
}

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
  handle(cmd, app, async () => (await import('./check.js')).migrateCheckHandler);
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
    .option('--source-env <env>', "promotion: the source environment (this home's, the default)")
    .option('--target-env <env>', "promotion into this environment's registered home: the guide's production-migration.yaml actions, blue/green (mcp environments add)")
    .option('--plan <file>', 'read and check a plan file instead')
    .option('--skip <action>', 'leave out a refused named action (recorded in the plan)', collect)
    .option('--out <file>', 'save the plan (JSON, with a fingerprint of this installation; no secrets)');
  handle(plan, app, async () => (await import('./run.js')).planHandler);
  executeLeaf(program, app, ['mcp-migrate execute --plan migration-plan.yaml', 'mcp-migrate execute --plan plan.json --dry-run']);
  verifyLeaf(program, app, ['mcp-migrate verify --version 5.0']);
  rollbackLeaf(program, app, ['mcp-migrate rollback --to 4.0', 'mcp-migrate rollback']);
};
