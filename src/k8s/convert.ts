// Compose services → Kubernetes objects, with a per-service report of every key and what became of it.
// Rules (docs/kubernetes.md): one Deployment + one Service per compose service (a headless Service when
// there are no ports, so the name resolves in the cluster as it did on the compose network), PVCs with
// explicit sizes, env_file → ConfigMap, secret-looking variables and compose secrets → Secret, configs →
// ConfigMap, healthcheck → readiness + liveness probes, depends_on → wait-for init containers + an
// annotation + apply order. Nothing is dropped silently: every key lands in the report.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { isSecretKey } from '../redact.js';
import { durationSeconds, kvMap, parseDotenv, shellSplit, type ComposeProject, type Doc } from './compose.js';
import { cpuMillis, cpuQuantity, isK8sQuantity, memoryBytes, memoryQuantity } from './quantity.js';

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
function labelValue(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

interface PortSpec {
  target: number;
  published?: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostIp?: string;
  mode?: string;
}

function range(s: string): number[] | undefined {
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

interface VolumeSpec {
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

const PROBE_DEFAULTS = { interval: 30, timeout: 30, retries: 3 };

function isMap(v: unknown): v is Doc {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

function b64(s: string | Buffer): string {
  return Buffer.from(s).toString('base64');
}

/** Does this variable hold a secret? By name (PASSWORD, TOKEN, …) or by value (a URL with a password). */
export function isSecretEnv(key: string, value: string): boolean {
  if (isSecretKey(key) && value !== '' && !/^(true|false|yes|no|0|1|none|null)$/i.test(value)) return true;
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/i.test(value);
}

class Builder {
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

/** Convert a loaded compose project. Pure apart from reading files the compose file points at (env_file, secrets, configs, bind-mounted files). */
export function convertCompose(project: ComposeProject, options: Partial<ConvertOptions> = {}): Conversion {
  const opts: ConvertOptions = { ...DEFAULTS, ...options };
  const doc = project.doc;
  const partOf = labelValue(opts.project ?? String(doc.name ?? basename(project.dir))) || 'mcp';
  const b = new Builder(project, opts, partOf);
  for (const k of Object.keys(doc)) {
    if (k === 'services' || k === 'volumes' || k === 'secrets' || k === 'configs' || k === 'name') continue;
    if (k === 'version') b.report.project.push({ field: 'version', status: 'changed', note: 'obsolete in compose; not needed for Kubernetes' });
    else if (k === 'networks') b.report.project.push({ field: 'networks', status: 'not-converted', note: 'Kubernetes has one flat pod network: every service reaches every other by its Service name; no NetworkPolicy is generated' });
    else if (k.startsWith('x-')) b.report.project.push({ field: k, status: 'not-converted', note: 'compose extension (YAML anchors already applied); x-kubernetes is read on services only' });
    else b.report.project.push({ field: k, status: 'not-converted', note: 'top-level key not used by the conversion' });
  }
  for (const v of project.unsetVariables) b.report.project.push({ field: `\${${v}}`, status: 'changed', note: `variable ${v} is not set: interpolated as an empty string (like docker compose)` });

  b.add({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: opts.namespace, labels: { ...MANAGED_BY } } });
  const services = doc.services as Record<string, Doc>;
  // Kubernetes names first, so depends_on and links can refer to them
  const taken = new Set<string>();
  for (const name of Object.keys(services)) {
    let n = serviceName(name);
    for (let i = 2; taken.has(n); i++) n = serviceName(`${name}-${i}`);
    taken.add(n);
    b.names.set(name, n);
  }
  for (const [name, svc] of Object.entries(services)) convertService(b, name, svc);
  // shared volumes: warn once per volume used by several pods
  for (const [claim, users] of b.volumeUsers) {
    if (users.size > 1) {
      b.report.project.push({ field: `volumes.${claim}`, status: 'changed', note: `PVC ${claim} is mounted by ${[...users].join(', ')}: ReadWriteOnce lets them share it only on one node; use a ReadWriteMany storage class (x-kubernetes.accessMode) if they run on several` });
    }
  }
  const order = topoOrder(services, b.names);
  return { objects: sortForApply(b.objects, order), report: b.report, dataMoves: b.dataMoves, secrets: b.secrets, order };
}

function dependsList(svc: Doc): Array<{ name: string; condition: string }> {
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

const KIND_ORDER = ['Namespace', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Service'];
function sortForApply(objects: K8sObject[], order: string[]): K8sObject[] {
  const rank = (o: K8sObject) => {
    const k = KIND_ORDER.indexOf(o.kind);
    if (k >= 0) return k * 1000;
    const svc = o.metadata.annotations?.[SOURCE_ANNOTATION] ?? o.metadata.name;
    const i = order.indexOf(o.metadata.labels?.app ?? svc);
    return 10_000 + (i < 0 ? 999 : i) * 10 + (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'Ingress' ? 1 : 0);
  };
  return objects.map((o, i) => ({ o, i })).sort((a, c) => rank(a.o) - rank(c.o) || a.i - c.i).map((x) => x.o);
}

function convertService(b: Builder, composeName: string, svc: Doc): void {
  const name = b.names.get(composeName)!;
  const rep: ServiceReport = { service: composeName, name, entries: [] };
  b.report.services.push(rep);
  const note = (key: string, status: ReportStatus, text: string) => rep.entries.push({ field: key, status, note: text });
  if (name !== composeName) note('name', 'changed', `renamed to ${name} (Kubernetes names are lower-case DNS labels)`);

  const handled = new Set<string>();
  const labels = kvMap(svc.labels);
  const deployLabels = kvMap(svc.deploy?.labels);
  const kompose: Record<string, string> = {};
  for (const [k, v] of [...Object.entries(labels), ...Object.entries(deployLabels)]) if (k.startsWith('kompose.')) kompose[k] = v ?? '';
  const xk: Doc = isMap(svc['x-kubernetes']) ? svc['x-kubernetes'] : {};
  const usedKompose = new Set<string>();
  const kl = (k: string) => {
    if (k in kompose) usedKompose.add(k);
    return kompose[k];
  };

  // pods carry a track label so a canary Deployment (`<name>-canary`, track canary) can sit behind the same
  // Service without two Deployments selecting each other's pods; the Service selects on app only
  const podLabels: Record<string, string> = { app: name, [TRACK]: 'stable' };
  const appLabel = { app: name };
  const annotations: Record<string, string> = { [SOURCE_ANNOTATION]: composeName };
  const container: Doc = { name: dnsName(composeName) };
  const pod: Doc = { containers: [container] };
  const volumes: Doc[] = [];
  const mounts: Doc[] = [];
  let usesRwoClaim = false;

  // image and build
  handled.add('image').add('build');
  if (svc.image) {
    container.image = String(svc.image);
    note('image', 'converted', 'container image');
    if (svc.build !== undefined) note('build', 'not-converted', 'Kubernetes does not build images: build and push the image named in image: before deploying');
  } else {
    container.image = name;
    note('build', 'not-converted', svc.build !== undefined ? `no image: build it and push it as '${name}' (or set image:) before deploying` : `no image and no build: image set to '${name}'`);
  }
  handled.add('pull_policy');
  const pull = kl('kompose.image-pull-policy') ?? (svc.pull_policy ? { always: 'Always', never: 'Never', missing: 'IfNotPresent', if_not_present: 'IfNotPresent' }[String(svc.pull_policy)] : undefined);
  if (svc.pull_policy !== undefined && !pull) note('pull_policy', 'not-converted', `pull_policy ${svc.pull_policy} has no Kubernetes equivalent`);
  if (pull) {
    if (!['Always', 'Never', 'IfNotPresent'].includes(pull)) note('labels.kompose.image-pull-policy', 'not-converted', `'${pull}' is not Always, Never or IfNotPresent`);
    else {
      container.imagePullPolicy = pull;
      if (svc.pull_policy !== undefined) note('pull_policy', 'converted', `imagePullPolicy ${pull}`);
    }
  }

  // command / entrypoint: compose's command is Kubernetes' args, entrypoint is command
  handled.add('command').add('entrypoint');
  const argv = (v: unknown) => (Array.isArray(v) ? v.map(String) : shellSplit(String(v)));
  if (svc.entrypoint !== undefined && svc.entrypoint !== null) {
    container.command = argv(svc.entrypoint);
    note('entrypoint', 'converted', 'container command');
  }
  if (svc.command !== undefined && svc.command !== null) {
    container.args = argv(svc.command);
    note('command', 'converted', 'container args');
  }

  // environment and env_file
  handled.add('environment').add('env_file');
  const envFileVars: Record<string, string> = {};
  const envFiles: string[] = [];
  if (svc.env_file !== undefined) {
    const list = Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
    for (const item of list) {
      const path = typeof item === 'object' && item ? String(item.path) : String(item);
      const required = typeof item === 'object' && item ? item.required !== false : true;
      const abs = resolve(b.project.dir, path);
      try {
        Object.assign(envFileVars, parseDotenv(readFileSync(abs, 'utf8')));
        envFiles.push(path);
      } catch {
        note('env_file', required ? 'not-converted' : 'changed', `${path} cannot be read: its variables are missing${required ? ' (docker compose would refuse to start)' : ''}`);
      }
    }
  }
  const environment = kvMap(svc.environment);
  const env: Doc[] = [];
  const secretEnv: Record<string, string> = {};
  const configEnv: Record<string, string> = {};
  let secretKeys = 0;
  for (const [k, v] of Object.entries(envFileVars)) {
    if (k in environment) continue;
    if (isSecretEnv(k, v)) secretEnv[k] = v;
    else configEnv[k] = v;
  }
  for (const [k, raw] of Object.entries(environment)) {
    let v = raw;
    if (v === null) {
      v = b.project.variables[k] ?? null;
      if (v === null) {
        note(`environment.${k}`, 'not-converted', `${k} has no value and is not set in the shell or .env: left out`);
        continue;
      }
    }
    if (isSecretEnv(k, v)) {
      secretEnv[k] = v;
      env.push({ name: k, valueFrom: { secretKeyRef: { name: `${name}-env`, key: k } } });
      secretKeys++;
    } else env.push({ name: k, value: v });
  }
  const envFrom: Doc[] = [];
  if (Object.keys(configEnv).length) {
    const cm = `${name}-env`;
    b.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: b.meta(cm, { app: name }), data: configEnv });
    envFrom.push({ configMapRef: { name: cm } });
  }
  if (Object.keys(secretEnv).length) {
    const sn = `${name}-env`;
    b.add({ apiVersion: 'v1', kind: 'Secret', metadata: b.meta(sn, { app: name }), type: 'Opaque', data: Object.fromEntries(Object.entries(secretEnv).map(([k, v]) => [k, b64(v)])) });
    b.secrets.push(sn);
    const fromFile = Object.keys(secretEnv).length - secretKeys;
    if (fromFile > 0) envFrom.push({ secretRef: { name: sn } });
    note('environment', 'changed', `${Object.keys(secretEnv).length} secret-looking variable(s) (${Object.keys(secretEnv).sort().join(', ')}) moved to Secret ${sn}`);
  }
  if (envFiles.length) note('env_file', 'converted', `${envFiles.join(', ')} → ${Object.keys(configEnv).length ? `ConfigMap ${name}-env` : ''}${Object.keys(configEnv).length && Object.keys(secretEnv).length ? ' + ' : ''}${Object.keys(secretEnv).length ? `Secret ${name}-env` : ''} (envFrom)`);
  if (Object.keys(environment).length && !rep.entries.some((e) => e.field === 'environment')) note('environment', 'converted', `${env.length} variable(s)`);
  if (env.length) container.env = env;
  if (envFrom.length) container.envFrom = envFrom;

  // ports and expose
  handled.add('ports').add('expose');
  const svcType = (() => {
    const t = (xk.serviceType as string | undefined) ?? kl('kompose.service.type');
    if (!t) return 'ClusterIP';
    const m: Record<string, string> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer', headless: 'Headless' };
    const r = m[String(t).toLowerCase()];
    if (!r) note('labels.kompose.service.type', 'not-converted', `'${t}' is not clusterip, nodeport, loadbalancer or headless`);
    return r ?? 'ClusterIP';
  })();
  const ports: PortSpec[] = [];
  for (const [key, list] of [['ports', svc.ports], ['expose', svc.expose]] as const) {
    if (list === undefined) continue;
    for (const p of Array.isArray(list) ? list : [list]) {
      try {
        const parsed = parsePorts(p);
        if (key === 'expose') parsed.forEach((x) => (x.published = undefined));
        ports.push(...parsed);
      } catch (e) {
        note(key, 'not-converted', `${JSON.stringify(p)}: ${(e as Error).message}`);
      }
    }
  }
  const seenC = new Set<string>();
  const cports: Doc[] = [];
  for (const p of ports) {
    const k = `${p.target}/${p.protocol}`;
    if (seenC.has(k)) continue;
    seenC.add(k);
    cports.push({ containerPort: p.target, protocol: p.protocol });
  }
  if (cports.length) container.ports = cports;
  const external = svcType === 'NodePort' || svcType === 'LoadBalancer';
  const sports: Doc[] = [];
  const seenS = new Set<string>();
  const remapped: string[] = [];
  const hostIps = new Set<string>();
  for (const p of ports) {
    const port = external ? (p.published ?? p.target) : p.target;
    const k = `${port}/${p.protocol}`;
    if (seenS.has(k)) continue;
    seenS.add(k);
    const sp: Doc = { name: p.protocol === 'TCP' ? `p${port}` : `p${port}-${p.protocol.toLowerCase()}`, port, targetPort: p.target };
    if (p.protocol !== 'TCP') sp.protocol = p.protocol;
    if (svcType === 'NodePort') {
      const np = Number(kl('kompose.service.nodeport.port') ?? p.published);
      if (np >= 30000 && np <= 32767) sp.nodePort = np;
    }
    if (!external && p.published !== undefined && p.published !== p.target) remapped.push(`${p.published}→${p.target}`);
    if (p.hostIp) hostIps.add(p.hostIp);
    sports.push(sp);
  }
  if (svc.ports !== undefined) {
    if (remapped.length) note('ports', 'changed', `published host ports (${remapped.join(', ')}) are not kept: in the cluster the Service listens on the container ports, as other services saw them on the compose network; publish with x-kubernetes.serviceType NodePort/LoadBalancer or an Ingress`);
    else note('ports', 'converted', `${sports.length} Service port(s)`);
    if (hostIps.size) note('ports', 'not-converted', `host IP binding (${[...hostIps].join(', ')}) has no Service equivalent: the Service is reachable inside the cluster only`);
    if (ports.some((p) => p.mode === 'host')) note('ports', 'changed', 'mode: host is not converted to a hostPort (it pins pods to nodes); the Service exposes the port instead');
  }
  if (svc.expose !== undefined) note('expose', 'converted', 'container ports and Service ports');

  // volumes, tmpfs
  handled.add('volumes').add('tmpfs').add('shm_size');
  const topVolumes: Doc = isMap(b.project.doc.volumes) ? b.project.doc.volumes : {};
  const sizeFor = (volName?: string) => {
    const tv = volName ? topVolumes[volName] : undefined;
    const fromTop = isMap(tv) ? (tv['x-kubernetes']?.size ?? kvMap(tv.labels)['kompose.volume.size'] ?? tv.driver_opts?.size) : undefined;
    return String(fromTop ?? xk.volumeSize ?? kl('kompose.volume.size') ?? b.opts.volumeSize);
  };
  const accessMode = String(xk.accessMode ?? 'ReadWriteOnce');
  const volumeSubpath = kl('kompose.volume.subpath');
  let vi = 0;
  const addClaim = (claim: string, size: string, volName?: string) => {
    const meta = b.meta(claim);
    if (volName) meta.annotations = { 'mcp-platform.io/compose-volume': volName };
    b.add({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: [accessMode], resources: { requests: { storage: size } } } });
    if (!b.volumeUsers.has(claim)) b.volumeUsers.set(claim, new Set());
    b.volumeUsers.get(claim)!.add(name);
    if (accessMode === 'ReadWriteOnce') usesRwoClaim = true;
  };
  const volNames = new Set<string>();
  const podVolume = (base: string, def: Doc) => {
    let n = dnsName(base);
    for (let i = 2; volNames.has(n); i++) n = dnsName(`${base}-${i}`);
    volNames.add(n);
    volumes.push({ name: n, ...def });
    return n;
  };
  for (const raw of Array.isArray(svc.volumes) ? svc.volumes : svc.volumes !== undefined ? [svc.volumes] : []) {
    let v: VolumeSpec;
    try {
      v = parseVolume(raw);
    } catch (e) {
      note('volumes', 'not-converted', `${JSON.stringify(raw)}: ${(e as Error).message}`);
      continue;
    }
    const key = `volumes[${vi++}]`;
    const mount: Doc = { mountPath: v.target };
    if (v.readOnly) mount.readOnly = true;
    if (v.subPath ?? volumeSubpath) mount.subPath = v.subPath ?? volumeSubpath;
    if (v.type === 'volume') {
      const tv = topVolumes[v.source!];
      if (isMap(tv) && tv.external) {
        const claim = dnsName(String(tv.name ?? v.source));
        mount.name = podVolume(v.source!, { persistentVolumeClaim: { claimName: claim } });
        note(key, 'changed', `external volume ${v.source} → existing PVC ${claim} (not created: it must exist in namespace ${b.opts.namespace})`);
      } else {
        const claim = dnsName(v.source!);
        const size = sizeFor(v.source);
        addClaim(claim, size, v.source);
        mount.name = podVolume(v.source!, { persistentVolumeClaim: { claimName: claim } });
        if (!b.dataMoves.some((d) => d.pvc === claim)) b.dataMoves.push({ service: composeName, pvc: claim, mountPath: v.target, source: v.source!, kind: 'volume' });
        note(key, 'converted', `volume ${v.source} → PVC ${claim} (${size}, ${accessMode}); its data is moved by the data step`);
      }
    } else if (v.type === 'bind') {
      const src = v.source!;
      const abs = /^[A-Za-z]:[\\/]/.test(src) || src.startsWith('\\\\') ? src : resolve(b.project.dir, src.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
      let st: ReturnType<typeof statSync> | undefined;
      try {
        st = statSync(abs);
      } catch {
        st = undefined;
      }
      const volumeType = String(xk.volumeType ?? kl('kompose.volume.type') ?? '');
      if (volumeType === 'configMap' && st?.isDirectory()) {
        const cm = dnsName(`${name}-${basename(abs)}`);
        const data: Record<string, string> = {};
        const binaryData: Record<string, string> = {};
        for (const f of readdirSync(abs, { withFileTypes: true })) {
          if (!f.isFile()) continue;
          const content = readFileSync(resolve(abs, f.name));
          const text = content.toString('utf8');
          const k = f.name.replace(/[^A-Za-z0-9._-]/g, '_');
          if (Buffer.from(text, 'utf8').equals(content) && !text.includes('\u0000')) data[k] = text;
          else binaryData[k] = content.toString('base64');
        }
        b.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: b.meta(cm, { app: name }), ...(Object.keys(data).length ? { data } : {}), ...(Object.keys(binaryData).length ? { binaryData } : {}) });
        mount.name = podVolume(cm, { configMap: { name: cm } });
        note(key, 'changed', `directory ${src} → ConfigMap ${cm} (volume type configMap; read-only, top-level files only)`);
      } else if (volumeType === 'emptyDir' || volumeType === 'hostPath') {
        mount.name = podVolume(`${name}-${basename(abs)}`, volumeType === 'emptyDir' ? { emptyDir: {} } : { hostPath: { path: abs } });
        note(key, 'changed', `bind mount ${src} → ${volumeType} (volume type ${volumeType}: ${volumeType === 'emptyDir' ? 'its data is not carried over' : 'the path must exist on every node'})`);
      } else if (/^\/(var\/run|run|dev|sys|proc)(\/|$)/.test(abs) || abs === '/var/run/docker.sock') {
        mount.name = podVolume(basename(abs) || 'host', { hostPath: { path: abs } });
        note(key, 'changed', `${src} is a node path: mounted as hostPath (it exists only if every node has it; the container may need privileges)`);
      } else if (st?.isFile() && st.size <= 1024 * 1024) {
        const cm = dnsName(`${name}-${basename(abs)}`);
        const content = readFileSync(abs);
        const text = content.toString('utf8');
        const isText = Buffer.from(text, 'utf8').equals(content) && !text.includes('\u0000');
        const keyName = basename(abs).replace(/[^A-Za-z0-9._-]/g, '_');
        b.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: b.meta(cm, { app: name }), ...(isText ? { data: { [keyName]: text } } : { binaryData: { [keyName]: content.toString('base64') } }) });
        mount.name = podVolume(cm, { configMap: { name: cm } });
        mount.subPath = keyName;
        note(key, 'changed', `file ${src} → ConfigMap ${cm} mounted at ${v.target}${v.readOnly ? '' : ' (read-only in Kubernetes: a ConfigMap cannot be written)'}`);
      } else {
        let claim = b.bindClaims.get(abs);
        if (!claim) {
          claim = dnsName(`${name}-${basename(abs.replace(/[\\/]+$/, '')) || 'data'}`);
          for (let i = 2; b.byKey.has(`PersistentVolumeClaim/${claim}`); i++) claim = dnsName(`${name}-${basename(abs)}-${i}`);
          b.bindClaims.set(abs, claim);
          b.dataMoves.push({ service: composeName, pvc: claim, mountPath: v.target, source: abs, kind: 'bind' });
        }
        const size = sizeFor();
        addClaim(claim, size);
        mount.name = podVolume(claim, { persistentVolumeClaim: { claimName: claim } });
        const what = st?.isDirectory() ? 'directory' : st ? 'large file' : 'path (missing here)';
        note(key, 'changed', `bind mount ${src} (${what}) → PVC ${claim} (${size}, ${accessMode}); copy its data with the data step before starting`);
      }
    } else if (v.type === 'tmpfs') {
      mount.name = podVolume(`tmpfs-${vi}`, { emptyDir: { medium: 'Memory' } });
      note(key, 'converted', 'tmpfs → emptyDir (Memory)');
    } else if (v.type === 'anonymous') {
      mount.name = podVolume(`scratch-${vi}`, { emptyDir: {} });
      note(key, 'changed', `anonymous volume at ${v.target} → emptyDir: its content lives as long as the pod (give it a name to get a PVC)`);
    } else {
      note(key, 'not-converted', `volume type ${v.type} has no Kubernetes equivalent`);
      continue;
    }
    mounts.push(mount);
  }
  for (const t of Array.isArray(svc.tmpfs) ? svc.tmpfs : svc.tmpfs ? [svc.tmpfs] : []) {
    const target = String(t).split(':')[0]!;
    mounts.push({ name: podVolume(`tmpfs-${target}`, { emptyDir: { medium: 'Memory' } }), mountPath: target });
    note('tmpfs', 'converted', `${target} → emptyDir (Memory)`);
  }
  if (svc.shm_size !== undefined) {
    const lim = memoryQuantity(svc.shm_size);
    mounts.push({ name: podVolume('dshm', { emptyDir: { medium: 'Memory', ...(lim ? { sizeLimit: lim } : {}) } }), mountPath: '/dev/shm' });
    note('shm_size', 'converted', `/dev/shm → emptyDir (Memory${lim ? `, ${lim}` : ''})`);
  }

  // secrets and configs
  handled.add('secrets').add('configs');
  for (const [key, topKey] of [['secrets', 'secrets'], ['configs', 'configs']] as const) {
    const list = svc[key];
    if (list === undefined) continue;
    const top: Doc = isMap(b.project.doc[topKey]) ? b.project.doc[topKey] : {};
    for (const item of Array.isArray(list) ? list : []) {
      const src = typeof item === 'string' ? item : String(item.source);
      const target = typeof item === 'string' ? undefined : item.target;
      const def = top[src];
      const kind = key === 'secrets' ? 'Secret' : 'ConfigMap';
      const objName = dnsName(`${key === 'secrets' ? 'secret' : 'config'}-${src}`);
      const mountPath = target ? (String(target).startsWith('/') ? String(target) : `/run/secrets/${target}`) : key === 'secrets' ? `/run/secrets/${src}` : `/${src}`;
      const dataKey = src.replace(/[^A-Za-z0-9._-]/g, '_');
      if (!isMap(def)) {
        note(`${key}.${src}`, 'not-converted', `${src} is not defined in the top-level ${topKey}:`);
        continue;
      }
      if (def.external) {
        note(`${key}.${src}`, 'changed', `external ${key.slice(0, -1)} → existing ${kind} ${dnsName(String(def.name ?? src))} with key ${dataKey} (not created: it must exist in namespace ${b.opts.namespace})`);
      } else {
        let content: Buffer | undefined;
        if (def.file !== undefined) {
          try {
            content = readFileSync(resolve(b.project.dir, String(def.file)));
          } catch {
            note(`${key}.${src}`, 'not-converted', `file ${def.file} cannot be read: ${kind} ${objName} is created empty; fill it before deploying`);
          }
        } else if (def.environment !== undefined) {
          const v = b.project.variables[String(def.environment)];
          if (v === undefined) note(`${key}.${src}`, 'not-converted', `variable ${def.environment} is not set: ${kind} ${objName} is created empty`);
          else content = Buffer.from(v);
        } else if (def.content !== undefined) content = Buffer.from(String(def.content));
        const body = content === undefined ? {} : kind === 'Secret' ? { data: { [dataKey]: content.toString('base64') } } : { data: { [dataKey]: content.toString('utf8') } };
        b.add({ apiVersion: 'v1', kind, metadata: b.meta(objName), ...(kind === 'Secret' ? { type: 'Opaque' } : {}), ...body });
        if (kind === 'Secret') b.secrets.push(objName);
        note(`${key}.${src}`, 'converted', `${kind} ${objName} mounted at ${mountPath}`);
      }
      const ref = dnsName(String(def.external ? (def.name ?? src) : objName));
      const vol = podVolume(objName, kind === 'Secret' ? { secret: { secretName: ref } } : { configMap: { name: ref } });
      mounts.push({ name: vol, mountPath, subPath: dataKey, readOnly: true });
    }
  }

  // healthcheck → probes
  handled.add('healthcheck');
  const hc = svc.healthcheck;
  const probe: Doc = {};
  if (isMap(hc) && !hc.disable) {
    const test = hc.test;
    let exec: string[] | undefined;
    if (typeof test === 'string') exec = ['sh', '-c', test];
    else if (Array.isArray(test) && test[0] === 'CMD-SHELL') exec = ['sh', '-c', test.slice(1).join(' ')];
    else if (Array.isArray(test) && test[0] === 'CMD') exec = test.slice(1).map(String);
    else if (Array.isArray(test) && test[0] === 'NONE') exec = undefined;
    else if (Array.isArray(test)) exec = test.map(String);
    const timing = {
      periodSeconds: durationSeconds(hc.interval) || PROBE_DEFAULTS.interval,
      timeoutSeconds: durationSeconds(hc.timeout) || PROBE_DEFAULTS.timeout,
      failureThreshold: hc.retries !== undefined ? Number(hc.retries) : PROBE_DEFAULTS.retries,
      ...(durationSeconds(hc.start_period) ? { initialDelaySeconds: durationSeconds(hc.start_period) } : {}),
    };
    if (exec) {
      probe.readiness = { exec: { command: exec }, ...timing };
      probe.liveness = { exec: { command: exec }, ...timing };
      note('healthcheck', typeof test === 'string' || test?.[0] === 'CMD-SHELL' ? 'changed' : 'converted', `readiness and liveness probes${exec[0] === 'sh' && exec[1] === '-c' ? ' (shell form kept through sh -c)' : ''}`);
    } else if (test === undefined) {
      probe.timing = timing;
      note('healthcheck', 'changed', 'no test: interval/timeout/retries apply to the probes given by labels, else no probe');
    } else note('healthcheck', 'converted', 'NONE: no probe');
    if (hc.start_interval !== undefined) note('healthcheck.start_interval', 'not-converted', 'no Kubernetes equivalent (initialDelaySeconds comes from start_period)');
  } else if (isMap(hc)) note('healthcheck', 'converted', 'disabled: no probe');
  // kompose's healthcheck labels, and x-kubernetes probes
  for (const kind of ['liveness', 'readiness'] as const) {
    const pre = `kompose.service.healthcheck.${kind}.`;
    const test = kl(pre + 'test');
    const path = kl(pre + 'http_get_path');
    const port = kl(pre + 'http_get_port');
    const tcp = kl(pre + 'tcp_port');
    let handler: Doc | undefined;
    if (test) handler = { exec: { command: ['sh', '-c', test] } };
    else if (path) handler = { httpGet: { path, port: Number(port) || port } };
    else if (tcp) handler = { tcpSocket: { port: Number(tcp) || tcp } };
    if (handler) {
      const timing: Doc = { ...(probe.timing ?? {}) };
      if (kl(pre + 'interval')) timing.periodSeconds = durationSeconds(kl(pre + 'interval'));
      if (kl(pre + 'timeout')) timing.timeoutSeconds = durationSeconds(kl(pre + 'timeout'));
      if (kl(pre + 'retries')) timing.failureThreshold = Number(kl(pre + 'retries'));
      if (kl(pre + 'start_period')) timing.initialDelaySeconds = durationSeconds(kl(pre + 'start_period'));
      const base = probe[kind] ? pick(probe[kind], ['periodSeconds', 'timeoutSeconds', 'failureThreshold', 'initialDelaySeconds']) : (probe.timing ?? PROBE_DEFAULTS_K8S);
      probe[kind] = { ...handler, ...base, ...timing };
      note(`labels.${pre}*`, 'converted', `${kind} probe from kompose labels`);
    }
    const xp = xk[`${kind}Probe`];
    if (isMap(xp)) probe[kind] = xp;
  }
  if (probe.readiness) container.readinessProbe = probe.readiness;
  if (probe.liveness) container.livenessProbe = probe.liveness;

  // resources
  handled.add('deploy').add('mem_limit').add('mem_reservation').add('cpus').add('cpu_count').add('scale').add('memswap_limit');
  const limits: Doc = {};
  const requests: Doc = { ...DEFAULT_REQUESTS };
  const dres = isMap(svc.deploy?.resources) ? svc.deploy.resources : {};
  const setRes = (target: Doc, res: 'cpu' | 'memory', val: unknown, key: string) => {
    if (val === undefined || val === null) return;
    const q = res === 'cpu' ? cpuQuantity(val) : memoryQuantity(val);
    if (!q) note(key, 'not-converted', `'${val}' is not a ${res} amount`);
    else {
      target[res] = q;
      note(key, 'converted', `${res} ${target === limits ? 'limit' : 'request'} ${q}`);
    }
  };
  setRes(limits, 'cpu', dres.limits?.cpus ?? svc.cpus, dres.limits?.cpus !== undefined ? 'deploy.resources.limits.cpus' : 'cpus');
  setRes(limits, 'memory', dres.limits?.memory ?? svc.mem_limit, dres.limits?.memory !== undefined ? 'deploy.resources.limits.memory' : 'mem_limit');
  setRes(requests, 'cpu', dres.reservations?.cpus, 'deploy.resources.reservations.cpus');
  setRes(requests, 'memory', dres.reservations?.memory ?? svc.mem_reservation, dres.reservations?.memory !== undefined ? 'deploy.resources.reservations.memory' : 'mem_reservation');
  if (isMap(xk.resources)) {
    for (const part of ['limits', 'requests'] as const) {
      for (const [r, q] of Object.entries((xk.resources as Doc)[part] ?? {})) {
        const qq = r === 'cpu' ? cpuQuantity(q) : r === 'memory' ? memoryQuantity(q, 'k8s') : isK8sQuantity(String(q)) ? String(q) : undefined;
        if (qq) (part === 'limits' ? limits : requests)[r] = qq;
        else note(`x-kubernetes.resources.${part}.${r}`, 'not-converted', `'${q}' is not a quantity`);
      }
    }
  }
  if (dres.limits?.pids !== undefined) note('deploy.resources.limits.pids', 'not-converted', 'pod PID limits are a node setting in Kubernetes');
  if (dres.reservations?.devices !== undefined) note('deploy.resources.reservations.devices', 'not-converted', 'devices (GPUs) need a device plugin resource such as nvidia.com/gpu: add it by hand');
  for (const [k, res] of [['kompose.ephemeral-storage.request', requests], ['kompose.ephemeral-storage.limit', limits]] as const) {
    const v = kl(k);
    if (v) res['ephemeral-storage'] = v;
  }
  // a request above its limit is rejected by the API server: clamp the default requests
  if (limits.cpu && cpuMillis(requests.cpu) > cpuMillis(limits.cpu)) {
    requests.cpu = limits.cpu;
    note('resources', 'changed', `cpu request lowered to the limit ${limits.cpu}`);
  }
  if (limits.memory && memoryBytes(requests.memory) > memoryBytes(limits.memory)) {
    requests.memory = limits.memory;
    note('resources', 'changed', `memory request lowered to the limit ${limits.memory}`);
  }
  container.resources = { ...(Object.keys(limits).length ? { limits } : {}), requests };
  if (svc.memswap_limit !== undefined) note('memswap_limit', 'not-converted', 'Kubernetes has no per-container swap limit');
  if (svc.cpu_count !== undefined) note('cpu_count', 'not-converted', 'use deploy.resources.limits.cpus');

  // replicas and the rest of deploy
  const dep = isMap(svc.deploy) ? svc.deploy : {};
  let replicas = 1;
  if (dep.replicas !== undefined) {
    replicas = Number(dep.replicas);
    note('deploy.replicas', 'converted', `replicas ${replicas}`);
  } else if (svc.scale !== undefined) {
    replicas = Number(svc.scale);
    note('scale', 'converted', `replicas ${replicas}`);
  }
  if (xk.replicas !== undefined) replicas = Number(xk.replicas);
  for (const k of Object.keys(dep)) {
    if (k === 'replicas' || k === 'resources' || k === 'labels') continue;
    if (k === 'placement') {
      const sel: Record<string, string> = {};
      for (const c of (dep.placement?.constraints ?? []) as string[]) {
        const m = String(c).match(/^\s*(node\.labels\.([^\s=!]+)|node\.hostname|node\.platform\.os|node\.platform\.arch)\s*==\s*(.+?)\s*$/);
        if (m) {
          const lk = m[2] ?? { 'node.hostname': 'kubernetes.io/hostname', 'node.platform.os': 'kubernetes.io/os', 'node.platform.arch': 'kubernetes.io/arch' }[m[1]!]!;
          sel[lk] = m[3]!;
          note('deploy.placement.constraints', 'converted', `${c} → nodeSelector ${lk}=${m[3]}`);
        } else note('deploy.placement.constraints', 'not-converted', `${c}: only == on node.labels.*, node.hostname, node.platform.os/arch become a nodeSelector; use node affinity by hand`);
      }
      if (Object.keys(sel).length) pod.nodeSelector = sel;
      if (dep.placement?.preferences) note('deploy.placement.preferences', 'not-converted', 'spread preferences: use topologySpreadConstraints by hand');
      if (dep.placement?.max_replicas_per_node !== undefined) note('deploy.placement.max_replicas_per_node', 'not-converted', 'use pod anti-affinity or topologySpreadConstraints by hand');
      continue;
    }
    if (k === 'mode' && dep.mode === 'replicated') {
      note('deploy.mode', 'converted', 'replicated: a Deployment');
      continue;
    }
    if (k === 'restart_policy') {
      note('deploy.restart_policy', 'changed', 'Deployments always restart their pods (restartPolicy Always)');
      continue;
    }
    if (k === 'update_config') {
      note('deploy.update_config', 'changed', 'rolling updates use Kubernetes defaults (maxSurge 25%, maxUnavailable 25%); mcp deploy waits for the rollout and undoes it on failure');
      continue;
    }
    note(`deploy.${k}`, 'not-converted', k === 'mode' ? `mode ${dep.mode}: not converted (a DaemonSet would be the equivalent of global)` : 'swarm setting with no Kubernetes equivalent here');
  }
  if (Object.keys(deployLabels).some((k) => !k.startsWith('kompose.'))) {
    for (const [k, v] of Object.entries(deployLabels)) if (!k.startsWith('kompose.')) annotations[k] = v ?? '';
    note('deploy.labels', 'converted', 'annotations on the Deployment');
  }

  // restart
  handled.add('restart');
  if (svc.restart !== undefined) {
    const r = String(svc.restart);
    if (r === 'always' || r === 'unless-stopped') note('restart', 'converted', 'Deployment pods restart always');
    else note('restart', 'changed', `restart ${r}: a Deployment restarts its pods always; for a run-to-completion task use a Job (kompose.cronjob.* labels give a CronJob)`);
  }

  // depends_on → ordering
  handled.add('depends_on').add('links');
  const deps = dependsList(svc);
  const services = b.project.doc.services as Record<string, Doc>;
  if (deps.length) {
    const init: Doc[] = [];
    for (const d of deps) {
      const target = b.names.get(d.name);
      if (!target) {
        note(`depends_on.${d.name}`, 'not-converted', `${d.name} is not a service of this project`);
        continue;
      }
      const depSvc = services[d.name] ?? {};
      let port: number | undefined;
      for (const p of [...(Array.isArray(depSvc.ports) ? depSvc.ports : []), ...(Array.isArray(depSvc.expose) ? depSvc.expose : [])]) {
        try {
          const pp = parsePorts(p).find((x) => x.protocol === 'TCP');
          if (pp) {
            port = pp.target;
            break;
          }
        } catch {
          /* reported on that service */
        }
      }
      // A ClusterIP Service accepts connections only when a ready pod backs it; a headless Service
      // (no ports) resolves only when one is ready. Either way the wait ends when the dependency is ready.
      const check = port ? `nc -z -w 2 ${target} ${port}` : `nslookup ${target}`;
      init.push({
        name: dnsName(`wait-for-${target}`),
        image: b.opts.waitImage,
        command: ['sh', '-c', `until ${check} >/dev/null 2>&1; do echo waiting for ${target}; sleep 2; done`],
        resources: { limits: { cpu: '100m', memory: '32Mi' }, requests: { cpu: '10m', memory: '16Mi' } },
      });
      note(`depends_on.${d.name}`, d.condition === 'service_completed_successfully' ? 'changed' : 'converted', `init container waits until ${target} is ready${d.condition === 'service_completed_successfully' ? ' (compose waited for it to finish; Kubernetes waits for it to be ready)' : ''}; applied after it`);
    }
    if (init.length) pod.initContainers = init;
    annotations[DEPENDS_ON_ANNOTATION] = deps.map((d) => b.names.get(d.name) ?? d.name).join(',');
  }
  if (svc.links !== undefined) {
    const aliases = (Array.isArray(svc.links) ? svc.links : []).map(String).filter((l) => l.includes(':'));
    note('links', aliases.length ? 'not-converted' : 'converted', aliases.length ? `aliases ${aliases.join(', ')} are not converted: use the Service names` : 'services reach each other by Service name');
  }

  // container and pod settings
  handled.add('labels').add('annotations').add('x-kubernetes');
  const plain = Object.entries(labels).filter(([k]) => !k.startsWith('kompose.'));
  for (const [k, v] of plain) annotations[k] = v ?? '';
  if (plain.length) note('labels', 'converted', 'annotations on the Deployment, pod and Service (label values are too restricted in Kubernetes)');
  const podAnnotations: Record<string, string> = Object.fromEntries(plain.map(([k, v]) => [k, v ?? '']));
  for (const [k, v] of Object.entries(kvMap(svc.annotations))) podAnnotations[k] = v ?? '';
  if (svc.annotations !== undefined) note('annotations', 'converted', 'pod annotations');

  const sc: Doc = {};
  const psc: Doc = {};
  const simple: Record<string, () => string | undefined> = {
    container_name: () => {
      note('container_name', 'changed', `pods get generated names; reach the service as ${name}`);
      return undefined;
    },
    hostname: () => {
      pod.hostname = dnsName(String(svc.hostname));
      return 'pod hostname';
    },
    working_dir: () => {
      container.workingDir = String(svc.working_dir);
      return 'workingDir';
    },
    privileged: () => {
      if (svc.privileged) sc.privileged = true;
      return 'securityContext.privileged';
    },
    read_only: () => {
      if (svc.read_only) sc.readOnlyRootFilesystem = true;
      return 'securityContext.readOnlyRootFilesystem';
    },
    user: () => {
      const m = String(svc.user).match(/^(\d+)(?::(\d+))?$/);
      if (!m) {
        note('user', 'not-converted', `user '${svc.user}' is a name: Kubernetes needs a numeric runAsUser`);
        return undefined;
      }
      sc.runAsUser = Number(m[1]);
      if (m[2]) sc.runAsGroup = Number(m[2]);
      return 'securityContext.runAsUser';
    },
    cap_add: () => {
      sc.capabilities = { ...(sc.capabilities ?? {}), add: (svc.cap_add as string[]).map((c) => String(c).replace(/^CAP_/, '')) };
      return 'securityContext.capabilities.add';
    },
    cap_drop: () => {
      sc.capabilities = { ...(sc.capabilities ?? {}), drop: (svc.cap_drop as string[]).map((c) => String(c).replace(/^CAP_/, '')) };
      return 'securityContext.capabilities.drop';
    },
    stdin_open: () => {
      container.stdin = Boolean(svc.stdin_open);
      return 'stdin';
    },
    tty: () => {
      container.tty = Boolean(svc.tty);
      return 'tty';
    },
    stop_grace_period: () => {
      const s = durationSeconds(svc.stop_grace_period);
      if (s !== undefined) pod.terminationGracePeriodSeconds = s;
      return 'terminationGracePeriodSeconds';
    },
    group_add: () => {
      const ids = (svc.group_add as unknown[]).map(String).filter((g) => /^\d+$/.test(g)).map(Number);
      if (ids.length) psc.supplementalGroups = ids;
      if (ids.length !== (svc.group_add as unknown[]).length) note('group_add', 'not-converted', 'group names need numeric ids in Kubernetes');
      return ids.length ? 'securityContext.supplementalGroups' : undefined;
    },
    extra_hosts: () => {
      const entries = Array.isArray(svc.extra_hosts) ? (svc.extra_hosts as string[]).map((e) => String(e).split(/[:=](?=[^:]*$)/)) : Object.entries(svc.extra_hosts as Doc).map(([h, ip]) => [h, String(ip)]);
      const byIp = new Map<string, string[]>();
      for (const [h, ip] of entries) if (h && ip) byIp.set(ip, [...(byIp.get(ip) ?? []), h]);
      pod.hostAliases = [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
      return 'hostAliases';
    },
    dns: () => {
      pod.dnsConfig = { ...(pod.dnsConfig ?? {}), nameservers: ([] as string[]).concat(svc.dns) };
      return 'dnsConfig.nameservers (added to the cluster DNS)';
    },
    dns_search: () => {
      pod.dnsConfig = { ...(pod.dnsConfig ?? {}), searches: ([] as string[]).concat(svc.dns_search) };
      return 'dnsConfig.searches';
    },
  };
  for (const [k, fn] of Object.entries(simple)) {
    if (svc[k] === undefined) continue;
    handled.add(k);
    const what = fn();
    if (what) note(k, 'converted', what);
  }
  const fsGroup = kl('kompose.security-context.fsgroup');
  if (fsGroup) psc.fsGroup = Number(fsGroup);
  if (Object.keys(sc).length) container.securityContext = sc;
  if (Object.keys(psc).length) pod.securityContext = psc;
  if (mounts.length) container.volumeMounts = mounts;
  if (volumes.length) pod.volumes = volumes;

  // kompose init containers
  if (kl('kompose.init.containers.image')) {
    const cmdRaw = kl('kompose.init.containers.command');
    let cmd: string[] | undefined;
    if (cmdRaw) {
      try {
        const parsed = JSON.parse(cmdRaw);
        cmd = Array.isArray(parsed) ? parsed.map(String) : shellSplit(cmdRaw);
      } catch {
        cmd = shellSplit(cmdRaw);
      }
    }
    pod.initContainers = [...(pod.initContainers ?? []), { name: dnsName(kl('kompose.init.containers.name') ?? `${name}-init`), image: kl('kompose.init.containers.image'), ...(cmd ? { command: cmd } : {}) }];
  }

  // what stays unconverted: every remaining key, named
  const explain: Record<string, string> = {
    networks: 'Kubernetes has one flat pod network: reach other services by their Service names; no NetworkPolicy is generated',
    network_mode: 'no equivalent: containers that shared a network namespace must become containers of one pod (edit by hand)',
    logging: 'container logs go to the cluster logging; configure log shipping there',
    ulimits: 'Kubernetes has no per-pod ulimits; set them on the node runtime',
    sysctls: 'set safe sysctls in the pod securityContext by hand (unsafe ones need kubelet flags)',
    security_opt: 'use securityContext (seccompProfile, appArmorProfile, seLinuxOptions) by hand',
    devices: 'host devices need a device plugin or a privileged hostPath by hand',
    init: 'no init process option: use an image with tini/dumb-init',
    pid: 'shareProcessNamespace or hostPID by hand',
    ipc: 'hostIPC by hand',
    profiles: 'all services are converted whatever their profile',
    platform: 'set a nodeSelector on kubernetes.io/arch by hand',
    stop_signal: 'Kubernetes always sends SIGTERM; use a preStop hook',
    domainname: 'no equivalent (pods get the cluster domain)',
    cgroup_parent: 'no equivalent',
    cpu_shares: 'use deploy.resources (requests)',
    cpu_quota: 'use deploy.resources.limits.cpus',
    cpu_period: 'use deploy.resources.limits.cpus',
    cpuset: 'no equivalent (CPU manager static policy on the node)',
    oom_score_adj: 'no equivalent',
    oom_kill_disable: 'no equivalent',
    mac_address: 'no equivalent',
    external_links: 'use the Service names',
    develop: 'compose watch is a development feature',
    attach: 'no equivalent',
    userns_mode: 'hostUsers by hand',
    isolation: 'Windows isolation: no equivalent',
    storage_opt: 'no equivalent',
    labels_file: 'not read: put the labels in labels:',
    device_cgroup_rules: 'no equivalent',
    blkio_config: 'no equivalent',
    uts: 'no equivalent',
    runtime: 'use a RuntimeClass by hand',
    volumes_from: 'share a PVC instead',
    extends: 'not resolved: run docker compose config first',
    gpus: 'use a device plugin resource (nvidia.com/gpu)',
    post_start: 'use a postStart lifecycle hook by hand',
    pre_stop: 'use a preStop lifecycle hook by hand',
  };
  for (const k of Object.keys(svc)) {
    if (handled.has(k)) continue;
    if (k.startsWith('x-')) {
      note(k, 'not-converted', 'extension field: ignored');
      continue;
    }
    note(k, 'not-converted', explain[k] ?? 'no conversion for this key');
  }

  // the workload
  const tmplMeta: Doc = { labels: { ...podLabels } };
  if (Object.keys(podAnnotations).length) tmplMeta.annotations = podAnnotations;
  const schedule = kompose['kompose.cronjob.schedule'];
  if (schedule) {
    const restartOnFailure = String(svc.restart ?? '') === 'on-failure';
    const job: Doc = { template: { metadata: tmplMeta, spec: { ...pod, restartPolicy: restartOnFailure ? 'OnFailure' : 'Never' } } };
    if (kompose['kompose.cronjob.backoff_limit'] !== undefined) job.backoffLimit = Number(kompose['kompose.cronjob.backoff_limit']);
    const spec: Doc = { schedule, jobTemplate: { spec: job } };
    if (kompose['kompose.cronjob.concurrency_policy']) spec.concurrencyPolicy = kompose['kompose.cronjob.concurrency_policy'];
    b.add({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { ...b.meta(name, appLabel), annotations }, spec });
    rep.entries = rep.entries.filter((e) => e.field !== 'restart');
    note('labels.kompose.cronjob.schedule', 'converted', `CronJob (${schedule}) instead of a Deployment`);
  } else {
    const spec: Doc = { replicas, selector: { matchLabels: podLabels }, template: { metadata: tmplMeta, spec: pod } };
    if (usesRwoClaim) spec.strategy = { type: 'Recreate' };
    b.add({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...b.meta(name, appLabel), annotations }, spec });
    if (usesRwoClaim && replicas > 1) note('volumes', 'changed', `${replicas} replicas share ReadWriteOnce PVCs: they must land on one node, or use a ReadWriteMany storage class (x-kubernetes.accessMode)`);
  }

  // the Service: always, headless without ports so the name resolves as on the compose network
  const svcSpec: Doc = { selector: appLabel };
  if (sports.length === 0 || svcType === 'Headless') {
    svcSpec.clusterIP = 'None';
    if (sports.length) svcSpec.ports = sports;
    if (sports.length === 0) note('service', 'changed', `no ports: headless Service ${name} so the name resolves in the cluster as it did on the compose network`);
  } else {
    svcSpec.ports = sports;
    if (svcType !== 'ClusterIP') svcSpec.type = svcType;
  }
  const etp = kl('kompose.service.external-traffic-policy');
  if (etp) {
    if (external) svcSpec.externalTrafficPolicy = etp.toLowerCase() === 'local' ? 'Local' : 'Cluster';
    else note('labels.kompose.service.external-traffic-policy', 'not-converted', 'only NodePort and LoadBalancer Services have an external traffic policy');
  }
  const svcAnn = Object.fromEntries(plain.map(([k, v]) => [k, v ?? '']));
  b.add({ apiVersion: 'v1', kind: 'Service', metadata: { ...b.meta(name, appLabel), ...(Object.keys(svcAnn).length ? { annotations: svcAnn } : {}) }, spec: svcSpec });

  // kompose ingress and HPA labels
  const expose = kompose['kompose.service.expose'];
  if (expose) {
    if (!sports.length) note('labels.kompose.service.expose', 'not-converted', 'an Ingress needs a port');
    else {
      const backend = { service: { name, port: { number: sports[0]!.port } } };
      const rules = expose.toLowerCase() === 'true' ? [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] : expose.split(',').map((h) => h.trim()).filter(Boolean).map((h) => {
        const i = h.indexOf('/');
        const host = i < 0 ? h : h.slice(0, i);
        return { host, http: { paths: [{ path: i < 0 ? '/' : h.slice(i), pathType: 'Prefix', backend }] } };
      });
      const ing: Doc = { rules };
      if (kompose['kompose.service.expose.ingress-class-name']) ing.ingressClassName = kompose['kompose.service.expose.ingress-class-name'];
      if (kompose['kompose.service.expose.tls-secret']) ing.tls = [{ hosts: rules.map((r: Doc) => r.host).filter(Boolean), secretName: kompose['kompose.service.expose.tls-secret'] }];
      const valid = rules.every((r: Doc) => !r.host || /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(r.host));
      if (valid) {
        b.add({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: b.meta(name, appLabel), spec: ing });
        note('labels.kompose.service.expose', 'converted', `Ingress ${name}`);
      } else note('labels.kompose.service.expose', 'not-converted', `'${expose}' is not a list of host names: no Ingress`);
    }
  }
  if (kompose['kompose.hpa.replicas.max'] || kompose['kompose.hpa.cpu'] || kompose['kompose.hpa.memory']) {
    const metrics: Doc[] = [];
    for (const r of ['cpu', 'memory'] as const) {
      const v = kompose[`kompose.hpa.${r}`];
      if (v) metrics.push({ type: 'Resource', resource: { name: r, target: { type: 'Utilization', averageUtilization: Number(v) } } });
    }
    b.add({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: b.meta(name, appLabel),
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: Number(kompose['kompose.hpa.replicas.min'] ?? 1), maxReplicas: Number(kompose['kompose.hpa.replicas.max'] ?? 10), metrics },
    });
    note('labels.kompose.hpa', 'converted', `HorizontalPodAutoscaler ${name}`);
  }
  for (const k of Object.keys(kompose)) {
    if (usedKompose.has(k) || KOMPOSE_HANDLED_LATER.has(k) || k.startsWith('kompose.cronjob.') || k.startsWith('kompose.hpa.') || k.startsWith('kompose.service.expose') || k.startsWith('kompose.service.healthcheck.')) continue;
    note(`labels.${k}`, 'not-converted', 'kompose label not supported by mcp');
  }
}

