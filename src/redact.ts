// One redaction helper for every output path: logs, JSON and human output, plans, error messages.
// Keys that name secrets are masked wherever they appear in structured data; connection-string
// passwords, bearer tokens, JWTs and any value registered as secret are masked inside text.

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(pass(word|wd|phrase)|^pass$|[-_]pass$|secret|token|api[-_]?key|apikey|private[-_]?key|access[-_]?key|client[-_]?secret|credential|auth[-_]?key|signing[-_]?key|encryption[-_]?key|session[-_]?key|cookie|^pwd$)/i;
// `key`, `api_key`, `signingKey`: case-sensitive so `monkey` or `hotkey` are left alone.
const KEY_SUFFIX = /(^key$|^KEY$|[-_]key$|[-_]KEY$|[a-z0-9]Key$)/;
// Keys that look like secrets but name public things.
const NOT_SECRET_KEY = /^(keyRotation|tokenFormat|tokenType|publicKey|public_key|keyId|key_id|tokenUrl|token_url|tokenEndpoint|passwordPolicy|refreshTokens?Enabled|secretRef|secretName|secrets)$/i;

const known = new Set<string>();

/** Register a value (e.g. one the config marks `secret`) to be masked wherever it appears in text. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) known.add(value);
}

export function isSecretKey(key: string): boolean {
  return (SECRET_KEY.test(key) || KEY_SUFFIX.test(key)) && !NOT_SECRET_KEY.test(key);
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;
const BEARER = /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// `password: x`, `token=x`: the word itself (a field path like `environment.API_TOKEN:` in a validation
// message is not a secret)
const KV_IN_TEXT = /\b((?:password|passwd|pwd|secret|token|api[-_]?key|apikey)\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;
// `access_token=…`, `client_secret=…`, `DB_PASSWORD=…`: an assignment (query string, env line) to a name
// that ends in a secret word
const ASSIGN_IN_TEXT = /((?<![\w-])[\w-]*?(?:password|passwd|secret|token|api[-_]?key|apikey)=)("[^"]*"|'[^']*'|[^\s&;,]+)/gi;
// `"api_token": "…"`, `\"DB_PASSWORD\":\"…\"`: a JSON member with a secret-sounding name, also escaped
// inside another JSON string (kubectl quotes a whole object, last-applied-configuration included)
const JSON_MEMBER = /((\\?)"[\w.-]*(?:password|passwd|secret|token|api[-_]?key|apikey)[\w.-]*\2"\s*:\s*)(\2"(?:[^"\\]|\\(?!")|\\")*?\2")/gi;
const PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

export function redactText(text: string): string {
  let out = text;
  for (const v of known) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out
    .replace(PEM, REDACTED)
    .replace(URL_PASSWORD, (_m, head: string) => `${head}:${REDACTED}@`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(KV_IN_TEXT, (_m, head: string) => `${head}${REDACTED}`)
    .replace(ASSIGN_IN_TEXT, (_m, head: string) => `${head}${REDACTED}`)
    .replace(JSON_MEMBER, (_m, head: string, esc: string) => `${head}${esc}"${REDACTED}${esc}"`);
}

/** Deep copy with secret-named keys masked and every string passed through redactText. */
export function redact<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, seen));
  if (value instanceof Date) return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (isSecretKey(k) && v !== null && v !== undefined && v !== '' && (typeof v !== 'object' || Array.isArray(v))) out[k] = REDACTED;
    else if (isSecretKey(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) out[k] = walk(v, seen);
    else out[k] = walk(v, seen);
  }
  return out;
}

/** Redact an argv array for echoing: values after secret-named flags and secrets inside values. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.match(/^(--?[A-Za-z0-9-]+)=(.*)$/);
    if (eq && isSecretKey(eq[1]!.replace(/^-+/, ''))) {
      out.push(`${eq[1]}=${REDACTED}`);
      continue;
    }
    out.push(redactText(a));
    if (/^--?[A-Za-z0-9-]+$/.test(a) && isSecretKey(a.replace(/^-+/, '')) && i + 1 < argv.length) {
      out.push(REDACTED);
      i++;
    }
    // `-e KEY=VALUE` style environment assignments (docker, kubectl)
  }
  return out.map((a) => a.replace(/^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/, (m, k: string) => (isSecretKey(k) ? `${k}=${REDACTED}` : m)));
}
