// 4.x → 5.0: YAML → JSON (the writer's concern), snake_case → kebab-case wherever a service name is
// referenced (names, dependencies, routes, host names in environment values), /api/ → /api/v1/,
// static bearer tokens → JWT (the tokens survive as legacy API keys: client code must change),
// single-table database → multi-table (the table is kept as database.legacyTable for the data migration).
import type { KnownVersion } from '../../versions.js';
import type { BreakingChange, Doc, Hop, HopOutput, ReportedField } from './types.js';

export const V4_TO_V5_CHANGES: BreakingChange[] = [
  { component: 'API Auth', from: 'Bearer token', to: 'JWT with refresh', action: 'Update client code' },
  { component: 'Config Format', from: 'YAML', to: 'JSON', action: 'Convert config files' },
  { component: 'Service Names', from: 'Snake case', to: 'Kebab case', action: 'Update references' },
  { component: 'Database Schema', from: 'Single table', to: 'Multi-table', action: 'Run migrations' },
  { component: 'API Endpoints', from: '/api/', to: '/api/v1/', action: 'Update API calls' },
];

const KEY_RENAMES: Record<string, string> = {
  base_path: 'basePath',
  cert_file: 'certFile',
  key_file: 'keyFile',
  health_check: 'healthCheck',
  depends_on: 'dependsOn',
  max_cpu: 'maxCpu',
  max_memory: 'maxMemory',
};

export const kebab = (name: string): string => name.replace(/_/g, '-');

const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** /api/x → /api/v1/x (already-versioned paths stay) */
export function v1Path(p: string): string {
  if (p === '/api' || p === '/api/') return '/api/v1/';
  if (p.startsWith('/api/') && !/^\/api\/v\d+(\/|$)/.test(p)) return '/api/v1/' + p.slice('/api/'.length);
  return p;
}

/** Rename v4 keys to their v5 spelling, deep (for environment overlays). */
function renameDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(renameDeep);
  if (!isObj(v)) return v;
  const out: Doc = {};
  for (const [k, x] of Object.entries(v)) {
    const nk = KEY_RENAMES[k] ?? k;
    out[nk] = nk === 'basePath' && typeof x === 'string' ? v1Path(x) : renameDeep(x);
  }
  return out;
}

function renameShallow(o: Doc): Doc {
  const out: Doc = {};
  for (const [k, x] of Object.entries(o)) out[KEY_RENAMES[k] ?? k] = x;
  return out;
}

// a word that may be a service name used as a host: the whole value, or after a URL's // or @, or after
// whitespace, = or a comma; followed by :port, /, the end or a separator. A path segment (after a single /,
// as in s3://bucket/pg_primary/) is not a host. Candidates are looked up in the set of renamed names.
const HOST_TOKEN = /(^|\/\/|@|[\s=,])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?=$|[:/\s,;])/g;

/** Rewrites the renamed services a value names as hosts; `hosts` lists the names it rewrote. */
function hostRewriter(names: string[]): ((value: string) => { value: string; hosts: string[] }) | undefined {
  const snake = new Set(names.filter((n) => n.includes('_')));
  if (!snake.size) return undefined;
  return (value) => {
    const hosts: string[] = [];
    if (!value.includes('_')) return { value, hosts };
    const out = value.replace(HOST_TOKEN, (m, pre: string, n: string) => {
      if (!snake.has(n)) return m;
      if (!hosts.includes(n)) hosts.push(n);
      return pre + kebab(n);
    });
    return { value: out, hosts };
  };
}

