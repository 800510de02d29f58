// Docker units → Kubernetes quantities. Compose memory units (b, k, m, g; with or without a trailing b)
// are binary, so 1G is 1Gi; `cpus: '1.0'` is one core, i.e. "1", and 0.5 is "500m".

const K8S_QUANTITY = /^[+]?(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

export function isK8sQuantity(s: string): boolean {
  return K8S_QUANTITY.test(s);
}

/** compose `cpus` (decimal cores) or a Kubernetes CPU quantity → Kubernetes CPU quantity */
export function cpuQuantity(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v).trim();
  if (/^\d+m$/.test(s)) {
    const m = Number(s.slice(0, -1));
    return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
  }
  if (!/^\d*\.?\d+$/.test(s)) return undefined;
  const milli = Math.round(Number(s) * 1000);
  if (milli <= 0) return undefined;
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** millicores of a CPU quantity, for comparisons */
export function cpuMillis(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

const BIN: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const SUFFIX: Record<string, string> = { k: 'Ki', m: 'Mi', g: 'Gi', t: 'Ti' };

/**
 * Memory → Kubernetes quantity. `docker` dialect (compose files): every unit is binary, 1G is 1Gi, 512m is
 * 512Mi. `k8s` dialect (platform configs, x-kubernetes): Kubernetes quantities as written (1Gi, 1G, 500M),
 * except a lower-case docker unit (512m, 1g, 100mb), which nobody means as millibytes.
 */
export function memoryQuantity(v: unknown, dialect: 'docker' | 'k8s' = 'docker'): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return v > 0 ? String(Math.round(v)) : undefined;
  const s = String(v).trim();
  const d = s.match(/^(\d+(?:\.\d+)?)\s*([bkmgt])b?$/i);
  const dockerish = d && (dialect === 'docker' || /^[\d.]+\s*[bkmgt]b?$/.test(s));
  if (d && dockerish) {
    const n = Number(d[1]);
    const unit = d[2]!.toLowerCase();
    if (unit === 'b') return String(Math.round(n));
    if (Number.isInteger(n)) return `${n}${SUFFIX[unit]}`;
    // 1.5g → 1536Mi
    const units = ['b', 'k', 'm', 'g', 't'];
    const lower = units[units.indexOf(unit) - 1]!;
    const m = n * 1024;
    return lower === 'b' ? String(Math.round(m)) : `${Math.round(m)}${SUFFIX[lower]}`;
  }
  if (/^\d+$/.test(s)) return s;
  if (isK8sQuantity(s) && !s.endsWith('m')) return s;
  return undefined;
}

const K8S_MEM: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6 };

export function memoryBytes(q: string): number {
  const m = q.match(/^(\d+(?:\.\d+)?)([A-Za-z]*)$/);
  if (!m) return NaN;
  return Number(m[1]) * (K8S_MEM[m[2]!] ?? (m[2] === 'm' ? 1e-3 : NaN));
}

export function bytesOfDockerUnit(n: number, unit: string): number {
  return n * (BIN[unit.toLowerCase()] ?? NaN);
}
