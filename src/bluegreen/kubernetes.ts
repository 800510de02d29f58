// Blue/green on Kubernetes, as Argo Rollouts' blueGreen strategy does it with its active Service: the new
// color's Deployments run beside the old ones, every pod labelled with its color; the application Services
// keep their names, and switching traffic patches their selectors to the new color. Switching back puts each
// Service's selector back exactly as it was saved.
import { spawn } from 'node:child_process';
import type { K8sObject } from '../k8s/convert.js';
import { run, type RunOptions } from '../runtime/exec.js';
import type { Color } from './state.js';

export const COLOR_LABEL = 'mcp-platform.io/color';
const SOURCE_ANNOTATION = 'mcp-platform.io/compose-service';

const kube = (context: string | undefined) => (context ? ['--context', context] : []);

/**
 * The Deployments of the app services (`apps`: config service names) recoloured: `<name>-<color>`, with the color
 * label, and every label the app's Service selects on given the color too (`app: web` → `app: web-green`): until
 * the switch, the Service's selector (`app: web`) cannot pick the new pods, and the old Deployment's selector does
 * not overlap them.
 */
export function colorDeployments(objects: K8sObject[], apps: string[], color: Color): K8sObject[] {
  const out: K8sObject[] = [];
  for (const o of appDeployments(objects, apps)) {
    const d = structuredClone(o) as K8sObject & { spec: any; metadata: any };
    const svc = objects.find((x) => x.kind === 'Service' && x.metadata.name === o.metadata.name) as (K8sObject & { spec?: { selector?: Record<string, string> } }) | undefined;
    const selected = Object.keys(svc?.spec?.selector ?? {});
    const recolor = (labels: Record<string, string> | undefined) => {
      const l: Record<string, string> = { ...(labels ?? {}) };
      for (const k of selected) if (l[k] !== undefined) l[k] = colorValue(l[k]!, color);
      l[COLOR_LABEL] = color;
      return l;
    };
    d.metadata.name = `${o.metadata.name}-${color}`.slice(0, 63).replace(/-+$/, '');
    d.metadata.labels = recolor(d.metadata.labels);
    d.spec.selector = { ...(d.spec.selector ?? {}), matchLabels: recolor(d.spec.selector?.matchLabels) };
    d.spec.template.metadata = { ...(d.spec.template.metadata ?? {}), labels: recolor(d.spec.template.metadata?.labels) };
    out.push(d);
  }
  return out;
}

/** A label value of one color: `web` / `web-blue` → `web-green` (label values are at most 63 characters). */
export function colorValue(v: string, color: Color): string {
  const base = v.replace(/-(blue|green)$/, '');
  return `${base.slice(0, 63 - color.length - 1).replace(/[-_.]+$/, '')}-${color}`;
}

/** The Deployments the conversion makes of the app services (`apps`: config service names), as converted. */
export function appDeployments(objects: K8sObject[], apps: string[]): K8sObject[] {
  const want = new Set(apps);
  return objects.filter((o) => {
    if (o.kind !== 'Deployment') return false;
    const svc = String((o.metadata as { annotations?: Record<string, string> }).annotations?.[SOURCE_ANNOTATION] ?? o.metadata.name);
    return want.has(svc) || want.has(o.metadata.name);
  });
}

/** The Services in front of those Deployments: same name as the Deployment they came from. */
export function appServiceNames(objects: K8sObject[], deployments: K8sObject[]): string[] {
  const names = new Set(deployments.map((d) => d.metadata.name.replace(/-(blue|green)$/, '')));
  return objects.filter((o) => o.kind === 'Service' && names.has(o.metadata.name)).map((o) => o.metadata.name);
}

export interface KubeOpts {
  namespace: string;
  context?: string;
  ro: RunOptions;
}

/** Each Service's selector as it is now. */
export async function readSelectors(services: string[], o: KubeOpts): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of services) {
    const r = await run('kubectl', [...kube(o.context), 'get', '-n', o.namespace, `service/${s}`, '-o', 'json'], { ...o.ro, allowFailure: true });
    if (r.exitCode !== 0) throw new Error(`kubectl get service/${s} in ${o.namespace} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}; the Service traffic is switched on must exist (mcp deploy creates it)`);
    let doc: any;
    try {
      doc = JSON.parse(r.stdout);
    } catch {
      throw new Error(`kubectl get service/${s} did not print JSON`);
    }
    const sel = doc?.spec?.selector;
    if (!sel || typeof sel !== 'object' || !Object.keys(sel).length) throw new Error(`service/${s} has no selector: traffic through it is not chosen by pod labels, so it cannot be switched`);
    out[s] = sel;
  }
  return out;
}

/** Replace each Service's selector (a JSON patch: keys not in the new selector go, unlike a merge). */
export async function setSelectors(selectors: Record<string, Record<string, string>>, o: KubeOpts): Promise<void> {
  for (const [s, sel] of Object.entries(selectors)) {
    const patch = JSON.stringify([{ op: 'replace', path: '/spec/selector', value: sel }]);
    await run('kubectl', [...kube(o.context), 'patch', '-n', o.namespace, `service/${s}`, '--type=json', '-p', patch], o.ro);
  }
}

/** The selectors that send each Service's traffic to `color`: its own keys with that color's values, and the color label. */
export const colored = (selectors: Record<string, Record<string, string>>, color: Color) =>
  Object.fromEntries(Object.entries(selectors).map(([s, sel]) => [s, { ...Object.fromEntries(Object.entries(sel).filter(([k]) => k !== COLOR_LABEL).map(([k, v]) => [k, colorValue(v, color)])), [COLOR_LABEL]: color }]));

export async function deleteDeployments(names: string[], o: KubeOpts): Promise<void> {
  for (const n of names) await run('kubectl', [...kube(o.context), 'delete', '-n', o.namespace, `deployment/${n}`, '--ignore-not-found'], o.ro);
}

/**
 * `kubectl port-forward deployment/NAME :PORT` for the length of `fn`: the pod is probed from here, before any
 * Service sends it traffic. Resolves with what `fn` returns; the forward is always stopped.
 */
export async function throughPortForward<T>(deployment: string, port: number, o: KubeOpts, fn: (localPort: number) => Promise<T>): Promise<T> {
  const child = spawn('kubectl', [...kube(o.context), 'port-forward', '-n', o.namespace, `deployment/${deployment}`, `:${port}`], { env: o.ro.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const local = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`kubectl port-forward to deployment/${deployment} printed no local port within 30 s`)), 30_000);
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = out.match(/Forwarding from (?:127\.0\.0\.1|\[::1\]):(\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kubectl port-forward to deployment/${deployment} exited (${code}): ${err.trim().split('\n').pop() ?? ''}`));
      });
    });
    return await fn(local);
  } finally {
    child.kill('SIGTERM');
  }
}
