// What operations read of a platform config (services with their ports, health checks and metrics, the cache,
// notifications): the services come from the runtime's normalized view (one reader of services for the whole CLI).
import { readStoredConfig, type StoredConfig } from '../config/store.js';
import { portParts, servicesOf as specsOf } from '../runtime/services.js';

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
  // the operations views read a hand-edited mapping's /TCP too
  const parts = portParts(p.replace(/\/(tcp|udp)$/i, (m) => m.toLowerCase()));
  if (parts.length === 1) return { host: num(parts[0]), container: num(parts[0]) };
  return { host: num(parts[parts.length - 2]), container: num(parts[parts.length - 1]) };
}

/**
 * The services of a config document for the operations commands: the runtime's one normalized view
 * (src/runtime/services.ts servicesOf) — the same names, ports, health checks and environment the runtimes
 * use — with what only operations read (the first published port split, a metrics endpoint).
 */
export function servicesOf(doc: Record<string, unknown>): ServiceView[] {
  const raw = doc.services;
  const raws: Array<Record<string, unknown>> = Array.isArray(raw) ? raw.map(obj) : Object.values(obj(raw)).map(obj);
  return specsOf(doc).services.map((spec, i) => {
    const s = raws[i] ?? {};
    const first = spec.ports.length ? parsePort(spec.ports[0]) : s.port !== undefined ? parsePort(s.port) : {};
    const hc = spec.healthCheck;
    const m = obj(s.metrics);
    return {
      name: spec.name,
      type: spec.type,
      image: spec.image,
      hostPort: first.host,
      containerPort: first.container,
      transport: spec.transport,
      healthCheck: hc ? { type: hc.type, path: hc.path, port: hc.port, command: typeof hc.command === 'string' ? hc.command : hc.command?.join(' '), timeout: hc.timeoutMs === undefined ? undefined : hc.timeoutMs / 1000 } : undefined,
      metrics: str(m.path) ? { path: str(m.path)!, port: num(m.port) } : typeof s.metrics === 'string' ? { path: s.metrics } : undefined,
      environment: spec.environment,
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
