// Compose services → Kubernetes objects, with a per-service report of every key and what became of it.
// Rules (docs/kubernetes.md): one Deployment + one Service per compose service (a headless Service when
// there are no ports, so the name resolves in the cluster as it did on the compose network), PVCs with
// explicit sizes, env_file → ConfigMap, secret-looking variables and compose secrets → Secret, configs →
// ConfigMap, healthcheck → readiness + liveness probes, depends_on → wait-for init containers + an
// annotation + apply order. Nothing is dropped silently: every key lands in the report.
// The converters are one per compose key or group of keys (src/k8s/convert/*.ts), run in ORDER over one
// ServiceContext: a later one reads what an earlier one decided (ports before the Service, deploy before the
// workload), and the report of every key falls out of them.
import { basename } from 'node:path';
import type { ComposeProject, Doc } from './compose.js';
import { Builder, DEFAULTS, MANAGED_BY, type Conversion, type ConversionReport, type ConvertOptions, type K8sObject, type ReportEntry, type ReportStatus, labelValue, serviceName, sortForApply, topoOrder } from './convert/shared.js';
import { serviceContext, type ServiceContext } from './convert/context.js';
import { image, command, environment, healthcheck, resources, containerSettings, initContainers } from './convert/container.js';
import { ports, service, ingressAndAutoscaling } from './convert/network.js';
import { volumes, secretsAndConfigs } from './convert/storage.js';
import { deploy, restart, dependsOn, unconverted, workload } from './convert/workload.js';

export * from './convert/shared.js';

const ORDER: Array<(c: ServiceContext) => void> = [image, command, environment, ports, volumes, secretsAndConfigs, healthcheck, resources, deploy, restart, dependsOn, containerSettings, initContainers, unconverted, workload, service, ingressAndAutoscaling];

function convertService(b: Builder, composeName: string, svc: Doc): void {
  const c = serviceContext(b, composeName, svc);
  for (const convert of ORDER) convert(c);
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
