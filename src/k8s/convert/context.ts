// The state one compose service's conversion builds up, converter after converter (src/k8s/convert/*.ts):
// what the service is called, its report, the container and pod being assembled, and what an earlier converter
// decided that a later one needs (the Service type and ports, the replicas, the pod annotations).
import { kvMap, type Doc } from '../compose.js';
import { Builder, type ReportStatus, SOURCE_ANNOTATION, type ServiceReport, TRACK, dnsName, isMap } from './shared.js';

export interface ServiceContext {
  b: Builder;
  /** the service's name in the compose file, and in Kubernetes */
  composeName: string;
  name: string;
  svc: Doc;
  rep: ServiceReport;
  note(key: string, status: ReportStatus, text: string): void;
  /** the compose keys a converter has reported (the rest are reported as not converted) */
  handled: Set<string>;
  labels: Record<string, string | null>;
  deployLabels: Record<string, string | null>;
  kompose: Record<string, string>;
  /** a kompose label, marked as used */
  kl(key: string): string | undefined;
  usedKompose: Set<string>;
  xk: Doc;
  podLabels: Record<string, string>;
  appLabel: Record<string, string>;
  annotations: Record<string, string>;
  container: Doc;
  pod: Doc;
  volumes: Doc[];
  mounts: Doc[];
  usesRwoClaim: boolean;
  /** set by ports */
  svcType: string;
  external: boolean;
  sports: Doc[];
  /** set by volumes: a pod volume under a name unique in the pod */
  podVolume(base: string, def: Doc): string;
  /** set by deploy */
  replicas: number;
  /** set by containerSettings */
  plain: [string, string | null][];
  podAnnotations: Record<string, string>;
}

export function serviceContext(b: Builder, composeName: string, svc: Doc): ServiceContext {
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
  const usesRwoClaim = false;
  return {
    b, composeName, name, svc, rep, note, handled, labels, deployLabels, kompose, kl, usedKompose, xk,
    podLabels, appLabel, annotations, container, pod, volumes, mounts, usesRwoClaim,
    svcType: 'ClusterIP', external: false, sports: [],
    podVolume: () => {
      throw new Error('podVolume is set by the volumes converter');
    },
    replicas: 1, plain: [], podAnnotations: {},
  };
}
