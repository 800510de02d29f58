// `mcp migration preflight --target-version V`: the guide's pre-migration-check.sh, ten checks, one report.
// Checks 2-5 and 7 run the other modules' own commands in-process (the same code a user runs by hand),
// so the report and `mcp migration check`, `mcp backup create`… can never disagree.
import { join, resolve } from 'node:path';
import type { Ctx } from '../../cli/context.js';
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { writeFileAtomic } from '../../fsutil.js';
import { layout } from '../../home.js';
import { packageVersion } from '../../paths.js';
import { readStoredConfig } from '../../config/store.js';
import { parseVersion } from '../../versions.js';
import type { PreflightDeps } from './preflight-deps.js';
import { diskReports, formatBytes, parseSize } from '../../ops/disk.js';
import { CONFIRMATIONS, TITLES, checkLine, fromInvocation, reportText, summarize, type ConfirmationKey, type PreflightCheck } from './preflight-report.js';

export interface PreflightOptions {
  targetVersion: string;
  testedInStaging?: boolean;
  windowScheduled?: boolean;
  usersNotified?: boolean;
  outputDir: string;
  backupName?: string;
  minFreeDisk: string;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

export async function runPreflight(ctx: Ctx, opts: PreflightOptions, deps: PreflightDeps): Promise<{ data: unknown; text: string[]; exitCode: number }> {
  const target = parseVersion(opts.targetVersion, '--target-version').raw.trim();
  const minFree = parseSize(opts.minFreeDisk, '--min-free-disk');
  const given: Record<ConfirmationKey, boolean> = {
    testedInStaging: Boolean(opts.testedInStaging || ctx.global.yes),
    windowScheduled: Boolean(opts.windowScheduled || ctx.global.yes),
    usersNotified: Boolean(opts.usersNotified || ctx.global.yes),
  };
  const missing = CONFIRMATIONS.filter((c) => !given[c.key]);
  // Fail before doing anything (a backup, files) when the answers cannot be had.
  if (missing.length && !ctx.canPrompt) {
    throw usageError(`the checklist needs ${missing.length === 3 ? 'three confirmations' : 'confirmations'} and there is no terminal to ask: ${missing.map((c) => c.question).join(' ')}`, {
      hint: `confirm with ${missing.map((c) => c.flag).join(' ')} (or --yes for all three)`,
    });
  }
  const started = new Date();
  const checks: PreflightCheck[] = [];
  const files: string[] = [];
  const outDir = resolve(opts.outputDir);
  const step = (n: number) => ctx.out.progress(`[${n}/10] ${TITLES[n]}…`);
  const add = (c: PreflightCheck) => {
    checks.push(c);
    ctx.out.debug(checkLine(c));
    ctx.log.log(c.status === 'fail' ? 'warn' : 'info', 'preflight.check', { n: c.n, id: c.id, status: c.status, detail: c.detail });
  };
  const timed = async (n: number, id: string, fn: () => Promise<Omit<PreflightCheck, 'n' | 'id' | 'title' | 'ms'>>): Promise<PreflightCheck> => {
    const t0 = performance.now();
    try {
      return { n, id, title: TITLES[n]!, ...(await fn()), ms: Math.round(performance.now() - t0) };
    } catch (e) {
      return { n, id, title: TITLES[n]!, status: 'fail', detail: (e as Error).message, hint: (e as { hint?: string }).hint, ms: Math.round(performance.now() - t0) };
    }
  };


  // 1. current version: the CLI and the installation
  step(1);
  add(await timed(1, 'current-version', async () => {
    const stored = await readStoredConfig(ctx.home);
    return { status: 'pass', detail: `platform ${stored.version} (config ${stored.path}), mcp CLI ${packageVersion}`, command: 'mcp --version', data: { cli: packageVersion, platform: stored.version, config: stored.path } };
  }));

  // 2. compatibility with the target
  step(2);
  const compat = await deps.compatibility(ctx, target);
  if (compat.ok && compat.data && (compat.data as { compatible?: unknown }).compatible === false) {
    compat.ok = false;
    compat.exitCode = ExitCode.PRECONDITION;
    compat.error = { code: 'precondition', message: `no supported migration path to ${target}` };
  }
  add(
    fromInvocation(2, 'compatibility', compat, (d) => {
      const path = Array.isArray(d?.path) ? d.path.join(' → ') : undefined;
      const type = d?.migrationType?.type;
      const est = d?.estimate?.readable;
      return [path ? `path ${path}` : `an upgrade path to ${target} exists`, type ? `${type} update` : '', est ? `estimated downtime ${est}` : ''].filter(Boolean).join(', ');
    }),
  );

  // 3. a backup of the current state
  step(3);
  const backupName = opts.backupName ?? `pre-migration-${stamp(started)}`;
  add(fromInvocation(3, 'backup', await deps.backup(ctx, backupName), (d) => `backup ${d?.id ?? backupName}${d?.path ? ` at ${d.path}` : ''}`));

  // 4. the configuration, exported beside the operator (config-backup.json, as the script writes it)
  step(4);
  const exp = await deps.configExport(ctx);
  if (exp.ok) {
    const file = join(outDir, 'config-backup.json');
    const body = exp.raw ?? JSON.stringify(exp.data, null, 2) + '\n';
    await writeFileAtomic(file, body);
    files.push(file);
    add(fromInvocation(4, 'config-export', exp, () => `written to ${file}`));
  } else add(fromInvocation(4, 'config-export', exp, () => ''));

  // 5. the services, documented (services-backup.json)
  step(5);
  const svc = await deps.servicesList(ctx);
  if (svc.ok) {
    const file = join(outDir, 'services-backup.json');
    await writeFileAtomic(file, svc.raw ?? JSON.stringify(svc.data, null, 2) + '\n');
    files.push(file);
    const n = Array.isArray(svc.data) ? svc.data.length : Array.isArray((svc.data as any)?.services) ? (svc.data as any).services.length : undefined;
    add(fromInvocation(5, 'services', svc, () => `${n === undefined ? 'services' : `${n} service(s)`} written to ${file}`));
  } else add(fromInvocation(5, 'services', svc, () => ''));

  // 6. disk space where the migration writes (the home, its backups) and the script's mounts
  step(6);
  add(await timed(6, 'disk-space', async () => {
    const l = layout(ctx.home);
    const reports = await diskReports(
      [
        { path: l.backups, role: 'backups', required: true },
        { path: ctx.home, role: 'home', required: true },
        { path: '/', role: '/', required: false },
        { path: '/var', role: '/var', required: false },
        { path: '/opt', role: '/opt', required: false },
      ],
      minFree,
    );
    const bad = reports.filter((r) => !r.ok);
    const low = reports.filter((r) => r.ok && !r.required && r.usedPercent >= 90);
    const detail = reports.map((r) => `${r.role}: ${formatBytes(r.freeBytes)} free (${r.usedPercent}% used)`).join('; ');
    if (bad.length) return { status: 'fail', detail, hint: `free space on ${bad.map((r) => r.path).join(', ')}: at least ${formatBytes(minFree)} free and under 95% used (--min-free-disk)`, command: 'df -h', data: reports };
    return { status: low.length ? 'warn' : 'pass', detail, command: 'df -h', data: reports };
  }));

  // 7. the database answers
  step(7);
  add(fromInvocation(7, 'database', await deps.dbPing(ctx), (d) => `${d?.kind ?? ''} ${d?.database ?? ''} answered in ${d?.latencyMs ?? '?'} ms`.trim()));

  // 8-10. the human confirmations
  for (const c of CONFIRMATIONS) {
    step(c.n);
    let yes = given[c.key];
    let how = yes ? (opts[c.key] ? c.flag : '--yes') : '';
    if (!yes) {
      yes = await deps.ask(c.question);
      how = 'answered at the prompt';
    }
    add({ n: c.n, id: c.id, title: c.title, status: yes ? 'pass' : 'fail', detail: yes ? `confirmed (${how})` : c.refusal, hint: yes ? undefined : `${c.refusal.replace(/!$/, '')}, then run again (or confirm with ${c.flag})`, ms: 0 });
  }

  const report = summarize(target, checks, files, started);
  ctx.log.log(report.ok ? 'info' : 'warn', 'preflight', { targetVersion: target, ok: report.ok, failed: report.failed });
  return { data: report, text: reportText(report), exitCode: report.ok ? ExitCode.OK : ExitCode.PRECONDITION };
}

export type { PreflightDeps };

export const preflightHandler: Handler<PreflightOptions> = async (ctx, opts) => {
  const { defaultDeps } = await import('./preflight-deps.js');
  return runPreflight(ctx, opts, defaultDeps);
};
