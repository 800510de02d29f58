// Canary gates: the plan's rollback conditions (`errorRate: "> 5%"`, `latency: "> 500ms"`,
// `healthCheck: "failing"`) measured against HTTP health checks and a metrics endpoint that speaks
// JSON or Prometheus text. Every measured value is reported next to its threshold.
//
// The "no data" rule (docs/plans.md): a condition that cannot be measured — endpoint unreachable,
// metric absent, no health check configured — is never silent success. With `rollback.noData: fail`
// (the default) it counts as met and the canary rolls back; with `noData: pass` it is accepted
// explicitly and shown as "no data (accepted by rule)".
import type { Canary, Condition, Plan } from './plan.js';
import { withTimeout } from '../timeout.js';

export interface Check {
  condition: string;
  metric: Condition['metric'];
  value: string | null;
  threshold: string;
  breached: boolean;
  noData?: boolean;
  note?: string;
}

export interface CanaryEvaluation {
  checks: Check[];
  breached: boolean;
}

const OPS = ['>=', '<=', '==', '>', '<'] as const;

/** One rollback condition as written in rolling-migration.yaml; throws a message naming what is wrong. */
export function parseCondition(raw: unknown): Condition {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length !== 1) {
    throw new Error('a condition is one mapping like `errorRate: "> 5%"`, `latency: "> 500ms"` or `healthCheck: "failing"`');
  }
  const [metric, v] = Object.entries(raw as Record<string, unknown>)[0]!;
  const text = String(v).trim();
  if (metric === 'healthCheck') {
    if (text !== 'failing') throw new Error(`healthCheck: "${text}": the only healthCheck condition is "failing"`);
    return { metric, text: `healthCheck ${text}` };
  }
  if (metric !== 'errorRate' && metric !== 'latency') throw new Error(`unknown condition '${metric}': use errorRate, latency or healthCheck`);
  const op = OPS.find((o) => text.startsWith(o));
  if (!op) throw new Error(`${metric}: "${text}": start with a comparison (>, >=, <, <=, ==)`);
  const rest = text.slice(op.length).trim();
  let threshold: number | undefined;
  if (metric === 'errorRate') {
    const m = rest.match(/^(\d+(?:\.\d+)?)\s*%$/);
    if (m) threshold = Number(m[1]) / 100;
    else if (/^0?\.\d+$|^[01]$/.test(rest)) threshold = Number(rest);
    if (threshold === undefined) throw new Error(`errorRate: "${text}": write a percentage such as "> 5%"`);
  } else {
    const m = rest.match(/^(\d+(?:\.\d+)?)\s*(ms|s)?$/);
    if (!m) throw new Error(`latency: "${text}": write a duration such as "> 500ms"`);
    threshold = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  }
  return { metric, op, threshold, text: `${metric} ${text}` };
}

export interface Metrics {
  errorRate?: number;
  latencyMs?: number;
}

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const m = v.trim().match(/^(\d+(?:\.\d+)?)\s*(%|ms|s)?$/);
    if (m) return Number(m[1]) / (m[2] === '%' ? 100 : 1) * (m[2] === 's' ? 1000 : 1);
  }
  return undefined;
};

/** JSON: {errorRate (fraction, or "2%"), latencyMs} (snake_case and `latency` accepted). */
export function parseJsonMetrics(doc: unknown): Metrics {
  const o = (doc && typeof doc === 'object' ? doc : {}) as Record<string, unknown>;
  const src = (o.metrics && typeof o.metrics === 'object' ? o.metrics : o) as Record<string, unknown>;
  return {
    errorRate: num(src.errorRate ?? src.error_rate),
    latencyMs: num(src.latencyMs ?? src.latency_ms ?? src.latency ?? src.latencyP95Ms ?? src.latency_p95_ms),
  };
}

/**
 * Prometheus text exposition. errorRate: `mcp_error_rate`, else 5xx over all of
 * `http_requests_total{status|code}`. latency: `mcp_latency_ms`, else the 0.95 (or 0.99, 0.5)
 * quantile of `http_request_duration_seconds` × 1000.
 */
