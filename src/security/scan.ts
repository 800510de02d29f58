// The security audit of a home (the guide's security_scan, step kind security.scan): pure functions over the
// config document and a list of file modes, so every rule is testable without a home. A finding names the
// field or file and what to do; it never holds a secret's value (not even a part of it).
import { lstat, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
// redact.js only: the step registry imports this, and a plan of checks must not load the config schemas
import { isSecretKey, REDACTED as PLACEHOLDER } from '../redact.js';

export type Severity = 'high' | 'medium' | 'low';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low'];

export interface Finding {
  id: string;
  severity: Severity;
  /** a config field (services[0].image) or a file, relative to the home when inside it */
  path: string;
  message: string;
}

export interface FileMode {
  /** relative to the home (config/platform.json), or absolute when outside it */
  path: string;
  mode: number;
}

export type Counts = Record<Severity, number> & { total: number };

// ---------------------------------------------------------------- secrets

/** Well-known defaults, compared lower-case with separators removed ("Change_Me" is changeme). */
const DEFAULT_SECRETS = new Set([
  'changeme', 'changeit', 'changethis', 'replaceme', 'password', 'passw0rd', 'password1', 'password123', 'secret', 'secret123',
  'mysecret', 'supersecret', 'topsecret', 'admin', 'admin123', 'administrator', 'root', 'toor', 'default', 'test', 'testing',
  'example', 'demo', 'guest', 'user', 'letmein', 'welcome', 'qwerty', '123456', '12345678', '123456789', '1234567890',
  'postgres', 'mongo', 'redis', 'mcp', 'mcpplatform', 'yoursecret', 'yoursecretkey', 'secretkey', 'jwtsecret', 'apikey', 'token',
]);
/** Defaults that are still defaults with something around them: "changeme-in-production", "your-secret-here". */
const DEFAULT_INSIDE = ['changeme', 'changeit', 'replaceme', 'yoursecret', 'yourkey', 'yourtoken', 'yourpassword', 'insertsecret'];
export const MIN_SECRET_LENGTH = 16;

const normalize = (v: string) => v.toLowerCase().replace(/[\s_.-]+/g, '');

/** A reference resolved elsewhere (${VAR}, $VAR, the export placeholder) is not a secret value to judge. */
const isReference = (v: string) => v === PLACEHOLDER || v.includes(PLACEHOLDER) || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v.trim());

/** What is wrong with a secret value, if anything: the kind of weakness, never the value. */
export function secretWeakness(value: string): 'empty' | 'default' | 'short' | undefined {
  if (value.trim() === '') return 'empty';
  if (isReference(value)) return undefined;
  const n = normalize(value);
  if (DEFAULT_SECRETS.has(n) || DEFAULT_INSIDE.some((d) => n.includes(d)) || /^(.)\1*$/.test(value)) return 'default';
  if (value.length < MIN_SECRET_LENGTH) return 'short';
  return undefined;
}

/** A field holding a secret value (paths, files, URLs and TTLs of secrets are not). */
const isSecretValueKey = (key: string) => isSecretKey(key) && !/(ttl|file|path|url|uri|endpoint|ref|name|id|type|algorithm|enabled|rotation|interval)$/i.test(key);

const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/i;

function weakFinding(path: string, weakness: 'empty' | 'default' | 'short', what: string): Finding {
  if (weakness === 'empty') return { id: 'secret-empty', severity: 'high', path, message: `${what} is empty: set a random value of at least ${MIN_SECRET_LENGTH} characters (e.g. openssl rand -hex 32)` };
  if (weakness === 'default') return { id: 'secret-default', severity: 'high', path, message: `${what} is a well-known default: replace it with a random value (e.g. openssl rand -hex 32)` };
  return { id: 'secret-weak', severity: 'medium', path, message: `${what} is shorter than ${MIN_SECRET_LENGTH} characters: replace it with a longer random value (e.g. openssl rand -hex 32)` };
}

