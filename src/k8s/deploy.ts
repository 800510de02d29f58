// Deploying converted objects with kubectl: namespace if missing → claims, config, Services →
// (data step) → workloads → `kubectl rollout status` with a timeout for each Deployment, in dependency
// order. When a rollout fails or times out, every Deployment this run changed is put back (`kubectl
// rollout undo`; one this run created is deleted) and the error names what failed and what was undone.
// The same planner gives the --dry-run listing: plan() builds the steps, execute() runs them.
import { run, type RunOptions } from '../runtime/exec.js';
import { CliError, ExitCode, failedError, preconditionError } from '../cli/errors.js';
import type { DataMove, K8sObject } from './convert.js';
import { argoRollout, hasArgoRollouts, ratioCanary, type CanarySpec } from './canary.js';
import { moveDataToPvc, type DataMoveResult } from './datamove.js';

export interface DeployOptions {
  namespace: string;
  /** kubectl context (runtime.context) */
  context?: string;
  /** per Deployment rollout timeout */
  timeoutSeconds: number;
  /** canary for these service (Kubernetes) names; others roll normally */
  canary?: { services: string[]; spec: CanarySpec };
  dataMoves?: DataMove[];
  moveData?: boolean;
  overwriteData?: boolean;
  composeProject?: string;
  echo?: RunOptions['echo'];
  progress?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface PlannedStep {
  step: string;
  detail: string;
}

export interface DeployResult {
  namespace: string;
  namespaceCreated: boolean;
  applied: Array<{ object: string; action: string }>;
  rolledOut: string[];
  canary?: { mode: 'argo-rollouts' | 'replica-ratio'; services: string[]; percentage: number; durationSeconds: number };
  dataMoves: DataMoveResult[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'Rollout']);

export function plan(objects: K8sObject[], opts: DeployOptions): PlannedStep[] {
  const steps: PlannedStep[] = [{ step: 'namespace', detail: `create namespace ${opts.namespace} if missing` }];
  const base = objects.filter((o) => o.kind !== 'Namespace' && !WORKLOAD_KINDS.has(o.kind));
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  if (base.length) steps.push({ step: 'apply', detail: `kubectl apply ${base.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}` });
  if (opts.moveData) for (const m of opts.dataMoves ?? []) steps.push({ step: 'data', detail: `copy ${m.kind === 'bind' ? m.source : `docker volume ${m.source}`} into PVC ${m.pvc} (helper pod, kubectl cp, counts checked)` });
  for (const w of workloads) {
    const isCanary = w.kind === 'Deployment' && opts.canary?.services.includes(w.metadata.name);
    steps.push({ step: 'apply', detail: `kubectl apply ${w.kind}/${w.metadata.name}${isCanary ? ` as a ${opts.canary!.spec.percentage}% canary for ${opts.canary!.spec.durationSeconds}s (Argo Rollout if the CRD exists, else a replica-ratio canary Deployment)` : ''}` });
    if (w.kind === 'Deployment') steps.push({ step: 'rollout', detail: `kubectl rollout status deployment/${w.metadata.name}${isCanary ? '-canary' : ''} --timeout=${opts.timeoutSeconds}s; on failure kubectl rollout undo (every Deployment changed by this run)` });
  }
  return steps;
}

/** kubectl apply output lines: `deployment.apps/web configured` */
export function parseApplyOutput(stdout: string): Array<{ object: string; action: string }> {
  const out: Array<{ object: string; action: string }> = [];
  for (const line of stdout.split('\n')) {
    const m = line.trim().match(/^(\S+)\s+(created|configured|unchanged|serverside-applied)\b/);
    if (m) out.push({ object: m[1]!, action: m[2]! });
  }
  return out;
}

export async function execute(objects: K8sObject[], opts: DeployOptions): Promise<DeployResult> {
  const k = opts.context ? ['--context', opts.context] : [];
  const ns = ['-n', opts.namespace];
  const ro: RunOptions = { echo: opts.echo, signal: opts.signal, env: opts.env, timeoutMs: 120_000 };
  const say = opts.progress ?? (() => {});
  const result: DeployResult = { namespace: opts.namespace, namespaceCreated: false, applied: [], rolledOut: [], dataMoves: [] };

  // 1. namespace
  const got = await run('kubectl', [...k, 'get', 'namespace', opts.namespace, '-o', 'name'], { ...ro, allowFailure: true });
  if (got.exitCode !== 0) {
    if (!/NotFound|not found/i.test(got.stderr)) {
      throw preconditionError(`cannot reach the cluster: kubectl get namespace ${opts.namespace} failed: ${got.stderr.trim().split('\n').pop() ?? ''}`, { hint: 'check the kubectl context (runtime.context in the config) and that the cluster is up' });
    }
    await run('kubectl', [...k, 'create', 'namespace', opts.namespace], ro);
    result.namespaceCreated = true;
    say(`created namespace ${opts.namespace}`);
  }

  const apply = async (list: K8sObject[]) => {
    if (!list.length) return [];
    const r = await run('kubectl', [...k, 'apply', ...ns, '-f', '-'], { ...ro, input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: list }) });
    const lines = parseApplyOutput(r.stdout);
    result.applied.push(...lines);
    return lines;
  };

  // 2. claims, config, secrets, Services
  await apply(objects.filter((o) => o.kind !== 'Namespace' && !WORKLOAD_KINDS.has(o.kind)));

  // 3. data into the claims, before anything mounts them
  if (opts.moveData) {
    for (const m of opts.dataMoves ?? []) {
      say(`copying ${m.source} into PVC ${m.pvc}…`);
      const r = await moveDataToPvc(m, { namespace: opts.namespace, kubectl: k, overwrite: opts.overwriteData, echo: opts.echo, signal: opts.signal, env: opts.env, composeProject: opts.composeProject });
      result.dataMoves.push(r);
      say(`  ${r.status}: ${r.files} files${r.bytes ? `, ${r.bytes} bytes` : ''}`);
    }
  }

  // 4. workloads, in dependency order, each followed by its rollout
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const canaryNames = new Set(opts.canary?.services ?? []);
  let argo: boolean | undefined;
  const changed: Array<{ name: string; created: boolean }> = [];
  for (const w of workloads) {
    let target = w;
    let rolloutName = w.metadata.name;
    if (w.kind === 'Deployment' && canaryNames.has(w.metadata.name)) {
      const exists = (await run('kubectl', [...k, 'get', ...ns, `deployment/${w.metadata.name}`, '-o', 'name'], { ...ro, allowFailure: true })).exitCode === 0;
      if (exists) {
        argo ??= await hasArgoRollouts({ base: k }, ro);
        result.canary ??= { mode: argo ? 'argo-rollouts' : 'replica-ratio', services: [], percentage: opts.canary!.spec.percentage, durationSeconds: opts.canary!.spec.durationSeconds };
        result.canary.services.push(w.metadata.name);
        if (argo) {
          await apply([argoRollout(w, opts.canary!.spec)]);
          say(`Rollout ${w.metadata.name}: Argo Rollouts shifts ${opts.canary!.spec.percentage}% for ${opts.canary!.spec.durationSeconds}s`);
          continue;
        }
        const { canary, stableReplicas } = ratioCanary(w, opts.canary!.spec);
        target = canary;
        rolloutName = canary.metadata.name;
        await run('kubectl', [...k, 'scale', ...ns, `deployment/${w.metadata.name}`, `--replicas=${stableReplicas}`], ro);
        say(`canary ${rolloutName}: ${canary.spec.replicas} pod(s) beside ${stableReplicas} stable behind Service ${w.metadata.name}`);
      } else {
        say(`${w.metadata.name} is new: deployed directly (a canary needs a running version to compare with)`);
      }
    }
    const lines = await apply([target]);
    if (target.kind !== 'Deployment') continue;
    const action = lines.find((l) => l.object.endsWith(`/${target.metadata.name}`))?.action ?? 'configured';
    if (action !== 'unchanged') changed.push({ name: target.metadata.name, created: action === 'created' });
    say(`waiting for deployment/${rolloutName} (timeout ${opts.timeoutSeconds}s)…`);
    const st = await run('kubectl', [...k, 'rollout', 'status', ...ns, `deployment/${rolloutName}`, `--timeout=${opts.timeoutSeconds}s`], { ...ro, allowFailure: true, timeoutMs: (opts.timeoutSeconds + 30) * 1000 });
    if (st.exitCode !== 0) {
      const why = (st.stderr || st.stdout).trim().split('\n').pop() ?? `exit ${st.exitCode}`;
      const undone = await rollBack(changed, k, ns, ro);
      throw new CliError(ExitCode.FAILED, 'rollout_failed', `rollout of deployment/${rolloutName} failed (${why}); rolled back: ${undone.length ? undone.join(', ') : 'nothing had changed'}`, {
        hint: `see why with: kubectl -n ${opts.namespace} describe deployment/${rolloutName}; kubectl -n ${opts.namespace} get events --sort-by=.lastTimestamp`,
        details: { result, failed: rolloutName, rolledBack: undone },
      });
    }
    result.rolledOut.push(rolloutName);
  }
  return result;
}

