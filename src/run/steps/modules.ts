// The other modules' functions, loaded lazily by the step kinds that call them (a plan of checks must not load
// PGlite, tar or the Kubernetes schemas). Typed: each loader is the module's own import, so a step calls the
// functions with their real signatures.
import type { BackupEnv } from '../../backup/engine.js';
import type { StepContext } from './types.js';

export const modules = {
  config: () => import('../../config/index.js'),
  db: async () => ({ ...(await import('../../db/open.js')), ...(await import('../../db/layouts.js')), ...(await import('../../db/migrate.js')) }),
  backup: async () => ({ ...(await import('../../backup/engine.js')), ...(await import('../../backup/store.js')) }),
  runtime: () => import('../../runtime/index.js'),
};

/** What the backup engine needs, from a step's context. */
export function backupEnv(ctx: StepContext): BackupEnv {
  return { home: ctx.home, env: ctx.env, signal: ctx.signal, command: `mcp run ${ctx.runId} ${ctx.stepId}`, progress: ctx.detail, warn: ctx.detail, debug: ctx.detail };
}