/** Is this path inside a service's plain (non-secret) maps: services[i].environment / labels? */
function plainContainer(path: Array<string | number>): boolean {
  const i = path.indexOf('services');
  return i >= 0 && typeof path[i + 1] === 'number' && (path[i + 2] === 'environment' || path[i + 2] === 'labels') && path.length === i + 4;
}

/** services[0].environment.DB_PASSWORD (as config/validate.ts formats a field path) */
function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out;
}

function walk(value: unknown, path: Array<string | number>, fn: (path: Array<string | number>, value: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], fn));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], fn);
  else fn(path, value);
}

export function scanSecrets(doc: Record<string, unknown>): Finding[] {
  const out: Finding[] = [];
  walk(doc, [], (path, value) => {
    const key = path[path.length - 1];
    if (typeof key !== 'string') return;
    const at = formatPath(path);
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text === undefined) return;
    if (plainContainer(path)) {
      const kind = path[path.length - 2] === 'labels' ? 'label' : 'environment variable';
      const inUrl = URL_PASSWORD.exec(text);
      if (isSecretKey(key) && text.trim() === '') {
        // an empty password variable is no password: the service runs open (or refuses to start)
        out.push(weakFinding(at, 'empty', `the secret in ${kind} ${key}`));
      } else if (isSecretKey(key) && !isReference(text)) {
        out.push({ id: 'secret-in-plain-field', severity: 'medium', path: at, message: `${kind} ${key} holds a secret in plain text in the service definition: move it to a secret field or to <home>/config/secrets.json (owner-only) and reference it` });
        const w = secretWeakness(text);
        if (w && w !== 'empty') out.push(weakFinding(at, w, `the secret in ${kind} ${key}`));
      } else if (inUrl && !isReference(inUrl[1]!)) {
        out.push({ id: 'secret-in-plain-field', severity: 'medium', path: at, message: `${kind} ${key} holds a URL with a password in plain text: pass the password separately from a secret` });
        // a default password in it is as bad as anywhere else
        const w = secretWeakness(decodeURIComponentSafe(inUrl[1]!));
        if (w && w !== 'empty') out.push(weakFinding(at, w, `the password in the URL of ${kind} ${key}`));
      }
      return;
    }
    if (isSecretValueKey(key)) {
      const w = secretWeakness(text);
      if (w) out.push(weakFinding(at, w, `the secret ${at}`));
      return;
    }
    const inUrl = URL_PASSWORD.exec(text);
    if (inUrl) {
      const w = secretWeakness(decodeURIComponentSafe(inUrl[1]!));
      if (w && w !== 'empty') out.push(weakFinding(at, w, `the password in the URL ${at}`));
    }
  });
  return out;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------- TLS

/** The TLS fields of a config: v4 names them cert_file/key_file, v5 and v6 certFile/keyFile. */
export function tlsFields(version: string): { cert: 'certFile' | 'cert_file'; key: 'keyFile' | 'key_file' } {
  return /^4\./.test(version) ? { cert: 'cert_file', key: 'key_file' } : { cert: 'certFile', key: 'keyFile' };
}

export function scanTls(doc: Record<string, any>): Finding[] {
  const tls = doc.security?.tls;
  if (!tls || tls.enabled !== true) {
    return [{ id: 'tls-off', severity: 'high', path: 'security.tls.enabled', message: 'TLS is off: the API serves plain HTTP; set security.tls certificate and key files and enable it (the configure_ssl action, step tls.configure)' }];
  }
  const f = tlsFields(String(doc.version ?? ''));
  if (typeof tls[f.cert] !== 'string' || typeof tls[f.key] !== 'string') {
    return [{ id: 'tls-no-files', severity: 'medium', path: 'security.tls', message: `TLS is on but security.tls.${f.cert} / ${f.key} do not name the certificate and key files: set both (tls.configure checks them)` }];
  }
  return [];
}

// ---------------------------------------------------------------- services

