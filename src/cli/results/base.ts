// Shared pieces of the --json result schemas (src/cli/results.ts and src/cli/results/*.ts).
import { z } from 'zod';

export const open = <T extends z.ZodRawShape>(shape: T) => z.object(shape).loose();
export const time = z.string().regex(/^\d{4}-\d\d-\d\dT/, 'an ISO 8601 time');

/** Every failing command with --json: this on stdout, and the exit code of docs/exit-codes.md. */
export const errorResult = open({
  error: open({ code: z.string(), message: z.string(), hint: z.string().optional(), where: z.string().optional(), exitCode: z.number().int() }),
});

export const backupDoc = open({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  createdAt: time,
  scope: z.enum(['full', 'data', 'config']),
  contents: z.array(z.string()),
  platformVersion: z.string().optional(),
  size: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  file: z.string(),
  encrypted: z.boolean(),
  database: open({ kind: z.string(), tables: z.array(open({ name: z.string(), rows: z.number().int() })) }).nullable(),
});

export const serviceHealth = open({
  name: z.string(),
  healthy: z.boolean(),
  external: z.boolean(),
  check: z.string().nullable(),
  detail: z.string(),
});

/** One line of a streamed run (`--json` on upgrade, migration execute, logs --follow): an event with its type. */
export const streamEvent = open({ type: z.string() });
