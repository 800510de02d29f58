// 5.x → 6.0: the guide's transformConfig (Step 4: Configuration Migration), field for field, plus what
// it leaves out: every other v5 field is carried (environment, api, security, database, runtime,
// routes, unknown fields), the v5 JWT settings move under auth.providers.jwt, and the mesh and
// config-API sections are added. test/unit/config-guide-equivalence.test.ts holds the guide's function.
import type { KnownVersion } from '../../versions.js';
import type { BreakingChange, Doc, Hop, HopOutput, ReportedField } from './types.js';

export const V5_TO_V6_CHANGES: BreakingChange[] = [
  { component: 'Architecture', from: 'Monolithic', to: 'Microservices', action: 'Redeploy services' },
  { component: 'Authentication', from: 'JWT only', to: 'Multi-provider', action: 'Update auth config' },
  { component: 'Deployment', from: 'Docker Compose', to: 'Kubernetes', action: 'Convert manifests' },
  { component: 'Configuration', from: 'File-based', to: 'API-based', action: 'Use config API' },
  { component: 'Networking', from: 'Bridge', to: 'Service mesh', action: 'Configure mesh' },
];

const isObj = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The guide's per-service mapping, with its `||` defaults (instances 0 → 1 replica, as the guide does). */
export function deploymentOf(service: Doc): Doc {
  return {
    type: 'kubernetes',
    replicas: (service.instances as number) || 1,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: service.maxCpu || '1000m', memory: service.maxMemory || '1Gi' },
    },
  };
}

