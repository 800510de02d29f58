// The promotion steps that act on the target's home (src/run/steps/promotion.ts), on hand-written homes:
// production limits kept where a service has its own and undone byte for byte; endpoints shared with the
// source refused; a target whose config is another environment refused; the source's baseline looked up in
// the source's home.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { configEndpoints, configLimits, configOverlay } from '../../src/run/steps/promotion.js';
import { benchmarkCompare } from '../../src/run/steps/benchmark.js';
import type { StepContext } from '../../src/run/steps/types.js';

function home(doc: Record<string, unknown>): string {
  const h = tempDir('mcp-promo-');
  mkdirSync(join(h, 'config'), { recursive: true });
  writeFileSync(join(h, 'config', 'platform.json'), JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  return h;
}

function ctx(h: string, environment: string, homes: Record<string, string> = {}): StepContext {
  return {
    home: h,
    runHome: homes.staging ?? h,
    environment,
    homeOf: (e) => homes[e],
    resultOf: () => undefined,
    runId: 'r1',
    stepId: 'configuration.step',
    dir: join(h, 'state', 'runs', 'r1', 'steps', 'configuration.step'),
    signal: new AbortController().signal,
    env: {},
    plan: undefined as never,
    dryRun: false,
    detail: () => undefined,
  };
}

const prod = (extra: Record<string, unknown> = {}) => ({
  version: '5.0',
  environment: 'production',
  api: { host: 'api.example.net', port: 443 },
  database: { type: 'postgres', url: 'postgres://mcp:pw-prod-77@db.prod.internal:5432/mcp' },
  services: [
    { name: 'api-gateway', type: 'core', image: 'mcp/gateway:5.0.1', maxCpu: '250m', maxMemory: '256Mi', custom: { kept: true } },
    { name: 'web', type: 'core', image: 'mcp/web:5.0.1' },
  ],
  ...extra,
});

describe('config.limits (set_production_limits)', () => {
  it("gives services without limits the production profile, keeps a service's own, and undo puts the file back byte for byte", async () => {
    const h = home(prod());
    const before = readFileSync(join(h, 'config', 'platform.json'));
    const c = ctx(h, 'production');
    const r = (await configLimits.run(c, {})) as Record<string, unknown>;
    expect(r).toMatchObject({ set: ['web'], kept: 1 });
    const doc = JSON.parse(readFileSync(join(h, 'config', 'platform.json'), 'utf8'));
    expect(doc.services[0]).toMatchObject({ maxCpu: '250m', maxMemory: '256Mi', custom: { kept: true } });
    expect(doc.services[1]).toMatchObject({ maxCpu: '1000m', maxMemory: '1Gi' });
    await configLimits.undo!(c, {}, r);
    expect(readFileSync(join(h, 'config', 'platform.json'))).toEqual(before);
  });

  it('refuses a home whose config is another environment: a promotion never relabels one', async () => {
    const h = home(prod({ environment: 'staging' }));
    const before = readFileSync(join(h, 'config', 'platform.json'));
    await expect(configOverlay.run(ctx(h, 'production'), { environment: 'production' })).rejects.toThrow(/is the staging environment, not production/);
    expect(readFileSync(join(h, 'config', 'platform.json'))).toEqual(before);
  });
});

describe('config.endpoints (update_endpoints)', () => {
  it("passes when the target's endpoints are its own and fails naming the one it shares with the source", async () => {
    const staging = home({ ...prod(), environment: 'staging', api: { host: 'staging-api.example.net' }, database: { type: 'postgres', url: 'postgres://mcp:pw-st@db.staging.internal:5432/mcp' } });
    const own = home(prod());
    const r = (await configEndpoints.run(ctx(own, 'production', { staging }), { sourceEnvironment: 'staging' })) as { endpoints: Record<string, string> };
    expect(r.endpoints).toEqual({ 'api.host': 'api.example.net', 'database.url (host)': 'db.prod.internal:5432' });
    expect(JSON.stringify(r)).not.toContain('pw-prod-77');
    const shared = home(prod({ database: { type: 'postgres', url: 'postgres://mcp:pw-st@db.staging.internal:5432/mcp' } }));
    const err = (await configEndpoints.run(ctx(shared, 'production', { staging }), { sourceEnvironment: 'staging' }).catch((e) => e)) as Error;
    expect(err.message).toMatch(/the target's database\.url \(host\) db\.staging\.internal:5432 is staging's/);
    expect(err.message).not.toContain('pw-st');
  });
});

describe("benchmark.compare with the source's baseline (performance_tests)", () => {
  it("looks for the baseline in the source's home, and says so when there is none", async () => {
    const staging = home(prod({ environment: 'staging' }));
    const production = home(prod());
    expect(await benchmarkCompare.check!({ baselineFrom: 'staging' }, production, {}, { staging, production })).toMatch(/no benchmark baseline is saved in the staging home/);
    expect(await benchmarkCompare.check!({ baselineFrom: 'staging' }, production, {}, { production })).toMatch(/mcp environments add staging/);
  });
});
