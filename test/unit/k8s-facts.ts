// What a user would notice in a set of Kubernetes objects, as comparable one-line facts: the
// kompose compatibility test diffs our facts against kompose's, ignoring object order and the
// names of helper objects (PVC and ConfigMap names differ by design).
type Obj = Record<string, any>;

const WORKLOADS = new Set(['Deployment', 'Pod', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Rollout']);

function podOf(o: Obj): Obj | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec;
}

function probeKind(p: Obj | undefined): string | undefined {
  if (!p) return undefined;
  if (p.exec) return `exec ${JSON.stringify(p.exec.command)}`;
  if (p.httpGet) return `httpGet ${p.httpGet.path}:${p.httpGet.port}`;
  if (p.tcpSocket) return `tcp ${p.tcpSocket.port}`;
  return 'other';
}

const UNITS: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };
/** quantities compared by value: 10e3 = 10000, 1Gi = 1073741824, 1 = 1000m */
function qty(q: string): string {
  const m = q.match(/^(\d+(?:\.\d+)?)(?:e(\d+))?([A-Za-z]*)$/);
  if (!m || UNITS[m[3]!] === undefined) return q;
  return String(Number(m[1]) * 10 ** Number(m[2] ?? 0) * UNITS[m[3]!]!);
}

export function facts(objects: Obj[]): string[] {
  const out = new Set<string>();
  const volumesOf = new Map<string, Obj>();
  for (const o of objects) {
    const n = o.metadata?.name;
    if (WORKLOADS.has(o.kind)) {
      const pod = podOf(o) ?? {};
      const w = `workload ${n}`;
      if (o.kind === 'CronJob') out.add(`${w} cronjob schedule=${o.spec.schedule}`);
      if (o.kind !== 'CronJob' && o.kind !== 'Pod') out.add(`${w} replicas=${o.spec?.replicas ?? 1}`);
      for (const v of pod.volumes ?? []) volumesOf.set(`${n}/${v.name}`, v);
      for (const c of pod.containers ?? []) {
        out.add(`${w} image=${c.image}`);
        if (c.command) out.add(`${w} command=${JSON.stringify(c.command)}`);
        if (c.args) out.add(`${w} args=${JSON.stringify(c.args)}`);
        for (const e of c.env ?? []) {
          const v = e.valueFrom?.secretKeyRef ? 'from-secret' : e.valueFrom?.configMapKeyRef ? 'from-configmap' : `=${e.value ?? ''}`;
          out.add(`${w} env ${e.name}${v.startsWith('=') ? v : ` ${v}`}`);
        }
        for (const e of c.envFrom ?? []) out.add(`${w} envFrom ${e.configMapRef ? 'configmap' : 'secret'}`);
        for (const p of c.ports ?? []) out.add(`${w} containerPort ${p.containerPort}/${p.protocol ?? 'TCP'}`);
        for (const m of c.volumeMounts ?? []) {
          const v = volumesOf.get(`${n}/${m.name}`) ?? {};
          const kind = v.persistentVolumeClaim ? 'pvc' : v.configMap ? 'configmap' : v.secret ? 'secret' : v.emptyDir ? 'emptyDir' : v.hostPath ? 'hostPath' : '?';
          out.add(`${w} mount ${m.mountPath} ${kind}${m.readOnly ? ' ro' : ''}${m.subPath && kind !== 'configmap' && kind !== 'secret' ? ` subPath=${m.subPath}` : ''}`);
        }
        const lim = c.resources?.limits ?? {};
        for (const [k, v] of Object.entries(lim)) out.add(`${w} limit ${k}=${qty(String(v))}`);
        const req = c.resources?.requests ?? {};
        for (const [k, v] of Object.entries(req)) out.add(`${w} request ${k}=${qty(String(v))}`);
        const r = probeKind(c.readinessProbe);
        const l = probeKind(c.livenessProbe);
        if (r) out.add(`${w} readiness ${r}`);
        if (l) out.add(`${w} liveness ${l}`);
        if (c.securityContext?.privileged) out.add(`${w} privileged`);
        if (c.securityContext?.readOnlyRootFilesystem) out.add(`${w} readOnlyRootFilesystem`);
        if (c.imagePullPolicy) out.add(`${w} imagePullPolicy=${c.imagePullPolicy}`);
      }
      for (const c of pod.initContainers ?? []) out.add(`${w} initContainer ${c.name} image=${c.image}`);
      if (pod.securityContext?.fsGroup !== undefined) out.add(`${w} fsGroup=${pod.securityContext.fsGroup}`);
      for (const [k, v] of Object.entries(pod.nodeSelector ?? {})) out.add(`${w} nodeSelector ${k}=${v}`);
    } else if (o.kind === 'Service') {
      const s = `service ${n}`;
      const type = o.spec?.clusterIP === 'None' ? 'headless' : (o.spec?.type ?? 'ClusterIP');
      out.add(`${s} type=${type}`);
      for (const p of o.spec?.ports ?? []) out.add(`${s} port ${p.port}->${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`);
      if (o.spec?.externalTrafficPolicy) out.add(`${s} externalTrafficPolicy=${o.spec.externalTrafficPolicy}`);
    } else if (o.kind === 'PersistentVolumeClaim') {
      out.add(`pvc ${o.spec?.accessModes?.join(',')}`);
    } else if (o.kind === 'ConfigMap') {
      for (const k of Object.keys(o.data ?? {})) out.add(`configmap key ${k}`);
      for (const k of Object.keys(o.binaryData ?? {})) out.add(`configmap key ${k}`);
    } else if (o.kind === 'Secret') {
      for (const k of [...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {})]) out.add(`secret key ${k}`);
    } else if (o.kind === 'Ingress') {
      for (const r of o.spec?.rules ?? []) for (const p of r.http?.paths ?? []) out.add(`ingress ${n} ${r.host ?? '*'}${p.path} -> ${p.backend?.service?.name}:${p.backend?.service?.port?.number}`);
      if (o.spec?.ingressClassName) out.add(`ingress ${n} class=${o.spec.ingressClassName}`);
    } else if (o.kind === 'HorizontalPodAutoscaler') {
      out.add(`hpa ${n} min=${o.spec?.minReplicas} max=${o.spec?.maxReplicas}`);
      for (const m of o.spec?.metrics ?? []) out.add(`hpa ${n} ${m.resource?.name}=${m.resource?.target?.averageUtilization}%`);
    } else if (o.kind === 'NetworkPolicy') {
      out.add(`networkpolicy ${n}`);
    } else if (o.kind !== 'Namespace') {
      out.add(`${o.kind} ${n}`);
    }
  }
  return [...out].sort();
}

/** `- fact` only in kompose's output, `+ fact` only in ours. */
export function diffFacts(ours: string[], theirs: string[]): string[] {
  const a = new Set(ours);
  const b = new Set(theirs);
  return [...theirs.filter((f) => !a.has(f)).map((f) => `- ${f}`), ...ours.filter((f) => !b.has(f)).map((f) => `+ ${f}`)];
}
