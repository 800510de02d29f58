// --json result schemas: see src/cli/results.ts.
import { z } from 'zod';

import { open } from './base.js';
import { runReport } from './migration.js';

const int = z.number().int();
const num = z.number();
const str = z.string();

/** `mcp-migrate check --from --to`: the upgrade path, its breaking changes, type and downtime estimate. */
const checkReport = open({
  ok: z.boolean(),
  from: str,
  to: str,
  compatible: z.boolean(),
  // null when there is no path (compatible: false); nearest is then the nearest valid one
  path: z.array(str).nullable(),
  nearest: z.array(str).nullable(),
  hops: z.array(
    open({
      from: str,
      to: str,
      type: str,
      breakingChanges: z.array(open({ component: str, from: str, to: str, action: str })),
      features: z.array(str),
    }),
  ),
  migrationType: open({ type: str, description: str, downtime: str, risk: str, all: z.array(str) }),
  dataSize: open({
    dataDir: num,
    database: num.nullable(),
    databaseKind: str.nullable(),
    databaseNote: str.optional(),
    total: num,
    source: z.enum(['measured', 'given', 'none']),
  }),
  estimate: open({
    seconds: num,
    readable: str,
    confidence: z.enum(['high', 'medium', 'low']),
    parts: z.array(open({ what: str, seconds: num })),
  }).nullable(),
});

/** A plan as saved by `mcp-migrate plan --out` (src/run/plan.ts PlanSchema, secrets redacted). */
const planDoc = open({
  apiVersion: str,
  name: str,
  kind: str,
  from: str.optional(),
  to: str.optional(),
  environment: open({ source: str.optional(), target: str.optional() }).optional(),
  createdAt: str.optional(),
  sourceFile: str.optional(),
  fingerprint: open({ algorithm: z.literal('sha256'), value: z.string().regex(/^[0-9a-f]{64}$/), inputs: z.record(z.string(), z.string()) }).optional(),
  phases: z.array(
    open({
      name: str,
      parallel: z.boolean(),
      maxParallel: int.optional(),
      timeoutMs: int.optional(),
      strategy: str.optional(),
      canary: open({}).optional(),
      steps: z.array(open({ id: str, title: str, kind: str })),
      source: str.optional(),
    }),
  ),
  rollback: open({ automatic: z.boolean(), conditions: z.array(open({ metric: str, text: str })), noData: str }),
  notifications: z.array(open({ channel: str, target: str })),
  manualActions: z.array(str),
  notes: z.array(str),
});

export const MIGRATE_BIN_RESULTS = {
  check: checkReport,
  plan: open({ plan: planDoc, file: str.optional() }),
  // NDJSON: event lines, then this as the `{type: 'result'}` line
  execute: runReport,
  verify: open({
    version: str,
    ok: z.boolean(),
    checks: z.array(
      open({
        name: str,
        status: z.enum(['passed', 'failed', 'skipped', 'warning']),
        detail: str,
        items: z.array(open({ name: str, ok: z.boolean(), detail: str.optional() })).optional(),
      }),
    ),
  }),
  rollback: runReport,
  // `mcp-migrate help exit-codes --json`, or `help COMMAND --json`: the command's help text in a document
  help: z.union([open({ exitCodes: z.array(open({ code: int, name: str, meaning: str })) }), open({ command: str, help: str })]),
} satisfies Record<string, z.ZodType>;
