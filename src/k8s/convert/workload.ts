// Compose → Kubernetes, deploy (replicas, update strategy, placement), restart, depends_on ordering, the report of what is not converted, and the workload object.
// Each function converts one part of a compose service into the ServiceContext (./context.ts); the report
// entry of every key it reads is its own.
import { type Doc } from '../compose.js';
import { DEPENDS_ON_ANNOTATION, dependsList, dnsName, isMap, parsePorts } from './shared.js';
import type { ServiceContext } from './context.js';

export function deploy(c: ServiceContext): void {
  const { annotations, deployLabels, note, pod, svc, xk } = c;
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
  c.replicas = replicas;
}

export function restart(c: ServiceContext): void {
  const { handled, note, svc } = c;
  // restart
  handled.add('restart');
  if (svc.restart !== undefined) {
    const r = String(svc.restart);
    if (r === 'always' || r === 'unless-stopped') note('restart', 'converted', 'Deployment pods restart always');
    else note('restart', 'changed', `restart ${r}: a Deployment restarts its pods always; for a run-to-completion task use a Job (kompose.cronjob.* labels give a CronJob)`);
  }
}

export function dependsOn(c: ServiceContext): void {
  const { annotations, b, handled, note, pod, svc } = c;
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
}

export function unconverted(c: ServiceContext): void {
  const { handled, note, svc } = c;
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
}

export function workload(c: ServiceContext): void {
  const { annotations, appLabel, b, kompose, name, note, pod, podAnnotations, podLabels, rep, replicas, svc } = c;
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
    if (c.usesRwoClaim) spec.strategy = { type: 'Recreate' };
    b.add({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...b.meta(name, appLabel), annotations }, spec });
    if (c.usesRwoClaim && replicas > 1) note('volumes', 'changed', `${replicas} replicas share ReadWriteOnce PVCs: they must land on one node, or use a ReadWriteMany storage class (x-kubernetes.accessMode)`);
  }
}
