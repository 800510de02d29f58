// zod schemas of the guide's four plan formats, as written in MIGRATION_GUIDE.md (plus the few optional
// fields we add: canary measurement endpoints, rollback.noData, group timeouts). plan-files.ts checks a
// document against its schema first (every issue reported with file:line), then converts it.
// schemas/plan-*.json are generated from these (test/unit/plan-schemas.test.ts keeps them in step).
import { z } from 'zod';
import { PlanSchema } from './plan.js';

const duration = z.union([z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)?$/i, 'a duration such as 30m, 1h, 90s or 500ms'), z.number().nonnegative()]);
const version = z.union([z.string().min(1), z.number()]);
const name = z.string().min(1);
const services = z.array(name).min(1, 'list at least one service');

export const MigrationPlanFile = z
  .object({
    version: version.optional(),
    migration: z
      .object({
        strategy: z.literal('rolling').optional(),
        phases: z
          .array(
            z
              .object({
                name,
                services,
                timeout: duration.optional(),
                parallel: z.boolean().optional(),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

const condition = z.union([
  z.object({ errorRate: z.string() }).strict(),
  z.object({ latency: z.string() }).strict(),
  z.object({ healthCheck: z.literal('failing') }).strict(),
]);

export const RollingMigrationFile = z
  .object({
    version: version.optional(),
    migration: z
      .object({
        strategy: z.literal('rolling').optional(),
        metrics: z.string().url().optional(),
        health: z.array(z.string().url()).optional(),
        order: z
          .array(
            z
              .object({
                group: name,
                services,
                canary: z.boolean().optional(),
                canaryPercentage: z.number().gt(0).max(100).optional(),
                canaryDuration: duration.optional(),
                canaryInterval: duration.optional(),
                parallel: z.boolean().optional(),
                timeout: duration.optional(),
                metrics: z.string().url().optional(),
                health: z.array(z.string().url()).optional(),
              })
              .strict()
              .refine((g) => !g.canary || (g.canaryPercentage !== undefined && g.canaryDuration !== undefined), { message: 'a canary group needs canaryPercentage and canaryDuration' }),
          )
          .min(1),
        rollback: z
          .object({
            automatic: z.boolean().optional(),
            conditions: z.array(condition).optional(),
            noData: z.enum(['fail', 'pass']).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();

export const ProductionMigrationFile = z
  .object({
    migration: z
      .object({
        name: z.string().optional(),
        source: z.object({ environment: name, snapshot: z.string().optional() }).strict(),
        target: z.object({ environment: name, region: z.string().optional() }).strict(),
        steps: z
          .array(
            z
              .object({
                name,
                strategy: z.enum(['blue_green', 'rolling']).optional(),
                actions: z.array(name).min(1),
              })
              .strict(),
          )
          .min(1),
      })
      .strict(),
  })
  .strict();

export const AutomatedMigrationFile = z
  .object({
    automation: z
      .object({
        pre_checks: z.array(name).optional(),
        migration: z.array(name).min(1),
        post_checks: z.array(name).optional(),
        notifications: z.array(z.union([z.object({ slack: z.string() }).strict(), z.object({ email: z.string() }).strict()])).optional(),
      })
      .strict(),
  })
  .strict();

export const PLAN_FORMAT_SCHEMAS = {
  'migration-plan': MigrationPlanFile,
  'rolling-migration': RollingMigrationFile,
  'production-migration': ProductionMigrationFile,
  'automated-migration': AutomatedMigrationFile,
  'mcp-plan': PlanSchema,
} as const;

/** schemas/<file> → JSON Schema text */
export function renderPlanSchemas(): Array<{ file: string; text: string }> {
  const titles: Record<keyof typeof PLAN_FORMAT_SCHEMAS, [string, string]> = {
    'mcp-plan': ['plan.json', 'A saved mcp plan (mcp-migrate plan --out): phases of steps, rollback rules, fingerprint'],
    'migration-plan': ['plan-migration-plan.json', 'migration-plan.yaml: phases of services with timeouts, optionally parallel'],
    'rolling-migration': ['plan-rolling-migration.json', 'rolling-migration.yaml: ordered groups with canaries and automatic rollback conditions'],
    'production-migration': ['plan-production-migration.json', 'production-migration.yaml: an environment promotion as steps of named actions'],
    'automated-migration': ['plan-automated-migration.json', 'automated-migration.yaml: pre-checks, migration actions, post-checks, notifications'],
  };
  return (Object.keys(titles) as Array<keyof typeof titles>).map((k) => {
    const schema = z.toJSONSchema(PLAN_FORMAT_SCHEMAS[k], { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    const doc = { $id: `https://mcp-platform.dev/schemas/${titles[k][0]}`, title: titles[k][1], ...schema };
    return { file: titles[k][0], text: JSON.stringify(doc, null, 2) + '\n' };
  });
}
