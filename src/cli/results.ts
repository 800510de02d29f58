// The --json contract: the result shape of the commands scripts read, as zod schemas. schemas/results/*.json
// are generated from these (npm run schemas); test/e2e/json-contract.test.ts runs each command with --json
// and validates its stdout, so a change of shape fails a test before it breaks someone's pipeline.
// One vocabulary: `ok` (boolean) says whether the command found what it checks good, `status` is a state
// word, `errors`/`issues` list what is wrong. Objects are open: fields may be added, never removed or retyped.
import { z } from 'zod';

import { open, errorResult, backupDoc, serviceHealth, streamEvent } from './results/base.js';
import { DB_RESULTS } from './results/db.js';
import { OPS_RESULTS } from './results/ops.js';
import { MIGRATION_RESULTS } from './results/migration.js';
import { STATE_RESULTS } from './results/state.js';
import { MIGRATE_BIN_RESULTS } from './results/mcp-migrate.js';

export { errorResult, streamEvent };

export const RESULTS = {
  version: open({ current: z.string().nullable() }),
  'services list': open({
    version: z.string(),
    runtime: z.string(),
    services: z.array(open({ name: z.string(), type: z.string(), image: z.string().optional(), ports: z.array(z.string()), dependsOn: z.array(z.string()), replicas: z.number().int() })),
  }),
  health: open({ ok: z.boolean(), healthy: z.boolean(), runtime: z.string(), services: z.array(serviceHealth) }),
  status: open({
    version: z.string(),
    runtime: open({ type: z.string() }),
    services: z.array(open({ name: z.string(), type: z.string(), state: z.string() })),
  }),
  'migration verify': open({
    version: z.string(),
    ok: z.boolean(),
    checks: z.array(open({ name: z.string(), status: z.enum(['passed', 'failed', 'skipped', 'warning']), detail: z.string() })),
  }),
  'migration status': open({ runId: z.string().nullable(), status: z.string() }),
  'migration check': open({ ok: z.boolean(), from: z.string(), to: z.string(), compatible: z.boolean(), path: z.array(z.string()).nullable() }),
  'db status': open({
    ok: z.boolean(),
    kind: z.string(),
    pending: z.number().int(),
    failed: z.number().int(),
    migrations: z.array(open({ version: z.string(), name: z.string(), state: z.string() })),
  }),
  'config validate': open({ ok: z.boolean(), valid: z.boolean(), version: z.string(), issues: z.array(open({ path: z.string(), message: z.string() })) }),
  'backup create': open({ backup: backupDoc }),
  'backup list': open({ backups: z.array(backupDoc), incomplete: z.array(z.unknown()) }),
  'backup verify': open({ ok: z.boolean(), backup: backupDoc, files: z.number().int(), bytes: z.number().int() }),
  ...DB_RESULTS,
  ...OPS_RESULTS,
  ...MIGRATION_RESULTS,
  ...STATE_RESULTS,
} as const;

export type ResultCommand = keyof typeof RESULTS;

/** The result schemas of `mcp-migrate` (its commands run the same core as mcp's). */
export const MIGRATE_RESULTS: Record<string, z.ZodType> = MIGRATE_BIN_RESULTS;

/** The schema of `bin path --json` (`db status`, `backup create`), or undefined when none is published. */
export function resultSchemaFor(bin: 'mcp' | 'mcp-migrate', path: string): z.ZodType | undefined {
  const table: Record<string, z.ZodType> = bin === 'mcp' ? RESULTS : MIGRATE_RESULTS;
  return Object.prototype.hasOwnProperty.call(table, path) ? table[path] : undefined;
}

export const resultFileName = (command: string) => `${command.replace(/ --?/g, '-').replace(/ /g, '-')}.json`;

export function renderResultSchemas(): Array<{ file: string; text: string }> {
  const one = (name: string, title: string, schema: z.ZodType) => {
    const js = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
    const doc = {
      $schema: js.$schema,
      $id: `https://mcp-platform.local/schemas/results/${name}`,
      title,
      description: 'Generated from src/cli/results.ts by npm run schemas. Objects are open: fields may be added, never removed or retyped.',
      ...Object.fromEntries(Object.entries(js).filter(([k]) => k !== '$schema')),
    };
    return { file: `results/${name}`, text: JSON.stringify(doc, null, 2) + '\n' };
  };
  return [
    one('error.json', 'the --json result of any failing command', errorResult),
    ...Object.entries(RESULTS).map(([cmd, schema]) => one(resultFileName(cmd), `mcp ${cmd} --json`, schema)),
    ...Object.entries(MIGRATE_RESULTS).map(([cmd, schema]) => one(resultFileName(`mcp-migrate ${cmd}`), `mcp-migrate ${cmd} --json`, schema)),
  ];
}
