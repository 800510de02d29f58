// Environment overlays for `--env development|staging|production` on export and import: the built-in
// rules (environment name, TLS on outside development, resource limits in production), then the
// config's own `environments.<name>` partial config merged on top (objects merge, arrays and values replace).
import { invalidInput } from '../errors.js';
import { ENVIRONMENTS } from './environment-names.js';
import { generationOf } from './validate.js';

type Doc = Record<string, unknown>;
const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

export const DEFAULT_LIMITS = { cpu: '1000m', memory: '1Gi' } as const;

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Doc = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

export interface Overlaid {
  doc: Doc;
  /** what the overlay changed, for the report */
  changes: string[];
}

export function applyEnvOverlay(doc: Doc, env: string): Overlaid {
  if (!(ENVIRONMENTS as readonly string[]).includes(env)) {
    throw invalidInput(`--env '${env}' is not an environment`, { hint: `use one of ${ENVIRONMENTS.join(', ')}` });
  }
  const gen = generationOf(String(doc.version ?? ''));
  const changes: string[] = [];
  let out: Doc = { ...doc };
  if (out.environment !== env) changes.push(`environment: ${String(out.environment ?? '(unset)')} → ${env}`);
  out.environment = env;
  if (env !== 'development') {
    const sec: Doc = isObj(out.security) ? { ...out.security } : {};
    const tls: Doc = isObj(sec.tls) ? { ...sec.tls } : {};
    if (tls.enabled !== true) changes.push('security.tls.enabled → true');
    tls.enabled = true;
    sec.tls = tls;
    out.security = sec;
  }
  if (env === 'production' && Array.isArray(out.services)) {
    const [cpuKey, memKey] = gen === 4 ? ['max_cpu', 'max_memory'] : ['maxCpu', 'maxMemory'];
    let n = 0;
    out.services = out.services.map((s) => {
      if (!isObj(s)) return s;
      if (s[cpuKey] !== undefined && s[memKey] !== undefined) return s;
      n++;
      return { ...s, [cpuKey]: s[cpuKey] ?? DEFAULT_LIMITS.cpu, [memKey]: s[memKey] ?? DEFAULT_LIMITS.memory };
    });
    if (n) changes.push(`${n} service(s) without limits get ${cpuKey} ${DEFAULT_LIMITS.cpu} / ${memKey} ${DEFAULT_LIMITS.memory}`);
  }
  const own = isObj(out.environments) ? out.environments[env] : undefined;
  if (isObj(own)) {
    const { environments: _e, ...overlay } = own;
    out = deepMerge(out, overlay) as Doc;
    changes.push(`environments.${env} overlay: ${Object.keys(overlay).join(', ') || '(empty)'}`);
  }
  return { doc: out, changes };
}
