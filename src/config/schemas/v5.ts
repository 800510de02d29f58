// Platform config v5 (5.0–5.2): JSON in config/platform.json. kebab-case names, API under /api/v1/,
// JWT with refresh tokens (v4 bearer tokens survive as legacy API keys), a multi-table database.
import { z } from 'zod';
import { objFor, environment, kebabName, portMapping, volume, cpu, memory, dbUrl, envMap, port, duration, healthCheckFor, serviceGraphRules, SERVICE_TYPES, DB_TYPES, type Mode } from './common.js';

export const V5_VERSION = /^5\.[0-2](\.\d+)?$/;

export function serviceV5Shape(mode: Mode) {
  return {
    name: kebabName,
    type: z.enum(SERVICE_TYPES),
    image: z.string().min(1),
    ports: z.array(portMapping).optional(),
    environment: envMap.optional(),
    volumes: z.array(volume).optional(),
    transport: z.enum(['http', 'stdio']).optional(),
    command: z.union([z.string(), z.array(z.string())]).optional(),
    healthCheck: healthCheckFor(mode).optional(),
    dependsOn: z.array(kebabName).optional(),
    instances: z.number().int().min(0).optional(),
    maxCpu: cpu.optional(),
    maxMemory: memory.optional(),
    /** 5.2 */
    labels: z.record(z.string(), z.string()).optional(),
  };
}

export const mcpNeedsHealthCheck = (doc: { services?: Array<Record<string, unknown>> }, ctx: z.RefinementCtx) => {
  (doc.services ?? []).forEach((s, i) => {
    if (s.type === 'mcp' && !s.healthCheck) ctx.addIssue({ code: 'custom', path: ['services', i, 'healthCheck'], message: 'every MCP server needs a health check' });
  });
};

export function commonV5V6(mode: Mode) {
  const obj = objFor(mode);
  return {
    platform: obj({ name: z.string().min(1).optional(), region: z.string().optional(), domain: z.string().optional() }),
    api: obj({
      host: z.string().min(1).optional(),
      port: port.optional(),
      basePath: z.string().regex(/^\/api\/v1\/$/, 'the API base path is /api/v1/').optional(),
    }),
    security: obj({
      tls: obj({ enabled: z.boolean(), certFile: z.string().optional(), keyFile: z.string().optional() }).optional(),
      cors: obj({ origins: z.array(z.string()) }).optional(),
    }),
    oauth: obj({
      provider: z.string().optional(),
      issuer: z.string().optional(),
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      authorizeUrl: z.string().optional(),
      tokenUrl: z.string().optional(),
      redirectUri: z.string().optional(),
      scopes: z.array(z.string()).optional(),
    }),
    legacyApiKeys: z.array(obj({ name: z.string().min(1), key: z.string().min(1), scopes: z.array(z.string()).optional() })),
    database: obj({
      type: z.enum(DB_TYPES),
      url: dbUrl.optional(),
      /** the v4 single table the data migration reads from, kept by 4→5 */
      legacyTable: z.string().optional(),
    }),
    observability: obj({ metrics: z.boolean().optional(), tracing: z.boolean().optional(), logLevel: z.enum(['debug', 'info', 'warn', 'error']).optional() }),
    routes: z.array(obj({ path: z.string().startsWith('/'), service: kebabName })),
    environments: z.partialRecord(environment, z.record(z.string(), z.unknown())),
    ttl: duration,
  };
}

export function buildV5(mode: Mode) {
  const obj = objFor(mode);
  const c = commonV5V6(mode);
  return obj({
    version: z.string().regex(V5_VERSION, 'a v5 config has version "5.0", "5.1" or "5.2"'),
    environment,
    platform: c.platform.optional(),
    api: c.api.optional(),
    security: c.security.optional(),
    oauth: c.oauth.optional(),
    auth: obj({
      type: z.literal('jwt'),
      jwt: obj({
        algorithm: z.enum(['HS256', 'HS384', 'HS512', 'RS256', 'ES256']),
        secret: z.string().optional(),
        privateKey: z.string().optional(),
        publicKey: z.string().optional(),
        issuer: z.string().optional(),
        accessTokenTtl: c.ttl.optional(),
        refreshTokenTtl: c.ttl.optional(),
      }),
      refreshTokens: obj({ enabled: z.boolean(), rotate: z.boolean().optional() }).optional(),
      legacyApiKeys: c.legacyApiKeys.optional(),
    }).optional(),
    database: c.database.optional(),
    runtime: obj({ type: z.enum(['docker', 'kubernetes', 'none']), namespace: z.string().optional(), context: z.string().optional() }).optional(),
    /** 5.1 */
    observability: c.observability.optional(),
    routes: c.routes.optional(),
    services: z.array(obj(serviceV5Shape(mode))),
    environments: c.environments.optional(),
  })
    .superRefine(serviceGraphRules('dependsOn', 'healthCheck'))
    .superRefine(mcpNeedsHealthCheck);
}

export const v5Schema = buildV5('loose');
export type ConfigV5 = z.infer<typeof v5Schema>;
export type ServiceV5 = ConfigV5['services'][number];