export function v4ToV5(doc: Doc, to: KnownVersion = '5.0'): HopOutput {
  const reported: ReportedField[] = [];
  const manual: string[] = [];
  const { version: _v, environment, platform, api, security, auth, oauth, database, runtime, routes, services, environments, ...rest } = doc;
  const out: Doc = { version: to, environment: environment ?? 'development' };
  if (environment === undefined) reported.push({ path: 'environment', disposition: 'added', reason: 'v5 names the environment; none was set, so development' });
  if (platform !== undefined) out.platform = platform;

  // API: /api/ → /api/v1/
  const a = isObj(api) ? renameShallow(api) : {};
  if (isObj(api) && api.base_path !== undefined) reported.push({ path: 'api.base_path', disposition: 'changed', to: 'api.basePath', reason: 'API endpoints moved from /api/ to /api/v1/' });
  out.api = { ...a, basePath: '/api/v1/' };
  manual.push('update API calls: endpoints moved from /api/ to /api/v1/ (e.g. GET /api/services → GET /api/v1/services)');

  if (security !== undefined) {
    out.security = isObj(security) ? { ...security, ...(isObj(security.tls) ? { tls: renameShallow(security.tls) } : {}) } : security;
  }

  // Auth: bearer tokens → JWT; the static tokens cannot become JWTs, they stay valid as legacy API keys.
  const authIn: Doc = isObj(auth) ? auth : {};
  const { type: authType, tokens, ...authRest } = authIn;
  if (authType !== undefined) reported.push({ path: 'auth.type', disposition: 'changed', reason: 'bearer → jwt (JWT with refresh tokens)' });
  const authOut: Doc = {
    type: 'jwt',
    jwt: { algorithm: 'HS256', accessTokenTtl: '15m', refreshTokenTtl: '7d' },
    refreshTokens: { enabled: true, rotate: true },
    ...authRest,
  };
  if (Array.isArray(tokens) && tokens.length) {
    authOut.legacyApiKeys = tokens.map((t) => {
      if (!isObj(t)) return t;
      const { token, ...tr } = t;
      return { ...tr, key: token };
    });
    tokens.forEach((_t, i) => reported.push({ path: `auth.tokens[${i}].token`, disposition: 'moved', to: `auth.legacyApiKeys[${i}].key`, reason: 'a static bearer token cannot become a JWT; it stays valid as a legacy API key' }));
    manual.push(`update client code: ${tokens.length} static bearer token(s) are now legacy API keys (auth.legacyApiKeys); have clients obtain JWTs and retire the keys`);
  } else if (Array.isArray(tokens)) {
    reported.push({ path: 'auth.tokens', disposition: 'moved', to: 'auth.legacyApiKeys', reason: 'no tokens to carry' });
  }
  // only when 5.x is where the upgrade stops: v6 signs with an RS256 key pair instead (its hop says so)
  const finalOnly = [`provide the JWT signing secret (auth.jwt.secret, or the MCP_JWT_SECRET environment variable) before starting ${to}`];
  out.auth = authOut;
  if (oauth !== undefined) out.oauth = convertOauth(oauth, reported);

  if (database !== undefined) {
    if (isObj(database)) {
      const { table, ...dr } = database;
      out.database = table === undefined ? dr : { ...dr, legacyTable: table };
      if (table !== undefined) reported.push({ path: 'database.table', disposition: 'moved', to: 'database.legacyTable', reason: 'v5 stores data in several tables; the data migration reads the v4 table' });
    } else out.database = database;
  }
  manual.push('run the database migrations: mcp db migrate --version 5.0 (single table → multi-table)');
  if (runtime !== undefined) out.runtime = runtime;

  // Service names: snake_case → kebab-case, and every reference to them.
  const list: unknown[] = Array.isArray(services) ? services : [];
  const names = list.filter(isObj).map((s) => String(s.name));
  const rewrite = hostRewriter(names);
  const renamed = names.filter((n) => n.includes('_'));
  const synthesized: string[] = [];
  if (routes !== undefined) {
    out.routes = Array.isArray(routes)
      ? routes.map((r, i) => {
          if (!isObj(r)) return r;
          const path = typeof r.path === 'string' ? v1Path(r.path) : r.path;
          if (path !== r.path) reported.push({ path: `routes[${i}].path`, disposition: 'changed', reason: `${r.path} → ${path}` });
          return { ...r, path, service: typeof r.service === 'string' ? kebab(r.service) : r.service };
        })
      : routes;
  }
  out.services = list.map((s, i) => {
    if (!isObj(s)) return s;
    const svc: Doc = {};
    for (const [k, x] of Object.entries(s)) {
      const nk = KEY_RENAMES[k] ?? k;
      if (k === 'name' && typeof x === 'string') svc.name = kebab(x);
      else if (k === 'depends_on' && Array.isArray(x)) svc.dependsOn = x.map((d) => (typeof d === 'string' ? kebab(d) : d));
      else if (k === 'environment' && isObj(x) && rewrite) {
        const env: Doc = {};
        for (const [ek, ev] of Object.entries(x)) {
          if (typeof ev === 'string') {
            const { value: nv, hosts } = rewrite(ev);
            // what changed, not the value (an environment value may hold a password)
            if (nv !== ev) reported.push({ path: `services[${i}].environment.${ek}`, disposition: 'changed', reason: `host ${hosts.map((h) => `${h} → ${kebab(h)}`).join(', ')}: a renamed service referenced as a host name` });
            env[ek] = nv;
          } else env[ek] = ev;
        }
        svc.environment = env;
      } else svc[nk] = x;
    }
    if (svc.type === 'mcp' && svc.healthCheck === undefined) {
      // an HTTP server with a published port: GET /health on it; without one there is no port for an
      // http check, so the protocol check (reached however the runtime exposes it)
      const published = Array.isArray(svc.ports) && svc.ports.length > 0;
      svc.healthCheck = svc.transport === 'stdio' || !published ? { type: 'mcp', timeout: '5s' } : { type: 'http', path: '/health', timeout: '5s' };
      synthesized.push(String(svc.name));
      reported.push({ path: `services[${i}].health_check`, disposition: 'added', reason: 'v5 needs a health check for each MCP server' });
    }
    return svc;
  });
  if (renamed.length) {
    const shown = renamed.slice(0, 5).map((n) => `${n} → ${kebab(n)}`).join(', ');
    manual.push(`update references to renamed services outside the config (scripts, DNS names, dashboards): ${shown}${renamed.length > 5 ? `, and ${renamed.length - 5} more` : ''}`);
  }
  if (synthesized.length) {
    manual.push(`check the health checks added for MCP servers that had none: ${synthesized.slice(0, 5).join(', ')}${synthesized.length > 5 ? `, and ${synthesized.length - 5} more` : ''}`);
  }
  if (environments !== undefined) out.environments = renameDeep(environments);
  Object.assign(out, rest);
  return { config: out, manualActions: manual, finalOnly, reported };
}

