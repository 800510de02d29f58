// What the compose → Kubernetes converters share: the object and report types, name and value helpers, the
// Builder that collects objects, ports and volumes parsing. src/k8s/convert.ts re-exports the public part.
import { isSecretKey } from '../../redact.js';
import { type ComposeProject, type Doc } from '../compose.js';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [k: string]: any };

export type ReportStatus = 'converted' | 'changed' | 'not-converted';
export interface ReportEntry {
  /** the compose key (or config field), e.g. ports, volumes[0], labels.kompose.service.type */
  field: string;
  status: ReportStatus;
  note: string;
}
export interface ServiceReport {
  service: string;
  /** the Kubernetes name when it differs (DNS-1123) */
  name: string;
  entries: ReportEntry[];
}
export interface ConversionReport {
  project: ReportEntry[];
  services: ServiceReport[];
}

/** A directory or volume whose data must be copied into a PVC before the workload starts on Kubernetes. */
export interface DataMove {
  service: string;
  pvc: string;
  mountPath: string;
  /** host path of a bind mount, or the compose volume name */
  source: string;
  kind: 'bind' | 'volume';
}

export interface ConvertOptions {
  namespace: string;
  /** default PVC size when a volume does not say */
  volumeSize: string;
  /** image for the depends_on wait containers */
  waitImage: string;
  /** project name (labels); defaults to compose `name` or the directory name */
  project?: string;
}

export interface Conversion {
  objects: K8sObject[];
  report: ConversionReport;
  dataMoves: DataMove[];
  /** names of Secret objects (their values never go to stdout or reports) */
  secrets: string[];
  /** service → the services it waits for (apply and rollout order) */
  order: string[];
}

export const DEFAULTS: ConvertOptions = { namespace: 'mcp-platform', volumeSize: '1Gi', waitImage: 'busybox:1.36' };
export const DEFAULT_REQUESTS = { cpu: '100m', memory: '128Mi' };
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'mcp' };
export const DEPENDS_ON_ANNOTATION = 'mcp-platform.io/depends-on';
export const SOURCE_ANNOTATION = 'mcp-platform.io/compose-service';
export const TRACK = 'mcp-platform.io/track';

/** DNS-1123 label: lower case alphanumerics and '-', starting and ending alphanumeric, ≤ 63. */
export function dnsName(s: string, max = 63): string {
  let n = s.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (!n) n = 'x';
  if (n.length > max) n = n.slice(0, max).replace(/-+$/, '');
  return n;
}
/** Service names are DNS-1035: they must start with a letter. */
export function serviceName(s: string): string {
  const n = dnsName(s);
  return /^[a-z]/.test(n) ? n : dnsName(`svc-${n}`);
}
export function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

export interface PortSpec {
  target: number;
  published?: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostIp?: string;
  mode?: string;
}

export function range(s: string): number[] | undefined {
  const m = s.match(/^(\d+)(?:-(\d+))?$/);
  if (!m) return undefined;
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (b < a || b - a > 1000) return undefined;
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

/** compose port syntax → port specs; throws a message on nonsense */
export function parsePorts(p: unknown): PortSpec[] {
  if (typeof p === 'number') return [{ target: p, protocol: 'TCP' }];
  if (p && typeof p === 'object') {
    const o = p as Doc;
    const targets = range(String(o.target ?? ''));
    if (!targets) throw new Error(`port target '${o.target}' is not a port`);
    const published = o.published !== undefined && o.published !== '' ? range(String(o.published)) : undefined;
    const proto = String(o.protocol ?? 'tcp').toUpperCase() as PortSpec['protocol'];
    return targets.map((t, i) => ({ target: t, published: published?.[i] ?? published?.[0], protocol: proto, hostIp: o.host_ip, mode: o.mode }));
  }
  const s = String(p);
  const [spec, protoRaw] = s.split('/') as [string, string | undefined];
  const protocol = (protoRaw ?? 'tcp').toUpperCase();
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) throw new Error(`protocol '${protoRaw}' is not tcp, udp or sctp`);
  let hostIp: string | undefined;
  let rest = spec;
  const v6 = rest.match(/^\[([^\]]+)\]:(.*)$/);
  if (v6) {
    hostIp = v6[1];
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift();
  if (parts.length > 2) throw new Error(`'${s}' is not [ip:][published:]target[/protocol]`);
  const targets = range(parts[parts.length - 1]!);
  const published = parts.length === 2 && parts[0] !== '' ? range(parts[0]!) : undefined;
  if (!targets || (parts.length === 2 && parts[0] !== '' && !published)) throw new Error(`'${s}' is not [ip:][published:]target[/protocol]`);
  return targets.map((t, i) => ({
    target: t,
    published: published ? (published.length === targets.length ? published[i] : published[0]) : undefined,
    protocol: protocol as PortSpec['protocol'],
    hostIp,
  }));
}

export interface VolumeSpec {
  type: 'volume' | 'bind' | 'tmpfs' | 'anonymous' | 'npipe';
  source?: string;
  target: string;
  readOnly: boolean;
  subPath?: string;
  raw: string;
}

