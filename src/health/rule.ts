// What "healthy" means, once, for every command that says it: mcp health, mcp services verify, mcp
// migration verify, the plans' health and verify steps, mcp migration test. docs/runtime.md states it.
//
//   1. A runtime that runs the service (docker, kubernetes) must report it running: stopped, missing or
//      still starting is unhealthy, whatever a probe says.
//   2. Its health check (the configured one; MCP servers: the protocol; else TCP on a published port)
//      must answer healthy. A service with nothing to probe passes on rule 1 alone, reported "no check".
//   3. Runtime none: mcp runs no process, so there is no runtime state and the probe decides. A probe
//      that got no answer (refused, timed out, no port) is an external service mcp cannot see from
//      here: reported "external, not reachable", not a failure — unless --strict. A probe that got an
//      answer and the answer is bad is unhealthy, as anywhere.
import type { RuntimeType, ServiceSpec, PlatformServices } from '../runtime/services.js';
import type { ServiceState } from '../runtime/types.js';
import { checkService, type CheckOptions, type CheckResult } from './checks.js';

export interface ServiceHealth {
  name: string;
  healthy: boolean;
  /** runtime none, probe got no answer: not judged (healthy unless strict), said so */
  external?: boolean;
  /** the runtime's state, when it was asked */
  state?: ServiceState['state'];
  check: CheckResult;
  /** one line: why it is (un)healthy */
  detail: string;
}

const FAILING = new Set(['stopped', 'missing', 'starting', 'unknown']);

export function judge(runtime: RuntimeType, check: CheckResult, state?: ServiceState, opts: { strict?: boolean } = {}): ServiceHealth {
  const base = { name: check.name, check, state: state?.state };
  if (runtime !== 'none' && state && FAILING.has(state.state)) {
    return { ...base, healthy: false, detail: `${state.state}${state.detail ? ` (${state.detail})` : ''}` };
  }
  if (check.skipped) return { ...base, healthy: true, detail: check.detail };
  if (check.healthy) return { ...base, healthy: true, detail: check.detail };
  if (runtime === 'none' && check.reached === false) {
    return { ...base, healthy: !opts.strict, external: true, detail: `external, not reachable from here: ${check.detail}${opts.strict ? '' : " (runtime none: its health is the operator's to check; --strict fails it)"}` };
  }
  return { ...base, healthy: false, detail: check.detail };
}

/** Where services are reached and how a stdio MCP server without a command is launched, per runtime. */
export async function checkOptionsFor(platform: PlatformServices, home: string, services: ServiceSpec[]): Promise<Pick<CheckOptions, 'reach' | 'stdioLauncher'>> {
  const reach: CheckOptions['reach'] =
    platform.runtime.type === 'kubernetes' ? { kind: 'kubernetes', namespace: platform.runtime.namespace ?? (await import('../runtime/kubernetes.js')).DEFAULT_NAMESPACE } : { kind: 'local' };
  // docker: a stdio MCP server without a command is started as a one-off container of its service
  const needsLauncher = (s: ServiceSpec) => s.type === 'mcp' && s.transport === 'stdio' && s.healthCheck?.command === undefined && s.command === undefined;
  if (platform.runtime.type !== 'docker' || !services.some(needsLauncher)) return { reach };
  const { composeRunArgv, servingColor, writeColorComposeFile, writeComposeFile } = await import('../runtime/docker.js');
  await writeComposeFile(platform, home);
  const c = await servingColor(platform, home);
  if (c) await writeColorComposeFile(platform, home, c);
  return { reach, stdioLauncher: (s) => composeRunArgv(platform, home, s.name, c) };
}

/** Probe `services` (8 at a time) and judge each with the runtime's states, when given. */
export async function platformHealth(
  platform: PlatformServices,
  services: ServiceSpec[],
  opts: { home: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs?: number; states?: ServiceState[]; strict?: boolean },
): Promise<ServiceHealth[]> {
  const where = await checkOptionsFor(platform, opts.home, services);
  const out: ServiceHealth[] = new Array(services.length);
  let next = 0;
  const worker = async () => {
    while (next < services.length) {
      const i = next++;
      const s = services[i]!;
      const c = await checkService(s, { ...where, timeoutMs: opts.timeoutMs, env: opts.env, cwd: opts.home, signal: opts.signal });
      out[i] = judge(platform.runtime.type, c, opts.states?.find((x) => x.name === s.name), { strict: opts.strict });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, services.length) }, worker));
  return out;
}

/**
 * Probe `services` (with the runtime's `states`, when given, asked anew each time) every half second until every
 * one is healthy or `withinMs` has passed: a container is running before its process listens. Resolves with the
 * last judgement, healthy or not; the caller says what failed.
 */
export async function untilHealthy(
  platform: PlatformServices,
  services: ServiceSpec[],
  opts: { home: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; withinMs: number; states?: () => Promise<ServiceState[]>; strict?: boolean; timeoutMs?: number },
): Promise<ServiceHealth[]> {
  const until = Date.now() + opts.withinMs;
  for (;;) {
    const states = opts.states ? await opts.states() : undefined;
    const judged = await platformHealth(platform, services, { home: opts.home, env: opts.env, signal: opts.signal, states, timeoutMs: opts.timeoutMs, strict: opts.strict });
    if (judged.every((h) => h.healthy) || Date.now() > until || opts.signal?.aborted) return judged;
    await new Promise((r) => setTimeout(r, 500));
  }
}
