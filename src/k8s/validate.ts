// Offline validation of Kubernetes objects against the API's OpenAPI schemas, without a cluster.
// kubernetes-models (v4: Node ≥ 14) ships one compiled ajv validator per API type; it is imported
// lazily here so `mcp --help` never loads it. Types it does not know (custom resources) are checked
// for the fields every object needs, and an Argo Rollout's pod template is checked as a PodTemplateSpec.
import type { K8sObject } from './convert.js';

export interface ValidationIssue {
  /** file (when validating files) */
  file?: string;
  /** index of the document in the file (0-based) */
  doc?: number;
  /** kind/name of the object */
  object: string;
  /** JSON path inside the object, e.g. spec.template.spec.containers[0].ports[0].containerPort */
  path: string;
  message: string;
}

type ModelCtor = new (data: unknown) => { validate(): void };
const cache = new Map<string, ModelCtor | null>();

function modulePath(apiVersion: string, kind: string): string | undefined {
  if (!/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (!version || !/^[a-z0-9.-]*$/.test(group!) || !/^v\d+((alpha|beta)\d+)?$/.test(version)) return undefined;
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

async function modelFor(apiVersion: string, kind: string): Promise<ModelCtor | null> {
  const key = `${apiVersion}/${kind}`;
  if (cache.has(key)) return cache.get(key)!;
  const path = modulePath(apiVersion, kind);
  let ctor: ModelCtor | null = null;
  if (path) {
    try {
      const mod = (await import(path)) as Record<string, unknown>;
      ctor = (mod[kind] as ModelCtor) ?? null;
    } catch {
      ctor = null;
    }
  }
  cache.set(key, ctor);
  return ctor;
}

function jsonPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function errorsOf(e: unknown): Array<{ path: string; message: string }> {
  const errs = (e as { errors?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string }> }).errors;
  if (!Array.isArray(errs) || !errs.length) return [{ path: '', message: (e as Error).message }];
  const out: Array<{ path: string; message: string }> = [];
  const seen = new Set<string>();
  for (const x of errs) {
    // `oneOf`/`anyOf` noise from int-or-string fields: keep the first, most specific message per path
    const path = jsonPath(x.instancePath ?? '');
    let msg = x.message ?? 'invalid';
    if (x.keyword === 'required' && x.params?.missingProperty) msg = `missing required field ${String(x.params.missingProperty)}`;
    if (x.keyword === 'enum' && Array.isArray(x.params?.allowedValues)) msg = `must be one of ${(x.params!.allowedValues as unknown[]).join(', ')}`;
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, message: msg });
  }
  return out;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks the schemas do not express: names are DNS subdomains/labels, label values are short. */
function semanticChecks(o: K8sObject): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const name = o.metadata?.name;
  if (typeof name === 'string') {
    const dns1035 = o.kind === 'Service' || o.kind === 'Namespace';
    if (name.length > (dns1035 || o.kind === 'Namespace' ? 63 : 253) || !(dns1035 ? /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) : NAME.test(name))) {
      out.push({ path: 'metadata.name', message: `'${name}' is not a valid ${o.kind} name (lower-case letters, digits and '-'${dns1035 ? ', starting with a letter' : ''})` });
    }
  }
  for (const [k, v] of Object.entries(o.metadata?.labels ?? {})) {
    if (typeof v !== 'string' || v.length > 63 || !(v === '' || /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(v))) out.push({ path: `metadata.labels.${k}`, message: `label value '${v}' is not valid (≤ 63 characters: letters, digits, '-', '_', '.')` });
  }
  const pod = o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'DaemonSet' || o.kind === 'Rollout' ? o.spec?.template?.spec : o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.kind === 'Pod' ? o.spec : undefined;
  const base = o.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : o.kind === 'Pod' ? 'spec' : 'spec.template.spec';
  if (pod) {
    const vols = new Set<string>((pod.volumes ?? []).map((v: { name: string }) => v.name));
    for (const [ci, c] of (pod.containers ?? []).entries()) {
      if (typeof c.name === 'string' && !LABEL.test(c.name)) out.push({ path: `${base}.containers[${ci}].name`, message: `'${c.name}' is not a DNS label` });
      for (const [mi, m] of (c.volumeMounts ?? []).entries()) {
        if (!vols.has(m.name)) out.push({ path: `${base}.containers[${ci}].volumeMounts[${mi}].name`, message: `no volume named '${m.name}' in the pod` });
      }
    }
    if (o.kind !== 'CronJob' && o.kind !== 'Pod') {
      const sel = o.spec?.selector?.matchLabels ?? {};
      const labels = o.spec?.template?.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) out.push({ path: 'spec.selector.matchLabels', message: `selector ${k}=${String(v)} does not match the pod template labels` });
    }
  }
  if (o.kind === 'Service' && o.spec?.clusterIP !== 'None' && o.spec?.type !== 'ExternalName' && !(o.spec?.ports ?? []).length) {
    out.push({ path: 'spec.ports', message: 'a Service that is not headless needs at least one port' });
  }
  if (o.kind === 'Service' && (o.spec?.ports ?? []).length > 1) {
    for (const [i, p] of (o.spec.ports as Array<{ name?: string }>).entries()) if (!p.name) out.push({ path: `spec.ports[${i}].name`, message: 'every port needs a name when a Service has several' });
  }
  return out;
}

