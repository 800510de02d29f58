// Property tests of the transformer registry: no input field is silently lost (every leaf is carried
// to the output or reported), chained paths equal their hops, and every result validates.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { transformConfig, hopOf, validateConfig, findPath } from '../../src/config/index.js';
import { applyHop } from '../../src/config/transformers/registry.js';
import { formatPath } from '../../src/config/validate.js';
import { v4Config, v5Config } from './config-arb.js';

type Doc = Record<string, unknown>;

function leaves(v: unknown, path: Array<string | number> = [], out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(v)) {
    if (!v.length) out.push([formatPath(path), '[]']);
    v.forEach((x, i) => leaves(x, [...path, i], out));
  } else if (v !== null && typeof v === 'object') {
    const e = Object.entries(v);
    if (!e.length) out.push([formatPath(path), '{}']);
    for (const [k, x] of e) leaves(x, [...path, k], out);
  } else out.push([formatPath(path), v]);
  return out;
}

/** Input leaves that are neither found (by value) in the output nor covered by a reported path. */
function unaccounted(input: Doc, output: Doc, reported: Array<{ path: string }>): string[] {
  const have = new Set(leaves(output).map(([, v]) => String(v)));
  const covered = (p: string) => reported.some((r) => p === r.path || p.startsWith(r.path + '.') || p.startsWith(r.path + '['));
  // An empty object or list is kept when the output still has a container at that path (e.g. `api: {}`
  // becomes `api: {basePath: '/api/v1/'}`).
  const containerAt = (p: string) => leaves(output).some(([q]) => q === p || q.startsWith(p + '.') || q.startsWith(p + '['));
  return leaves(input)
    .filter(([p]) => p !== 'version')
    .filter(([p, v]) => !((v === '{}' || v === '[]') && containerAt(p)))
    .filter(([p, v]) => !covered(p) && !have.has(String(v)) && !have.has(String(v).replace(/_/g, '-')))
    .map(([p]) => p);
}

const RUNS = { numRuns: 150 };

describe('every hop keeps every input field (carried or reported)', () => {
  it('4.x → 5.0', () => {
    fc.assert(
      fc.property(v4Config(), (doc) => {
        const v = validateConfig(doc);
        expect(v.issues).toEqual([]);
        const from = findPath(String(doc.version).slice(0, 3) as '4.0', '5.0')!.slice(-2)[0]!;
        const hop = hopOf(from, '5.0');
        const input = from === String(doc.version).slice(0, 3) ? doc : transformConfig(doc, '4.x', from).config;
        const r = applyHop(hop, input);
        expect(unaccounted(input, r.config, r.reported)).toEqual([]);
        expect(validateConfig(r.config, '5.0').issues).toEqual([]);
      }),
      RUNS,
    );
  });

  it('4.0 with an empty api block (found by fast-check): the block is kept and gains basePath', () => {
    const doc = { version: '4.0', api: {}, services: [{ name: 'nvlwa', type: 'infrastructure', image: 'mcp/aaa:4' }] };
    const r = transformConfig(doc, '4.0', '5.0');
    expect((r.config as Doc).api).toEqual({ basePath: '/api/v1/' });
    expect(validateConfig(r.config, '5.0').issues).toEqual([]);
  });

  it('5.x → 6.0', () => {
    fc.assert(
      fc.property(v5Config(), (doc) => {
        expect(validateConfig(doc).issues).toEqual([]);
        const hop = hopOf(String(doc.version) as '5.0', '6.0');
        const r = applyHop(hop, doc);
        expect(unaccounted(doc, r.config, r.reported)).toEqual([]);
        expect(validateConfig(r.config, '6.0').issues).toEqual([]);
      }),
      RUNS,
    );
  });

  it('minor hops carry the document unchanged but for the version', () => {
    fc.assert(
      fc.property(v5Config(), (doc) => {
        if (doc.version === '5.2') return;
        const next = doc.version === '5.0' ? '5.1' : '5.2';
        const r = applyHop(hopOf(doc.version as '5.0', next), doc);
        expect(r.config).toEqual({ ...doc, version: next });
      }),
      RUNS,
    );
  });

  it('unknown fields are reported as carried and their values survive to v6', () => {
    fc.assert(
      fc.property(v4Config(), (doc) => {
        const r = transformConfig(doc, '4.x', '6.0');
        const markers = leaves(doc).map(([, v]) => v).filter((v): v is string => typeof v === 'string' && v.startsWith('unk-'));
        const out = JSON.stringify(r.config);
        for (const m of markers) expect(out).toContain(m);
        const unknownPaths = validateConfig(doc).unknown;
        const carried = r.reported.filter((x) => x.disposition === 'carried' && x.hop.startsWith('4.')).map((x) => x.path);
        for (const u of unknownPaths) expect(carried).toContain(u);
      }),
      RUNS,
    );
  });
});

describe('chained paths equal their hops', () => {
  it('4.x → 6.0 is the fold of each hop along the path', () => {
    fc.assert(
      fc.property(v4Config(), (doc) => {
        const r = transformConfig(doc, '4.x', '6.0.0');
        let cur: Doc = doc;
        const reported: unknown[] = [];
        for (let i = 0; i + 1 < r.path.length; i++) {
          const h = applyHop(hopOf(r.path[i]!, r.path[i + 1]!), cur);
          cur = h.config;
          reported.push(...h.reported.map((x) => ({ hop: `${r.path[i]}→${r.path[i + 1]}`, ...x })));
        }
        expect(r.config).toEqual(cur);
        expect(r.reported).toEqual(reported);
        expect(validateConfig(r.config, '6.0').issues).toEqual([]);
        // and a journey split in two gives the same result
        const mid = transformConfig(doc, '4.x', '5.0');
        expect(transformConfig(mid.config, '5.0', '6.0').config).toEqual(r.config);
      }),
      { numRuns: 100 },
    );
  });

  it('transforms never modify their input', () => {
    fc.assert(
      fc.property(v4Config(), (doc) => {
        const before = structuredClone(doc);
        transformConfig(doc, '4.x', '6.0');
        expect(doc).toEqual(before);
      }),
      { numRuns: 50 },
    );
  });
});