/** compose volume syntax (short, long, Windows drive letters) → spec */
export function parseVolume(v: unknown): VolumeSpec {
  if (v && typeof v === 'object') {
    const o = v as Doc;
    const type = String(o.type ?? (o.source ? 'volume' : 'anonymous')) as VolumeSpec['type'];
    if (!o.target) throw new Error('a long-syntax volume needs a target');
    return {
      type: type === 'volume' && !o.source ? 'anonymous' : type,
      source: o.source,
      target: String(o.target),
      readOnly: Boolean(o.read_only),
      subPath: o.volume?.subpath,
      raw: JSON.stringify(o),
    };
  }
  const s = String(v);
  // split on ':' but keep Windows drive letters (C:\x, D:/y) with their paths
  const tokens = s.split(':');
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (/^[A-Za-z]$/.test(t) && i + 1 < tokens.length && /^[\\/]/.test(tokens[i + 1]!)) {
      parts.push(`${t}:${tokens[++i]}`);
    } else parts.push(t);
  }
  if (parts.length === 1) return { type: 'anonymous', target: parts[0]!, readOnly: false, raw: s };
  const [source, target, mode = ''] = parts as [string, string, string?];
  const modes = mode.split(',');
  const isPath = /^(\.|\/|~|[A-Za-z]:[\\/]|\\\\)/.test(source);
  return { type: isPath ? 'bind' : 'volume', source, target, readOnly: modes.includes('ro'), raw: s };
}

export const PROBE_DEFAULTS = { interval: 30, timeout: 30, retries: 3 };

export function isMap(v: unknown): v is Doc {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

export function b64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}

/** Does this variable hold a secret? By name (PASSWORD, TOKEN, …) or by value (a URL with a password). */
export function isSecretEnv(key: string, value: string): boolean {
  if (isSecretKey(key) && value !== '' && !/^(true|false|yes|no|0|1|none|null)$/i.test(value)) return true;
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i.test(value);
}

export class Builder {
  objects: K8sObject[] = [];
  byKey = new Map<string, K8sObject>();
  report: ConversionReport = { project: [], services: [] };
  dataMoves: DataMove[] = [];
  secrets: string[] = [];
  names = new Map<string, string>();
  bindClaims = new Map<string, string>();
  volumeUsers = new Map<string, Set<string>>();
  constructor(
    readonly project: ComposeProject,
    readonly opts: ConvertOptions,
    readonly partOf: string,
  ) {}

  meta(name: string, extra: Record<string, string> = {}): K8sObject['metadata'] {
    return { name, namespace: this.opts.namespace, labels: { ...MANAGED_BY, 'app.kubernetes.io/part-of': this.partOf, ...extra } };
  }
  add(obj: K8sObject): K8sObject {
    const key = `${obj.kind}/${obj.metadata.name}`;
    const existing = this.byKey.get(key);
    if (existing) return existing;
    this.byKey.set(key, obj);
    this.objects.push(obj);
    return obj;
  }
}


export function dependsList(svc: Doc): Array<{ name: string; condition: string }> {
  const d = svc.depends_on;
  if (Array.isArray(d)) return d.map((n) => ({ name: String(n), condition: 'service_started' }));
  if (isMap(d)) return Object.entries(d).map(([n, v]) => ({ name: n, condition: String((v as Doc)?.condition ?? 'service_started') }));
  return [];
}

/** services in an order where each comes after what it depends on (cycles are broken, and reported by the caller) */
export function topoOrder(services: Record<string, Doc>, names: Map<string, string>): string[] {
  const out: string[] = [];
  const state = new Map<string, number>();
  const visit = (n: string) => {
    if (state.get(n) === 2 || state.get(n) === 1) return;
    state.set(n, 1);
    for (const d of dependsList(services[n] ?? {})) if (services[d.name]) visit(d.name);
    state.set(n, 2);
    out.push(names.get(n) ?? n);
  };
  for (const n of Object.keys(services)) visit(n);
  return out;
}

export const KIND_ORDER = ['Namespace', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Service'];
export function sortForApply(objects: K8sObject[], order: string[]): K8sObject[] {
  const rank = (o: K8sObject) => {
    const k = KIND_ORDER.indexOf(o.kind);
    if (k >= 0) return k * 1000;
    const svc = o.metadata.annotations?.[SOURCE_ANNOTATION] ?? o.metadata.name;
    const i = order.indexOf(o.metadata.labels?.app ?? svc);
    return 10_000 + (i < 0 ? 999 : i) * 10 + (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'Ingress' ? 1 : 0);
  };
  return objects.map((o, i) => ({ o, i })).sort((a, c) => rank(a.o) - rank(c.o) || a.i - c.i).map((x) => x.o);
}

export const PROBE_DEFAULTS_K8S = { periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 };
export const KOMPOSE_HANDLED_LATER = new Set(['kompose.service.expose.ingress-class-name', 'kompose.service.expose.tls-secret', 'kompose.init.containers.name', 'kompose.init.containers.image', 'kompose.init.containers.command']);

export function pick(o: Doc, keys: string[]): Doc {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
