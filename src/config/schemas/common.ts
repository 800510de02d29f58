// Building blocks shared by the v4, v5 and v6 schemas. Every object is built twice: `loose` (unknown
// keys are kept: that is what we validate and carry) and `strict` (only used to list the unknown keys,
// so they can be reported instead of silently passing). See docs/config-formats.md.
import { z } from 'zod';
import { ENVIRONMENTS } from '../environment-names.js';

export type Mode = 'loose' | 'strict';

export function objFor(mode: Mode) {
  return <S extends z.ZodRawShape>(shape: S) => (mode === 'strict' ? z.strictObject(shape) : z.looseObject(shape));
}

export const environment = z.enum(ENVIRONMENTS);

export const SNAKE_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
export const KEBAB_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const snakeName = z.string().regex(SNAKE_NAME, 'a v4 service name is snake_case (e.g. filesystem_mcp)');
export const kebabName = z.string().regex(KEBAB_NAME, 'a service name is kebab-case (e.g. filesystem-mcp)');

/** "3001:3000", "127.0.0.1:3001:3000", "53:53/udp", "8080" */
export const portMapping = z.string().regex(/^((\d{1,3}\.){3}\d{1,3}:)?(\d{1,5}:)?\d{1,5}(\/(tcp|udp))?$/, 'a port mapping is HOST:CONTAINER, e.g. "3001:3000"');
/** "./data/filesystem:/data", "named-volume:/var/lib/x:ro" */
export const volume = z.string().regex(/^[^:\s]+:\/[^:\s]*(:(ro|rw))?$/, 'a volume is SOURCE:/container/path[:ro|rw]');
export const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'a duration is a number and a unit: 500ms, 30s, 5m, 2h, 30d');
/** Kubernetes CPU quantity: "500m", "1", "0.5", or a number of cores */
export const cpu = z.union([z.string().regex(/^\d+(\.\d+)?m?$/, 'a CPU quantity is like "500m" or "1"'), z.number().positive()]);
/** Kubernetes memory quantity: "128Mi", "1Gi", "512M" */
export const memory = z.string().regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T|k)?$/, 'a memory quantity is like "128Mi" or "1Gi"');
/** A connection URL; a "[REDACTED]" placeholder for the password is allowed (see config export). */
export const dbUrl = z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/\S*$/i, 'a database URL is scheme://…, e.g. postgres://user@host:5432/db');
export const envMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
export const port = z.number().int().min(1).max(65535);

export const SERVICE_TYPES = ['infrastructure', 'core', 'mcp'] as const;
export const DB_TYPES = ['postgres', 'pglite', 'mongo'] as const;

export function healthCheckFor(mode: Mode) {
  const obj = objFor(mode);
  return obj({
    type: z.enum(['http', 'tcp', 'command', 'mcp']),
    path: z.string().startsWith('/').optional(),
    port: port.optional(),
    command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
    timeout: z.union([duration, z.number().positive()]).optional(),
    interval: z.union([duration, z.number().positive()]).optional(),
    retries: z.number().int().min(0).optional(),
  }).superRefine((h: Record<string, unknown>, ctx) => {
    if (h.type === 'http' && !h.path) ctx.addIssue({ code: 'custom', path: ['path'], message: 'an http health check needs a path, e.g. /health' });
    if (h.type === 'command' && !h.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'a command health check needs a command' });
  });
}

/**
 * Cross-field rules every generation shares: unique names, dependencies and routes that exist, and a
 * health check that probes over the network has a port to probe (its own, or one the service publishes).
 */
export function serviceGraphRules(depsKey: string, healthKey: string) {
  return (doc: { services?: Array<Record<string, unknown>>; routes?: Array<Record<string, unknown>> }, ctx: z.RefinementCtx) => {
    (doc.services ?? []).forEach((s, i) => {
      const h = s[healthKey] as Record<string, unknown> | undefined;
      if (!h || typeof h !== 'object') return;
      const network = h.type === 'http' || h.type === 'tcp';
      const published = Array.isArray(s.ports) && s.ports.length > 0;
      if (network && h.port === undefined && !published) {
        ctx.addIssue({ code: 'custom', path: ['services', i, healthKey], message: `a${h.type === 'http' ? 'n' : ''} ${h.type} health check needs a port to probe: set ${healthKey}.port, or publish the service's port in ports` });
      }
    });
    const names = new Set<string>();
    (doc.services ?? []).forEach((s, i) => {
      const n = String(s.name);
      if (names.has(n)) ctx.addIssue({ code: 'custom', path: ['services', i, 'name'], message: `duplicate service name '${n}'` });
      names.add(n);
    });
    (doc.services ?? []).forEach((s, i) => {
      const deps = s[depsKey];
      if (!Array.isArray(deps)) return;
      deps.forEach((d, j) => {
        if (!names.has(String(d))) ctx.addIssue({ code: 'custom', path: ['services', i, depsKey, j], message: `depends on '${d}', which is not a service of this config` });
        if (String(d) === String(s.name)) ctx.addIssue({ code: 'custom', path: ['services', i, depsKey, j], message: 'a service cannot depend on itself' });
      });
    });
    (doc.routes ?? []).forEach((r, i) => {
      if (!names.has(String(r.service))) ctx.addIssue({ code: 'custom', path: ['routes', i, 'service'], message: `routes to '${r.service}', which is not a service of this config` });
    });
  };
}
