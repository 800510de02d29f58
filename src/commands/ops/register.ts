// Operating a platform: logs, cache, benchmarks, metrics, smoke tests, the pre-flight checklist and
// the schedule. Handlers live in src/commands/ops/*.ts, loaded lazily.
import type { Register } from '../../cli/program.js';
import { group, handle, leaf, collect } from '../../cli/program.js';


export const registerOps: Register = (program, app) => {
  // mcp logs
  const logs = leaf(program, {
    name: 'logs',
    description: "show the platform's logs (<home>/logs/*.log), filtered by time, level and service",
    examples: [
      'mcp logs --all --since 10m',
      'mcp logs --since 1h --level error',
      'mcp logs --service migration --since 2025-07-24T00:00:00Z',
      'mcp logs --follow --level warn',
      'mcp logs --since 1h --json',
    ],
  })
    .option('--since <time>', 'from this time: a duration ago (10m, 1h, 2d) or ISO 8601')
    .option('--until <time>', 'up to this time: a duration ago or ISO 8601')
    .option('--level <level>', 'this level and above: debug, info, warn, error')
    .option('--service <name>', 'only this service (repeatable; `migration` for migration runs, `mcp` for the CLI)', collect)
    .option('--all', 'every service (the default)')
    .option('--limit <n>', 'only the last N matching entries')
    .option('-f, --follow', 'keep printing new entries until Ctrl-C (NDJSON events with --json)');
  handle(logs, app, async () => (await import('./logs.js')).logsHandler);

  const exp = leaf(logs, {
    name: 'export',
    description: 'write matching log entries to a JSON file for analysis (atomic: the file is complete or absent)',
    examples: [
      'mcp logs export --service migration --from "2025-07-24T00:00:00Z" --to "2025-07-24T23:59:59Z" --output migration-analysis.json',
      'mcp logs export --from 1h --level error --output errors.json',
    ],
  })
    .option('--service <name>', 'only this service (repeatable)', collect)
    .option('--from <time>', 'from this time: ISO 8601 or a duration ago (1h)')
    .option('--to <time>', 'up to this time: ISO 8601 or a duration ago')
    .option('--level <level>', 'this level and above: debug, info, warn, error')
    .option('--output <file>', 'where to write the JSON (default: stdout)');
  handle(exp, app, async () => (await import('./logs.js')).logsExportHandler);

  // mcp cache clear
  const cache = group(program, 'cache', 'the platform cache (Redis) and the CLI\'s own caches', ['mcp cache clear --all']);
  const clear = leaf(cache, {
    name: 'clear',
    description: "remove the platform's cache keys (only its prefix, counted) and, with --all, the CLI's own caches",
    examples: ['mcp cache clear --all', 'mcp cache clear --service filesystem-mcp', 'mcp cache clear --all --dry-run --json'],
  })
    .option('--all', "every platform key and the CLI's caches")
    .option('--service <name>', "only this service's keys (<prefix><service>:*)")
    .option('--dry-run', 'count what would be removed, remove nothing');
  handle(clear, app, async () => (await import('./cache.js')).cacheClearHandler);

  // mcp benchmark
  const bench = leaf(program, {
    name: 'benchmark',
    description: "measure each service's latency percentiles and throughput; save a baseline or compare with one (within 10%, else exit 3)",
    examples: [
      'mcp benchmark --save baseline-v6',
      'mcp benchmark --compare-with baseline',
      'mcp benchmark --service filesystem-mcp --requests 500 --json',
    ],
  })
    .option('--service <name>', 'only this service (repeatable)', collect)
    .option('--requests <n>', 'requests per service', '200')
    .option('--concurrency <n>', 'requests in flight per service', '4')
    .option('--timeout <duration>', 'timeout of one request', '5s')
    .option('--save <name>', 'save the result as baseline NAME in <home>/state/benchmarks')
    .option('--compare-with <name>', 'compare with baseline NAME: exit 3 unless within 10%');
  handle(bench, app, async () => (await import('./benchmark.js')).benchmarkHandler);

  // mcp metrics
  const metrics = leaf(program, {
    name: 'metrics',
    description: "what the platform measured over a window (health checks, commands, migration steps, benchmarks) plus each service's Prometheus metrics endpoint",
    examples: ['mcp metrics --service all --duration 1h', 'mcp metrics --service filesystem-mcp --json', 'mcp metrics --duration 24h'],
  })
    .option('--service <name>', 'one service, or all', 'all')
    .option('--duration <duration>', 'the window, ending now (10m, 1h, 1d)', '1h')
    .option('--timeout <duration>', 'timeout of one metrics endpoint request', '3s');
  handle(metrics, app, async () => (await import('./metrics.js')).metricsHandler);

  // mcp test smoke
  const test = group(program, 'test', 'test the installation: health with MCP protocol checks, database, data', ['mcp test smoke --env staging']);
  const smoke = leaf(test, {
    name: 'smoke',
    description: 'quick checks after a deploy: every service healthy (MCP servers answer initialize and tools/list) and the database reachable; exit 3 on a failure',
    examples: ['mcp test smoke', 'mcp test smoke --env staging', 'mcp test smoke --json'],
  })
    .option('--env <name>', 'this home\'s environment (fail unless the installation is it), or a registered one: that environment\'s home is tested')
    .option('--timeout <duration>', 'per-check timeout (default: each service\'s healthCheck.timeout, else 5s)');
  handle(smoke, app, async () => (await import('./test.js')).testSmokeHandler);

  const all = leaf(test, {
    name: 'all',
    description: 'every check: health with MCP protocol, database, services verify (tools kept), data against the newest backup; --comprehensive adds logs and performance against the baseline',
    examples: ['mcp test all', 'mcp test all --comprehensive', 'mcp test all --comprehensive --baseline baseline-v6 --json'],
  })
    .option('--comprehensive', 'also: no error in the logs over --since, performance within 10% of the baseline')
    .option('--since <duration>', 'the logs window for --comprehensive', '1h')
    .option('--baseline <name>', 'the benchmark baseline for --comprehensive (default: the newest saved)')
    .option('--timeout <duration>', 'per-check timeout');
  handle(all, app, async () => (await import('./test.js')).testAllHandler);


};
