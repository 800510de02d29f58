// `mcp metrics [--service all|NAME] [--duration 1h]`: what the platform measured over a window —
// health checks (`mcp health` records each result in the log), command durations, migration runs and
// their step durations and canary measurements (from the executor's journals), benchmarks — plus each service's Prometheus-text metrics endpoint, read live.
import type { Handler } from '../../cli/program.js';
import { invalidInput } from '../../errors.js';
import { logFiles, readLogFile, type LogEntry } from '../../ops/logs.js';
import { percentile } from '../../ops/benchmark.js';
import { parseDuration } from '../../ops/time.js';
import { formatDuration, formatSpan } from '../../duration.js';
import { readPlatform, serviceBaseUrl, type ServiceView } from '../../ops/platform.js';
import { parsePrometheus, summarizeFamily, type Family } from '../../ops/prometheus.js';
import { runsSince, summarize, summaryLine } from '../../run/summary.js';
import { withTimeout } from '../../timeout.js';

export interface MetricsOptions {
  service?: string;
  duration: string;
  timeout: string;
}

interface HealthSample { time: string; healthy: boolean; ms?: number; check?: string; detail?: string }

export interface ServiceMetrics {
  service: string;
  health: {
    checks: number;
    healthy: number;
    unhealthy: number;
    availability: number | null;
    latencyMs: { p50: number; p95: number; max: number } | null;
    last: HealthSample | null;
  };
  benchmark: { time: string; p50: number; p95: number; rps: number; errors: number } | null;
  prometheus: { url: string; ok: boolean; status?: number; error?: string; families?: number; samples?: number; summary?: Record<string, string>; data?: Family[] } | null;
}

const MAX_FAMILIES_SHOWN = 12;

async function scrape(s: ServiceView, timeoutMs: number): Promise<ServiceMetrics['prometheus']> {
  const explicit = s.metrics;
  const port = explicit?.port ?? s.hostPort;
  if (!port) return null;
  const base = serviceBaseUrl({ ...s, hostPort: port })!;
  const path = explicit?.path ?? '/metrics';
  const url = base + (path.startsWith('/') ? path : `/${path}`);
  try {
    const { res, body } = await withTimeout(timeoutMs, async (signal) => {
      const r = await fetch(url, { signal, headers: { accept: 'text/plain;version=0.0.4' } });
      return { res: r, body: await r.text() };
    });
    // Without an explicit `metrics` setting, a service that answers /metrics with anything but
    // Prometheus text simply has no endpoint.
    if (!res.ok) return explicit ? { url, ok: false, status: res.status, error: `HTTP ${res.status}` } : null;
    const { families } = parsePrometheus(body);
    if (!families.length) return explicit ? { url, ok: false, status: res.status, error: 'no Prometheus samples in the answer' } : null;
    const summary: Record<string, string> = {};
    for (const f of families.slice(0, MAX_FAMILIES_SHOWN)) summary[f.name] = summarizeFamily(f);
    return { url, ok: true, status: res.status, families: families.length, samples: families.reduce((a, f) => a + f.samples.length, 0), summary, data: families };
  } catch (e) {
    if (!explicit) return null;
    const err = e as Error & { cause?: { code?: string } };
    return { url, ok: false, error: err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.message) };
  }
}

function healthSamples(entries: LogEntry[]): Map<string, HealthSample[]> {
  const out = new Map<string, HealthSample[]>();
  for (const e of entries) {
    if (e.event !== 'health.checked') continue;
    const list = (e.fields?.services as Array<Record<string, unknown>> | undefined) ?? [];
    for (const s of list) {
      if (!s || typeof s.name !== 'string') continue;
      const arr = out.get(s.name) ?? [];
      arr.push({ time: e.time, healthy: s.healthy === true, ms: typeof s.ms === 'number' ? s.ms : undefined, check: typeof s.check === 'string' ? s.check : undefined, detail: typeof s.detail === 'string' ? s.detail : undefined });
      out.set(s.name, arr);
    }
  }
  return out;
}

function commandStats(entries: LogEntry[]) {
  const by = new Map<string, { runs: number; failed: number; ms: number[] }>();
  for (const e of entries) {
    if (e.event !== 'command.end' && e.event !== 'command.error') continue;
    const name = e.command ?? '?';
    const s = by.get(name) ?? { runs: 0, failed: 0, ms: [] };
    s.runs++;
    const code = e.fields?.exitCode;
    if (e.event === 'command.error' || (typeof code === 'number' && code !== 0)) s.failed++;
    if (typeof e.fields?.ms === 'number') s.ms.push(e.fields.ms as number);
    by.set(name, s);
  }
  return [...by.entries()]
    .map(([command, s]) => {
      const sorted = [...s.ms].sort((a, b) => a - b);
      return { command, runs: s.runs, failed: s.failed, durationMs: sorted.length ? { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1]! } : null };
    })
    .sort((a, b) => b.runs - a.runs || a.command.localeCompare(b.command));
}

/** Migration runs in the window, from their journals: each step's duration and the canary measurements. */
function runStats(home: string, since: Date) {
  const runs = runsSince(home, since);
  const steps: Array<{ time: string; runId: string; step: string; kind: string; status: string; ms: number; attempts: number }> = [];
  for (const st of runs) {
    const kinds = new Map(st.plan.phases.flatMap((p) => p.steps.map((x) => [x.id, x.kind] as const)));
    for (const ss of st.steps.values()) {
      if (ss.durationMs === undefined || !ss.endedAt) continue;
      steps.push({ time: ss.endedAt, runId: st.id, step: ss.id, kind: kinds.get(ss.id) ?? '?', status: ss.status, ms: ss.durationMs, attempts: ss.attempts });
    }
  }
  steps.sort((a, b) => a.time.localeCompare(b.time));
  return {
    runs: runs.map((st) => ({ ...summarize(st), canary: st.measurements.map((m) => ({ t: m.t, phase: m.phase, verdict: m.verdict, checks: m.checks })) })),
    steps,
  };
}

