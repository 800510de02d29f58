// `mcp start`, `mcp stop`, `mcp services reset`: reversible, so they run from scripts without --yes.
import type { Handler } from '../../cli/program.js';
import type { CommandResult } from '../../cli/output.js';
import type { ActionResult } from '../../runtime/index.js';
import { selectServices } from '../../runtime/services.js';
import { parseVersion } from '../../versions.js';
import { platformAndRuntime } from './common.js';

function report(r: ActionResult, describe: string, verb: string): CommandResult {
  const text: string[] = [];
  if (!r.services.length) text.push(`No services to ${r.action} (the config defines none).`);
  else if (r.external) {
    text.push(`${verb} requested for ${r.services.join(', ')}: the services are external (runtime none); nothing was run.`);
    text.push('The request is recorded in the log; manage the services where they run.');
  } else text.push(`${verb} ${r.services.join(', ')} (${describe})`);
  return { data: r, text };
}

export const startHandler: Handler<{ all?: boolean; version?: string }> = async (ctx, opts, args) => {
  if (opts.version !== undefined) parseVersion(opts.version, '--version');
  const { platform, runtime } = await platformAndRuntime(ctx);
  const services = selectServices(platform.services, args, { all: opts.all });
  if (!services.length) return report({ runtime: runtime.type, action: 'start', services: [], commands: [] }, runtime.describe(), 'Started');
  const r = await runtime.start(services, { version: opts.version });
  return report(r, runtime.describe(), opts.version ? `Started at ${opts.version}` : 'Started');
};

export const stopHandler: Handler<{ all?: boolean; force?: boolean }> = async (ctx, opts, args) => {
  const { platform, runtime } = await platformAndRuntime(ctx);
  const services = selectServices(platform.services, args, { all: opts.all });
  if (!services.length) return report({ runtime: runtime.type, action: 'stop', services: [], commands: [] }, runtime.describe(), 'Stopped');
  const r = await runtime.stop(services, { force: opts.force });
  return report(r, runtime.describe(), opts.force ? 'Stopped (forced)' : 'Stopped');
};

export const resetHandler: Handler<{ all?: boolean }> = async (ctx, opts, args) => {
  const { platform, runtime } = await platformAndRuntime(ctx);
  const services = selectServices(platform.services, args, { all: opts.all });
  if (!services.length) return report({ runtime: runtime.type, action: 'reset', services: [], commands: [] }, runtime.describe(), 'Reset');
  const r = await runtime.reset(services);
  return report(r, runtime.describe(), 'Reset (removed and recreated)');
};
