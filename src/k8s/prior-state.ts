// What a deploy changed, and how to put it back. Before anything is applied, `PriorState.record` reads
// every object the run will apply (`kubectl get <kind>/<name> -n NS -o json`; NotFound = "new, created
// by this run"). While the run applies, it logs each change (`created`, `configured`, `unchanged` from
// kubectl apply; a `scale`; data copied into a claim). `undoChanges` walks that log backwards (changed
// ConfigMaps and Secrets first, so restored workloads never start on this run's config):
//   - created by this run             → kubectl delete <kind>/<name> --ignore-not-found
//   - changed by this run             → kubectl replace -f - with the saved object (server fields stripped)
//   - unchanged                       → nothing
//   - PersistentVolumeClaims          → never deleted, never replaced: kept and listed with the reason
//                                       (one may hold data, and a claim's spec cannot shrink back)
// The saved objects live in memory only: a Secret's prior data must never reach a disk, a log or an
// output, and the deploy command has no step directory to resume from (docs/kubernetes.md).
import { run, type RunOptions } from '../runtime/exec.js';
import { preconditionError } from '../errors.js';
import { redactText } from '../redact.js';
import type { K8sObject } from './convert.js';

/** `configmap/web-env`: the kubectl reference used in calls and in messages */
export function refOf(o: { kind: string; metadata: { name: string } }): string {
  return `${o.kind.toLowerCase()}/${o.metadata.name}`;
}