const PROBE_DEFAULTS_K8S = { periodSeconds: 30, timeoutSeconds: 30, failureThreshold: 3 };
const KOMPOSE_HANDLED_LATER = new Set(['kompose.service.expose.ingress-class-name', 'kompose.service.expose.tls-secret', 'kompose.init.containers.name', 'kompose.init.containers.image', 'kompose.init.containers.command']);

function pick(o: Doc, keys: string[]): Doc {
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

/** Text for humans: only what needs a decision (changed / not converted). */
export function reportLines(report: ConversionReport, all = false): string[] {
  const lines: string[] = [];
  const show = (e: ReportEntry) => all || e.status !== 'converted';
  const mark = (s: ReportStatus) => (s === 'converted' ? '  ok ' : s === 'changed' ? '  ~  ' : '  !! ');
  const proj = report.project.filter(show);
  if (proj.length) {
    lines.push('project:');
    for (const e of proj) lines.push(`${mark(e.status)}${e.field}: ${e.note}`);
  }
  for (const s of report.services) {
    const es = s.entries.filter(show);
    if (!es.length) continue;
    lines.push(`${s.service}${s.name !== s.service ? ` (${s.name})` : ''}:`);
    for (const e of es) lines.push(`${mark(e.status)}${e.field}: ${e.note}`);
  }
  return lines;
}

export function reportCounts(report: ConversionReport): Record<ReportStatus, number> {
  const c: Record<ReportStatus, number> = { converted: 0, changed: 0, 'not-converted': 0 };
  for (const e of [...report.project, ...report.services.flatMap((s) => s.entries)]) c[e.status]++;
  return c;
}

/** A copy of the objects with Secret values replaced: what may be printed. */
export function withholdSecrets(objects: K8sObject[]): K8sObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Secret') return o;
    const copy: K8sObject = { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), 'mcp-platform.io/values': 'withheld from stdout: write manifests with --out DIR, or fill this Secret by hand' } } };
    const keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})];
    delete copy.data;
    copy.stringData = Object.fromEntries(keys.map((k) => [k, '']));
    return copy;
  });
}
