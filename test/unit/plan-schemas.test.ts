// schemas/plan*.json are generated from the zod schemas and must not drift from them.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPlanSchemas } from '../../src/run/plan-formats.js';
import { ROOT } from '../helpers/cli.js';

describe('plan JSON Schemas', () => {
  it.each(renderPlanSchemas().map((s) => [s.file, s.text]))('schemas/%s is up to date (regenerate: npm run build && node dist/src/run/gen-plan-schemas.js)', (file, text) => {
    expect(readFileSync(join(ROOT, 'schemas', file), 'utf8')).toBe(text);
  });
});
