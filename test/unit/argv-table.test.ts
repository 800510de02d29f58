// argv → options for every command of both binaries: the options object (and arguments) each handler receives
// for a line of its own examples, defaults included. A command without a row here fails the coverage test, so a
// new command gets its row; a changed default or a renamed flag changes a row on purpose.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { createProgram, type App } from '../../src/cli/program.js';
import { MCP_REGISTERS } from '../../src/cli/mcp.js';
import { MIGRATE_REGISTERS } from '../../src/cli/mcp-migrate.js';

type Bin = 'mcp' | 'mcp-migrate';
const GLOBAL = new Set(['home', 'json', 'yes', 'verbose', 'quiet', 'color']);

/** The tree of a binary with every handler replaced by a probe: what reaches it, and which command it is. */
function tree(bin: Bin) {
  const s = new PassThrough();
  const app: App = { bin, argv: [], env: {}, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: s, stderr: s } };
  const program = createProgram(app, 'test', [...(bin === 'mcp' ? MCP_REGISTERS : MIGRATE_REGISTERS)]);
  const leaves: string[] = [];
  let got: { path: string; opts: Record<string, unknown>; args: string[] } | undefined;
  const pathOf = (c: Command) => {
    const p: string[] = [];
    for (let x: Command | null = c; x && x !== program; x = x.parent) p.unshift(x.name());
    return p.join(' ');
  };
  const walk = (c: Command) => {
    for (const k of c.commands as Command[]) {
      if ((k as unknown as { _actionHandler?: unknown })._actionHandler) {
        leaves.push(pathOf(k));
        k.action(function (this: Command) {
          got = { path: pathOf(this), opts: Object.fromEntries(Object.entries(this.opts()).filter(([o]) => !GLOBAL.has(o))), args: this.args };
        });
      }
      walk(k);
    }
  };
  walk(program);
  return {
    leaves,
    parse(argv: string[]) {
      got = undefined;
      program.parse(argv, { from: 'user' });
      return got!;
    },
  };
}