/** name[:tag][@digest] → its tag and digest (a registry port is not a tag). */
export function imageRef(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return { tag: tag || undefined, digest: digest || undefined };
}

const isInside = (home: string, p: string) => {
  const r = relative(resolve(home), p);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
};

/** The host side of a volume: resolved against the home as the docker runtime does, or undefined for a named volume. */
export function hostPathOf(volume: string, home: string): string | undefined {
  const i = volume.indexOf(':');
  if (i <= 0) return undefined;
  const src = volume.slice(0, i);
  if (isAbsolute(src)) return resolve(src);
  if (src.startsWith('./') || src.startsWith('../') || src.includes('/')) return resolve(home, src);
  return undefined;
}

/** "3000:3000", "0.0.0.0:3000:3000", "3000" publish on every interface; "127.0.0.1:3000:3000" does not. */
export function publishedOnAllInterfaces(mapping: string): boolean {
  const m = /^(?:((?:\d{1,3}\.){3}\d{1,3}|\[[^\]]*\]):)?(?:\d{1,5}:)?\d{1,5}(\/(tcp|udp))?$/.exec(mapping.trim());
  if (!m) return false;
  const ip = m[1];
  return ip === undefined || ip === '0.0.0.0' || ip === '[::]';
}

/** The same mapping bound to 127.0.0.1: "3000:3000" → "127.0.0.1:3000:3000", "8080/udp" → "127.0.0.1:8080:8080/udp". */
function localBind(mapping: string): string {
  const [ports, proto] = mapping.trim().replace(/^(0\.0\.0\.0|\[::\]):/, '').split('/');
  const parts = ports!.split(':');
  const hostContainer = parts.length === 1 ? `${parts[0]}:${parts[0]}` : ports;
  return `127.0.0.1:${hostContainer}${proto ? `/${proto}` : ''}`;
}

export function scanServices(doc: Record<string, any>, home: string): Finding[] {
  const out: Finding[] = [];
  const services: any[] = Array.isArray(doc.services) ? doc.services : [];
  services.forEach((s, i) => {
    if (!s || typeof s !== 'object') return;
    const name = typeof s.name === 'string' ? s.name : `#${i}`;
    const at = (k: string) => `services[${i}].${k}`;
    if (typeof s.image === 'string') {
      const { tag, digest } = imageRef(s.image);
      if (!digest && tag === undefined) out.push({ id: 'image-unpinned', severity: 'medium', path: at('image'), message: `service ${name}: image ${s.image} has no tag (it means :latest): pin a version tag or a digest (@sha256:…)` });
      else if (!digest && tag === 'latest') out.push({ id: 'image-latest', severity: 'medium', path: at('image'), message: `service ${name}: image ${s.image} uses :latest, which changes under you: pin a version tag or a digest (@sha256:…)` });
    }
    if (s.privileged === true || s.securityContext?.privileged === true) {
      out.push({ id: 'privileged', severity: 'high', path: s.privileged === true ? at('privileged') : at('securityContext.privileged'), message: `service ${name} runs privileged (root on the host): remove privileged and add only the capabilities it needs` });
    }
    (Array.isArray(s.volumes) ? s.volumes : []).forEach((v: unknown, j: number) => {
      if (typeof v !== 'string') return;
      const host = hostPathOf(v, home);
      if (!host) return;
      if (/(^|\/)docker\.sock$/.test(host)) {
        out.push({ id: 'docker-socket', severity: 'high', path: `${at('volumes')}[${j}]`, message: `service ${name} mounts the Docker socket ${host}, which gives it root on the host: remove the mount` });
      } else if (!isInside(home, host)) {
        out.push({ id: 'host-path-volume', severity: 'medium', path: `${at('volumes')}[${j}]`, message: `service ${name} mounts ${host} from the host, outside the home: use a path under the home (./data/…) or a named volume` });
      }
    });
    (Array.isArray(s.ports) ? s.ports : []).forEach((p: unknown, j: number) => {
      if (typeof p === 'string' && publishedOnAllInterfaces(p)) {
        out.push({ id: 'port-all-interfaces', severity: 'low', path: `${at('ports')}[${j}]`, message: `service ${name} publishes ${p} on all interfaces: bind it to 127.0.0.1 ("${localBind(p)}") unless it must be reachable from other hosts` });
      }
    });
  });
  return out;
}

