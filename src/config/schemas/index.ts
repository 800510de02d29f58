// The schema of each platform generation, by version as written in a config's `version` field.
import type { z } from 'zod';
import { buildV4 } from './v4.js';
import { buildV5 } from './v5.js';
import { buildV6 } from './v6.js';

export type Generation = 4 | 5 | 6;
export const GENERATIONS: Generation[] = [4, 5, 6];

const built = {
  loose: { 4: buildV4('loose'), 5: buildV5('loose'), 6: buildV6('loose') },
  strict: { 4: buildV4('strict'), 5: buildV5('strict'), 6: buildV6('strict') },
} as const;

/** The schema we validate against: unknown keys are allowed and kept. */
export function schemaOf(gen: Generation): z.ZodType {
  return built.loose[gen];
}

/** The same schema rejecting unknown keys: used only to list them (reported, never silently passed). */
export function strictSchemaOf(gen: Generation): z.ZodType {
  return built.strict[gen];
}

export { type ConfigV4, type ServiceV4 } from './v4.js';
export { type ConfigV5, type ServiceV5 } from './v5.js';
export { type ConfigV6, type ServiceV6 } from './v6.js';