/** The object as it can be written back: no server-managed metadata, no status. */
export function stripServerFields(obj: Record<string, any>): Record<string, any> {
  const copy = structuredClone(obj);
  delete copy.status;
  const md = copy.metadata ?? {};
  for (const f of ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink']) delete md[f];
  // kept on purpose: kubectl.kubernetes.io/last-applied-configuration. `kubectl replace` writes the whole
  // object back, annotation included, so the next `kubectl apply` diffs against what was there before
  // this run (as if the run had never happened). For a Secret it holds the data: memory only, like the data.
  return copy;
}

interface Prior {
  existed: boolean;
  /** the stripped object; in memory only (it can hold a Secret's data) */
  object?: Record<string, any>;
}

export class PriorState {
  private readonly priors = new Map<string, Prior>();
  /** set once this run has applied something: a failed read then no longer means "nothing was applied" */
  somethingApplied = false;

  constructor(
    private readonly kubectl: string[],
    private readonly namespace: string,
    private readonly ro: RunOptions,
  ) {}

  /** The namespace did not exist: nothing in it did either (no calls). */
  markAbsent(objects: K8sObject[]): void {
    for (const o of objects) if (!this.priors.has(refOf(o))) this.priors.set(refOf(o), { existed: false });
  }

  /** `kubectl get -o json` for each object not read yet. A failure other than NotFound stops the run before it changes anything. */
  async record(objects: K8sObject[]): Promise<void> {
    for (const o of objects) {
      const ref = refOf(o);
      if (this.priors.has(ref)) continue;
      const r = await run('kubectl', [...this.kubectl, 'get', '-n', this.namespace, ref, '-o', 'json'], { ...this.ro, allowFailure: true });
      if (r.exitCode !== 0) {
        if (/NotFound|not found/i.test(r.stderr)) {
          this.priors.set(ref, { existed: false });
          continue;
        }
        throw preconditionError(`cannot read ${ref} before changing it (kubectl get failed: ${redactText(r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`)}); ${this.somethingApplied ? 'it was not applied' : 'nothing was applied'}`, {
          hint: 'check the kubectl context and your permissions (get on every kind the deploy applies), then run again',
        });
      }
      let obj: Record<string, any>;
      try {
        obj = JSON.parse(r.stdout);
      } catch {
        throw preconditionError(`cannot read ${ref} before changing it: kubectl get -o json did not print JSON; ${this.somethingApplied ? 'it was not applied' : 'nothing was applied'}`);
      }
      this.priors.set(ref, { existed: true, object: stripServerFields(obj) });
    }
  }

  existed(ref: string): boolean {
    return this.priors.get(ref)?.existed ?? false;
  }

  /** every saved object (to register Secrets' values with the redactor; never to print) */
  savedObjects(): Array<Record<string, any>> {
    return [...this.priors.values()].flatMap((p) => (p.object ? [p.object] : []));
  }

  /** @internal the saved object, for the undo only */
  saved(ref: string): Record<string, any> | undefined {
    return this.priors.get(ref)?.object;
  }
}

export interface Change {
  /** `deployment/web` */
  ref: string;
  kind: string;
  name: string;
  /** kubectl apply's verb (created, configured, unchanged, serverside-applied), `applied` when kubectl did not say, `scaled`, or `data` (files copied into a claim) */
  action: string;
}

/** The changes of one `kubectl apply` of `list`, from its output; an object kubectl did not mention counts as changed. */
export function changesOf(list: K8sObject[], lines: Array<{ object: string; action: string }>): Change[] {
  return list.map((o) => {
    const kind = o.kind.toLowerCase();
    // `deployment.apps/web`, `configmap/x`, `rollout.argoproj.io/y`
    const line = lines.find((l) => {
      const [res, name] = l.object.split('/');
      return name === o.metadata.name && res!.split('.')[0] === kind;
    });
    return { ref: refOf(o), kind: o.kind, name: o.metadata.name, action: line?.action ?? 'applied' };
  });
}

export interface UndoOptions {
  kubectl: string[];
  namespace: string;
  ro: RunOptions;
  priors: PriorState;
  /** claims that hold data (copied by this run, or found not empty) */
  claimsWithData: Set<string>;
  namespaceCreated: boolean;
  /** told each object as it is done (the operator sees the undo progress, not a silence) */
  progress?: (line: string) => void;
}

/** Undo `changes` in reverse order; one line per object: `configmap/x (restored)`, `service/y (new: deleted)`, … */
export async function undoChanges(changes: Change[], opts: UndoOptions): Promise<string[]> {
  const { kubectl: k, ro, priors } = opts;
  const ns = ['-n', opts.namespace];
  const done: string[] = [];
  const note = (line: string) => {
    done.push(line);
    opts.progress?.(line);
  };
  const seen = new Set<string>();
  const todo: Change[] = [];
  for (const c of [...changes].reverse()) {
    if (c.action === 'unchanged' || seen.has(c.ref)) continue;
    seen.add(c.ref);
    todo.push(c);
  }
  // ConfigMaps and Secrets that existed go back first: a restored Deployment's pods read them when they
  // start, and must not start with this run's values. Everything else in reverse order of application.
  const configFirst = (c: Change) => (c.kind === 'ConfigMap' || c.kind === 'Secret') && priors.existed(c.ref);
  for (const c of [...todo.filter(configFirst), ...todo.filter((t) => !configFirst(t))]) {
    if (c.kind === 'PersistentVolumeClaim') {
      note(`${c.ref} (${opts.claimsWithData.has(c.name) ? 'kept: holds data' : priors.existed(c.ref) ? 'kept: existed before' : 'new: kept, claims are never deleted'})`);
      continue;
    }
    const saved = priors.existed(c.ref) ? priors.saved(c.ref) : undefined;
    if (!saved) {
      const r = await run('kubectl', [...k, 'delete', ...ns, c.ref, '--ignore-not-found'], { ...ro, allowFailure: true });
      note(r.exitCode === 0 ? `${c.ref} (new: deleted)` : `${c.ref} (new: delete FAILED: ${why(r)})`);
      continue;
    }
    const r = await run('kubectl', [...k, 'replace', ...ns, '-f', '-'], { ...ro, allowFailure: true, input: JSON.stringify(saved) });
    // a Secret's error could quote what we sent: only the exit code is shown for it
    note(r.exitCode === 0 ? `${c.ref} (restored)` : `${c.ref} (restore FAILED: ${c.kind === 'Secret' ? `kubectl exit ${r.exitCode}` : why(r)})`);
  }
  if (opts.namespaceCreated) note(`namespace/${opts.namespace} (new: kept)`);
  return done;
}

function why(r: { exitCode: number; stderr: string }): string {
  return redactText(r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`);
}
