// A v5/v6 platform config as a compose project, so one converter serves both. Read defensively: the
// config schemas are owned elsewhere (src/config); we take the fields of the shared shape and report the rest.
//   services[]: name, image, ports ["3001:3000"], environment {K: V}, volumes ["./data/x:/data"],
//   healthCheck {type http|tcp|command|mcp, path, port, command, timeout}, dependsOn [names],
//   instances | deployment.replicas, maxCpu/maxMemory | deployment.resources {requests, limits}
import { invalidInput } from '../errors.js';
import type { ComposeProject, Doc } from './compose.js';
import { durationSeconds } from './compose.js';
import type { ReportEntry } from './convert.js';

const KNOWN = new Set(['name', 'type', 'image', 'ports', 'environment', 'volumes', 'transport', 'healthCheck', 'dependsOn', 'instances', 'maxCpu', 'maxMemory', 'deployment', 'command', 'enabled']);

function isMap(v: unknown): v is Doc {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v);
}

export interface PlatformSource {
  project: ComposeProject;
  notes: ReportEntry[];
  /** runtime.namespace of the config, if any */
  namespace?: string;
}

/**
 * @param doc the parsed platform config
 * @param baseDir where relative volume paths resolve (the platform home: ./data lives there)
 */
export function projectFromPlatform(doc: Doc, baseDir: string, file: string): PlatformSource {
  const version = String(doc.version ?? '');
  const major = Number(version.split('.')[0]);
  if (!(major >= 5)) {
    throw invalidInput(`the config is version ${version || '(none)'}: conversion reads v5 and v6 configs`, { where: `${file}: version`, hint: "upgrade it first: mcp migrate --to 5.0 (v4 has no service definitions to convert)" });
  }
  if (!Array.isArray(doc.services)) throw invalidInput('services must be a list', { where: `${file}: services`, hint: 'a v5/v6 config lists its services under services: [...]' });
  const notes: ReportEntry[] = [];
  const services: Record<string, Doc> = {};
  for (const [i, s] of (doc.services as unknown[]).entries()) {
    if (!isMap(s) || typeof s.name !== 'string' || !s.name) {
      throw invalidInput('a service needs a name', { where: `${file}: services[${i}].name` });
    }
    if (s.enabled === false) {
      notes.push({ field: `services.${s.name}`, status: 'not-converted', note: 'enabled: false — skipped' });
      continue;
    }
    const c: Doc = {};
    const xk: Doc = {};
    if (s.image) c.image = s.image;
    else notes.push({ field: `services.${s.name}.image`, status: 'not-converted', note: `no image: the Deployment uses '${s.name}'; set image in the config` });
    if (s.command !== undefined) c.command = s.command;
    if (s.ports !== undefined) c.ports = Array.isArray(s.ports) ? s.ports : [s.ports];
    if (isMap(s.environment)) c.environment = s.environment;
    if (Array.isArray(s.volumes)) c.volumes = s.volumes;
    if (Array.isArray(s.dependsOn)) c.depends_on = s.dependsOn.map(String);
    const dep = isMap(s.deployment) ? s.deployment : {};
    const replicas = dep.replicas ?? s.instances;
    if (replicas !== undefined) c.deploy = { replicas: Number(replicas) };
    const res = isMap(dep.resources) ? dep.resources : undefined;
    if (res) xk.resources = { requests: isMap(res.requests) ? res.requests : {}, limits: isMap(res.limits) ? res.limits : {} };
    else if (s.maxCpu !== undefined || s.maxMemory !== undefined) {
      xk.resources = { limits: { ...(s.maxCpu !== undefined ? { cpu: s.maxCpu } : {}), ...(s.maxMemory !== undefined ? { memory: s.maxMemory } : {}) } };
    }
    const hc = isMap(s.healthCheck) ? s.healthCheck : undefined;
    if (hc) {
      const firstTarget = (() => {
        const p = (c.ports as unknown[] | undefined)?.[0];
        if (p === undefined) return undefined;
        const m = String(p).split('/')[0]!.split(':').pop();
        return Number(m) || undefined;
      })();
      const port = Number(hc.port) || firstTarget;
      const timing = { periodSeconds: 10, timeoutSeconds: durationSeconds(hc.timeout) || 5, failureThreshold: 3 };
      let handler: Doc | undefined;
      if (hc.type === 'http' && port) handler = { httpGet: { path: String(hc.path ?? '/health'), port } };
      else if ((hc.type === 'tcp' || hc.type === 'mcp') && port) handler = { tcpSocket: { port } };
      else if (hc.type === 'command' && hc.command) handler = { exec: { command: Array.isArray(hc.command) ? hc.command.map(String) : ['sh', '-c', String(hc.command)] } };
      if (handler) {
        xk.readinessProbe = { ...handler, ...timing };
        xk.livenessProbe = { ...handler, ...timing };
        if (hc.type === 'mcp') notes.push({ field: `services.${s.name}.healthCheck`, status: 'changed', note: 'mcp health check → TCP probe on the port (Kubernetes cannot speak MCP); mcp verify checks the protocol' });
      } else {
        notes.push({ field: `services.${s.name}.healthCheck`, status: 'not-converted', note: `health check type ${String(hc.type)} without ${hc.type === 'command' ? 'a command' : 'a port'}: no probe` });
      }
    }
    const annotations: Doc = {};
    if (s.type) annotations['mcp-platform.io/type'] = String(s.type);
    if (s.transport) annotations['mcp-platform.io/transport'] = String(s.transport);
    if (Object.keys(annotations).length) c.labels = annotations;
    if (Object.keys(xk).length) c['x-kubernetes'] = xk;
    for (const k of Object.keys(s)) {
      if (!KNOWN.has(k)) notes.push({ field: `services.${s.name}.${k}`, status: 'not-converted', note: 'platform setting with no Kubernetes equivalent' });
    }
    for (const k of Object.keys(dep)) {
      if (k !== 'replicas' && k !== 'resources' && k !== 'type') notes.push({ field: `services.${s.name}.deployment.${k}`, status: 'not-converted', note: 'deployment setting not converted' });
    }
    services[s.name] = c;
  }
  if (Object.keys(services).length === 0) {
    throw invalidInput('the config defines no services to convert', { where: `${file}: services`, hint: 'add services to the config, or convert a compose file with --compose' });
  }
  const runtime = isMap(doc.runtime) ? doc.runtime : {};
  const project: ComposeProject = {
    dir: baseDir,
    files: [file],
    doc: { name: String(isMap(doc.platform) && doc.platform.name ? doc.platform.name : 'mcp-platform'), services },
    unsetVariables: [],
    variables: {},
  };
  return { project, notes, namespace: typeof runtime.namespace === 'string' ? runtime.namespace : undefined };
}