/** snake_case → camelCase (`client_id` → `clientId`); other keys as they are */
const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const OAUTH_RENAMES: Record<string, string> = { authorization_url: 'authorizeUrl', authorize_url: 'authorizeUrl', auth_url: 'authorizeUrl', scope: 'scopes' };

/**
 * v4 `oauth` (snake_case, as OAuth libraries spell it) → v5 `oauth` (camelCase: clientId, clientSecret,
 * redirectUri, authorizeUrl, tokenUrl, scopes). A space- or comma-separated `scope` string becomes the
 * `scopes` list. Each key that changes is reported with where it went.
 */
function convertOauth(oauth: unknown, reported: ReportedField[]): unknown {
  if (!isObj(oauth)) return oauth;
  const out: Doc = {};
  for (const [k, v] of Object.entries(oauth)) {
    const nk = OAUTH_RENAMES[k] ?? camel(k);
    if (nk === 'scopes' && typeof v === 'string') {
      out.scopes = v.split(/[\s,]+/).filter(Boolean);
      reported.push({ path: `oauth.${k}`, disposition: 'changed', to: 'oauth.scopes', reason: `the scope string '${v}' becomes a list` });
      continue;
    }
    if (nk !== k) reported.push({ path: `oauth.${k}`, disposition: 'moved', to: `oauth.${nk}`, reason: 'v5 spells OAuth settings in camelCase' });
    out[nk] = v;
  }
  return out;
}

export function v4ToV5Hop(from: KnownVersion): Hop {
  return {
    from,
    to: '5.0',
    type: 'major',
    breakingChanges: V4_TO_V5_CHANGES,
    features: ['environment, platform, oauth, JWT with refresh tokens, services[].instances/maxCpu/maxMemory'],
    apply: (doc) => v4ToV5(doc, '5.0'),
  };
}
