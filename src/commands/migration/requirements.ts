// `mcp migration requirements --target 6.0`: what the migration needs, each check pass, fail or not checked.
import { statfs } from 'node:fs/promises';
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { isMcpError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { which } from '../../runtime/exec.js';
import { exists } from '../../fsutil.js';
import { findPath, loadConfig, resolveTarget, type LoadedConfig } from '../../config/index.js';
import { dirSize } from '../../data/size.js';
import { layout } from '../../home.js';
import { formatBytes } from '../../ops/disk.js';
import { redactText } from '../../redact.js';

export interface Requirement {
  name: string;
  status: 'pass' | 'fail' | 'not checked';
  detail: string;
}

export const MIN_NODE = '20.12.0';
/** headroom beyond twice the data (a backup plus the transformed copy) */
export const DISK_HEADROOM = 512 * 1024 ** 2;

const cmpVersion = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/** Reach the platform database (SELECT 1 / ping) without creating an embedded one that does not exist yet. */
export async function databaseRequirement(ctx: Ctx, config: unknown): Promise<Requirement> {
  try {
    const { targetOf, openTarget } = await import('../../db/open.js');
    const t = await targetOf({ home: ctx.home, env: ctx.env, config });
    if (t.kind === 'pglite' && !(await exists(t.dataDir!))) {
      return { name: 'database', status: 'pass', detail: `embedded database ${t.display}: not created yet (created on first use)` };
    }
    const db = await openTarget(t, { home: ctx.home, env: ctx.env, config, lockTimeoutMs: 5000, command: ctx.command, signal: ctx.signal });
    try {
      if (db.kind === 'mongo') await db.db.command({ ping: 1 });
      else await db.query('select 1');
    } finally {
      await db.close();
    }
    return { name: 'database', status: 'pass', detail: `${t.kind} ${db.display} reachable` };
  } catch (e) {
    const msg = isMcpError(e) || e instanceof Error ? (e as Error).message : String(e);
    return { name: 'database', status: 'fail', detail: redactText(msg).split('\n')[0]! };
  }
}

export async function requirements(ctx: Ctx, targetRaw: string): Promise<{ target: string; from: string | null; checks: Requirement[] }> {
  const checks: Requirement[] = [];
  let loaded: LoadedConfig | undefined;
  try {
    loaded = await loadConfig(ctx.home);
    checks.push({ name: 'config', status: 'pass', detail: `${loaded.path}: valid ${loaded.version}` });
  } catch (e) {
    checks.push({ name: 'config', status: 'fail', detail: `${isMcpError(e) && e.where ? `${e.where}: ` : ''}${(e as Error).message}` });
  }
  let target: string = targetRaw;
  if (loaded) {
    target = resolveTarget(loaded.version, targetRaw, '--target');
    const p = findPath(loaded.version, target as never);
    checks.push(p ? { name: 'path', status: 'pass', detail: p.join(' → ') } : { name: 'path', status: 'fail', detail: `no migration path from ${loaded.version} to ${target}` });
  } else checks.push({ name: 'path', status: 'not checked', detail: 'no valid config to start from' });

  const node = process.versions.node;
  checks.push({ name: 'node', status: cmpVersion(node, MIN_NODE) >= 0 ? 'pass' : 'fail', detail: `Node ${node} (needs ≥ ${MIN_NODE})` });

  const major = Number(String(target).split('.')[0]);
  const runtime = (loaded?.doc as Record<string, any> | undefined)?.runtime?.type ?? (loaded?.generation === 6 ? 'kubernetes' : 'docker');
  const tools: Array<{ bin: string; why: string }> = [];
  if (runtime === 'docker') tools.push({ bin: 'docker', why: 'stop and export the Docker Compose services' });
  if (major >= 6 || runtime === 'kubernetes') tools.push({ bin: 'kubectl', why: 'deploy to Kubernetes (v6 is Kubernetes-native)' });
  tools.push({ bin: 'rsync', why: 'move data directories (filesystem migration)' });
  for (const t of tools) {
    const at = await which(t.bin, ctx.env);
    checks.push({ name: `tool:${t.bin}`, status: at ? 'pass' : 'fail', detail: at ? `${at} (${t.why})` : `${t.bin} not on PATH: needed to ${t.why}` });
  }

  const l = layout(ctx.home);
  try {
    const fs = await statfs((await exists(ctx.home)) ? ctx.home : '/');
    const free = Number(fs.bavail) * Number(fs.bsize);
    const data = (await dirSize(l.data)) + (await dirSize(l.state));
    const need = 2 * data + DISK_HEADROOM;
    checks.push({ name: 'disk', status: free >= need ? 'pass' : 'fail', detail: `${formatBytes(free)} free at ${ctx.home}; needs ${formatBytes(need)} (2 × ${formatBytes(data)} of data + ${formatBytes(DISK_HEADROOM)})` });
  } catch (e) {
    checks.push({ name: 'disk', status: 'fail', detail: `cannot measure free space: ${(e as Error).message}` });
  }

  if (loaded) checks.push(await databaseRequirement(ctx, loaded.doc));
  else checks.push({ name: 'database', status: 'not checked', detail: 'no valid config: the database it names is unknown' });
  return { target, from: loaded?.version ?? null, checks };
}

export function renderChecks(title: string, checks: Requirement[]): string[] {
  const mark = { pass: '✓', fail: '✗', 'not checked': '-' } as const;
  const failed = checks.filter((c) => c.status === 'fail').length;
  return [title, ...checks.map((c) => `  ${mark[c.status]} ${c.name.padEnd(14)} ${c.detail}`), failed ? `${failed} requirement(s) not met (exit 3)` : 'All requirements met.'];
}

export const requirementsHandler: Handler<{ target: string }> = async (ctx, opts) => {
  const r = await requirements(ctx, opts.target);
  const ok = r.checks.every((c) => c.status !== 'fail');
  ctx.log.log(ok ? 'info' : 'warn', 'migration.requirements', { target: r.target, failed: r.checks.filter((c) => c.status === 'fail').map((c) => c.name) });
  return { data: { ...r, ok }, text: renderChecks(`Requirements for migrating ${r.from ?? '?'} → ${r.target}:`, r.checks), exitCode: ok ? ExitCode.OK : ExitCode.PRECONDITION };
};
