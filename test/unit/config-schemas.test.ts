// schemas/config-v*.json are generated from the zod schemas (npm run schemas) and must not be stale;
// the documented examples and every `mcp init` starting config validate.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAll } from '../../src/config/json-schema.js';
import { emptyConfig } from '../../src/config/empty.js';
import { parseConfigText, validateConfig } from '../../src/config/index.js';
import { KNOWN_VERSIONS } from '../../src/versions.js';

const ROOT = join(import.meta.dirname, '../..');

describe('config schemas', () => {
  it.each(renderAll())('schemas/$file is up to date (npm run schemas)', ({ file, text }) => {
    expect(readFileSync(join(ROOT, 'schemas', file), 'utf8')).toBe(text);
  });

  it.each(KNOWN_VERSIONS.flatMap((v) => ['development', 'production'].map((e) => [v, e] as const)))('mcp init --version %s --env %s writes a config valid for its version', (v, env) => {
    const doc = emptyConfig(v, env);
    const r = validateConfig(doc, v);
    expect(r.issues).toEqual([]);
    expect(r.unknown).toEqual([]);
  });

  it.each(['v4.yaml', 'v5.json', 'v6.json'])('the documented example %s is valid and has no unknown field', (name) => {
    const { doc } = parseConfigText(readFileSync(join(ROOT, 'test/fixtures/config', name), 'utf8'), name);
    const r = validateConfig(doc);
    expect(r.issues).toEqual([]);
    expect(r.unknown).toEqual([]);
    // the docs show the same example
    const docs = readFileSync(join(ROOT, 'docs/config-formats.md'), 'utf8');
    expect(docs).toContain(readFileSync(join(ROOT, 'test/fixtures/config', name), 'utf8').trim());
  });

  it('reports the field path of a violation and lists unknown fields', () => {
    const r = validateConfig({ version: '5.0', environment: 'prod', services: [{ name: 'Bad_Name', type: 'mcp', image: 'x', xExtra: 1 }] });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['environment', 'services[0].name']));
    expect(r.unknown).toEqual(['services[0].xExtra']);
  });

  it('checks cross-field rules: dependencies and routes name real services, MCP servers have health checks', () => {
    const r = validateConfig({
      version: '5.1',
      environment: 'staging',
      routes: [{ path: '/x', service: 'nope' }],
      services: [{ name: 'a', type: 'mcp', image: 'x', dependsOn: ['ghost'] }],
    });
    expect(r.issues.map((i) => i.path).sort()).toEqual(['routes[0].service', 'services[0].dependsOn[0]', 'services[0].healthCheck']);
  });
});