// ---------------------------------------------------------------- file modes

/** Files that hold secrets: the config (and its kept versions), secrets.json, keys. */
export function holdsSecrets(path: string): boolean {
  const p = path.split(sep).join('/');
  return /^config\/(platform\.(json|ya?ml)|secrets\.json)$/.test(p) || /^config\/history\//.test(p) || /(secret|private|privkey|\.key$|key\.pem$)/i.test(p.split('/').pop() ?? '');
}

const modeText = (m: number) => (m & 0o777).toString(8).padStart(3, '0');

/**
 * Files readable by group or others: one high finding per file that holds secrets (or is named in `secretFiles`,
 * e.g. the TLS key), one medium finding per directory for the rest (a database directory has hundreds of files).
 */
export function scanFileModes(files: FileMode[], secretFiles: string[] = []): Finding[] {
  const out: Finding[] = [];
  const other = new Map<string, string[]>();
  for (const f of files) {
    if (!(f.mode & 0o044)) continue;
    if (holdsSecrets(f.path) || secretFiles.includes(f.path)) {
      out.push({ id: 'file-readable', severity: 'high', path: f.path, message: `${f.path} holds secrets and is readable by ${f.mode & 0o004 ? 'others' : 'its group'} (mode ${modeText(f.mode)}): chmod 600 ${f.path}` });
      continue;
    }
    const dir = f.path.includes('/') ? f.path.slice(0, f.path.lastIndexOf('/')) : '.';
    other.set(dir, [...(other.get(dir) ?? []), f.path]);
  }
  for (const [dir, list] of other) {
    const eg = list.slice(0, 3).join(', ') + (list.length > 3 ? ', …' : '');
    out.push({ id: 'file-readable', severity: 'medium', path: dir, message: `${list.length} file(s) under ${dir} are readable by group or others (${eg}): chmod -R go-rwx ${dir}` });
  }
  return out;
}

/** The modes of every regular file under the home's config/ and state/ (paths relative to the home; symlinks are not followed). */
export async function listFileModes(home: string, dirs = ['config', 'state']): Promise<FileMode[]> {
  const out: FileMode[] = [];
  const visit = async (rel: string): Promise<void> => {
    const entries = await readdir(join(home, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) await visit(r);
      else if (e.isFile()) {
        const st = await lstat(join(home, r)).catch(() => undefined);
        if (st) out.push({ path: r, mode: st.mode });
      }
    }
  };
  for (const d of dirs) await visit(d);
  return out;
}

// ---------------------------------------------------------------- all of it

const ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2 };

export function countFindings(findings: Finding[]): Counts {
  const c: Counts = { high: 0, medium: 0, low: 0, total: findings.length };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** Every finding of a config and the home's file modes, high first. */
export function auditConfig(doc: Record<string, unknown>, opts: { home: string; files?: FileMode[]; secretFiles?: string[] }): Finding[] {
  const all = [...scanTls(doc), ...scanSecrets(doc), ...scanServices(doc, opts.home), ...scanFileModes(opts.files ?? [], opts.secretFiles)];
  return all.map((f, i) => ({ f, i })).sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i).map(({ f }) => f);
}

/** The TLS key file of a config, as the file-mode list names it (relative to the home when inside it). */
export function tlsKeyFile(doc: Record<string, any>, home: string): string | undefined {
  const key = doc.security?.tls?.[tlsFields(String(doc.version ?? '')).key];
  if (typeof key !== 'string' || key === '') return undefined;
  const abs = resolve(home, key);
  return isInside(home, abs) ? relative(home, abs).split(sep).join('/') : abs;
}
