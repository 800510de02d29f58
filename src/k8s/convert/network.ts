// Compose → Kubernetes, ports and the Service (always one; headless without ports), kompose Ingress and HPA labels.
// Each function converts one part of a compose service into the ServiceContext (./context.ts); the report
// entry of every key it reads is its own.
import { type Doc } from '../compose.js';
import { KOMPOSE_HANDLED_LATER, type PortSpec, parsePorts } from './shared.js';
import type { ServiceContext } from './context.js';

export function ports(c: ServiceContext): void {
  const { container, handled, kl, note, svc, xk } = c;
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
  c.external = external;
  c.sports = sports;
  c.svcType = svcType;
}

export function service(c: ServiceContext): void {
  const { appLabel, b, external, kl, name, note, plain, sports, svcType } = c;
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
}

export function ingressAndAutoscaling(c: ServiceContext): void {
  const { appLabel, b, kompose, name, note, sports, usedKompose } = c;
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
