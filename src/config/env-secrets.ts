// The secrets of a config that arrives with "[REDACTED]" placeholders (a `config export` carried to another
// environment): each is taken from the receiving environment's own secrets, never written as a placeholder.
// Where from, in order: the environment's current config (the same field); a variable naming the environment,
// `MCP_<ENV>_SECRET_<PATH>` (auth.tokens[0].token of staging → MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN); then
// the plain `MCP_SECRET_<PATH>` and its secrets file <home>/config/secrets.json ({ "auth.tokens[0].token": "…" },
// owner-only) — for this home's own environment the variable first, for another home its file first: the
// deploying shell belongs to this home, the file to the environment. A secret found nowhere stops the command
// before it changes anything, naming the field.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { exists } from '../fsutil.js';
import { invalidInput } from '../errors.js';
import { registerSecret } from '../redact.js';
import { PLACEHOLDER, fillPlaceholders, placeholderPaths, walkLeaves } from './secrets.js';
import { formatPath } from './validate.js';
import { readStoredConfig } from './store.js';

export const secretsFile = (home: string) => join(layout(home).config, 'secrets.json');
const upperName = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toUpperCase();
export const secretVariable = (path: string) => `MCP_SECRET_${upperName(path)}`;
/** the variable that names the environment too: read first, whichever home the command runs from */
export const environmentSecretVariable = (environment: string, path: string) => `MCP_${upperName(environment)}_SECRET_${upperName(path)}`;

export interface SecretsFilled<T> {
  doc: T;
  filled: Array<{ path: string; from: 'config' | 'variable' | 'file' }>;
}

async function readSecretsFile(home: string): Promise<Record<string, string>> {
  const file = secretsFile(home);
  if (!(await exists(file))) return {};
  const st = await stat(file);
  if (st.mode & 0o077) throw invalidInput(`the secrets file can be read by others (mode ${(st.mode & 0o777).toString(8)})`, { where: file, hint: `chmod 600 ${file}` });
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw invalidInput(`the secrets file is not JSON: ${(e as Error).message}`, { where: file, hint: '{ "auth.tokens[0].token": "…" }' });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidInput('the secrets file is not a map of field path → secret', { where: file });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (typeof v !== 'string' || v === '' || v.includes(PLACEHOLDER)) throw invalidInput('a secret must be a non-empty string', { where: `${file}: ${k}` });
    registerSecret(v);
    out[k] = v;
  }
  return out;
}

/** `doc` with every placeholder filled from the secrets of the environment at `home` (see above). */
export async function fillFromEnvironment<T>(doc: T, o: { home: string; env: NodeJS.ProcessEnv; where: string; environment: string; own?: boolean }): Promise<SecretsFilled<T>> {
  const filled: SecretsFilled<T>['filled'] = [];
  if (placeholderPaths(doc).length === 0) return { doc, filled };
  let out = doc;
  const current = await readStoredConfig(o.home).catch(() => undefined);
  if (current && current.version === String((doc as { version?: unknown }).version ?? '')) {
    const f = fillPlaceholders(out, current.doc);
    out = f.doc;
    filled.push(...f.filled.map((path) => ({ path, from: 'config' as const })));
  }
  const file = await readSecretsFile(o.home);
  const missing: string[] = [];
  const set = (root: unknown, path: Array<string | number>, value: unknown) => {
    let cur = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
    cur[path[path.length - 1]!] = value;
  };
  out = JSON.parse(JSON.stringify(out)) as T;
  const holes: Array<{ path: Array<string | number>; value: string }> = [];
  walkLeaves(out, [], (path, v) => {
    if (typeof v === 'string' && v.includes(PLACEHOLDER)) holes.push({ path, value: v });
  });
  for (const h of holes) {
    const p = formatPath(h.path);
    const named = o.env[environmentSecretVariable(o.environment, p)] || undefined;
    const plain = o.env[secretVariable(p)] || undefined;
    const candidates: Array<[string | undefined, 'variable' | 'file']> =
      o.own === false ? [[named, 'variable'], [file[p], 'file'], [plain, 'variable']] : [[named, 'variable'], [plain, 'variable'], [file[p], 'file']];
    const hit = candidates.find(([v]) => v !== undefined);
    if (!hit) {
      missing.push(p);
      continue;
    }
    const secret = hit[0]!;
    registerSecret(secret);
    set(out, h.path, h.value.split(PLACEHOLDER).join(secret));
    filled.push({ path: p, from: hit[1] });
  }
  if (missing.length) {
    throw invalidInput(`${missing.length} secret(s) of the config are [REDACTED] and the ${o.environment} environment has no value for them: ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}`, {
      where: `${o.where}: ${missing[0]}`,
      hint: `give ${o.environment} its own: in its current config, as the variable ${environmentSecretVariable(o.environment, missing[0]!)} (or ${secretVariable(missing[0]!)}), or as "${missing[0]}" in ${secretsFile(o.home)} (mode 600); nothing was changed`,
    });
  }
  return { doc: out, filled };
}

/** The variable that carries an environment's backup passphrase (`MCP_PRODUCTION_BACKUP_PASSPHRASE`). */
export const backupPassphraseVariable = (environment: string) => `MCP_${upperName(environment)}_BACKUP_PASSPHRASE`;

/**
 * The passphrase a package for `environment` is encrypted with: its variable, else "backup.passphrase" in its
 * home's secrets file. Never this home's own MCP_BACKUP_PASSPHRASE: a package for production is production's.
 */
export async function environmentBackupPassphrase(home: string, env: NodeJS.ProcessEnv, environment: string): Promise<string | undefined> {
  const v = env[backupPassphraseVariable(environment)];
  if (v) {
    registerSecret(v);
    return v;
  }
  return (await readSecretsFile(home))['backup.passphrase'];
}