export function v5ToV6(doc: Doc, to: KnownVersion = '6.0'): HopOutput {
  const reported: ReportedField[] = [];
  const manual: string[] = [];
  const { version: _v, platform, oauth, auth, services, runtime, ...rest } = doc;
  const out: Doc = { version: to };
  // carried top-level fields first, in their order (environment, api, security, database, …)
  for (const [k, v] of Object.entries(rest)) out[k] = v;
  out.platform = { ...(isObj(platform) ? platform : {}), architecture: 'microservices' };
  if (isObj(platform) && platform.architecture !== undefined && platform.architecture !== 'microservices') {
    reported.push({ path: 'platform.architecture', disposition: 'replaced', reason: 'v6 is a microservices architecture' });
  }

  // Auth: JWT only → multi-provider. The guide's providers, plus the v5 JWT settings that still apply.
  const a: Doc = isObj(auth) ? auth : {};
  const { type: authType, jwt, refreshTokens, legacyApiKeys, ...authRest } = a;
  const j: Doc = isObj(jwt) ? jwt : {};
  const { algorithm, secret, privateKey, publicKey, issuer, accessTokenTtl, refreshTokenTtl, ...jwtRest } = j;
  // unknown fields first: what the guide defines always wins
  const providerJwt: Doc = { ...jwtRest, algorithm: 'RS256', keyRotation: { enabled: true, interval: '30d' } };
  if (issuer !== undefined) providerJwt.issuer = issuer;
  if (accessTokenTtl !== undefined) providerJwt.accessTokenTtl = accessTokenTtl;
  if (refreshTokenTtl !== undefined) providerJwt.refreshTokenTtl = refreshTokenTtl;
  if (algorithm === 'RS256' && privateKey !== undefined) {
    // already RS256: the key pair carries over as it is
    providerJwt.privateKey = privateKey;
    if (publicKey !== undefined) providerJwt.publicKey = publicKey;
    if (secret !== undefined) {
      providerJwt.legacy = { algorithm, secret };
      reported.push({ path: 'auth.jwt.secret', disposition: 'moved', to: 'auth.providers.jwt.legacy.secret', reason: 'an RS256 setup does not sign with a shared secret; kept beside it' });
    }
  } else if (algorithm !== undefined || secret !== undefined || privateKey !== undefined || publicKey !== undefined) {
    // The old signing material verifies tokens issued before the upgrade until they expire.
    const legacy: Doc = { algorithm: algorithm ?? 'HS256' };
    if (secret !== undefined) legacy.secret = secret;
    if (privateKey !== undefined) legacy.privateKey = privateKey;
    if (publicKey !== undefined) legacy.publicKey = publicKey;
    providerJwt.legacy = legacy;
    reported.push({ path: 'auth.jwt', disposition: 'moved', to: 'auth.providers.jwt.legacy', reason: `v6 signs with RS256 and rotates keys every 30d; the v5 ${String(algorithm ?? 'HS256')} material is kept to verify older tokens` });
    manual.push('provide an RS256 key pair for auth.providers.jwt (privateKeyFile or privateKey); until then v6 cannot issue tokens');
  }
  if (authType !== undefined) reported.push({ path: 'auth.type', disposition: 'changed', reason: 'JWT only → multi-provider (auth.providers)' });
  if (oauth !== undefined) reported.push({ path: 'oauth', disposition: 'moved', to: 'auth.providers.oauth2', reason: 'OAuth is an auth provider in v6' });
  if (isObj(authRest.providers)) reported.push({ path: 'auth.providers', disposition: 'replaced', reason: 'v6 builds auth.providers from auth.jwt and oauth (as the guide does)' });
  const authOut: Doc = { ...authRest, providers: { jwt: providerJwt, oauth2: oauth || {} } };
  if (refreshTokens !== undefined) authOut.refreshTokens = refreshTokens;
  if (legacyApiKeys !== undefined) authOut.legacyApiKeys = legacyApiKeys;
  out.auth = authOut;
  manual.push('update auth config: review auth.providers (jwt, oauth2) and register clients with each provider you use');

  // Deployment: Docker Compose → Kubernetes.
  if (isObj(runtime)) {
    if (runtime.type === 'docker') {
      out.runtime = { ...runtime, type: 'kubernetes', namespace: runtime.namespace ?? 'mcp-platform' };
      reported.push({ path: 'runtime.type', disposition: 'changed', reason: 'docker → kubernetes (Kubernetes-native deployment)' });
      manual.push('convert the Docker Compose services to Kubernetes manifests and apply them (Docker to Kubernetes in the guide)');
    } else out.runtime = runtime;
  } else if (runtime === undefined) {
    out.runtime = { type: 'kubernetes', namespace: 'mcp-platform' };
    reported.push({ path: 'runtime', disposition: 'added', reason: 'v5 defaulted to docker; v6 deploys to Kubernetes' });
    manual.push('convert the Docker Compose services to Kubernetes manifests and apply them (Docker to Kubernetes in the guide)');
  } else out.runtime = runtime;

  if (out.mesh === undefined) {
    out.mesh = { enabled: true, provider: 'istio', mtls: 'permissive' };
    manual.push('configure the service mesh (mesh.provider, mesh.mtls): services no longer share a bridge network');
  }
  if (out.configApi === undefined) {
    out.configApi = { enabled: true, endpoint: '/api/v1/config', refreshInterval: '30s' };
    manual.push('use the config API (configApi.endpoint) for runtime changes: the file is the starting point, not the source of truth');
  }

  const list: unknown[] = Array.isArray(services) ? services : [];
  out.services = list.map((service, i) => {
    if (!isObj(service)) return service;
    if (service.deployment !== undefined) reported.push({ path: `services[${i}].deployment`, disposition: 'replaced', reason: 'v6 computes the deployment from instances, maxCpu and maxMemory (as the guide does)' });
    return { ...service, deployment: deploymentOf(service) };
  });
  if (list.length) manual.push(`redeploy services as microservices: ${list.length} service(s) get a Kubernetes deployment (replicas from instances, limits from maxCpu/maxMemory)`);
  return { config: ordered(out), manualActions: manual, reported };
}

const ORDER = ['version', 'environment', 'platform', 'api', 'security', 'auth', 'database', 'runtime', 'mesh', 'configApi', 'observability', 'routes', 'services', 'environments'];

/** The documented key order (readable files); keys we do not know keep their order after those. */
function ordered(doc: Doc): Doc {
  const out: Doc = {};
  for (const k of ORDER) if (k in doc) out[k] = doc[k];
  for (const [k, v] of Object.entries(doc)) if (!(k in out)) out[k] = v;
  return out;
}

export function v5ToV6Hop(from: KnownVersion): Hop {
  return {
    from,
    to: '6.0',
    type: 'major',
    breakingChanges: V5_TO_V6_CHANGES,
    features: ['platform.architecture, auth.providers (jwt RS256 with key rotation, oauth2), services[].deployment, mesh, configApi'],
    apply: (doc) => v5ToV6(doc, '6.0'),
  };
}
