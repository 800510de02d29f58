// --json result schemas: see src/cli/results.ts.
// Config, backup restore/prune, environments and version history: the commands that change the home's state.
import { z } from 'zod';

import { open, time } from './base.js';

/** What a restore did (or, --dry-run, would do): src/backup/engine.ts RestoreReport. */
const restoreReport = open({
  backup: open({ id: z.string(), name: z.string(), createdAt: time, environment: z.string().nullable(), platformVersion: z.string().nullable() }),
  dryRun: z.boolean(),
  parts: z.array(z.string()),
  verified: z.literal(true),
  files: z.record(z.string(), open({ added: z.number().int(), changed: z.number().int(), removed: z.number().int(), unchanged: z.number().int() })),
  database: z.array(open({ name: z.string(), rows: z.number().int(), current: z.number().int().optional() })).nullable(),
  safetyBackup: z.string().nullable(),
  notes: z.array(z.string()),
});

/** `restore --resume`: whether an interrupted restore was settled, and how. */
const resumeReport = open({ resumed: z.boolean(), detail: z.string().nullable() });

const restoreResult = z.union([restoreReport, resumeReport]);

const envEntry = open({ name: z.string(), home: z.string() });

export const STATE_RESULTS = {
  // the exported config document itself (JSON by default; --format yaml/v4 prints YAML, not JSON)
  'config export': open({ version: z.union([z.string(), z.number()]) }),
  'config import': open({
    file: z.string(),
    version: z.string(),
    previousVersion: z.string().nullable(),
    config: z.string(),
    previous: z.string().nullable(),
    removed: z.string().nullable(),
    dryRun: z.boolean(),
    overlay: z.array(z.string()),
    // the field paths filled from the environment's own secrets (names only, never values)
    filledFromEnvironment: z.array(z.string()),
    unknown: z.array(z.string()),
  }),
  'config optimize': open({
    config: z.string(),
    version: z.string(),
    findings: z.array(
      open({
        id: z.string(),
        severity: z.enum(['warning', 'info']),
        path: z.string(),
        message: z.string(),
        safe: z.boolean(),
        fix: z.string().optional(),
        applied: z.boolean().optional(),
      }),
    ),
    applied: z.number().int(),
    dryRun: z.boolean(),
    previous: z.string().nullable(),
  }),
  'config restore': restoreReport,
  'backup restore': restoreResult,
  restore: restoreResult,
  'backup prune': open({
    dryRun: z.boolean(),
    keep: z.number().int(),
    kept: z.array(z.string()),
    removed: z.array(z.string()),
    incompleteRemoved: z.array(z.string()),
    partialsRemoved: z.number().int(),
  }),
  'environments add': open({ ok: z.boolean(), environment: envEntry.extend({ addedAt: time }), replaced: z.string().nullable() }),
  'environments list': open({ own: z.string().nullable(), home: z.string(), environments: z.array(envEntry.extend({ own: z.boolean() })) }),
  'environments remove': open({ dryRun: z.boolean(), removed: envEntry }),
  'environments retire-blue': open({
    dryRun: z.boolean(),
    home: z.string(),
    /** the color removed (or that would be); null: nothing to retire (see reason) */
    retired: z.enum(['blue', 'green']).nullable(),
    active: z.enum(['blue', 'green']).nullable(),
    /** the runtime the color ran on (absent: nothing to retire) */
    runtime: z.enum(['docker', 'kubernetes', 'none']).optional(),
    /** Kubernetes: the Deployments of the retired color; docker: its compose project (none for blue as installed) */
    workloads: z.array(z.string()),
    keepUntil: time.nullable(),
    reason: z.string().optional(),
  }),
  'version restore': open({ version: z.string(), config: z.string(), previous: z.string().optional() }),
} satisfies Record<string, z.ZodType>;