const ROWS: Array<[Bin, string[], Record<string, unknown>, string[]]> = [
  ['mcp', ['--home', '/srv/mcp', 'init', '--version', '4.2'], {'version': '4.2', 'env': 'development'}, []],
  ['mcp', ['db', 'ping'], {'lockTimeout': '30'}, []],
  ['mcp', ['db', 'status', '--json'], {'lockTimeout': '30'}, []],
  ['mcp', ['db', 'migrate', '--version', '5.0'], {'lockTimeout': '30', 'version': '5.0'}, []],
  ['mcp', ['db', 'rollback', '--to', '5.0', '--dry-run'], {'lockTimeout': '30', 'to': '5.0', 'dryRun': true}, []],
  ['mcp', ['db', 'reindex', '--dry-run', '--json'], {'lockTimeout': '30', 'dryRun': true}, []],
  ['mcp', ['db', 'repair', '--dry-run'], {'lockTimeout': '30', 'dryRun': true}, []],
  ['mcp', ['db', 'baseline', '--version', '4.2', '--dry-run'], {'lockTimeout': '30', 'version': '4.2', 'dryRun': true}, []],
  ['mcp', ['start', '--all', '--version', '4.2'], {'all': true, 'version': '4.2'}, []],
  ['mcp', ['stop', 'filesystem-mcp', 'git-mcp'], {}, ['filesystem-mcp', 'git-mcp']],
  ['mcp', ['services', 'list'], {}, []],
  ['mcp', ['services', 'verify', 'filesystem-mcp', '--json'], {}, ['filesystem-mcp']],
  ['mcp', ['services', 'reset', '--all'], {'all': true}, []],
  ['mcp', ['status', '--detailed'], {'detailed': true}, []],
  ['mcp', ['health', '--json', '--timeout', '2s'], {'timeout': '2s'}, []],
  ['mcp', ['data', 'migrate', '--source', '/old/data/path', '--target', '/new/data/path', '--exclude', '*.tmp', '--exclude', '*.log', '--exclude', 'cache/'], {'source': '/old/data/path', 'target': '/new/data/path', 'exclude': ['*.tmp', '*.log', 'cache/']}, []],
  ['mcp', ['data', 'verify', '--checksum', '--id', 'backup_12345', '--json'], {'checksum': true, 'id': 'backup_12345'}, []],
  ['mcp', ['migrate', '--from', '5.0', '--to', '6.0.0', '--config', 'config-v5.json', '--output', 'config-v6.json', '--json'], {'from': '5.0', 'to': '6.0.0', 'config': 'config-v5.json', 'output': 'config-v6.json'}, []],
  ['mcp', ['config', 'export', '--format', 'v4', '--env', 'development'], {'format': 'v4', 'env': 'development'}, []],
  ['mcp', ['config', 'import', '--file', 'config-staging.json', '--env', 'staging'], {'file': 'config-staging.json', 'env': 'staging'}, []],
  ['mcp', ['config', 'validate', '--file', 'config-v6.json', '--schema', 'v6', '--json'], {'file': 'config-v6.json', 'schema': 'v6'}, []],
  ['mcp', ['config', 'optimize', '--auto', '--dry-run', '--json'], {'auto': true, 'dryRun': true}, []],
  ['mcp', ['config', 'restore', '--backup-id', 'v4-final-backup', '--dry-run'], {'backupId': 'v4-final-backup', 'dryRun': true}, []],
  ['mcp', ['migration', 'execute', '--plan', 'rolling-migration.yaml', '--metrics-url', 'http://127.0.0.1:9090/metrics', '--dry-run'], {'plan': 'rolling-migration.yaml', 'metricsUrl': 'http://127.0.0.1:9090/metrics', 'dryRun': true, 'monitorWindow': '5m'}, []],
  ['mcp', ['migration', 'status', '--watch', '--json'], {'interval': '1000', 'watch': true}, []],
  ['mcp', ['migration', 'pause'], {}, []],
  ['mcp', ['migration', 'resume', '--run', '20260724-020000-ab12cd'], {'run': '20260724-020000-ab12cd'}, []],
  ['mcp', ['migration', 'abort'], {}, []],
  ['mcp', ['migration', 'verify', '--version', '6.0', '--json'], {'version': '6.0'}, []],
  ['mcp', ['migration', 'check', '--target-version', '5.x', '--json'], {'targetVersion': '5.x'}, []],
  ['mcp', ['migration', 'requirements', '--target', '5.0', '--json'], {'target': '5.0'}, []],
  ['mcp', ['migration', 'validate', '--source', '4.2', '--json'], {'source': '4.2'}, []],
  ['mcp', ['migration', 'export-data', '--version', '5.x', '--output', '/backup/mcp-v5-data', '--include', 'services,config,users,keys'], {'include': 'services,config,users,keys', 'version': '5.x', 'output': '/backup/mcp-v5-data'}, []],
  ['mcp', ['migration', 'transform', '--source', '/backup/mcp-v5-data', '--target', '6.0', '--output', '/backup/mcp-v6-data'], {'source': '/backup/mcp-v5-data', 'target': '6.0', 'output': '/backup/mcp-v6-data'}, []],
  ['mcp', ['migration', 'validate-data', '--data', '/backup/mcp-v6-data', '--schema', 'v6'], {'data': '/backup/mcp-v6-data', 'schema': 'v6'}, []],
  ['mcp', ['migration', 'verify-data', '--compare-with', '/backup/mcp-v5-data'], {'compareWith': '/backup/mcp-v5-data'}, []],
  ['mcp', ['migration', 'convert', '--config', 'config-staging.json', '--namespace', 'mcp-staging', '--out', 'k8s/'], {'volumeSize': '1Gi', 'waitImage': 'busybox:1.36', 'interpolate': true, 'config': 'config-staging.json', 'namespace': 'mcp-staging', 'out': 'k8s/'}, []],
  ['mcp', ['migration', 'test', '--comprehensive'], {'since': '1h', 'comprehensive': true}, []],
  ['mcp', ['migration', 'preflight', '--target-version', '6.0.0', '--tested-in-staging', '--window-scheduled', '--users-notified', '--json'], {'outputDir': '.', 'minFreeDisk': '1GiB', 'targetVersion': '6.0.0', 'testedInStaging': true, 'windowScheduled': true, 'usersNotified': true}, []],
  ['mcp', ['migration', 'schedule', '--to', '6.0', '--date', '2025-07-30', '--window', '22:00-02:00', '--lead', 'John Doe', '--output', 'schedule.md'], {'to': '6.0', 'date': '2025-07-30', 'window': '22:00-02:00', 'lead': 'John Doe', 'output': 'schedule.md'}, []],
  ['mcp', ['upgrade', '--to', '5.0', '--dry-run'], {'to': '5.0', 'dryRun': true}, []],
  ['mcp', ['logs', '--since', '1h', '--level', 'error'], {'since': '1h', 'level': 'error'}, []],
  ['mcp', ['logs', 'export', '--service', 'migration', '--from', '2025-07-24T00:00:00Z', '--to', '2025-07-24T23:59:59Z', '--output', 'migration-analysis.json'], {'service': ['migration'], 'from': '2025-07-24T00:00:00Z', 'to': '2025-07-24T23:59:59Z', 'output': 'migration-analysis.json'}, []],
  ['mcp', ['cache', 'clear', '--all', '--dry-run', '--json'], {'all': true, 'dryRun': true}, []],
  ['mcp', ['benchmark', '--service', 'filesystem-mcp', '--requests', '500', '--json'], {'requests': '500', 'concurrency': '4', 'timeout': '5s', 'service': ['filesystem-mcp']}, []],
  ['mcp', ['metrics', '--service', 'all', '--duration', '1h'], {'service': 'all', 'duration': '1h', 'timeout': '3s'}, []],
  ['mcp', ['test', 'smoke', '--env', 'staging'], {'env': 'staging'}, []],
  ['mcp', ['test', 'all', '--comprehensive', '--baseline', 'baseline-v6', '--json'], {'since': '1h', 'comprehensive': true, 'baseline': 'baseline-v6'}, []],
  ['mcp', ['backup', 'create', '--full', '--name', 'v4-final-backup'], {'full': true, 'name': 'v4-final-backup'}, []],
  ['mcp', ['backup', 'list', '--all'], {'all': true}, []],
  ['mcp', ['environments', 'add', 'staging', '--home', '/srv/mcp-staging'], {}, ['staging']],
  ['mcp', ['environments', 'list'], {}, []],
  ['mcp', ['environments', 'remove', 'staging', '--dry-run'], {'dryRun': true}, ['staging']],
  ['mcp', ['environments', 'retire-blue', '--env', 'production', '--expired', '--dry-run'], {'env': 'production', 'expired': true, 'dryRun': true}, []],
  ['mcp', ['backup', 'verify', '--id', 'backup_12345'], {'id': 'backup_12345'}, []],
  ['mcp', ['backup', 'restore', '--id', 'backup_12345', '--data-only'], {'id': 'backup_12345', 'dataOnly': true}, []],
  ['mcp', ['backup', 'prune', '--keep', '3', '--dry-run'], {'keep': '3', 'dryRun': true}, []],
  ['mcp', ['restore', '--env', 'staging', '--data-only', '--latest'], {'env': 'staging', 'dataOnly': true, 'latest': true}, []],
  ['mcp', ['deploy', '--env', 'production', '--config', 'prod.json', '--canary', '20', '--canary-duration', '2h', '--canary-services', 'filesystem-mcp,git-mcp'], {'timeout': '5m', 'canaryDuration': '2h', 'volumeSize': '1Gi', 'env': 'production', 'config': 'prod.json', 'canary': '20', 'canaryServices': 'filesystem-mcp,git-mcp'}, []],
  ['mcp', ['version', 'restore', '4.2'], {}, ['4.2']],
  ['mcp', ['version', '--current'], {'current': true}, []],
  ['mcp', ['dashboard', '--host', '10.0.0.5', '--port', '8090'], {'port': '8090', 'host': '10.0.0.5'}, []],
  ['mcp', ['help', 'exit-codes', '--json'], {}, ['exit-codes']],
  ['mcp-migrate', ['check', '--from', '5.x', '--to', '6.0.0', '--data-size', '40GiB', '--json'], {'from': '5.x', 'to': '6.0.0', 'dataSize': '40GiB'}, []],
  ['mcp-migrate', ['plan', '--from', '4.x', '--to', '5.x'], {'from': '4.x', 'to': '5.x'}, []],
  ['mcp-migrate', ['execute', '--plan', 'plan.json', '--dry-run'], {'plan': 'plan.json', 'dryRun': true, 'monitorWindow': '5m'}, []],
  ['mcp-migrate', ['verify', '--version', '5.0'], {'version': '5.0'}, []],
  ['mcp-migrate', ['rollback', '--to', '4.0'], {'to': '4.0'}, []],
  ['mcp-migrate', ['help', 'exit-codes', '--json'], {}, ['exit-codes']],
];

describe('argv → options, every command', () => {
  const trees = { mcp: tree('mcp'), 'mcp-migrate': tree('mcp-migrate') };
  it.each(ROWS)('%s %j', (bin, argv, opts, args) => {
    const r = trees[bin].parse(argv);
    expect(r.opts).toEqual(opts);
    expect(r.args).toEqual(args);
  });

  it('every command of both binaries has a row', () => {
    for (const bin of ['mcp', 'mcp-migrate'] as const) {
      const covered = new Set(ROWS.filter((r) => r[0] === bin).map((r) => trees[bin].parse(r[1]).path));
      expect(trees[bin].leaves.filter((l) => !covered.has(l))).toEqual([]);
    }
  });
});
