// Platform config v6 (6.0): what the guide's transformConfig produces (platform.architecture,
// auth.providers.{jwt,oauth2}, services[].deployment), plus service mesh and config-API settings.
import { z } from 'zod';
import { objFor, environment, cpu, memory, duration, serviceGraphRules, type Mode } from './common.js';
import { commonV5V6, serviceV5Shape, mcpNeedsHealthCheck } from './v5.js';

export const V6_VERSION = /^6\.0(\.\d+)?$/;

export function buildV6(mode: Mode) {
  const obj = objFor(mode);
  const c = commonV5V6(mode);
  const resources = obj({ cpu, memory });
  const service = obj({
    ...serviceV5Shape(mode),
    deployment: obj({
      type: z.literal('kubernetes'),
      replicas: z.number().int().min(0),
      resources: obj({ requests: resources, limits: resources }),
    }),
  });
  return obj({
    version: z.string().regex(V6_VERSION, 'a v6 config has version "6.0"'),
    environment: environment.optional(),
    platform: c.platform.extend({ architecture: z.literal('microservices') }),
    api: c.api.extend({ versionHeader: z.string().optional() }).optional(),
    security: c.security.optional(),
    auth: obj({
      providers: obj({
        jwt: obj({
          algorithm: z.enum(['RS256', 'RS384', 'RS512', 'ES256']),
          keyRotation: obj({ enabled: z.boolean(), interval: duration }),
          privateKey: z.string().optional(),
          publicKey: z.string().optional(),
          privateKeyFile: z.string().optional(),
          issuer: z.string().optional(),
          accessTokenTtl: c.ttl.optional(),
          refreshTokenTtl: c.ttl.optional(),
          /** v5 signing material, kept to verify tokens issued before the upgrade */
          legacy: obj({ algorithm: z.string(), secret: z.string().optional(), privateKey: z.string().optional(), publicKey: z.string().optional() }).optional(),
        }),
        oauth2: c.oauth,
      }),
      refreshTokens: obj({ enabled: z.boolean(), rotate: z.boolean().optional() }).optional(),
      legacyApiKeys: c.legacyApiKeys.optional(),
    }),
    database: c.database.optional(),
    runtime: obj({ type: z.enum(['kubernetes', 'docker', 'none']), namespace: z.string().optional(), context: z.string().optional() }).optional(),
    mesh: obj({ enabled: z.boolean(), provider: z.enum(['istio', 'linkerd']).optional(), mtls: z.enum(['strict', 'permissive']).optional() }).optional(),
    configApi: obj({ enabled: z.boolean(), endpoint: z.string().startsWith('/').optional(), refreshInterval: duration.optional() }).optional(),
    observability: c.observability.optional(),
    routes: c.routes.optional(),
    services: z.array(service),
    environments: c.environments.optional(),
  })
    .superRefine(serviceGraphRules('dependsOn', 'healthCheck'))
    .superRefine(mcpNeedsHealthCheck);
}

export const v6Schema = buildV6('loose');
export type ConfigV6 = z.infer<typeof v6Schema>;
export type ServiceV6 = ConfigV6['services'][number];
