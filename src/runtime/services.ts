// The services of an installation, read defensively from the stored config (v4 YAML mapping or list,
// v5/v6 list), normalized to one shape for the runtimes and the health checks.
import { usageError } from '../errors.js';
import { majorOf } from '../versions.js';
import { durationMs } from '../duration.js';

export type RuntimeType = 'docker' | 'kubernetes' | 'none';

export interface HealthCheckSpec {
  type: 'http' | 'tcp' | 'command' | 'mcp';
  /** http / mcp over HTTP: full URL; otherwise built from host, port and path */
  url?: string;
  host?: string;
  path?: string;
  port?: number;
  /** command check, or the command that launches a stdio MCP server: argv array, or a string run by sh -c */
  command?: string[] | string;
  /** milliseconds */
  timeoutMs?: number;
}

export interface ServiceSpec {
  name: string;
  type: string;
  image?: string;
  ports: string[];
  environment: Record<string, string>;
  volumes: string[];
  transport?: 'http' | 'stdio';
  healthCheck?: HealthCheckSpec;
  dependsOn: string[];
  replicas: number;
  command?: string[] | string;
  maxCpu?: string;
  maxMemory?: string;
}

export interface RuntimeSpec {
  type: RuntimeType;
  namespace?: string;
  context?: string;
  /** compose project name (docker) */
  project?: string;
  /** directory of Kubernetes manifests applied by `mcp start` (kubernetes) */
  manifests?: string;
}

export interface PlatformServices {
  version: string;
  runtime: RuntimeSpec;
  services: ServiceSpec[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * "500ms", "5s", "2m", "1h" → ms. A bare number on the command line is seconds. In a config file the
 * schema allows a bare number without a unit: below 1000 it is read as seconds (`timeout: 5`), from 1000
 * up as milliseconds (`timeout: 5000`), since nobody means a health check timeout of 83 minutes.
 */
export function parseDuration(v: unknown, field = 'timeout', bareNumber: 'seconds' | 'config' = 'seconds'): number {
  if (typeof v === 'number' && bareNumber === 'config' && Number.isFinite(v) && v >= 1000) return Math.round(v);
  const ms = durationMs(v);
  if (ms === undefined) throw usageError(`${field} '${String(v)}' is not a duration`, { hint: 'write it as 500ms, 5s or 2m (a bare number is seconds)' });
  return ms;
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => str(x)).filter((x): x is string => x !== undefined);
  if (typeof v === 'string' && v) return [v];
  return [];
}

function envOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(v)) {
    for (const e of v) {
      const s = String(e);
      const i = s.indexOf('=');
      if (i > 0) out[s.slice(0, i)] = s.slice(i + 1);
    }
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? '' : String(val);
  }
  return out;
}

function healthOf(v: unknown, where: string): HealthCheckSpec | undefined {
  if (!isObj(v)) return undefined;
  const type = str(v.type);
  if (type !== 'http' && type !== 'tcp' && type !== 'command' && type !== 'mcp') {
    throw usageError(`${where}.type '${String(v.type)}' is not a health check type`, { where, hint: 'use http, tcp, command or mcp' });
  }
  const port = v.port === undefined ? undefined : Number(v.port);
  return {
    type,
    url: str(v.url),
    host: str(v.host),
    path: str(v.path),
    port: port !== undefined && Number.isInteger(port) ? port : undefined,
    command: Array.isArray(v.command) ? v.command.map(String) : str(v.command),
    timeoutMs: v.timeout === undefined ? undefined : parseDuration(v.timeout, `${where}.timeout`, 'config'),
  };
}

function serviceOf(raw: Record<string, unknown>, name: string, where: string): ServiceSpec {
  const deployment = isObj(raw.deployment) ? raw.deployment : {};
  const replicas = Number(deployment.replicas ?? raw.instances ?? raw.replicas ?? 1);
  const transport = str(raw.transport);
  return {
    name,
    type: str(raw.type) ?? 'core',
    image: str(raw.image),
    ports: list(raw.ports),
    environment: envOf(raw.environment),
    volumes: list(raw.volumes),
    transport: transport === 'stdio' ? 'stdio' : transport === 'http' ? 'http' : undefined,
    healthCheck: healthOf(raw.healthCheck ?? raw.health_check, `${where}.healthCheck`),
    dependsOn: list(raw.dependsOn ?? raw.depends_on),
    replicas: Number.isInteger(replicas) && replicas >= 0 ? replicas : 1,
    command: Array.isArray(raw.command) ? raw.command.map(String) : str(raw.command),
    maxCpu: str(raw.maxCpu),
    maxMemory: str(raw.maxMemory),
  };
}

