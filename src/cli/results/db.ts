// --json result schemas: see src/cli/results.ts.
// `mcp db …` (src/commands/db), `mcp data …` (src/commands/data, dataVerifyHandler in src/commands/backup/handlers.ts)
// and `mcp cache clear` (src/commands/ops/cache.ts).
import { z } from 'zod';

import { open, time } from './base.js';

const int = z.number().int();

/** One migration of a migrate/rollback run (`summary` in src/commands/db/migrate.ts); `steps` only with --dry-run. */
const runAction = open({
  action: z.enum(['adopt', 'baseline', 'apply', 'resume', 'rollback']),
  version: z.string(),
  seq: int,
  name: z.string(),
  file: z.string(),
  variant: z.string().optional(),
  note: z.string().optional(),
  durationMs: int.optional(),
  rows: int.optional(),
  steps: z
    .array(open({ kind: z.enum(['tx', 'notx', 'batch', 'check', 'verify']), statements: z.array(z.string()), size: int.optional() }))
    .optional(),
});

const tableCount = open({ table: z.string(), records: int });

/** The content check after a run (`contentOf`): absent on a dry run or when there is nothing to compare. */
const runContent = open({
  ok: z.boolean(),
  records: int,
  tables: z.array(tableCount),
  changed: int,
  missing: int,
  added: int,
  snapshot: open({ takenAt: time, label: z.string(), records: int }),
});

const linkPlan = open({
  path: z.string(),
  action: z.enum(['update', 'create', 'unchanged', 'skip']),
  from: z.string().optional(),
  to: z.string(),
  reason: z.string().optional(),
});

const dataPlan = open({
  source: z.string(),
  target: z.string(),
  excludes: z.array(z.string()),
  createDirs: z.array(z.string()),
  rsync: z.array(z.string()),
  link: linkPlan,
});

export const DB_RESULTS = {
  'db ping': open({
    ok: z.boolean(),
    kind: z.string(),
    database: z.string(),
    source: z.string(),
    server: z.string(),
    latencyMs: int,
  }),
  'db migrate': open({
    database: z.string(),
    target: z.string(),
    dryRun: z.boolean(),
    actions: z.array(runAction),
    content: runContent.optional(),
  }),
  'db rollback': open({
    database: z.string(),
    to: z.string(),
    dryRun: z.boolean(),
    actions: z.array(runAction),
    content: runContent.optional(),
  }),
  'db reindex': z.union([
    // PostgreSQL / PGlite
    open({
      database: z.string(),
      tables: z.array(open({ table: z.string(), durationMs: int })),
      invalidBefore: z.array(z.string()),
      dryRun: z.boolean(),
    }),
    // MongoDB
    open({
      database: z.string(),
      collections: z.array(open({ collection: z.string(), indexes: z.array(z.string()) })),
      dryRun: z.boolean(),
    }),
  ]),
  'db repair': open({
    database: z.string(),
    dryRun: z.boolean(),
    accepted: z.array(open({ file: z.string(), from: z.string().nullable(), to: z.string() })),
  }),
  'db baseline': open({
    database: z.string(),
    version: z.string(),
    dryRun: z.boolean(),
    baselined: z.array(z.string()),
  }),
  'data migrate': z.union([
    // --dry-run
    open({
      dryRun: z.literal(true),
      plan: dataPlan,
      wouldTransfer: z.array(z.string()),
      link: open({ ...linkPlan.shape, done: z.boolean() }),
    }),
    open({
      // the copy is identical to the source by content (verification.identical)
      ok: z.boolean(),
      dryRun: z.literal(false),
      plan: dataPlan,
      transferred: int,
      permissions: open({ directories: int, files: int, changed: int, keptPrivate: z.array(z.string()) }),
      verification: open({
        identical: z.boolean(),
        files: int,
        bytes: int,
        directories: int,
        symlinks: int,
        differences: z.array(open({ path: z.string(), kind: z.enum(['missing', 'extra', 'content', 'type', 'link']), detail: z.string() })),
      }),
      repaired: z.boolean(),
      link: open({ ...linkPlan.shape, done: z.boolean() }),
    }),
  ]),
  'data verify': open({
    ok: z.boolean(),
    backup: z.string(),
    backupPlatformVersion: z.string().optional(),
    installedVersion: z.string().nullable(),
    checked: int,
    changed: z.array(z.string()),
    missing: z.array(z.string()),
    extra: z.array(z.string()),
    // actual: -1 when the table is absent
    tables: z.array(open({ name: z.string(), expected: int, actual: int })),
    database: open({ compared: z.boolean(), reason: z.string().optional() }),
  }),
  'cache clear': open({
    scope: z.union([z.literal('all'), open({ service: z.string() })]),
    dryRun: z.boolean(),
    redis: z.union([
      open({ pattern: z.string(), matched: int, removed: int, dryRun: z.boolean(), url: z.string(), from: z.string() }),
      open({ configured: z.literal(false) }),
    ]),
    cli: open({ dir: z.string(), removed: int }).nullable(),
  }),
} satisfies Record<string, z.ZodType>;
