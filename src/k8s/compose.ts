// Reading Docker Compose files the way `docker compose config` does, enough for conversion:
// several files merged in order, `${VAR}` interpolation from the shell and the project's .env,
// `$$` escapes, and `${VAR:?message}` as an error. No Docker needed.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { exists } from '../fsutil.js';
import { invalidInput } from '../errors.js';

export type Doc = Record<string, any>;

export interface ComposeProject {
  /** the first file's directory: relative paths (volumes, env_file, secrets) resolve against it */
  dir: string;
  files: string[];
  doc: Doc;
  /** variables referenced but not set (interpolated as empty, like docker compose does with a warning) */
  unsetVariables: string[];
  /** the variables available to interpolation and env_file (shell over .env) */
  variables: Record<string, string>;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** keep `${…}` as written (kompose --no-interpolate) */
  interpolate?: boolean;
}

/** Parse a dotenv file: KEY=VALUE lines, # comments, optional quotes, `export ` prefix. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/);
    if (!m) {
      // a bare KEY means "take it from the environment"; it has no value of its own here
      continue;
    }
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      const q = v[0];
      v = v.slice(1, -1);
      if (q === '"') v = v.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      v = v.replace(/\s+#.*$/, '');
    }
    out[m[1]!] = v;
  }
  return out;
}

const VAR = /\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Interpolate one string. Throws on `${VAR:?err}` / `${VAR?err}` when unset. */
export function interpolate(s: string, vars: Record<string, string | undefined>, unset: Set<string>, where: string): string {
  return s.replace(VAR, (whole, inner: string, braced: string | undefined, bare: string | undefined) => {
    if (inner === '$') return '$';
    if (bare !== undefined) {
      const v = vars[bare];
      if (v === undefined) unset.add(bare);
      return v ?? '';
    }
    const m = braced!.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s);
    if (!m) throw invalidInput(`invalid interpolation '${whole}'`, { where, hint: 'use ${VAR}, ${VAR:-default} or $$ for a literal $' });
    const [, name, op, arg = ''] = m;
    const v = vars[name!];
    const empty = v === undefined || v === '';
    switch (op) {
      case undefined:
        if (v === undefined) unset.add(name!);
        return v ?? '';
      case ':-':
        return empty ? interpolate(arg, vars, unset, where) : v!;
      case '-':
        return v === undefined ? interpolate(arg, vars, unset, where) : v;
      case ':?':
      case '?':
        if (op === ':?' ? empty : v === undefined) {
          throw invalidInput(`required variable ${name} is not set${arg ? `: ${arg}` : ''}`, { where, hint: `export ${name}=… or add it to the .env file beside the compose file` });
        }
        return v!;
      case ':+':
        return empty ? '' : interpolate(arg, vars, unset, where);
      case '+':
        return v === undefined ? '' : interpolate(arg, vars, unset, where);
    }
    return whole;
  });
}

function interpolateDeep(value: unknown, vars: Record<string, string>, unset: Set<string>, path: string): unknown {
  if (typeof value === 'string') return interpolate(value, vars, unset, path);
  if (Array.isArray(value)) return value.map((v, i) => interpolateDeep(v, vars, unset, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const out: Doc = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateDeep(v, vars, unset, path ? `${path}.${k}` : k);
    return out;
  }
  return value;
}

// Keys whose lists add up across files (compose's merge rules); other lists are replaced.
const APPENDED = new Set(['ports', 'expose', 'volumes', 'env_file', 'dns', 'extra_hosts', 'cap_add', 'cap_drop', 'secrets', 'configs', 'devices', 'tmpfs', 'group_add']);

function isMap(v: unknown): v is Doc {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

/** environment / labels may be lists of K=V or maps: make them maps so files merge by key */
export function kvMap(v: unknown): Record<string, string | null> {
  if (Array.isArray(v)) {
    const out: Record<string, string | null> = {};
    for (const item of v) {
      const s = String(item);
      const i = s.indexOf('=');
      if (i < 0) out[s] = null;
      else out[s.slice(0, i)] = s.slice(i + 1);
    }
    return out;
  }
  if (isMap(v)) {
    const out: Record<string, string | null> = {};
    for (const [k, x] of Object.entries(v)) out[k] = x === null || x === undefined ? null : typeof x === 'object' ? JSON.stringify(x) : String(x);
    return out;
  }
  return {};
}

export function mergeDocs(base: unknown, over: unknown, key = ''): unknown {
  if (over === undefined) return base;
  if (key === 'environment' || key === 'labels' || key === 'annotations' || key === 'build_args') return { ...kvMap(base), ...kvMap(over) };
  if (Array.isArray(base) && Array.isArray(over) && APPENDED.has(key)) {
    const seen = new Set(base.map((x) => JSON.stringify(x)));
    return [...base, ...over.filter((x) => !seen.has(JSON.stringify(x)))];
  }
  if (isMap(base) && isMap(over)) {
    const out: Doc = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = mergeDocs(base[k], v, k);
    return out;
  }
  return over;
}

export async function loadCompose(files: string[], opts: LoadOptions = {}): Promise<ComposeProject> {
  if (files.length === 0) throw invalidInput('no compose file given', { hint: 'pass --compose docker-compose.yml (repeat it to merge overrides)' });
  const { parseYamlText, readInputFile } = await import('../input.js');
  const abs = files.map((f) => resolve(f));
  const dir = dirname(abs[0]!);
  const env = opts.env ?? process.env;
  const dotenvPath = resolve(dir, '.env');
  const dotenv = (await exists(dotenvPath)) ? parseDotenv(await readFile(dotenvPath, 'utf8')) : {};
  const variables: Record<string, string> = { ...dotenv };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) variables[k] = v;
  const unset = new Set<string>();
  let merged: unknown = {};
  for (const f of abs) {
    const text = await readInputFile(f, '--compose');
    let doc = parseYamlText(text, f);
    if (doc === null || doc === undefined) doc = {};
    if (!isMap(doc)) throw invalidInput('a compose file must be a mapping with a services key', { where: f });
    if (doc.services !== undefined && !isMap(doc.services)) throw invalidInput('services must be a mapping of name → service', { where: `${f}: services` });
    const interpolated = opts.interpolate === false ? doc : (interpolateDeep(doc, variables, unset, '') as Doc);
    merged = mergeDocs(merged, interpolated);
  }
  const doc = merged as Doc;
  if (!isMap(doc.services) || Object.keys(doc.services).length === 0) {
    throw invalidInput('the compose files define no services', { where: abs.join(', '), hint: 'a compose file needs a services: mapping' });
  }
  for (const [name, svc] of Object.entries(doc.services)) {
    if (!isMap(svc)) throw invalidInput(`service ${name} must be a mapping`, { where: `services.${name}` });
  }
  return { dir, files: abs, doc, unsetVariables: [...unset].sort(), variables };
}

/** compose's shlex-like split of a string command ("sh -c 'echo hi'" → [sh, -c, echo hi]) */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let q: '"' | "'" | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"' && (s[i + 1] === '"' || s[i + 1] === '\\')) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** compose durations: 1m30s, 10s, 1h, 500ms, or a bare number of seconds → whole seconds (at least 1 when non-zero) */
export function durationSeconds(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number') return Math.max(0, Math.round(v));
  const s = String(v).trim();
  if (/^\d+$/.test(s)) return Number(s);
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(re)) {
    matched += m[0];
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1000 : 0;
  }
  if (matched !== s) return undefined;
  return total > 0 ? Math.max(1, Math.round(total)) : 0;
}
