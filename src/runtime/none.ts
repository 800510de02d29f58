// Runtime `none`: the services are managed elsewhere (systemd, another team's cluster). Requests are
// recorded in the log and reported as external; nothing is run.
import type { PlatformServices, ServiceSpec } from './services.js';
import type { ActionResult, Runtime, RuntimeEnv } from './types.js';

export function noneRuntime(_platform: PlatformServices, env: RuntimeEnv): Runtime {
  const record = (action: ActionResult['action'], services: ServiceSpec[], extra: Record<string, unknown> = {}): ActionResult => {
    env.log.log('info', `runtime.${action}.requested`, { runtime: 'none', services: services.map((s) => s.name), external: true, ...extra });
    return { runtime: 'none', action, services: services.map((s) => s.name), commands: [], external: true };
  };
  return {
    type: 'none',
    describe: () => 'none (services are managed outside mcp)',
    start: async (services, opts) => record('start', services, { version: opts.version }),
    stop: async (services, opts) => record('stop', services, { force: Boolean(opts.force) }),
    reset: async (services) => record('reset', services),
    status: async (services) => services.map((s) => ({ name: s.name, state: 'external' as const, detail: 'managed outside mcp (runtime none)' })),
  };
}
