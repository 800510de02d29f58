// The commands the checklist runs, bound to their modules' handlers (lazily: each loads only when its
// check runs). Separate from preflight.ts so the runner is testable with other deps (it imports only this
// file's type; this file imports nothing of it).
import type { Ctx } from '../../cli/context.js';
import { invoke, type Invocation } from '../invoke.js';

/** The other modules' commands that the checklist runs. Injected so the runner is testable alone. */
export interface PreflightDeps {
  compatibility(ctx: Ctx, target: string): Promise<Invocation>;
  backup(ctx: Ctx, name: string): Promise<Invocation>;
  configExport(ctx: Ctx): Promise<Invocation>;
  servicesList(ctx: Ctx): Promise<Invocation>;
  dbPing(ctx: Ctx): Promise<Invocation>;
  /** ask one yes/no question on the terminal */
  ask(question: string): Promise<boolean>;
}

export async function askInquirer(question: string): Promise<boolean> {
  const { default: inquirer } = await import('inquirer');
  const { ok } = await inquirer.prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: question, default: false }]);
  return ok;
}

export const dbPingDep = (ctx: Ctx) => invoke(ctx, 'mcp db ping', async () => (await import('../db/ping.js')).dbPingHandler, {});

export const defaultDeps: PreflightDeps = {
  compatibility: (ctx, target) =>
    invoke(ctx, `mcp migration check --target-version ${target}`, async () => (await import('./check.js')).migrationCheckHandler, { targetVersion: target }),
  backup: (ctx, name) => invoke(ctx, `mcp backup create --name ${name}`, async () => (await import('../backup/handlers.js')).createHandler, { name }),
  configExport: (ctx) => invoke(ctx, 'mcp config export', async () => (await import('../config/export.js')).exportHandler, { format: 'json' }),
  servicesList: (ctx) => invoke(ctx, 'mcp services list --format json', async () => (await import('../services/list.js')).listHandler, { format: 'json' }),
  dbPing: dbPingDep,
  ask: askInquirer,
};