export const metricsHandler: Handler<MetricsOptions> = async (ctx, opts) => {
  const windowMs = parseDuration(opts.duration, '--duration');
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const platform = await readPlatform(ctx.home);
  const only = opts.service && opts.service !== 'all' ? opts.service : undefined;
  if (only && !platform.services.some((s) => s.name === only)) {
    throw invalidInput(`--service '${only}' is not a service of this platform`, { hint: `services: ${platform.services.map((s) => s.name).join(', ') || '(none)'}, or all` });
  }
  const since = new Date(Date.now() - windowMs);
  const entries = (await Promise.all((await logFiles(ctx.home, ctx.env)).map((f) => readLogFile(f, { since })))).flat();
  entries.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const health = healthSamples(entries);
  const benches = entries.filter((e) => e.event === 'benchmark');

  const services = platform.services.filter((s) => !only || s.name === only);
  const scraped = await Promise.all(services.map((s) => scrape(s, timeoutMs)));
  const perService: ServiceMetrics[] = services.map((s, i) => {
    const hs = health.get(s.name) ?? [];
    const lat = hs.map((h) => h.ms).filter((n): n is number => typeof n === 'number').sort((a, b) => a - b);
    const healthy = hs.filter((h) => h.healthy).length;
    let benchmark: ServiceMetrics['benchmark'] = null;
    for (const b of benches) {
      const r = (b.fields?.services as Array<Record<string, number | string>> | undefined)?.find((x) => x.service === s.name);
      if (r) benchmark = { time: b.time, p50: Number(r.p50), p95: Number(r.p95), rps: Number(r.rps), errors: Number(r.errors) };
    }
    return {
      service: s.name,
      health: {
        checks: hs.length,
        healthy,
        unhealthy: hs.length - healthy,
        availability: hs.length ? Math.round((healthy / hs.length) * 10000) / 100 : null,
        latencyMs: lat.length ? { p50: percentile(lat, 50), p95: percentile(lat, 95), max: lat[lat.length - 1]! } : null,
        last: hs[hs.length - 1] ?? null,
      },
      benchmark,
      prometheus: scraped[i] ?? null,
    };
  });
  const commands = only ? [] : commandStats(entries);
  const { runs, steps } = only ? { runs: [], steps: [] } : runStats(ctx.home, since);

  const text: string[] = [`Metrics over the last ${formatSpan(windowMs)} (since ${since.toISOString()})`];
  if (!services.length) text.push('No services in the config.');
  for (const m of perService) {
    text.push('', m.service);
    const h = m.health;
    text.push(
      h.checks
        ? `  health: ${h.checks} check(s), ${h.healthy} healthy (${h.availability}%)${h.latencyMs ? `, latency p50 ${h.latencyMs.p50} ms, p95 ${h.latencyMs.p95} ms` : ''}; last ${h.last!.healthy ? 'healthy' : 'UNHEALTHY'} at ${h.last!.time}${h.last!.healthy || !h.last!.detail ? '' : `: ${h.last!.detail}`}`
        : '  health: no checks recorded in the window (run mcp health)',
    );
    if (m.benchmark) text.push(`  benchmark: p50 ${m.benchmark.p50} ms, p95 ${m.benchmark.p95} ms, ${m.benchmark.rps} req/s, ${m.benchmark.errors} error(s) at ${m.benchmark.time}`);
    const p = m.prometheus;
    if (p && p.ok) {
      text.push(`  metrics endpoint ${p.url}: ${p.families} metric families, ${p.samples} samples`);
      for (const [k, v] of Object.entries(p.summary ?? {})) text.push(`    ${k}: ${v}`);
      if ((p.families ?? 0) > MAX_FAMILIES_SHOWN) text.push(`    … ${p.families! - MAX_FAMILIES_SHOWN} more (see --json)`);
    } else if (p) text.push(`  metrics endpoint ${p.url}: unreachable (${p.error})`);
  }
  if (commands.length) {
    text.push('', 'Commands run:');
    for (const c of commands) text.push(`  ${c.command.padEnd(24)} ${String(c.runs).padStart(4)} run(s), ${c.failed} failed${c.durationMs ? `, p50 ${c.durationMs.p50} ms, p95 ${c.durationMs.p95} ms` : ''}`);
  }
  if (runs.length) {
    text.push('', 'Migrations (from the run journals):');
    for (const r of runs) {
      text.push(`  ${summaryLine(r)}`);
      for (const s of steps.filter((x) => x.runId === r.runId)) text.push(`    ${s.step.padEnd(28)} ${s.status.padEnd(7)} ${formatDuration(s.ms)}${s.attempts > 1 ? ` (${s.attempts} attempts)` : ''}`);
      const lastByPhase = new Map(r.canary.map((m) => [m.phase, m]));
      for (const m of lastByPhase.values()) {
        text.push(`    canary ${m.phase}: ${m.verdict} — ${m.checks.map((c) => `${c.metric} ${c.value ?? 'no data'} (rollback when ${c.threshold})`).join(', ')}`);
      }
    }
  }
  return {
    data: { window: { durationMs: windowMs, since: since.toISOString() }, platformVersion: platform.version, services: perService, commands, runs, steps },
    text,
  };
};
