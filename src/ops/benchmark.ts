// Latency and throughput of each service's HTTP endpoint over a bounded number of requests, saved as
// named baselines in the home and compared with the guide's success criterion: performance within
// 10% of baseline.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { writeFileAtomic } from '../fsutil.js';
import type { ServiceView } from './platform.js';
import { serviceBaseUrl } from './platform.js';
import { withTimeout } from '../timeout.js';

export const BASELINE_FORMAT = 'mcp-benchmark/1';
export const TOLERANCE = 0.1;
/** Below this a latency difference is timer and scheduler noise, not a regression (sub-millisecond loopback). */
export const LATENCY_NOISE_MS = 1;

export interface LatencyStats {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ServiceBenchmark {
  service: string;
  url: string;
  requests: number;
  ok: number;
  errors: number;
  errorRate: number;
  /** first few distinct errors, for the operator */
  errorSamples: string[];
  latencyMs: LatencyStats;
  throughputRps: number;
  durationMs: number;
}

export interface BenchmarkTarget {
  service: string;
  url: string;
}

export interface BenchmarkSettings {
  requests: number;
  concurrency: number;
  timeoutMs: number;
}

export interface BenchmarkRun {
  format: typeof BASELINE_FORMAT;
  name?: string;
  createdAt: string;
  platformVersion?: string;
  settings: BenchmarkSettings;
  services: ServiceBenchmark[];
  skipped: Array<{ service: string; reason: string }>;
  /** services benchmarked but left out of a saved baseline: every request failed */
  leftOut?: NotComparable[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

export function latencyStats(samples: number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  return {
    min: round(s[0] ?? 0),
    mean: round(mean),
    p50: round(percentile(s, 50)),
    p90: round(percentile(s, 90)),
    p95: round(percentile(s, 95)),
    p99: round(percentile(s, 99)),
    max: round(s[s.length - 1] ?? 0),
  };
}

/** The HTTP endpoint of each service: its published port on 127.0.0.1 and its health-check path. */
export function benchmarkTargets(services: ServiceView[], only?: string[]): { targets: BenchmarkTarget[]; skipped: Array<{ service: string; reason: string }> } {
  const targets: BenchmarkTarget[] = [];
  const skipped: Array<{ service: string; reason: string }> = [];
  for (const s of services) {
    if (only && only.length && !only.includes(s.name)) continue;
    if (s.transport === 'stdio') {
      skipped.push({ service: s.name, reason: 'stdio transport: no HTTP endpoint' });
      continue;
    }
    const hc = s.healthCheck;
    if (hc && hc.type && hc.type !== 'http' && hc.type !== 'mcp') {
      skipped.push({ service: s.name, reason: `${hc.type} health check: no HTTP endpoint` });
      continue;
    }
    const port = hc?.port && s.hostPort === undefined ? hc.port : s.hostPort;
    const base = port ? serviceBaseUrl({ ...s, hostPort: port }) : undefined;
    if (!base) {
      skipped.push({ service: s.name, reason: 'no published port' });
      continue;
    }
    const path = hc?.path ?? (hc?.type === 'mcp' ? '/mcp' : '/');
    targets.push({ service: s.name, url: base + (path.startsWith('/') ? path : `/${path}`) });
  }
  return { targets, skipped };
}

/**
 * `requests` GETs with at most `concurrency` in flight. Bounded in count, and each request in time.
 * A response with status ≥ 500, a network error or a timeout counts as an error.
 */
export async function benchmarkOne(
  target: BenchmarkTarget,
  settings: BenchmarkSettings,
  opts: { signal?: AbortSignal; onRequest?: () => void } = {},
): Promise<ServiceBenchmark> {
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let errorCount = 0;
  let issued = 0;
  const started = performance.now();
  const worker = async () => {
    while (issued < settings.requests && !opts.signal?.aborted) {
      issued++;
      const t0 = performance.now();
      try {
        const res = await withTimeout(
          settings.timeoutMs,
          async (signal) => {
            const r = await fetch(target.url, { signal, headers: { 'user-agent': 'mcp-benchmark' } });
            await r.arrayBuffer();
            return r;
          },
          opts.signal,
        );
        const ms = performance.now() - t0;
        if (res.status >= 500) {
          errorCount++;
          errors.set(`HTTP ${res.status}`, (errors.get(`HTTP ${res.status}`) ?? 0) + 1);
        } else latencies.push(ms);
      } catch (e) {
        errorCount++;
        const err = e as Error & { cause?: { code?: string; message?: string } };
        const key = err.name === 'TimeoutError' ? `timeout after ${settings.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      opts.onRequest?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.concurrency, settings.requests)) }, worker));
  const durationMs = performance.now() - started;
  const done = latencies.length + errorCount;
  return {
    service: target.service,
    url: target.url,
    requests: done,
    ok: latencies.length,
    errors: errorCount,
    errorRate: done ? round(errorCount / done, 4) : 0,
    errorSamples: [...errors.entries()].slice(0, 5).map(([k, n]) => `${k} (×${n})`),
    latencyMs: latencyStats(latencies),
    throughputRps: durationMs > 0 ? round(latencies.length / (durationMs / 1000), 1) : 0,
    durationMs: round(durationMs, 1),
  };
}

/**
 * Benchmark `targets` one after the other into one run (what `mcp benchmark` and the benchmark.compare
 * plan step both measure); stops early when `signal` aborts.
 */
export async function measure(
  targets: BenchmarkTarget[],
  settings: BenchmarkSettings,
  meta: { platformVersion?: string; skipped?: BenchmarkRun['skipped'] },
  opts: { signal?: AbortSignal; onService?: (service: string) => void; onRequest?: () => void } = {},
): Promise<BenchmarkRun> {
  const run: BenchmarkRun = { format: BASELINE_FORMAT, createdAt: new Date().toISOString(), platformVersion: meta.platformVersion, settings, services: [], skipped: meta.skipped ?? [] };
  for (const t of targets) {
    opts.onService?.(t.service);
    run.services.push(await benchmarkOne(t, settings, { signal: opts.signal, onRequest: opts.onRequest }));
    if (opts.signal?.aborted) break;
  }
  return run;
}

// --- baselines -------------------------------------------------------------------------------------

export const benchmarksDir = (home: string) => join(layout(home).state, 'benchmarks');
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const validBaselineName = (name: string) => NAME.test(name) && !name.includes('..');
export const baselinePath = (home: string, name: string) => join(benchmarksDir(home), `${name}.json`);

export async function saveBaseline(home: string, name: string, run: BenchmarkRun): Promise<string> {
  const path = baselinePath(home, name);
  await writeFileAtomic(path, JSON.stringify({ ...run, name }, null, 2) + '\n');
  return path;
}

export async function listBaselines(home: string): Promise<string[]> {
  try {
    return (await readdir(benchmarksDir(home))).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)).sort();
  } catch {
    return [];
  }
}

export async function loadBaseline(home: string, name: string): Promise<BenchmarkRun | undefined> {
  let text: string;
  try {
    text = await readFile(baselinePath(home, name), 'utf8');
  } catch {
    return undefined;
  }
  const doc = JSON.parse(text) as BenchmarkRun;
  if (doc.format !== BASELINE_FORMAT || !Array.isArray(doc.services)) throw new Error(`not a benchmark baseline (format ${String(doc.format)})`);
  return doc;
}

// --- comparison --------------------------------------------------------------------------------------

// --- what a baseline may hold ---------------------------------------------------------------------

/**
 * A service none of whose requests succeeded was not measured: its latency is 0 and its error rate 1
 * because nothing answered (a stopped service: ECONNREFUSED). Such a result is no baseline: compared
 * with it, a healthy service looks infinitely slower and 100% errors look acceptable.
 */
export const isMeasurement = (s: ServiceBenchmark): boolean => s.ok > 0 && s.errorRate < 1;

/** Why a service result is no measurement, for the operator: its error samples. */
export const notMeasuredReason = (s: ServiceBenchmark): string =>
  `every request failed (${s.requests} of ${s.requests}${s.errorSamples.length ? `: ${s.errorSamples.join(', ')}` : ''})`;

export interface NotComparable {
  service: string;
  reason: string;
}

/** The services of a baseline that can be compared with, and those that cannot (baselines saved before this rule). */
export function comparableServices(baseline: BenchmarkRun): { comparable: ServiceBenchmark[]; notComparable: NotComparable[] } {
  const comparable: ServiceBenchmark[] = [];
  const notComparable: NotComparable[] = [];
  for (const s of baseline.services) {
    if (isMeasurement(s)) comparable.push(s);
    else notComparable.push({ service: s.service, reason: `not measured in the baseline: ${notMeasuredReason(s)}` });
  }
  return { comparable, notComparable };
}

/** The newest saved baseline holding at least one measured service (unreadable and empty ones are passed over). */
export async function newestBaseline(home: string): Promise<string | undefined> {
  let newest: { name: string; at: string } | undefined;
  for (const n of await listBaselines(home)) {
    const b = await loadBaseline(home, n).catch(() => undefined);
    if (!b || !comparableServices(b).comparable.length) continue;
    if (!newest || b.createdAt > newest.at) newest = { name: n, at: b.createdAt };
  }
  return newest?.name;
}

export interface Check {
  service: string;
  metric: 'latency.p50' | 'latency.p95' | 'throughput' | 'errorRate' | 'present';
  baseline: number | null;
  current: number | null;
  /** the worst acceptable value */
  threshold: number | null;
  /** relative change, + is worse */
  change: number | null;
  ok: boolean;
}

/**
 * The guide's success criterion: latency and throughput within 10% of the baseline, no new errors.
 * Services the baseline did not measure (every request failed) are left out: see comparableServices.
 */
export function compare(baseline: BenchmarkRun, current: BenchmarkRun, tolerance = TOLERANCE): Check[] {
  const checks: Check[] = [];
  const rel = (cur: number, base: number) => (base === 0 ? (cur === 0 ? 0 : 1) : round((cur - base) / base, 4));
  for (const b of comparableServices(baseline).comparable) {
    const c = current.services.find((s) => s.service === b.service);
    if (!c) {
      checks.push({ service: b.service, metric: 'present', baseline: 1, current: 0, threshold: 1, change: null, ok: false });
      continue;
    }
    for (const p of ['p50', 'p95'] as const) {
      const base = b.latencyMs[p];
      const threshold = round(Math.max(base * (1 + tolerance), base + LATENCY_NOISE_MS));
      checks.push({ service: b.service, metric: `latency.${p}`, baseline: base, current: c.latencyMs[p], threshold, change: rel(c.latencyMs[p], base), ok: c.latencyMs[p] <= threshold });
    }
    const tb = round(b.throughputRps * (1 - tolerance), 1);
    checks.push({ service: b.service, metric: 'throughput', baseline: b.throughputRps, current: c.throughputRps, threshold: tb, change: -rel(c.throughputRps, b.throughputRps), ok: c.throughputRps >= tb });
    const te = round(b.errorRate + 0.01, 4);
    checks.push({ service: b.service, metric: 'errorRate', baseline: b.errorRate, current: c.errorRate, threshold: te, change: null, ok: c.errorRate <= te });
  }
  return checks;
}
