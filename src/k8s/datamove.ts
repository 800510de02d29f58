// The docker → kubernetes data step: copy a bind-mounted directory (or a docker volume's directory) into
// the PVC that replaces it, before the workload that mounts the PVC starts (a ReadWriteOnce claim can be
// attached to one node at a time). A short-lived helper pod mounts the claim at /target; `kubectl cp`
// streams the files in (tar inside the pod: busybox has it); the file count and byte total in the pod
// are checked against the source; the pod is deleted. A claim that already holds files is left alone
// unless `overwrite` is set, so the step can be re-run after an interruption.
//
// The executor calls `moveDataToPvc` for each `DataMove` of a conversion (Conversion.dataMoves); `mcp
// deploy --move-data` runs them between the claims and the workloads.
import { readdir, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { run, type RunOptions } from '../runtime/exec.js';
import { failedError, preconditionError } from '../errors.js';
import type { DataMove, K8sObject } from './convert.js';
import { dnsName, MANAGED_BY } from './convert.js';

export interface DataMoveOptions {
  namespace: string;
  /** global kubectl args, e.g. ['--context', 'prod'] */
  kubectl?: string[];
  image?: string;
  /** copy even when the claim already holds files */
  overwrite?: boolean;
  timeoutMs?: number;
  echo?: RunOptions['echo'];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** docker compose project name, to find a named volume (`<project>_<volume>`) */
  composeProject?: string;
}

export interface DataMoveResult {
  pvc: string;
  source: string;
  status: 'copied' | 'skipped-not-empty' | 'skipped-empty-source';
  files: number;
  bytes: number;
}

export function helperPod(pvc: string, namespace: string, image: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: dnsName(`mcp-data-${pvc}`), namespace, labels: { ...MANAGED_BY, 'mcp-platform.io/role': 'data-move' } },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'copy',
          image,
          command: ['sh', '-c', 'sleep 3600'],
          volumeMounts: [{ name: 'target', mountPath: '/target' }],
          resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        },
      ],
      volumes: [{ name: 'target', persistentVolumeClaim: { claimName: pvc } }],
    },
  };
}

/** files and bytes under a directory (regular files; symlinks are not followed) */
export async function tally(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files++;
        bytes += (await lstat(p)).size;
      }
    }
  };
  await walk(dir);
  return { files, bytes };
}

const COUNT = "find /target -type f | wc -l; find /target -type f -exec cat {} + 2>/dev/null | wc -c";

export async function moveDataToPvc(move: DataMove, opts: DataMoveOptions): Promise<DataMoveResult> {
  const k = opts.kubectl ?? [];
  const ns = ['-n', opts.namespace];
  const ro: RunOptions = { echo: opts.echo, signal: opts.signal, env: opts.env, timeoutMs: opts.timeoutMs ?? 120_000 };
  let source = move.source;
  if (move.kind === 'volume') {
    const name = opts.composeProject ? `${opts.composeProject}_${move.source}` : move.source;
    const r = await run('docker', ['volume', 'inspect', '--format', '{{ .Mountpoint }}', name], { ...ro, allowFailure: true });
    if (r.exitCode !== 0 || !r.stdout.trim()) {
      throw preconditionError(`docker volume ${name} not found: cannot copy it into PVC ${move.pvc}`, { hint: 'run on the docker host, pass the compose project name, or copy the data by hand (docs/kubernetes.md, "Moving the data")' });
    }
    source = r.stdout.trim();
  }
  let local: { files: number; bytes: number };
  try {
    local = await tally(source);
  } catch (e) {
    throw preconditionError(`cannot read ${source} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) to copy it into PVC ${move.pvc}`, { hint: 'run mcp on the docker host that holds the data, with read access to it' });
  }
  if (local.files === 0) return { pvc: move.pvc, source, status: 'skipped-empty-source', files: 0, bytes: 0 };
  const pod = helperPod(move.pvc, opts.namespace, opts.image ?? 'busybox:1.36');
  const podName = pod.metadata.name;
  await run('kubectl', [...k, 'apply', ...ns, '-f', '-'], { ...ro, input: JSON.stringify(pod) });
  try {
    await run('kubectl', [...k, 'wait', ...ns, '--for=condition=Ready', `pod/${podName}`, '--timeout=120s'], { ...ro, timeoutMs: 150_000 });
    const before = await run('kubectl', [...k, 'exec', ...ns, podName, '--', 'sh', '-c', COUNT], ro);
    const [existing] = before.stdout.trim().split(/\s+/).map(Number);
    if ((existing ?? 0) > 0 && !opts.overwrite) {
      return { pvc: move.pvc, source, status: 'skipped-not-empty', files: existing!, bytes: 0 };
    }
    await run('kubectl', [...k, 'cp', ...ns, `${source.replace(/\/+$/, '')}/.`, `${podName}:/target`], { ...ro, timeoutMs: opts.timeoutMs ?? 3_600_000 });
    const after = await run('kubectl', [...k, 'exec', ...ns, podName, '--', 'sh', '-c', COUNT], ro);
    const [files, bytes] = after.stdout.trim().split(/\s+/).map(Number);
    if (files !== local.files || bytes !== local.bytes) {
      throw failedError(`copy into PVC ${move.pvc} is incomplete: ${files} files / ${bytes} bytes in the claim, ${local.files} / ${local.bytes} in ${source}`, { hint: 'run the step again with overwrite (mcp deploy --move-data --overwrite-data)' });
    }
    return { pvc: move.pvc, source, status: 'copied', files: local.files, bytes: local.bytes };
  } finally {
    await run('kubectl', [...k, 'delete', ...ns, 'pod', podName, '--ignore-not-found', '--wait=false'], { ...ro, allowFailure: true });
  }
}
