// `runtimeFor(config)`: the runtime the platform config asks for (runtime.type; docker for v4/v5,
// kubernetes for v6), and `loadPlatform(home)` for handlers that need the services.
import { readStoredConfig } from '../config/store.js';
import { servicesOf, type PlatformServices } from './services.js';
import type { Runtime, RuntimeEnv } from './types.js';
import { dockerRuntime, servingColor } from './docker.js';
import { kubernetesRuntime } from './kubernetes.js';
import { noneRuntime } from './none.js';

export type { Runtime, RuntimeEnv, ServiceState, ActionResult } from './types.js';
export * from './services.js';

export function runtimeFor(platform: PlatformServices, env: RuntimeEnv): Runtime {
  switch (platform.runtime.type) {
    case 'docker':
      return dockerRuntime(platform, env);
    case 'kubernetes':
      return kubernetesRuntime(platform, env);
    case 'none':
      return noneRuntime(platform, env);
  }
}

export async function loadPlatform(home: string): Promise<PlatformServices & { configPath: string }> {
  const stored = await readStoredConfig(home);
  let p: PlatformServices & { configPath: string };
  try {
    p = { ...servicesOf(stored.doc), configPath: stored.path };
  } catch (e) {
    // the field path of a config problem is more useful with the file in front of it
    const err = e as { where?: string };
    if (err && typeof err === 'object' && 'where' in err && err.where) Object.assign(err, { where: `${stored.path}: ${err.where}` });
    throw e;
  }
  // docker, after a blue/green switch to a color in its own project: its application services are reached where
  // that project publishes them (health, metrics, tests), not at the configured ports the other color holds
  const c = await servingColor(p, home);
  if (c) p = { ...p, services: p.services.map((s) => (c.services.includes(s.name) ? { ...s, ports: c.ports[s.name] ?? [] } : s)) };
  return p;
}
