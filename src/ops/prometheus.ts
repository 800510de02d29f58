// The Prometheus text exposition format (version 0.0.4), read from a service's metrics endpoint.
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type?: string;
  help?: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function parseValue(s: string): number | undefined {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const n = Number(s);
  return Number.isNaN(n) ? undefined : n;
}

function parseLabels(s: string | undefined): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  if (!s || !s.trim()) return out;
  LABEL.lastIndex = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = LABEL.exec(s))) {
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    end = LABEL.lastIndex;
  }
  return s.slice(end).trim() === '' ? out : undefined;
}

/** The family a sample belongs to: histogram and summary series carry suffixes. */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.has(base)) return base;
    }
  }
  return name;
}

/** Parse exposition text; malformed lines are counted, not fatal. */
export function parsePrometheus(text: string): { families: Family[]; invalidLines: number } {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const families = new Map<string, Family>();
  let invalid = 0;
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    const m = line.match(/^#\s+(TYPE|HELP)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(.*)$/);
    if (m) (m[1] === 'TYPE' ? types : helps).set(m[2]!, m[3]!.trim());
  }
  for (const line of lines) {
    if (!line.trim() || line.startsWith('#')) continue;
    const m = line.match(SAMPLE);
    const labels = m ? parseLabels(m[2]) : undefined;
    const value = m ? parseValue(m[3]!) : undefined;
    if (!m || !labels || value === undefined) {
      invalid++;
      continue;
    }
    const fam = familyOf(m[1]!, types);
    let f = families.get(fam);
    if (!f) {
      f = { name: fam, type: types.get(fam), help: helps.get(fam), samples: [] };
      families.set(fam, f);
    }
    f.samples.push({ name: m[1]!, labels, value });
  }
  return { families: [...families.values()], invalidLines: invalid };
}

/** Quantile of a histogram from its cumulative buckets (linear within a bucket, as PromQL does). */
export function histogramQuantile(q: number, buckets: Array<{ le: number; count: number }>): number | undefined {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  if (!b.length) return undefined;
  const total = b[b.length - 1]!.count;
  if (total === 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const { le, count } of b) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevCount) / Math.max(1, count - prevCount));
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

/** A short human summary of one family: a total for counters/gauges, p50/p95 for histograms. */
export function summarizeFamily(f: Family): string {
  if (f.type === 'histogram') {
    const buckets = new Map<number, number>();
    let sum = 0;
    let count = 0;
    for (const s of f.samples) {
      if (s.name.endsWith('_bucket') && s.labels.le !== undefined) {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        buckets.set(le, (buckets.get(le) ?? 0) + s.value);
      } else if (s.name.endsWith('_sum')) sum += s.value;
      else if (s.name.endsWith('_count')) count += s.value;
    }
    const list = [...buckets.entries()].map(([le, c]) => ({ le, count: c }));
    const p50 = histogramQuantile(0.5, list);
    const p95 = histogramQuantile(0.95, list);
    const fmt = (n?: number) => (n === undefined ? '?' : n < 1 ? `${(n * 1000).toFixed(1)}ms` : `${n.toFixed(2)}s`);
    const unitIsSeconds = /seconds/.test(f.name);
    return `${count} observations${count ? `, mean ${unitIsSeconds ? fmt(sum / count) : (sum / count).toFixed(3)}` : ''}${p50 !== undefined ? `, p50 ${unitIsSeconds ? fmt(p50) : p50.toFixed(3)}, p95 ${unitIsSeconds ? fmt(p95) : p95!.toFixed(3)}` : ''}`;
  }
  const values = f.samples.filter((s) => !s.name.endsWith('_created')).map((s) => s.value);
  const total = values.reduce((a, b) => a + b, 0);
  const shown = /bytes/.test(f.name) ? `${(total / 1024 / 1024).toFixed(1)} MiB` : Number.isInteger(total) ? String(total) : total.toFixed(3);
  return `${shown}${f.samples.length > 1 ? ` (${f.samples.length} series)` : ''}`;
}
