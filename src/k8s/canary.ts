// Canary for the guide's rolling-migration.yaml (`canary: true, canaryPercentage: 20, canaryDuration: 2h`).
// With Argo Rollouts installed (the rollouts.argoproj.io CRD exists) a Rollout replaces the Deployment
// and Argo shifts the weight; without it, two Deployments behind the one Service: the stable one and a
// `<name>-canary` one with the new pod template, sized so the canary gets ≈ the percentage of pods
// (and so of the Service's traffic). The executor measures the gates during the canary duration and
// then calls promote or abort.
import type { K8sObject } from './convert.js';
import { run, type RunOptions } from '../runtime/exec.js';

export interface CanarySpec {
  percentage: number;
  /** seconds */
  durationSeconds: number;
}

export { TRACK as TRACK_LABEL } from './convert.js';
import { TRACK as TRACK_LABEL } from './convert.js';

export async function hasArgoRollouts(kubectl: KubectlArgs, opts: RunOptions = {}): Promise<boolean> {
  const r = await run('kubectl', [...kubectl.base, 'get', 'crd', 'rollouts.argoproj.io', '-o', 'name'], { ...opts, allowFailure: true, timeoutMs: opts.timeoutMs ?? 30_000 });
  return r.exitCode === 0 && /rollouts\.argoproj\.io/.test(r.stdout);
}

export interface KubectlArgs {
  /** global kubectl args, e.g. ['--context', 'prod'] */
  base: string[];
}

/** Replicas of the canary in a replica-ratio canary: at least one pod, never all of them. */
export function canaryReplicas(total: number, percentage: number): { stable: number; canary: number } {
  if (total <= 1) return { stable: 1, canary: 1 };
  const canary = Math.min(total - 1, Math.max(1, Math.round((total * percentage) / 100)));
  return { stable: total - canary, canary };
}

/** Argo Rollouts: a Rollout with the Deployment's pod template; set weight, pause for the duration, then full. */
export function argoRollout(dep: K8sObject, spec: CanarySpec): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { ...dep.metadata, annotations: { ...(dep.metadata.annotations ?? {}), 'mcp-platform.io/canary': `${spec.percentage}% for ${spec.durationSeconds}s` } },
    spec: {
      replicas: dep.spec.replicas,
      selector: dep.spec.selector,
      template: dep.spec.template,
      strategy: { canary: { steps: [{ setWeight: spec.percentage }, { pause: { duration: `${spec.durationSeconds}s` } }, { setWeight: 100 }] } },
    },
  };
}

/**
 * Replica-ratio canary without Argo: the stable Deployment keeps its current template (it is not
 * re-applied) and is scaled to its share; a `<name>-canary` Deployment runs the new template. Both
 * carry the `app` label the Service selects, and a track label to tell them apart.
 */
export function ratioCanary(dep: K8sObject, spec: CanarySpec): { canary: K8sObject; stableReplicas: number } {
  const total = Number(dep.spec.replicas ?? 1);
  const { stable, canary } = canaryReplicas(total, spec.percentage);
  const name = `${dep.metadata.name}-canary`.slice(0, 63);
  const podLabels = { ...(dep.spec.template.metadata?.labels ?? {}), [TRACK_LABEL]: 'canary' };
  return {
    stableReplicas: stable,
    canary: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { ...dep.metadata, name, labels: { ...(dep.metadata.labels ?? {}), [TRACK_LABEL]: 'canary' }, annotations: { ...(dep.metadata.annotations ?? {}), 'mcp-platform.io/canary-of': dep.metadata.name } },
      spec: {
        ...dep.spec,
        replicas: canary,
        selector: { matchLabels: { ...dep.spec.selector.matchLabels, [TRACK_LABEL]: 'canary' } },
        template: { ...dep.spec.template, metadata: { ...(dep.spec.template.metadata ?? {}), labels: podLabels } },
      },
    },
  };
}

/** rolling-migration.yaml's canaryDuration: 1h, 30m, 2h30m, 90s */
export function parseCanaryDuration(s: unknown): number | undefined {
  const m = String(s ?? '').trim().match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/);
  if (!m || (!m[1] && !m[2] && !m[3])) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
