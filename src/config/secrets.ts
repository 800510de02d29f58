// Secrets in configs (v4 bearer tokens, OAuth client secrets, database URL passwords, JWT keys,
// services' secret environment values): registered for masking when a config is loaded, replaced by
// "[REDACTED]" placeholders on export, and put back from the current config on import/migrate.
import { REDACTED, isSecretKey, redactText, registerSecret } from '../redact.js';
import { formatPath } from './validate.js';

export const PLACEHOLDER = REDACTED;

/** A key whose value is a secret (file paths and TTLs of secrets are not). */
export function isSecretField(key: string): boolean {
  return isSecretKey(key) && !/(ttl|file|path|url|endpoint)$/i.test(key);
}

const URL_PW = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/gi;

/** Register every secret value of a config so logs, errors and reports mask it wherever it appears. */
export function registerConfigSecrets(doc: unknown): number {
  let n = 0;
  walkLeaves(doc, [], (path, value) => {
    const key = path[path.length - 1];
    if (typeof value !== 'string') return;
    if (typeof key === 'string' && isSecretField(key) && value !== PLACEHOLDER) {
      registerSecret(value);
      n++;
    }
    for (const m of value.matchAll(URL_PW)) if (m[1] !== PLACEHOLDER) {
      registerSecret(m[1]);
      n++;
    }
  });
  return n;
}

export function walkLeaves(value: unknown, path: Array<string | number>, fn: (path: Array<string | number>, value: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walkLeaves(v, [...path, i], fn));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkLeaves(v, [...path, k], fn);
  else fn(path, value);
}

/** A copy with every secret replaced by the placeholder (a URL keeps its shape: postgres://u:[REDACTED]@h/db). */
export function maskSecrets<T>(doc: T): T {
  const walk = (v: unknown, key: string | number | undefined): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, i));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    if (typeof key === 'string' && isSecretField(key) && (typeof v === 'string' || typeof v === 'number') && v !== '') return PLACEHOLDER;
    if (typeof v === 'string') return redactText(v);
    return v;
  };
  return walk(doc, undefined) as T;
}

/** Paths of the values holding a placeholder. */
export function placeholderPaths(doc: unknown): string[] {
  const out: string[] = [];
  walkLeaves(doc, [], (path, v) => {
    if (typeof v === 'string' && v.includes(PLACEHOLDER)) out.push(formatPath(path));
  });
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Does `current` fit the masked `value` (same text around the placeholders)? */
export function fitsMask(value: string, current: unknown): boolean {
  if (value === PLACEHOLDER) return current !== undefined && current !== null && current !== PLACEHOLDER;
  if (typeof current !== 'string' || current.includes(PLACEHOLDER)) return false;
  const re = new RegExp('^' + value.split(PLACEHOLDER).map(escapeRe).join('[\\s\\S]+?') + '$');
  return re.test(current);
}

/** The element of `arr` matching `el`: by `name` when both have one, else by index. */
function counterpart(arr: unknown[], el: unknown, index: number): unknown {
  const name = el && typeof el === 'object' && !Array.isArray(el) ? (el as Record<string, unknown>).name : undefined;
  if (typeof name === 'string' && !name.includes(PLACEHOLDER)) {
    const found = arr.find((x) => x && typeof x === 'object' && (x as Record<string, unknown>).name === name);
    if (found !== undefined) return found;
    return undefined;
  }
  return arr[index];
}

export interface Filled<T> {
  doc: T;
  /** paths whose placeholder was replaced by the current value */
  filled: string[];
  /** paths still holding a placeholder (no current value fits) */
  unresolved: string[];
}

/**
 * Put secrets back: every placeholder in `doc` takes the value at the same place in `source` (the current
 * config, at the same version). Arrays of named things (services, tokens) are matched by name.
 */
export function fillPlaceholders<T>(doc: T, source: unknown): Filled<T> {
  const filled: string[] = [];
  const unresolved: string[] = [];
  const walk = (v: unknown, src: unknown, path: Array<string | number>): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, Array.isArray(src) ? counterpart(src, x, i) : undefined, [...path, i]));
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      const s = src !== null && typeof src === 'object' && !Array.isArray(src) ? (src as Record<string, unknown>) : undefined;
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, s?.[k], [...path, k]);
      return out;
    }
    if (typeof v === 'string' && v.includes(PLACEHOLDER)) {
      if (fitsMask(v, src)) {
        filled.push(formatPath(path));
        return src;
      }
      unresolved.push(formatPath(path));
    }
    return v;
  };
  const out = walk(doc, source, []) as T;
  return { doc: out, filled, unresolved };
}
