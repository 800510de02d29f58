// The promotion steps that act on the target's home (src/run/steps/promotion.ts), on hand-written homes:
// production limits kept where a service has its own and undone byte for byte; endpoints shared with the
// source refused; a target whose config is another environment refused; the source's baseline looked up in
// the source's home; the cluster's allocatable held against the requests (kubectl a recording fake on PATH).
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { checkCapacity, configEndpoints, configLimits, configOverlay } from '../../src/run/steps/promotion.js';
import { fakeBins } from '../helpers/fakebin.js';
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

  it('an undo after someone changed the config since is refused, and their change is kept', async () => {
    const h = home(prod());
    const c = ctx(h, 'production');
    const r = (await configLimits.run(c, {})) as Record<string, unknown>;
    const file = join(h, 'config', 'platform.json');
    const changed = readFileSync(file, 'utf8').replace('api.example.net', 'api2.example.net');
    writeFileSync(file, changed);
    await expect(configLimits.undo!(c, {}, r)).rejects.toThrow(/changed after step configuration\.step wrote it: not undone/);
    expect(readFileSync(file, 'utf8')).toBe(changed);
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

describe('check.capacity on Kubernetes (check_target_capacity)', () => {
  const v6 = {
    version: '6.0',
    environment: 'production',
    platform: { name: 'mcp' },
    auth: { type: 'jwt', jwt: { secret: 'f3a9c1d27be84e06a5b2c9d0e1f2a3b4' } },
    database: { type: 'pglite' },
    runtime: { type: 'kubernetes', namespace: 'mcp-prod', context: 'prod-ctx' },
    services: [{ name: 'api-gateway', type: 'core', image: 'mcp/gateway:6.0.1', ports: ['8080:8080'], deployment: { replicas: 4 } }],
  };
  const node = (cpu: string, memory: string, ready = true) => ({ metadata: { name: `n-${cpu}` }, spec: {}, status: { allocatable: { cpu, memory }, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

  it("fails naming both sides when the ready nodes cannot hold the requests, passes when they can (kubectl asked with the target's context)", async () => {
    const staging = home({ ...v6, environment: 'staging' });
    const h = home(v6);
    const fb = fakeBins(h, { kubectl: [{ args: ['--context', 'prod-ctx', 'get', 'nodes', '-o', 'json'], stdoutFromState: 'nodes' }] });
    const c = { ...ctx(h, 'production', { staging }), env: { ...process.env, ...fb.env } };
    // a small ready node and a big one that is not Ready
    writeFileSync(join(fb.dir, 'state-nodes'), JSON.stringify({ items: [node('100m', '256Mi'), node('64', '512Gi', false)] }));
    const err = (await checkCapacity.run(c, { sourceEnvironment: 'staging', minMb: 1 }).catch((e) => e)) as Error;
    expect(err.message).toMatch(/the cluster's 1 ready node\(s\) can allocate 100m CPU and 0\.3Gi memory; the target's services request \d+m and [\d.]+Gi: add nodes or lower the requests/);
    writeFileSync(join(fb.dir, 'state-nodes'), JSON.stringify({ items: [node('8', '32Gi')] }));
    const ok = (await checkCapacity.run(c, { sourceEnvironment: 'staging', minMb: 1 })) as { cluster: { nodes: number; requested: { cpuMillis: number } } };
    expect(ok.cluster.nodes).toBe(1);
    expect(ok.cluster.requested.cpuMillis).toBeGreaterThan(0);
    expect(fb.calls('kubectl').map((x) => x.argv.join(' '))).toEqual(['--context prod-ctx get nodes -o json', '--context prod-ctx get nodes -o json']);
  }, 60_000);
});
