// A defensive view of the fields of a platform config that operations need (services, their ports and
// health checks, the cache, notifications), read from the stored document of any generation (v4 YAML
// with a map or list of services, v5/v6 JSON with a list).
import { readStoredConfig, type StoredConfig } from '../config/store.js';

export interface ServiceView {
  name: string;
  type?: string;
  image?: string;
  /** the host side of the first published port, when there is one */
  hostPort?: number;
  containerPort?: number;
  transport?: string;
  healthCheck?: { type?: string; path?: string; port?: number; command?: string; timeout?: number };
  /** a metrics endpoint (Prometheus text) when the config names one: `metrics: {path, port}` */
  metrics?: { path: string; port?: number };
  environment: Record<string, string>;
}

export interface PlatformView {
  version: string;
  environment?: string;
  services: ServiceView[];
  doc: Record<string, unknown>;
  path: string;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

/** "3001:3000", "127.0.0.1:3001:3000/tcp", "3000", {published, target} → host and container ports. */
export function parsePort(p: unknown): { host?: number; container?: number } {
  if (typeof p === 'number') return { host: p, container: p };
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    return { host: num(o.published ?? o.hostPort ?? o.host), container: num(o.target ?? o.containerPort ?? o.container) };
  }
  if (typeof p !== 'string') return {};
  const parts = p.replace(/\/(tcp|udp)$/i, '').split(':');
  if (parts.length === 1) return { host: num(parts[0]), container: num(parts[0]) };
  return { host: num(parts[parts.length - 2]), container: num(parts[parts.length - 1]) };
}

export function servicesOf(doc: Record<string, unknown>): ServiceView[] {
  const raw = doc.services;
  const list: Array<Record<string, unknown>> = Array.isArray(raw)
    ? raw.map(obj)
    : Object.entries(obj(raw)).map(([name, v]) => ({ name, ...obj(v) }));
  return list
    .filter((s) => str(s.name))
    .map((s) => {
      const ports = Array.isArray(s.ports) ? s.ports : s.port !== undefined ? [s.port] : [];
      const first = ports.length ? parsePort(ports[0]) : {};
      const hc = obj(s.healthCheck ?? s.health_check ?? s.healthcheck);
      const m = obj(s.metrics);
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj(s.environment))) if (v !== undefined && v !== null) env[k] = String(v);
      return {
        name: str(s.name)!,
        type: str(s.type),
        image: str(s.image),
        hostPort: first.host,
        containerPort: first.container,
        transport: str(s.transport),
        healthCheck: Object.keys(hc).length ? { type: str(hc.type), path: str(hc.path), port: num(hc.port), command: str(hc.command), timeout: num(hc.timeout) } : undefined,
        metrics: str(m.path) ? { path: str(m.path)!, port: num(m.port) } : typeof s.metrics === 'string' ? { path: s.metrics } : undefined,
        environment: env,
      };
    });
}

export async function readPlatform(home: string): Promise<PlatformView> {
  const stored: StoredConfig = await readStoredConfig(home);
  return { version: stored.version, environment: str(stored.doc.environment), services: servicesOf(stored.doc), doc: stored.doc, path: stored.path };
}

/** The local HTTP base URL of a service: its published host port on 127.0.0.1. */
export function serviceBaseUrl(s: ServiceView, host = '127.0.0.1'): string | undefined {
  return s.hostPort ? `http://${host}:${s.hostPort}` : undefined;
}

export { obj as asObject, str as asString, num as asNumber };
