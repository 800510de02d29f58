// --json result schemas: see src/cli/results.ts.
import { z } from 'zod';

import { open, time } from './base.js';

const int = z.number().int();
const num = z.number();
const str = z.string();

/** pass/fail/not checked lines of `migration requirements` and `migration validate` */
const requirement = open({ name: str, status: z.enum(['pass', 'fail', 'not checked']), detail: str });

/** One canary measurement of a run (the journal's, src/run/journal.ts). */
export const measurement = open({
  t: time,
  phase: str,
  verdict: z.enum(['ok', 'breached']),
  checks: z.array(
    open({
      condition: str,
      metric: str,
      value: z.union([num, str]).nullable(),
      threshold: str,
      breached: z.boolean(),
      noData: z.boolean().optional(),
      note: str.optional(),
    }),
  ),
});

/**
 * The report of a run (src/commands/migration/run.ts `report`): with --json the last NDJSON line,
 * `{type: 'result', ...}`, after the executor's event lines. `status` is the run's end (completed,
 * dry-run, paused, failed, rolled-back, aborted, interrupted, …).
 */
export const runReport = open({
  type: z.literal('result').optional(),
  runId: str,
  status: str,
  plan: open({ name: str, kind: str, from: str.optional(), to: str.optional() }),
  durationMs: num,
  steps: z.array(
    open({ id: str, phase: str, title: str, kind: str, status: str, durationMs: num.optional(), error: str.optional() }),
  ),
  rollback: open({
    to: str,
    reason: str,
    startedAt: time,
    endedAt: time.optional(),
    stopAt: str.optional(),
    failed: z.boolean().optional(),
  }).optional(),
  error: str.optional(),
  measurements: z.array(measurement),
  manualActions: z.array(str),
  runtime: str.optional(),
});

/** `pause` / `abort` of a run in progress: the request written to its control file. */
const controlRequest = (what: 'pause' | 'abort') => open({ runId: str, requested: z.literal(what) });

/** The record counts of a data package, by kind (only the kinds it includes). */
const records = z.record(z.string(), int);

const kindDiff = open({ expected: int, actual: int, missing: z.array(str), extra: z.array(str), changed: z.array(str) });

/** A test/preflight check line. */
const testCheck = open({
  id: str,
  title: str,
  status: z.enum(['pass', 'fail', 'skip']),
  detail: str,
  hint: str.optional(),
  command: str.optional(),
  ms: num,
  data: z.unknown().optional(),
});

const preflightCheck = open({
  n: int,
  id: str,
  title: str,
  status: z.enum(['pass', 'fail', 'warn']),
  detail: str,
  hint: str.optional(),
  command: str.optional(),
  data: z.unknown().optional(),
  ms: num,
});

/** `migration convert --validate FILE…`: the manifests checked against the Kubernetes schemas. */
const convertValidate = open({
  ok: z.boolean(),
  files: z.array(str),
  objects: int,
  valid: z.boolean(),
  issues: z.array(open({ file: str.optional(), doc: int.optional(), object: str, path: str, message: str })),
});

/** `migration convert` (compose or platform config → manifests), with --out: `out` and `files`. */
const convertReport = open({
  ok: z.boolean(),
  source: open({ kind: z.enum(['compose', 'config']), files: z.array(str) }),
  namespace: str,
  valid: z.boolean(),
  objects: z.array(open({ kind: str, name: str })),
  report: open({
    project: z.array(open({ field: str, status: str, note: str })),
    services: z.array(open({ service: str, entries: z.array(open({ field: str, status: str, note: str })) })),
  }),
  counts: z.record(z.string(), int),
  dataMoves: z.array(open({ service: str, pvc: str, mountPath: str, source: str, kind: z.enum(['bind', 'volume']) })),
  applyOrder: z.array(str),
  out: str.optional(),
  files: z.array(str).optional(),
});

export const MIGRATION_RESULTS = {
  'migration execute': runReport,
  'migration resume': runReport,
  'migration pause': controlRequest('pause'),
  // a run in progress: the request; a stopped run: rolled back here, the run's report (NDJSON result line)
  'migration abort': z.union([controlRequest('abort'), runReport]),
  upgrade: runReport,

  'migration requirements': open({ ok: z.boolean(), target: str, from: str.nullable(), checks: z.array(requirement) }),
  'migration validate': open({ ok: z.boolean(), source: str, version: str, checks: z.array(requirement) }),

  'migration export-data': open({ output: str, version: str, include: z.array(str), records, notes: z.array(str) }),
  'migration transform': open({ source: str, output: str, from: str, to: str, records, notes: z.array(str) }),
  'migration validate-data': open({
    ok: z.boolean(),
    data: str,
    schema: str,
    version: str,
    records,
    issues: z.array(open({ file: str, path: str, message: str })),
  }),
  'migration verify-data': open({ ok: z.boolean(), compareWith: str, from: str, to: str, diff: z.record(z.string(), kindDiff) }),

  'migration convert': z.union([convertValidate, convertReport]),

  'migration test': open({
    ok: z.boolean(),
    suite: str,
    comprehensive: z.boolean(),
    environment: str.optional(),
    checks: z.array(testCheck),
    ms: num,
  }),
  'migration preflight': open({
    ok: z.boolean(),
    targetVersion: str,
    checks: z.array(preflightCheck),
    failed: z.array(str),
    warnings: z.array(str),
    files: z.array(str),
    startedAt: time,
    ms: num,
  }),
  'migration schedule': open({
    from: str,
    to: str,
    date: str,
    window: open({ start: str, end: str, timezone: str, durationMs: num }),
    timeline: z.array(open({ at: str, date: str, what: str })),
    downtime: open({
      expectedMs: num,
      maximumMs: num,
      expected: str,
      maximum: str,
      fitsWindow: z.boolean(),
      from: str.optional(),
      to: str.optional(),
      periods: int,
    }),
    totalMs: open({ expected: num, maximum: num }),
    rollbackPoints: z.array(open({ n: int, step: str, title: str, at: str, offsetMs: num })),
    team: open({ lead: str, database: str, platform: str, onCall: str }),
    successCriteria: z.array(str),
    plan: open({ name: str, kind: str, from: str.optional(), to: str.optional() }),
    facts: open({ dataBytes: num, databaseBytes: num, services: int, runtime: str }),
    steps: z.array(
      open({
        id: str,
        phase: str,
        title: str,
        kind: str,
        estimateMs: num,
        maxMs: num.optional(),
        rollbackPoint: z.boolean(),
        basis: z.enum(['model', 'measured']),
      }),
    ),
    overTimeout: z.array(open({ phase: str, expectedMs: num, timeoutMs: num })),
    notes: z.array(str),
    markdown: str,
    output: str.optional(),
  }),

  // `mcp migrate`: a config file transformed along the upgrade path (with --dry-run: output null)
  migrate: open({
    from: str,
    to: str,
    path: z.array(str),
    input: str,
    output: str.nullable().optional(),
    format: z.enum(['json', 'yaml']),
    dryRun: z.boolean(),
    breakingChanges: z.array(open({ hop: str, component: str, from: str, to: str, action: str })),
    manualActions: z.array(str),
    reported: z.array(
      open({ hop: str, path: str, disposition: z.enum(['carried', 'moved', 'changed', 'replaced', 'added']), to: str.optional(), reason: str }),
    ),
    placeholders: open({ filled: z.array(str), unresolved: z.array(str) }),
    services: int,
  }),
} satisfies Record<string, z.ZodType>;
