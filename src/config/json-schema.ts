// schemas/config-v{4,5,6}.json, generated from the zod schemas with zod 4's z.toJSONSchema.
// `npm run schemas` rewrites them; test/unit/config-schemas.test.ts fails when they are stale.
import { z } from 'zod';
import { schemaOf, GENERATIONS, type Generation } from './schemas/index.js';

export const schemaFileName = (gen: Generation) => `config-v${gen}.json`;

export function renderJsonSchema(gen: Generation): string {
  const js = z.toJSONSchema(schemaOf(gen), { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const doc = {
    $schema: js.$schema,
    $id: `https://mcp-platform.local/schemas/${schemaFileName(gen)}`,
    title: `MCP Platform config v${gen}`,
    description: `Generated from src/config/schemas/v${gen}.ts by npm run schemas. Cross-field rules (unique names, dependencies and routes that exist, a health check for each MCP server) are checked by mcp config validate.`,
    ...Object.fromEntries(Object.entries(js).filter(([k]) => k !== '$schema')),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

export function renderAll(): Array<{ file: string; text: string }> {
  return GENERATIONS.map((g) => ({ file: schemaFileName(g), text: renderJsonSchema(g) }));
}