export function parsePrometheus(text: string): Metrics {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#')) continue;
    const m = l.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+([^\s]+)/);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[lm[1]!] = lm[2]!;
    const value = Number(m[4]);
    if (Number.isFinite(value)) samples.push({ name: m[1]!, labels, value });
  }
  const out: Metrics = {};
  const direct = samples.find((s) => s.name === 'mcp_error_rate');
  if (direct) out.errorRate = direct.value;
  else {
    const reqs = samples.filter((s) => s.name === 'http_requests_total');
    const total = reqs.reduce((a, s) => a + s.value, 0);
    if (reqs.length && total > 0) out.errorRate = reqs.filter((s) => /^5\d\d$/.test(s.labels.status ?? s.labels.code ?? '')).reduce((a, s) => a + s.value, 0) / total;
  }
  const lat = samples.find((s) => s.name === 'mcp_latency_ms');
  if (lat) out.latencyMs = lat.value;
  else {
    for (const q of ['0.95', '0.99', '0.5']) {
      const s = samples.find((x) => x.name === 'http_request_duration_seconds' && x.labels.quantile === q);
      if (s) {
        out.latencyMs = s.value * 1000;
        break;
      }
    }
  }
  return out;
}

/**
 * GET a measurement URL. User and password in it (`http://ops:pw@host/metrics`) go as Basic auth: fetch
 * refuses a URL with credentials. Errors never repeat the URL: they say what happened (the check names
 * the URL as scheme, host and path).
 */
async function get(url: string, signal?: AbortSignal, timeoutMs = 5000): Promise<{ status: number; body: string; type: string }> {
  const headers: Record<string, string> = { accept: 'application/json, text/plain;version=0.0.4' };
  let target = url;
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
      u.username = '';
      u.password = '';
      target = u.toString();
    }
  } catch {
    /* not a URL: fetch says so below */
  }
  try {
    return await withTimeout(
      timeoutMs,
      async (sig) => {
        const res = await fetch(target, { signal: sig, headers });
        return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
      },
      signal,
    );
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message ?? 'request failed');
    throw new Error(why.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '(the URL)'));
  }
}