/** Services and runtime settings of a parsed config document (v4, v5 or v6). */
export function servicesOf(doc: Record<string, unknown>): PlatformServices {
  const version = String(doc.version ?? '');
  const raw = doc.services;
  const services: ServiceSpec[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((s, i) => {
      if (!isObj(s) || !str(s.name)) throw usageError(`services[${i}] has no name`, { where: `services[${i}].name`, hint: 'give every service a name' });
      services.push(serviceOf(s, str(s.name)!, `services[${i}]`));
    });
  } else if (isObj(raw)) {
    // v4 writes services as a mapping keyed by (snake_case) name
    for (const [name, s] of Object.entries(raw)) services.push(serviceOf(isObj(s) ? s : {}, name, `services.${name}`));
  }
  const seen = new Set<string>();
  for (const s of services) {
    if (seen.has(s.name)) throw usageError(`service '${s.name}' is defined twice`, { where: 'services', hint: 'service names must be unique' });
    seen.add(s.name);
  }
  const rt = isObj(doc.runtime) ? doc.runtime : {};
  let major = NaN;
  try {
    major = majorOf(version.replace(/^v/i, ''));
  } catch {
    /* an unparsable version is the config module's business; default to docker */
  }
  const type = str(rt.type) ?? (major >= 6 ? 'kubernetes' : 'docker');
  if (type !== 'docker' && type !== 'kubernetes' && type !== 'none') {
    throw usageError(`runtime.type '${type}' is not a runtime`, { where: 'runtime.type', hint: 'use docker, kubernetes or none' });
  }
  return {
    version,
    runtime: { type, namespace: str(rt.namespace), context: str(rt.context), project: str(rt.project), manifests: str(rt.manifests) },
    services,
  };
}

const canon = (n: string) => n.toLowerCase().replace(/_/g, '-');

/**
 * Resolve NAMES (or --all) to services. A v4 snake_case name and its v5 kebab-case form are the same
 * service (`filesystem_mcp` = `filesystem-mcp`). Unknown names are one usage error listing the known ones.
 */
export function selectServices(all: ServiceSpec[], names: string[], opts: { all?: boolean; allowEmpty?: boolean } = {}): ServiceSpec[] {
  if (opts.all && names.length) throw usageError('pass either --all or service names, not both');
  if (opts.all) return all;
  if (!names.length) {
    if (opts.allowEmpty) return all;
    throw usageError('name the services, or pass --all', { hint: `known services: ${all.map((s) => s.name).join(', ') || '(none in the config)'}` });
  }
  const picked: ServiceSpec[] = [];
  const unknown: string[] = [];
  for (const n of names) {
    const s = all.find((x) => x.name === n) ?? all.find((x) => canon(x.name) === canon(n));
    if (!s) unknown.push(n);
    else if (!picked.includes(s)) picked.push(s);
  }
  if (unknown.length) {
    throw usageError(`unknown service${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}`, {
      hint: `known services: ${all.map((s) => s.name).join(', ') || '(none in the config)'}`,
    });
  }
  return picked;
}

/** Order services so that every service comes after what it depends on (config order otherwise). */
export function dependencyOrder(services: ServiceSpec[]): ServiceSpec[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const out: ServiceSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: ServiceSpec, path: string[]) => {
    const st = state.get(s.name);
    if (st === 'done') return;
    if (st === 'visiting') throw usageError(`services depend on each other in a cycle: ${[...path, s.name].join(' → ')}`, { where: `services.${s.name}.dependsOn` });
    state.set(s.name, 'visiting');
    for (const d of s.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, [...path, s.name]);
    }
    state.set(s.name, 'done');
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}

/** A compose port mapping's parts without its protocol: `"127.0.0.1:3001:3000/tcp"` → `["127.0.0.1", "3001", "3000"]`. */
export const portParts = (mapping: string): string[] => mapping.replace(/\/(tcp|udp)$/, '').split(':');
/** The container side of a port mapping: `"3001:3000"` → 3000, `"3000"` → 3000 (NaN for a range such as `"3000-3005"`). */
export const containerSideOf = (mapping: string): number => Number(portParts(mapping).pop());

/** The host port a client reaches the service on: `"3001:3000"` → 3001, `"127.0.0.1:3001:3000/tcp"` → 3001, `"3000"` → 3000. */
export function publishedPort(s: ServiceSpec): number | undefined {
  const p = s.ports[0];
  if (!p) return undefined;
  const parts = portParts(p);
  const host = parts.length >= 2 ? parts[parts.length - 2] : parts[0];
  const n = Number(host);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The runtime default per generation: docker for v4/v5, kubernetes for v6. */
export const defaultRuntimeFor = (version: string): RuntimeType => {
  try {
    return majorOf(version) >= 6 ? 'kubernetes' : 'docker';
  } catch {
    return 'docker';
  }
};
