// Platform config v4 (4.0–4.2): YAML in config/platform.yaml. snake_case keys and service names,
// API under /api/, static bearer tokens, the whole database in one table.
import { z } from 'zod';
import { objFor, environment, snakeName, portMapping, volume, cpu, memory, dbUrl, envMap, port, healthCheckFor, serviceGraphRules, SERVICE_TYPES, DB_TYPES, type Mode } from './common.js';

export const V4_VERSION = /^4\.[0-2](\.\d+)?$/;

export function buildV4(mode: Mode) {
  const obj = objFor(mode);
  const service = obj({
    name: snakeName,
    type: z.enum(SERVICE_TYPES),
    image: z.string().min(1),
    ports: z.array(portMapping).optional(),
    environment: envMap.optional(),
    volumes: z.array(volume).optional(),
    transport: z.enum(['http', 'stdio']).optional(),
    command: z.union([z.string(), z.array(z.string())]).optional(),
    health_check: healthCheckFor(mode).optional(),
    depends_on: z.array(snakeName).optional(),
    instances: z.number().int().min(0).optional(),
    max_cpu: cpu.optional(),
    max_memory: memory.optional(),
  });
  return obj({
    version: z.string().regex(V4_VERSION, 'a v4 config has version "4.0", "4.1" or "4.2"'),
    environment: environment.optional(),
    platform: obj({ name: z.string().min(1).optional(), domain: z.string().optional() }).optional(),
    api: obj({
      host: z.string().min(1).optional(),
      port: port.optional(),
      base_path: z.string().regex(/^\/api\/$/, 'the v4 API base path is /api/').optional(),
    }).optional(),
    security: obj({
      tls: obj({ enabled: z.boolean(), cert_file: z.string().optional(), key_file: z.string().optional() }).optional(),
    }).optional(),
    auth: obj({
      type: z.literal('bearer'),
      tokens: z.array(obj({ name: z.string().min(1), token: z.string().min(1), scopes: z.array(z.string()).optional() })).optional(),
    }).optional(),
    /** OAuth client settings, snake_case as OAuth libraries spell them (v5: camelCase) */
    oauth: obj({
      provider: z.string().optional(),
      issuer: z.string().optional(),
      client_id: z.string().optional(),
      client_secret: z.string().optional(),
      authorize_url: z.string().optional(),
      authorization_url: z.string().optional(),
      token_url: z.string().optional(),
      redirect_uri: z.string().optional(),
      scope: z.string().optional(),
      scopes: z.array(z.string()).optional(),
    }).optional(),
    database: obj({
      type: z.enum(DB_TYPES),
      url: dbUrl.optional(),
      /** v4 keeps every record in one table */
      table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    }).optional(),
    runtime: obj({ type: z.enum(['docker', 'kubernetes', 'none']), namespace: z.string().optional(), context: z.string().optional() }).optional(),
    /** 4.2: routes from a public path to a service */
    routes: z.array(obj({ path: z.string().startsWith('/'), service: snakeName })).optional(),
    services: z.array(service),
    /** overlays applied by --env NAME (partial configs) */
    environments: z.partialRecord(environment, z.record(z.string(), z.unknown())).optional(),
  }).superRefine(serviceGraphRules('depends_on', 'health_check'));
}

export const v4Schema = buildV4('loose');
export type ConfigV4 = z.infer<typeof v4Schema>;
export type ServiceV4 = ConfigV4['services'][number];