async function rollBack(changed: Array<{ name: string; created: boolean }>, k: string[], ns: string[], ro: RunOptions): Promise<string[]> {
  const done: string[] = [];
  for (const c of [...changed].reverse()) {
    if (c.created) {
      const r = await run('kubectl', [...k, 'delete', ...ns, `deployment/${c.name}`, '--ignore-not-found'], { ...ro, allowFailure: true });
      done.push(r.exitCode === 0 ? `deployment/${c.name} (new: deleted)` : `deployment/${c.name} (delete FAILED: ${r.stderr.trim()})`);
    } else {
      const r = await run('kubectl', [...k, 'rollout', 'undo', ...ns, `deployment/${c.name}`], { ...ro, allowFailure: true });
      done.push(r.exitCode === 0 ? `deployment/${c.name} (rollout undo)` : `deployment/${c.name} (rollout undo FAILED: ${r.stderr.trim()})`);
    }
  }
  return done;
}

/** Abort a replica-ratio canary: delete the canary Deployment, scale the stable one back. */
export async function abortRatioCanary(name: string, replicas: number, opts: { namespace: string; context?: string; echo?: RunOptions['echo'] }): Promise<void> {
  const k = opts.context ? ['--context', opts.context] : [];
  await run('kubectl', [...k, 'delete', '-n', opts.namespace, `deployment/${name}-canary`, '--ignore-not-found'], { echo: opts.echo });
  await run('kubectl', [...k, 'scale', '-n', opts.namespace, `deployment/${name}`, `--replicas=${replicas}`], { echo: opts.echo });
}

