// The plan model every change runs through: phases of steps, each step a registered kind with params.
// Plan files (src/core/plan-files.ts) and the planner (src/core/planner.ts) both produce this shape;
// the executor runs nothing else. Saved plans carry a fingerprint and never secrets.
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { redact } from '../redact.js';
import { durationMs, formatDuration } from '../duration.js';

export const PLAN_API_VERSION = 'mcp.plan/v1';


/** `30m`, `1h`, `500ms`, `10s`, a bare number = seconds. Returns undefined when unparsable. */
/** A plan file's duration (`45m`, `1h30m`, a bare number of seconds); undefined when it is none. */
export function parseDuration(v: unknown): number | undefined {
  return durationMs(v);
}

export { formatDuration };

export const StepSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._:-]*$/i),
  kind: z.string().min(1),
  title: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** a consistent state: rollback stops here (undo never goes past a completed rollback point unless asked to) */
  rollbackPoint: z.boolean().default(false),
  /** where it came from, e.g. `migration-plan.yaml:12` */
  source: z.string().optional(),
  /**
   * the environment whose home the step acts on (a promotion's source or target); absent: the home the plan
   * runs in. Resolved through that home's registry (docs/environments.md) when the run starts or resumes.
   */
  environment: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/).optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const CanarySchema = z.object({
  percentage: z.number().min(0).max(100),
  durationMs: z.number().int().min(0),
  /** how often the rollback conditions are measured while the canary holds */
  intervalMs: z.number().int().min(10).optional(),
  /** a metrics endpoint: JSON ({errorRate, latencyMs}) or Prometheus text */
  metricsUrl: z.string().url().optional(),
  /** HTTP health checks; 2xx = passing */
  healthUrls: z.array(z.string().url()).default([]),
});
export type Canary = z.infer<typeof CanarySchema>;

export const PhaseSchema = z.object({
  name: z.string().min(1),
  parallel: z.boolean().default(false),
  /** at most this many steps at once in a parallel phase */
  maxParallel: z.number().int().min(1).max(256).default(8),
  timeoutMs: z.number().int().min(1).optional(),
  strategy: z.enum(['sequential', 'rolling', 'blue_green']).optional(),
  canary: CanarySchema.optional(),
  steps: z.array(StepSchema),
  source: z.string().optional(),
});
export type Phase = z.infer<typeof PhaseSchema>;

export const ConditionSchema = z.object({
  metric: z.enum(['errorRate', 'latency', 'healthCheck']),
  op: z.enum(['>', '>=', '<', '<=', '==']).optional(),
  /** errorRate: a fraction (0.05 = 5%); latency: milliseconds; healthCheck: none (true when failing) */
  threshold: z.number().optional(),
  /** as written in the plan, e.g. `> 5%` */
  text: z.string(),
});
export type Condition = z.infer<typeof ConditionSchema>;

export const RollbackSchema = z.object({
  automatic: z.boolean().default(true),
  conditions: z.array(ConditionSchema).default([]),
  /**
   * What a condition that cannot be measured (endpoint down, metric absent) counts as.
   * `fail` (default): like a condition that is true — the canary fails and rolls back.
   * `pass`: accepted explicitly; shown as "no data (accepted by rule)" in status.
   */
  noData: z.enum(['fail', 'pass']).default('fail'),
});

export const FingerprintSchema = z.object({
  algorithm: z.literal('sha256'),
  value: z.string().regex(/^[0-9a-f]{64}$/),
  /** what went into it, for the refusal message */
  inputs: z.record(z.string(), z.string()),
});
export type Fingerprint = z.infer<typeof FingerprintSchema>;

export const PlanSchema = z.object({
  apiVersion: z.literal(PLAN_API_VERSION),
  name: z.string().min(1),
  kind: z.enum(['upgrade', 'promotion', 'service-migration', 'automation', 'config-change', 'custom']),
  from: z.string().optional(),
  to: z.string().optional(),
  environment: z.object({ source: z.string().optional(), target: z.string().optional() }).optional(),
  createdAt: z.string().optional(),
  /** the file the plan was read from, if any */
  sourceFile: z.string().optional(),
  fingerprint: FingerprintSchema.optional(),
  phases: z.array(PhaseSchema).min(1),
  rollback: RollbackSchema.default({ automatic: true, conditions: [], noData: 'fail' }),
  notifications: z.array(z.object({ channel: z.string(), target: z.string() })).default([]),
  /** what the operator must still do by hand after the plan ran (shown in the report) */
  manualActions: z.array(z.string()).default([]),
  notes: z.array(z.string()).default([]),
});
export type Plan = z.infer<typeof PlanSchema>;
export type PlanInput = z.input<typeof PlanSchema>;

export function makePlan(input: PlanInput): Plan {
  const plan = PlanSchema.parse(input);
  const ids = new Set<string>();
  for (const ph of plan.phases)
    for (const s of ph.steps) {
      if (ids.has(s.id)) throw new Error(`duplicate step id ${s.id}`);
      ids.add(s.id);
    }
  return plan;
}

export const allSteps = (plan: Plan): Array<Step & { phase: string }> => plan.phases.flatMap((p) => p.steps.map((s) => ({ ...s, phase: p.name })));

/** Plans never carry secrets: secret-named keys and secret-looking text are masked before a plan is written or shown. */
export function sanitizePlan(plan: Plan): Plan {
  return redact(plan);
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A stable hash of the plan's steps (not of its fingerprint or timestamps): the journal records it. */
export function planDigest(plan: Plan): string {
  return sha256(JSON.stringify(plan.phases));
}
