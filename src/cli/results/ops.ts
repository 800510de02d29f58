// --json result schemas: see src/cli/results.ts.
import { z } from 'zod';

import { open, time } from './base.js';

const int = z.number().int();
const levelCounts = z.record(z.string(), int);

/** `mcp start`, `mcp stop`, `mcp services reset`: what was asked of the runtime (src/runtime/types.ts ActionResult). */
const actionResult = (action: 'start' | 'stop' | 'reset') =>
  open({
    runtime: z.string(),
    action: z.literal(action),
    services: z.array(z.string()),
    commands: z.array(z.string()),
    external: z.boolean().optional(),
    files: z.array(z.string()).optional(),
  });

/** One log entry (src/ops/logs.ts LogEntry). */
const logEntry = open({
  time: z.string(),
  level: z.string(),
  service: z.string(),
  event: z.string().optional(),
  message: z.string().optional(),
  command: z.string().optional(),
  pid: z.number().optional(),
  source: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

const logsDoc = open({
  filter: open({
    since: time.optional(),
    until: time.optional(),
    level: z.string().optional(),
    services: z.union([z.literal('all'), z.array(z.string())]),
  }),
  sources: z.array(z.string()),
  warnings: z.array(z.string()),
  count: int,
  counts: levelCounts,
  entries: z.array(logEntry),
});

/** `logs --follow --json`: one NDJSON line per entry. */
const logEvent = logEntry.extend({ type: z.literal('log') });

const exportFilter = open({
  service: z.union([z.literal('all'), z.array(z.string())]),
  from: time.optional(),
  to: time.optional(),
  level: z.string().optional(),
});

/** `logs export` without --output: the export document itself on stdout. */
const logsExportDoc = open({
  format: z.string(),
  exportedAt: time,
  home: z.string(),
  filter: exportFilter,
  sources: z.array(z.string()),
  warnings: z.array(z.string()),
  count: int,
  counts: levelCounts,
  entries: z.array(logEntry),
});

/** `logs export --output FILE`: where it went. */
const logsExportWritten = open({ output: z.string(), count: int, counts: levelCounts, filter: exportFilter });

const notComparable = open({ service: z.string(), reason: z.string() });

const benchmarkService = open({
  service: z.string(),
  url: z.string(),
  requests: int,
  /** requests that succeeded (a count, not a verdict) */
  ok: int,
  errors: int,
  errorRate: z.number(),
  errorSamples: z.array(z.string()),
  latencyMs: open({ min: z.number(), mean: z.number(), p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number(), max: z.number() }),
  throughputRps: z.number(),
  durationMs: z.number(),
});

const benchmarkCheck = open({
  service: z.string(),
  metric: z.string(),
  baseline: z.number().nullable(),
  current: z.number().nullable(),
  threshold: z.number().nullable(),
  change: z.number().nullable(),
  ok: z.boolean(),
});

const testCheck = open({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'skip']),
  detail: z.string(),
  hint: z.string().optional(),
  command: z.string().optional(),
  ms: z.number(),
  data: z.unknown().optional(),
});

const testResult = (suite: 'smoke' | 'all') =>
  open({
    suite: z.literal(suite),
    comprehensive: z.boolean(),
    environment: z.string().optional(),
    ok: z.boolean(),
    checks: z.array(testCheck),
    ms: z.number(),
  });

const step = open({ step: z.string(), detail: z.string() });

