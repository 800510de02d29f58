import { describe, expect, it } from 'vitest';
import { benchmarkTargets, compare, latencyStats, percentile, type BenchmarkRun, type ServiceBenchmark } from '../../src/ops/benchmark.js';
import { servicesOf } from '../../src/ops/platform.js';
import { globEscape, patternFor, cacheTarget } from '../../src/ops/cache.js';

function svc(service: string, p50: number, p95: number, rps: number, errorRate = 0): ServiceBenchmark {
  return { service, url: 'http://x', requests: 100, ok: 100, errors: 0, errorRate, errorSamples: [], latencyMs: { min: 0, mean: p50, p50, p90: p95, p95, p99: p95, max: p95 }, throughputRps: rps, durationMs: 1 };
}
const run = (services: ServiceBenchmark[]): BenchmarkRun => ({ format: 'mcp-benchmark/1', createdAt: '2025-07-24T00:00:00Z', settings: { requests: 100, concurrency: 1, timeoutMs: 1000 }, services, skipped: [] });

describe('latency statistics', () => {
  it('nearest-rank percentiles', () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 95)).toBe(95);
    expect(percentile(s, 99)).toBe(99);
    expect(percentile(s, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
    expect(latencyStats([3, 1, 2])).toMatchObject({ min: 1, max: 3, p50: 2, mean: 2 });
  });
});

describe('comparison with a baseline (the guide: within 10%)', () => {
  const base = run([svc('api', 10, 20, 1000)]);
  it('passes within 10%, and when faster', () => {
    expect(compare(base, run([svc('api', 10.9, 21.9, 905)])).every((c) => c.ok)).toBe(true);
    expect(compare(base, run([svc('api', 5, 8, 3000)])).every((c) => c.ok)).toBe(true);
  });
  it('fails beyond 10% on latency or throughput, naming the metric and threshold', () => {
    const slow = compare(base, run([svc('api', 11.5, 20, 1000)]));
    expect(slow.filter((c) => !c.ok)).toEqual([expect.objectContaining({ metric: 'latency.p50', baseline: 10, current: 11.5, threshold: 11 })]);
    const fewer = compare(base, run([svc('api', 10, 20, 850)]));
    expect(fewer.filter((c) => !c.ok)).toEqual([expect.objectContaining({ metric: 'throughput', threshold: 900 })]);
  });
  it('ignores sub-millisecond jitter on very fast endpoints', () => {
    const fast = run([svc('api', 0.3, 0.5, 5000)]);
    expect(compare(fast, run([svc('api', 0.6, 0.9, 5000)])).every((c) => c.ok)).toBe(true);
  });
  it('a service of the baseline that was not measured fails; new errors fail', () => {
    expect(compare(base, run([])).some((c) => c.metric === 'present' && !c.ok)).toBe(true);
    expect(compare(base, run([svc('api', 10, 20, 1000, 0.05)])).find((c) => c.metric === 'errorRate')!.ok).toBe(false);
  });
});

describe('targets from the config', () => {
  it('uses the published port and the http health-check path; skips what has no HTTP endpoint', () => {
    const services = servicesOf({
      services: [
        { name: 'api', ports: ['3001:3000'], healthCheck: { type: 'http', path: '/health' } },
        { name: 'fs', ports: ['127.0.0.1:3002:3000/tcp'] },
        { name: 'pg', ports: ['5432:5432'], healthCheck: { type: 'tcp' } },
        { name: 'stdio-mcp', transport: 'stdio' },
        { name: 'worker' },
      ],
    });
    const { targets, skipped } = benchmarkTargets(services);
    expect(targets).toEqual([
      { service: 'api', url: 'http://127.0.0.1:3001/health' },
      { service: 'fs', url: 'http://127.0.0.1:3002/' },
    ]);
    expect(skipped.map((s) => s.service)).toEqual(['pg', 'stdio-mcp', 'worker']);
    expect(benchmarkTargets(services, ['fs']).targets.map((t) => t.service)).toEqual(['fs']);
  });
  it('reads v4 service maps too', () => {
    expect(servicesOf({ services: { filesystem_mcp: { port: 3000 } } })).toMatchObject([{ name: 'filesystem_mcp', hostPort: 3000 }]);
  });
});

describe('cache key patterns', () => {
  it('only the platform prefix, glob characters escaped', () => {
    expect(patternFor('mcp:')).toBe('mcp:*');
    expect(patternFor('mcp:', 'git-mcp')).toBe('mcp:git-mcp:*');
    expect(globEscape('a*b?[c]\\')).toBe('a\\*b\\?\\[c\\]\\\\');
  });
  it('cache.url first, else the redis service published port', () => {
    expect(cacheTarget({ cache: { url: 'redis://127.0.0.1:6380/2', prefix: 'p:' } }, [])).toEqual({ url: 'redis://127.0.0.1:6380/2', prefix: 'p:', from: 'cache.url' });
    expect(cacheTarget({}, servicesOf({ services: [{ name: 'redis', image: 'redis:7', ports: ['6390:6379'] }] }))).toEqual({ url: 'redis://127.0.0.1:6390', prefix: 'mcp:', from: 'service' });
    expect(cacheTarget({}, [])).toBeUndefined();
  });
});