/** Validate objects; returns issues (empty when all are valid). */
export async function validateObjects(objects: unknown[], where: { file?: string } = {}): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  for (const [i, raw] of objects.entries()) {
    const o = raw as K8sObject;
    const id = `${o?.kind ?? '?'}/${o?.metadata?.name ?? '?'}`;
    const push = (path: string, message: string) => issues.push({ ...where, doc: i, object: id, path, message });
    if (!o || typeof o !== 'object' || Array.isArray(o)) {
      push('', 'not a Kubernetes object (a mapping with apiVersion, kind and metadata)');
      continue;
    }
    if (typeof o.apiVersion !== 'string' || !o.apiVersion) push('apiVersion', 'missing required field apiVersion');
    if (typeof o.kind !== 'string' || !o.kind) push('kind', 'missing required field kind');
    if (!o.metadata || (typeof o.metadata.name !== 'string' && typeof (o.metadata as { generateName?: string }).generateName !== 'string')) push('metadata.name', 'missing required field metadata.name');
    if (issues.some((x) => x.doc === i && x.file === where.file)) continue;
    const ctor = await modelFor(o.apiVersion, o.kind);
    if (ctor) {
      try {
        new ctor(o).validate();
      } catch (e) {
        for (const x of errorsOf(e)) push(x.path, x.message);
      }
    } else if (o.kind === 'Rollout' && o.apiVersion.startsWith('argoproj.io/')) {
      const tmpl = await modelFor('v1', 'PodTemplate');
      if (tmpl) {
        try {
          new tmpl({ metadata: { name: 'x' }, template: o.spec?.template }).validate();
        } catch (e) {
          for (const x of errorsOf(e)) push(x.path.replace(/^template/, 'spec.template'), x.message);
        }
      }
      if (!o.spec?.strategy?.canary && !o.spec?.strategy?.blueGreen) push('spec.strategy', 'a Rollout needs a canary or blueGreen strategy');
    } else if (!o.apiVersion.includes('.') || /\.k8s\.io\//.test(o.apiVersion)) {
      push('apiVersion', `unknown kind ${o.kind} in ${o.apiVersion} (not in the bundled Kubernetes schemas)`);
    }
    for (const x of semanticChecks(o)) push(x.path, x.message);
  }
  return issues;
}

export function formatIssue(x: ValidationIssue): string {
  const where = x.file ? `${x.file}${x.doc !== undefined ? ` (document ${x.doc + 1})` : ''}: ` : '';
  return `${where}${x.object}${x.path ? ` ${x.path}` : ''}: ${x.message}`;
}

/** Parse a multi-document YAML (or JSON) manifest file into objects; `kind: List` is flattened. */
export async function parseManifests(text: string, file: string): Promise<unknown[]> {
  const { default: yaml } = await import('js-yaml');
  const docs: unknown[] = [];
  yaml.loadAll(text, (d) => {
    if (d === null || d === undefined) return;
    if (d && typeof d === 'object' && (d as K8sObject).kind === 'List' && Array.isArray((d as { items?: unknown[] }).items)) docs.push(...(d as { items: unknown[] }).items);
    else docs.push(d);
  }, { filename: file });
  return docs;
}
