// Deploying converted objects with kubectl: namespace if missing → the state before this run of every
// object it applies (prior-state.ts) → claims, config, Services → (data step) → workloads →
// `kubectl rollout status` with a timeout for each Deployment, in dependency order. When anything fails
// (a rollout, an apply, the data step), everything this run changed is put back (changed ConfigMaps and
// Secrets first, the rest in reverse order of application): an object it created is deleted, an object
// it changed is replaced by its saved state, claims are kept;
// the error names what failed and what was undone, object by object (details.rolledBack in --json).
// The same planner gives the --dry-run listing: plan() builds the steps, execute() runs them.
import { run, tail, type RunOptions } from '../runtime/exec.js';
import { McpError, failedError, isMcpError, preconditionError } from '../errors.js';
import { redactText, registerSecret } from '../redact.js';
import type { DataMove, K8sObject } from './convert.js';
import { argoRollout, hasArgoRollouts, ratioCanary, type CanarySpec } from './canary.js';
import { moveDataToPvc, type DataMoveResult } from './datamove.js';
import { changesOf, PriorState, refOf, undoChanges, type Change } from './prior-state.js';

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
  const steps: PlannedStep[] = [
    { step: 'namespace', detail: `create namespace ${opts.namespace} if missing` },
    { step: 'record', detail: 'kubectl get -o json of each object before it is applied (kept in memory, to undo a failure)' },
  ];
  const base = objects.filter((o) => o.kind !== 'Namespace' && !WORKLOAD_KINDS.has(o.kind));
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  if (base.length) steps.push({ step: 'apply', detail: `kubectl apply ${base.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}` });
  if (opts.moveData) for (const m of opts.dataMoves ?? []) steps.push({ step: 'data', detail: `copy ${m.kind === 'bind' ? m.source : `docker volume ${m.source}`} into PVC ${m.pvc} (helper pod, kubectl cp, counts checked)` });
  for (const w of workloads) {
    const isCanary = w.kind === 'Deployment' && opts.canary?.services.includes(w.metadata.name);
    steps.push({ step: 'apply', detail: `kubectl apply ${w.kind}/${w.metadata.name}${isCanary ? ` as a ${opts.canary!.spec.percentage}% canary for ${opts.canary!.spec.durationSeconds}s (Argo Rollout if the CRD exists, else a replica-ratio canary Deployment)` : ''}` });
    if (w.kind === 'Deployment') steps.push({ step: 'rollout', detail: `kubectl rollout status deployment/${w.metadata.name}${isCanary ? '-canary' : ''} --timeout=${opts.timeoutSeconds}s; on failure undo everything this run changed (new objects deleted, changed ones restored, claims kept)` });
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
  if (got.exitCode !== 0 && !/NotFound|not found/i.test(got.stderr)) {
    throw preconditionError(`cannot reach the cluster: kubectl get namespace ${opts.namespace} failed: ${got.stderr.trim().split('\n').pop() ?? ''}`, { hint: 'check the kubectl context (runtime.context in the config) and that the cluster is up' });
  }

  // 2. the state before this run of every object it applies (in memory only: it holds Secrets' data)
  const priors = new PriorState(k, opts.namespace, ro);
  const toApply = objects.filter((o) => o.kind !== 'Namespace');
  if (got.exitCode !== 0) priors.markAbsent(toApply);
  else await priors.record(toApply);

  if (got.exitCode !== 0) {
    await run('kubectl', [...k, 'create', 'namespace', opts.namespace], ro);
    result.namespaceCreated = true;
    say(`created namespace ${opts.namespace}`);
  }

  // every Secret value this run sends, and every one it read back, is masked wherever text is printed or
  // logged: kubectl quotes whole objects in its errors (a refused patch, last-applied-configuration)
  registerSecretValues([...toApply, ...priors.savedObjects()]);

  const changes: Change[] = [];
  const claimsWithData = new Set<string>();
  const apply = async (list: K8sObject[]) => {
    if (!list.length) return [];
    await priors.record(list); // objects made during the run (canary Deployment, Argo Rollout)
    registerSecretValues([...list, ...priors.savedObjects()]);
    priors.somethingApplied ||= changes.length > 0;
    // counted as changed before kubectl runs: an apply that is interrupted or times out may have changed
    // any of them, and the undo must cover them (refined below from kubectl's own report)
    const pending = changesOf(list, []);
    changes.push(...pending);
    const r = await run('kubectl', [...k, 'apply', ...ns, '-f', '-'], { ...ro, allowFailure: true, input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: list }) });
    const lines = parseApplyOutput(r.stdout);
    result.applied.push(...lines);
    changes.splice(changes.length - pending.length, pending.length, ...changesOf(list, lines));
    if (r.exitCode !== 0) {
      // with a Secret in the batch, kubectl's error can quote its data under any key: say only its last line
      const text = list.some((o) => o.kind === 'Secret') ? lastLine(r.stderr || r.stdout) : tail(r.stderr || r.stdout, 500);
      throw new McpError('failed', 'apply_failed', `kubectl apply of ${list.map(refOf).join(', ')} failed (exit ${r.exitCode}): ${redactText(text)}`);
    }
    return lines;
  };

  try {
    // 3. claims, config, secrets, Services
    await apply(toApply.filter((o) => !WORKLOAD_KINDS.has(o.kind)));

    // 4. data into the claims, before anything mounts them
    if (opts.moveData) {
      for (const m of opts.dataMoves ?? []) {
        say(`copying ${m.source} into PVC ${m.pvc}…`);
        claimsWithData.add(m.pvc); // from the first byte on, until we know the source was empty
        const r = await moveDataToPvc(m, { namespace: opts.namespace, kubectl: k, overwrite: opts.overwriteData, echo: opts.echo, signal: opts.signal, env: opts.env, composeProject: opts.composeProject });
        result.dataMoves.push(r);
        if (r.status === 'skipped-empty-source') claimsWithData.delete(m.pvc);
        if (r.status === 'copied') changes.push({ ref: `persistentvolumeclaim/${m.pvc}`, kind: 'PersistentVolumeClaim', name: m.pvc, action: 'data' });
        say(`  ${r.status}: ${r.files} files${r.bytes ? `, ${r.bytes} bytes` : ''}`);
      }
    }

    // 5. workloads, in dependency order, each followed by its rollout
    const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
    const canaryNames = new Set(opts.canary?.services ?? []);
    let argo: boolean | undefined;
    for (const w of workloads) {
      let target = w;
      let rolloutName = w.metadata.name;
      if (w.kind === 'Deployment' && canaryNames.has(w.metadata.name)) {
        if (priors.existed(refOf(w))) {
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
          changes.push({ ref: refOf(w), kind: w.kind, name: w.metadata.name, action: 'scaled' });
          await run('kubectl', [...k, 'scale', ...ns, `deployment/${w.metadata.name}`, `--replicas=${stableReplicas}`], ro);
          say(`canary ${rolloutName}: ${canary.spec.replicas} pod(s) beside ${stableReplicas} stable behind Service ${w.metadata.name}`);
        } else {
          say(`${w.metadata.name} is new: deployed directly (a canary needs a running version to compare with)`);
        }
      }
      await apply([target]);
      if (target.kind !== 'Deployment') continue;
      say(`waiting for deployment/${rolloutName} (timeout ${opts.timeoutSeconds}s)…`);
      const st = await run('kubectl', [...k, 'rollout', 'status', ...ns, `deployment/${rolloutName}`, `--timeout=${opts.timeoutSeconds}s`], { ...ro, allowFailure: true, timeoutMs: (opts.timeoutSeconds + 30) * 1000 });
      if (st.exitCode !== 0) {
        const why = (st.stderr || st.stdout).trim().split('\n').pop() ?? `exit ${st.exitCode}`;
        throw new McpError('failed', 'rollout_failed', `rollout of deployment/${rolloutName} failed (${why})`, {
          hint: `see why with: kubectl -n ${opts.namespace} describe deployment/${rolloutName}; kubectl -n ${opts.namespace} get events --sort-by=.lastTimestamp`,
          details: { failed: rolloutName },
        });
      }
      result.rolledOut.push(rolloutName);
    }
    return result;
  } catch (e) {
    // 6. undo, in reverse order of application; not cancelled by the signal that may have stopped the run
    const toUndo = changes.filter((c) => c.action !== 'unchanged').length;
    if (toUndo) say(`undoing ${toUndo} change(s) of this deploy…`);
    const undone = await undoChanges(changes, { kubectl: k, namespace: opts.namespace, ro: { echo: opts.echo, env: opts.env, timeoutMs: 120_000 }, priors, claimsWithData, namespaceCreated: result.namespaceCreated, progress: (line) => say(`  ${line}`) });
    const err = isMcpError(e) ? e : new McpError('failed', 'deploy_failed', (e as Error)?.message ?? String(e), { cause: e });
    const listed = undone.length ? undone.join(', ') : 'nothing had changed';
    throw new McpError(err.kind, err.code, `${err.message}; rolled back: ${listed}`, {
      hint: err.hint,
      where: err.where,
      cause: err.cause ?? e,
      exposeDetails: true,
      // only what this command means to show: an inner error's details (a kubectl stderr tail) stay out of --json
      details: { failed: (err.details as { failed?: string } | undefined)?.failed, result, rolledBack: undone },
    });
  }
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

const lastLine = (s: string): string => s.trim().split('\n').pop() ?? '';

/** Register a Secret's values (as sent: stringData, and data in base64 and decoded) with the redactor. */
function registerSecretValues(objects: Array<Record<string, any>>): void {
  for (const o of objects) {
    if (o?.kind !== 'Secret') continue;
    for (const v of Object.values((o.stringData ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string') continue;
      registerSecret(v);
      registerSecret(Buffer.from(v, 'utf8').toString('base64'));
    }
    for (const v of Object.values((o.data ?? {}) as Record<string, unknown>)) {
      if (typeof v !== 'string') continue;
      registerSecret(v);
      registerSecret(Buffer.from(v, 'base64').toString('utf8'));
    }
  }
}
