// `mcp environments add|list|remove|retire-blue`: the registry of the other installations (src/environments.ts).
import type { Handler } from '../../cli/program.js';
import { addEnvironment, listEnvironments, removeEnvironment, resolveEnvironment } from '../../environments.js';
import { enterHome } from '../../cli/home-guard.js';
import { withHomeLock } from '../../run/home-lock.js';

export const addHandler: Handler<{ home: string }> = async (ctx, opts, args) => {
  const name = args[0]!;
  const { entry, replaced } = await addEnvironment(ctx.home, name, opts.home);
  ctx.log.log('info', 'environments.add', { name, home: entry.home, replaced });
  return {
    data: { ok: true, environment: entry, replaced },
    text: [`Registered ${name}: ${entry.home}${replaced && replaced !== entry.home ? ` (was ${replaced})` : ''}`, `  commands with --env ${name} now act on that home`],
  };
};

export const listHandler: Handler = async (ctx) => {
  const { own, environments } = await listEnvironments(ctx.home);
  const rows = [...(own ? [{ name: own, home: ctx.home, own: true }] : []), ...environments.map((e) => ({ name: e.name, home: e.home, own: false }))];
  return {
    data: { own, home: ctx.home, environments: rows },
    text: rows.length ? rows.map((r) => `${r.own ? '*' : ' '} ${r.name.padEnd(12)} ${r.home}`) : ['no environments: this home has no config yet'],
  };
};

export const removeHandler: Handler<{ dryRun?: boolean }> = async (ctx, opts, args) => {
  const name = args[0]!;
  const e = await removeEnvironment(ctx.home, name, { dryRun: opts.dryRun });
  if (!opts.dryRun) ctx.log.log('info', 'environments.remove', { name, home: e.home });
  const verb = opts.dryRun ? 'Would forget' : 'Forgot';
  return { data: { dryRun: Boolean(opts.dryRun), removed: { name, home: e.home } }, text: [`${verb} ${name} (${e.home}); its home stays as it is`] };
};

/**
 * `mcp environments retire-blue [--env NAME]`: after a blue/green switch, remove the color that no longer serves
 * (Kubernetes: its Deployments; docker: its compose project's containers). It cannot be undone — a rollback cannot switch back afterwards — so it asks
 * (without a terminal: --yes). `--expired` retires only once the keep window the switch set has ended (cron).
 */
export const retireBlueHandler: Handler<{ env?: string; expired?: boolean; dryRun?: boolean }> = async (ctx, opts) => {
  let target = ctx;
  if (opts.env) {
    const into = await resolveEnvironment(ctx.home, opts.env);
    if (!into.own) target = await enterHome(ctx, into.home, opts as Record<string, unknown>);
  }
  const { retireIdle } = await import('../../bluegreen/ops.js');
  const e = { home: target.home, env: target.env, signal: ctx.signal, detail: (m: string) => ctx.out.debug(m) };
  const preview = await retireIdle(e, { expiredOnly: opts.expired, dryRun: true });
  // Kubernetes workloads are Deployments; docker's are compose projects
  const what = (r: typeof preview) => `${r.retired}${r.workloads.length ? ` (${r.workloads.map((w) => (r.runtime === 'kubernetes' ? `deployment/${w}` : `compose project ${w}`)).join(', ')})` : ''}`;
  if (!preview.retired) return { data: { dryRun: Boolean(opts.dryRun), home: target.home, ...preview }, text: [`Nothing to retire in ${target.home}: ${preview.reason}`] };
  if (opts.dryRun) return { data: { dryRun: true, home: target.home, ...preview }, text: [`Would retire ${what(preview)} in ${target.home}; ${preview.active} keeps serving`] };
  await ctx.confirm(`Retire ${what(preview)} in ${target.home}? A rollback cannot switch back to it afterwards`);
  const r = await withHomeLock(target.home, 'environments retire-blue', () => retireIdle(e, { expiredOnly: opts.expired }));
  ctx.log.log('info', 'environments.retire-blue', { home: target.home, retired: r.retired, workloads: r.workloads });
  return { data: { dryRun: false, home: target.home, ...r }, text: r.retired ? [`Retired ${what(r)} in ${target.home}; ${r.active} serves`] : [`Nothing retired: ${r.reason}`] };
};