/** Promote a replica-ratio canary: apply the new template to the stable Deployment at full size, wait, delete the canary. */
export async function promoteRatioCanary(dep: K8sObject, opts: { namespace: string; context?: string; timeoutSeconds: number; echo?: RunOptions['echo'] }): Promise<void> {
  const k = opts.context ? ['--context', opts.context] : [];
  const ns = ['-n', opts.namespace];
  await run('kubectl', [...k, 'apply', ...ns, '-f', '-'], { echo: opts.echo, input: JSON.stringify(dep) });
  const st = await run('kubectl', [...k, 'rollout', 'status', ...ns, `deployment/${dep.metadata.name}`, `--timeout=${opts.timeoutSeconds}s`], { echo: opts.echo, allowFailure: true, timeoutMs: (opts.timeoutSeconds + 30) * 1000 });
  if (st.exitCode !== 0) {
    await run('kubectl', [...k, 'rollout', 'undo', ...ns, `deployment/${dep.metadata.name}`], { echo: opts.echo, allowFailure: true });
    throw failedError(`promotion of ${dep.metadata.name} failed; rolled back with kubectl rollout undo (the canary is kept for inspection)`);
  }
  await run('kubectl', [...k, 'delete', ...ns, `deployment/${dep.metadata.name}-canary`, '--ignore-not-found'], { echo: opts.echo });
}
