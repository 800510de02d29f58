// Kubernetes runtime: generic kubectl calls with --namespace/--context. Start applies the manifests
// directory when there is one (runtime.manifests, else <home>/k8s) and scales each Deployment to its
// configured replicas; stop scales to 0 (reversible); status reads `kubectl get deploy -o json`.
import { isAbsolute, join } from 'node:path';
import { stat } from 'node:fs/promises';
import { run } from './exec.js';
import { failedError } from '../errors.js';
import { redactArgv } from '../redact.js';
import { dependencyOrder, type PlatformServices, type ServiceSpec } from './services.js';
import type { ActionResult, Runtime, RuntimeEnv, ServiceState } from './types.js';
import { imageAt } from './docker.js';

export const DEFAULT_NAMESPACE = 'mcp-platform';

export function manifestsDir(platform: PlatformServices, home: string): string {
  const m = platform.runtime.manifests;
  if (!m) return join(home, 'k8s');
  return isAbsolute(m) ? m : join(home, m);
}

interface Deployment {
  metadata?: { name?: string };
  spec?: { replicas?: number; template?: { spec?: { containers?: Array<{ image?: string }> } } };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
}

export function kubernetesRuntime(platform: PlatformServices, env: RuntimeEnv): Runtime {
  const namespace = platform.runtime.namespace ?? DEFAULT_NAMESPACE;
  const context = platform.runtime.context;
  const scope = [`--namespace=${namespace}`, ...(context ? [`--context=${context}`] : [])];
  const commands: string[] = [];
  const kubectl = async (args: string[], allowFailure = false) => {
    const argv = [...scope, ...args];
    commands.push(['kubectl', ...redactArgv(argv)].join(' '));
    return run('kubectl', argv, { env: env.env, echo: env.echo, signal: env.signal, timeoutMs: env.timeoutMs, allowFailure });
  };
  const result = (action: ActionResult['action'], services: ServiceSpec[]): ActionResult => ({
    runtime: 'kubernetes',
    action,
    services: services.map((s) => s.name),
    commands: commands.splice(0),
  });
  const log = (event: string, services: ServiceSpec[], extra: Record<string, unknown> = {}) =>
    env.log.log('info', event, { runtime: 'kubernetes', namespace, context, services: services.map((s) => s.name), ...extra });

  return {
    type: 'kubernetes',
    describe: () => `kubernetes namespace ${namespace}${context ? ` (context ${context})` : ''}`,
    async start(services, opts) {
      const dir = manifestsDir(platform, env.home);
      const hasManifests = await stat(dir).then((s) => s.isDirectory(), () => false);
      if (hasManifests) await kubectl(['apply', '-f', dir]);
      for (const s of dependencyOrder(services)) {
        const image = imageAt(s, opts.version);
        if (opts.version && image) await kubectl(['set', 'image', `deployment/${s.name}`, `*=${image}`]);
        await kubectl(['scale', `deployment/${s.name}`, `--replicas=${s.replicas}`]);
      }
      log('runtime.start', services, { manifests: hasManifests ? dir : undefined, version: opts.version });
      return result('start', services);
    },
    async stop(services, opts) {
      // Scaling to 0 keeps the Deployment, its Service and volumes: `mcp start` scales back up.
      for (const s of [...dependencyOrder(services)].reverse()) {
        await kubectl(['scale', `deployment/${s.name}`, '--replicas=0']);
        if (opts.force) await kubectl(['delete', 'pod', `--selector=app=${s.name}`, '--grace-period=0', '--force', '--ignore-not-found']);
      }
      log('runtime.stop', services, { force: Boolean(opts.force) });
      return result('stop', services);
    },
    async reset(services) {
      for (const s of dependencyOrder(services)) {
        await kubectl(['scale', `deployment/${s.name}`, `--replicas=${s.replicas}`]);
        await kubectl(['rollout', 'restart', `deployment/${s.name}`]);
      }
      log('runtime.reset', services);
      return result('reset', services);
    },
    async status(services) {
      const r = await kubectl(['get', 'deployments', '-o', 'json']);
      let items: Deployment[];
      try {
        items = ((JSON.parse(r.stdout || '{}') as { items?: Deployment[] }).items ?? []) as Deployment[];
      } catch (e) {
        throw failedError(`could not read the output of kubectl get deployments: ${(e as Error).message}`);
      }
      commands.splice(0);
      return services.map((s): ServiceState => {
        const d = items.find((i) => i.metadata?.name === s.name);
        if (!d) return { name: s.name, state: 'missing', detail: `no deployment ${s.name} in namespace ${namespace}` };
        const desired = d.spec?.replicas ?? 0;
        const ready = d.status?.readyReplicas ?? 0;
        const state = desired === 0 ? 'stopped' : ready >= desired ? 'running' : 'starting';
        return {
          name: s.name,
          state,
          detail: `${ready}/${desired} ready`,
          replicas: { desired, ready },
          image: d.spec?.template?.spec?.containers?.[0]?.image,
        };
      });
    },
  };
}
