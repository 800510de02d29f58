// 5→6 equals the guide's transformConfig wherever that function is defined: every field the guide's
// output has, ours has with the same value (ours carries more: environment, api, database, …).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { transformConfig } from '../../src/config/index.js';
import { v5Config } from './config-arb.js';

const require = createRequire(import.meta.url);
const guide = require('../fixtures/config/config-transformer.cjs') as { transformConfig: (c: unknown) => Record<string, unknown> };

describe("5.x → 6.0 and the guide's transformConfig", () => {
  it('agree on every field the guide defines (generated v5 configs)', () => {
    fc.assert(
      fc.property(v5Config(), (v5) => {
        const expected = guide.transformConfig(structuredClone(v5));
        const ours = transformConfig(v5, '5.x', '6.0').config;
        expect(ours).toMatchObject(expected);
        // same services, same order, same deployment blocks exactly
        expect((ours.services as Array<Record<string, unknown>>).map((s) => s.deployment)).toEqual((expected.services as Array<Record<string, unknown>>).map((s) => s.deployment));
      }),
      { numRuns: 300 },
    );
  });

  it("does better where the guide's function is not defined: no services, and it keeps what the guide drops", () => {
    const v5 = { version: '5.0', environment: 'production', api: { host: 'api.example', basePath: '/api/v1/' }, database: { type: 'postgres', url: 'postgres://u@db/mcp' }, xCustom: 'kept' };
    expect(() => guide.transformConfig({ ...v5 })).toThrow(); // v5Config.services.map of undefined
    const bad = transformConfig({ ...v5, services: [] }, '5.0', '6.0');
    expect(bad.config).toMatchObject({ version: '6.0', environment: 'production', api: v5.api, database: v5.database, xCustom: 'kept', services: [] });
    expect(bad.reported).toContainEqual(expect.objectContaining({ path: 'xCustom', disposition: 'carried' }));
  });
});
