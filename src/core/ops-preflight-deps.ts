// The commands the checklist runs, bound to their modules' handlers (lazily: each loads only when its
// check runs). Separate from ops-preflight.ts so the runner is testable with other deps.
import type { PreflightDeps } from './ops-preflight.js';
import { askInquirer, dbPingDep } from './ops-preflight.js';
import { invoke } from '../ops/invoke.js';

export const defaultDeps: PreflightDeps = {
  compatibility: (ctx, target) =>
    invoke(ctx, `mcp migration check --target-version ${target}`, async () => (await import('./check.js')).migrationCheckHandler, { targetVersion: target }),
  backup: (ctx, name) => invoke(ctx, `mcp backup create --name ${name}`, async () => (await import('./backup-handlers.js')).createHandler, { name }),
  configExport: (ctx) => invoke(ctx, 'mcp config export', async () => (await import('./config-export.js')).exportHandler, { format: 'json' }),
  servicesList: (ctx) => invoke(ctx, 'mcp services list --format json', async () => (await import('./services-list.js')).listHandler, { format: 'json' }),
  dbPing: dbPingDep,
  ask: askInquirer,
};
