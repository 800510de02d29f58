// `mcp environments add|list|remove`: the registry of the other installations (src/environments.ts).
import type { Handler } from '../../cli/program.js';
import { addEnvironment, listEnvironments, removeEnvironment } from '../../environments.js';

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
