// Compose → Kubernetes, the container and its pod: image, command, environment (ConfigMaps, Secrets), probes, resources, security and scheduling settings, kompose init containers.
// Each function converts one part of a compose service into the ServiceContext (./context.ts); the report
// entry of every key it reads is its own.
import { durationSeconds, kvMap, parseDotenv, shellSplit, type Doc } from '../compose.js';
import { cpuMillis, cpuQuantity, isK8sQuantity, memoryBytes, memoryQuantity } from '../quantity.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_REQUESTS, PROBE_DEFAULTS, PROBE_DEFAULTS_K8S, b64, dnsName, isMap, isSecretEnv, pick } from './shared.js';
import type { ServiceContext } from './context.js';

export function image(c: ServiceContext): void {
  const { container, handled, kl, name, note, svc } = c;
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
}

export function command(c: ServiceContext): void {
  const { container, handled, note, svc } = c;
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
}

export function environment(c: ServiceContext): void {
  const { b, container, handled, name, note, rep, svc } = c;
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
}

export function healthcheck(c: ServiceContext): void {
  const { container, handled, kl, note, svc, xk } = c;
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
}

export function resources(c: ServiceContext): void {
  const { container, handled, kl, note, svc, xk } = c;
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
}

export function containerSettings(c: ServiceContext): void {
  const { annotations, container, handled, kl, labels, mounts, name, note, pod, svc, volumes } = c;
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
  c.plain = plain;
  c.podAnnotations = podAnnotations;
}

export function initContainers(c: ServiceContext): void {
  const { kl, name, pod } = c;
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
}