export const OPS_RESULTS = {
  init: z.union([
    // mcp init
    open({
      home: z.string(),
      version: z.string(),
      environment: z.string(),
      config: z.string(),
      layout: open({ root: z.string(), config: z.string(), data: z.string(), backups: z.string(), state: z.string(), logs: z.string() }),
    }),
    // mcp init --example
    open({
      home: z.string(),
      version: z.string(),
      config: z.string(),
      runtime: z.string(),
      database: open({ type: z.string(), display: z.string(), rows: int }),
      dataFiles: int,
    }),
  ]),
  start: actionResult('start'),
  stop: actionResult('stop'),
  'services reset': actionResult('reset'),
  'services verify': open({
    ok: z.boolean(),
    runtime: z.string(),
    services: z.array(
      open({
        name: z.string(),
        ok: z.boolean(),
        state: z.string().optional(),
        health: open({ healthy: z.boolean(), check: z.string(), detail: z.string(), skipped: z.boolean().optional(), external: z.boolean().optional() }),
        tools: open({
          baseline: z.array(z.string()).optional(),
          current: z.array(z.string()),
          lost: z.array(z.string()),
          added: z.array(z.string()),
          baselineFrom: z.string().optional(),
        }).optional(),
        problems: z.array(z.string()),
      }),
    ),
  }),
  logs: z.union([logsDoc, logEvent]),
  'logs export': z.union([logsExportDoc, logsExportWritten]),
  benchmark: open({
    format: z.string(),
    name: z.string().optional(),
    createdAt: time,
    platformVersion: z.string().optional(),
    settings: open({ requests: int, concurrency: int, timeoutMs: z.number() }),
    services: z.array(benchmarkService),
    skipped: z.array(notComparable),
    savedTo: z.string().optional(),
    leftOut: z.array(notComparable).optional(),
    // only with --compare-with: the verdict is comparison.ok
    comparison: open({
      baseline: z.string(),
      baselineCreatedAt: z.string(),
      tolerance: z.number(),
      ok: z.boolean(),
      checks: z.array(benchmarkCheck),
      notComparable: z.array(notComparable),
    }).optional(),
  }),
  metrics: open({
    window: open({ durationMs: z.number(), since: time }),
    platformVersion: z.string().optional(),
    services: z.array(
      open({
        service: z.string(),
        health: open({
          checks: int,
          healthy: int,
          unhealthy: int,
          availability: z.number().nullable(),
          latencyMs: open({ p50: z.number(), p95: z.number(), max: z.number() }).nullable(),
          last: open({ time: z.string(), healthy: z.boolean(), ms: z.number().optional(), check: z.string().optional(), detail: z.string().optional() }).nullable(),
        }),
        benchmark: open({ time: z.string(), p50: z.number(), p95: z.number(), rps: z.number(), errors: z.number() }).nullable(),
        prometheus: open({
          url: z.string(),
          ok: z.boolean(),
          status: int.optional(),
          error: z.string().optional(),
          families: int.optional(),
          samples: int.optional(),
          summary: z.record(z.string(), z.string()).optional(),
          data: z.array(z.unknown()).optional(),
        }).nullable(),
      }),
    ),
    commands: z.array(
      open({
        command: z.string(),
        runs: int,
        failed: int,
        durationMs: open({ p50: z.number(), p95: z.number(), max: z.number() }).nullable(),
      }),
    ),
    runs: z.array(open({ runId: z.string(), status: z.string(), canary: z.array(z.unknown()) })),
    steps: z.array(open({ time: z.string(), runId: z.string(), step: z.string(), kind: z.string(), status: z.string(), ms: z.number(), attempts: int })),
  }),
  'test smoke': testResult('smoke'),
  'test all': testResult('all'),
  // one event line while it serves: the URL without its token
  dashboard: open({ url: z.string(), host: z.string(), port: int }),
  // `help exit-codes --json`, or `help COMMAND --json`: the command's help text in a document
  help: z.union([open({ exitCodes: z.array(open({ code: int, name: z.string(), meaning: z.string() })) }), open({ command: z.string(), help: z.string() })]),
  // branches: runtime none for another environment's home (config installed), kubernetes --dry-run (plan),
  // kubernetes (applied, rolled out), docker --dry-run (the compose command), docker (compose up)
  deploy: open({
    runtime: z.string(),
    environment: z.string(),
    dryRun: z.boolean().optional(),
    home: z.string().optional(),
    config: open({ path: z.string(), previous: z.string().nullable(), filledFromEnvironment: z.array(z.string()) }).nullable().optional(),
    namespace: z.string().optional(),
    source: open({ kind: z.string(), files: z.array(z.string()) }).optional(),
    steps: z.array(step).optional(),
    namespaceCreated: z.boolean().optional(),
    applied: z.array(open({ object: z.string(), action: z.string() })).optional(),
    rolledOut: z.array(z.string()).optional(),
    canary: open({ mode: z.string(), services: z.array(z.string()), percentage: z.number(), durationSeconds: z.number() }).optional(),
    dataMoves: z.array(open({ pvc: z.string(), source: z.string(), status: z.string(), files: int, bytes: int })).optional(),
    pendingDataMoves: z.array(z.unknown()).optional(),
    files: z.array(z.string()).optional(),
    project: z.string().optional(),
    /** docker, the config installed in the environment's home: the services its runtime started (all healthy) */
    services: z.array(z.string()).optional(),
  }),
} satisfies Record<string, z.ZodType>;