export async function fetchMetrics(url: string, signal?: AbortSignal): Promise<{ metrics?: Metrics; error?: string }> {
  try {
    const r = await get(url, signal);
    if (r.status < 200 || r.status > 299) return { error: `metrics endpoint answered ${r.status}` };
    const looksJson = r.type.includes('json') || /^\s*[{[]/.test(r.body);
    if (looksJson) {
      try {
        return { metrics: parseJsonMetrics(JSON.parse(r.body)) };
      } catch {
        return { error: 'metrics endpoint sent invalid JSON' };
      }
    }
    return { metrics: parsePrometheus(r.body) };
  } catch (e) {
    return { error: `metrics endpoint unreachable: ${(e as Error).message}` };
  }
}

export async function healthChecks(urls: string[], signal?: AbortSignal): Promise<Array<{ url: string; ok: boolean; detail: string }>> {
  return Promise.all(
    urls.map(async (url) => {
      try {
        const r = await get(url, signal, 3000);
        return { url, ok: r.status >= 200 && r.status < 300, detail: String(r.status) };
      } catch (e) {
        return { url, ok: false, detail: `unreachable (${(e as Error).message})` };
      }
    }),
  );
}

const fmt = (metric: Condition['metric'], v: number) => (metric === 'errorRate' ? `${(v * 100).toFixed(2)}%` : `${Math.round(v)}ms`);

function compare(op: NonNullable<Condition['op']>, v: number, t: number): boolean {
  switch (op) {
    case '>':
      return v > t;
    case '>=':
      return v >= t;
    case '<':
      return v < t;
    case '<=':
      return v <= t;
    default:
      return v === t;
  }
}

/** Measure every condition once. */
export async function evaluateCanary(canary: Canary, rollback: Plan['rollback'], signal?: AbortSignal): Promise<CanaryEvaluation> {
  const conditions = rollback.conditions.length ? rollback.conditions : [{ metric: 'healthCheck' as const, text: 'healthCheck failing' }];
  const needMetrics = conditions.some((c) => c.metric !== 'healthCheck');
  const m = needMetrics ? (canary.metricsUrl ? await fetchMetrics(canary.metricsUrl, signal) : { error: 'no metrics endpoint configured (canary.metrics)' }) : {};
  const health = conditions.some((c) => c.metric === 'healthCheck') && canary.healthUrls.length ? (await healthChecks(canary.healthUrls, signal)).map((h) => ({ ...h, what: bareUrl(h.url) })) : undefined;
  return judgeConditions(conditions, m, health, rollback.noData, 'no health check URL configured (canary.health)');
}

/**
 * Several metrics endpoints read as one (one per service of a deployment): each metric is the worst any of
 * them reports, and no data when any of them cannot say (an endpoint that is down hides nothing).
 */
export async function fetchWorstMetrics(urls: string[], signal?: AbortSignal): Promise<{ metrics?: Metrics; error?: string }> {
  if (!urls.length) return { error: 'no metrics endpoint' };
  const got = await Promise.all(urls.map((u) => fetchMetrics(u, signal).then((r) => ({ url: u, ...r }))));
  const bad = got.find((g) => g.error);
  if (bad) return { error: `${bareUrl(bad.url)}: ${bad.error}` };
  const worst = (k: keyof Metrics) => {
    const vs = got.map((g) => g.metrics?.[k]);
    return vs.some((v) => v === undefined) ? undefined : Math.max(...(vs as number[]));
  };
  return { metrics: { errorRate: worst('errorRate'), latencyMs: worst('latencyMs') } };
}

/** Each condition against one measurement: the metrics (or why there are none) and the health probes. */
export function judgeConditions(
  conditions: Condition[],
  m: { metrics?: Metrics; error?: string },
  health: Array<{ what: string; ok: boolean; detail: string }> | undefined,
  noDataRule: Plan['rollback']['noData'],
  noHealthWhy: string,
): CanaryEvaluation {
  const accept = noDataRule === 'pass';
  const checks: Check[] = conditions.map((c) => {
    if (c.metric === 'healthCheck') {
      if (!health) return noData(c, 'failing', noHealthWhy, accept);
      const bad = health.filter((h) => !h.ok);
      return {
        condition: c.text,
        metric: c.metric,
        value: bad.length ? `failing (${bad.map((h) => `${h.what} ${h.detail}`).join(', ')})` : `passing (${health.length}/${health.length})`,
        threshold: 'failing',
        breached: bad.length > 0,
      };
    }
    const threshold = `${c.op} ${fmt(c.metric, c.threshold!)}`;
    const v = c.metric === 'errorRate' ? m.metrics?.errorRate : m.metrics?.latencyMs;
    if (v === undefined) return noData(c, threshold, m.error ?? `the endpoint reports no ${c.metric}`, accept);
    return { condition: c.text, metric: c.metric, value: fmt(c.metric, v), threshold, breached: compare(c.op!, v, c.threshold!) };
  });
  return { checks, breached: checks.some((c) => c.breached) };
}

function noData(c: Condition, threshold: string, why: string, accept: boolean): Check {
  return {
    condition: c.text,
    metric: c.metric,
    value: null,
    threshold,
    breached: !accept,
    noData: true,
    note: accept ? `no data: ${why} (accepted by rule noData: pass)` : `no data: ${why} (counts as met by rule noData: fail)`,
  };
}

/** A URL as measurements show it: scheme, host and path; never its user, password, query or fragment. */
export function bareUrl(u: string): string {
  try {
    const x = new URL(u);
    return `${x.protocol}//${x.host}${x.pathname}`;
  } catch {
    return '(a health URL)';
  }
}
