// `mcp health [NAME] [--timeout D]`: check one service or all; unhealthy → exit 3. MCP servers are
// checked with the protocol itself and their tool lists recorded for `mcp services verify`.
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { ExitCode } from '../../cli/errors.js';
import { loadPlatform } from '../../runtime/index.js';
import type { ServiceState } from '../../runtime/types.js';
import { selectServices, type PlatformServices, type ServiceSpec } from '../../runtime/services.js';
import { platformHealth, type ServiceHealth } from '../../health/rule.js';
import { recordTools } from '../../health/tools.js';
import { timeoutOption } from './common.js';

/** Probe and judge (src/health/rule.ts); record the tool list of every MCP server that answered. */
export async function runChecks(
  ctx: Ctx,
  services: ServiceSpec[],
  platform: PlatformServices,
  timeoutMs?: number,
  extra: { states?: ServiceState[]; strict?: boolean } = {},
): Promise<ServiceHealth[]> {
  const results = await platformHealth(platform, services, { home: ctx.home, env: ctx.env, signal: ctx.signal, timeoutMs, ...extra });
  for (const { check: r } of results) {
    ctx.out.debug(`${r.healthy ? 'ok' : 'FAIL'} ${r.name} ${r.check} ${r.target ?? ''} ${r.ms} ms: ${r.detail}`);
    if (r.check === 'mcp' && r.healthy && r.tools) {
      await recordTools(ctx.home, r.name, { tools: r.tools, recordedAt: new Date().toISOString(), platformVersion: platform.version, server: r.server });
    }
  }
  ctx.log.log(results.every((r) => r.healthy) ? 'info' : 'warn', 'health.checked', {
    services: results.map((r) => ({ name: r.name, check: r.check.check, healthy: r.healthy, external: r.external, ms: r.check.ms, detail: r.detail })),
  });
  return results;
}

export function checkLines(results: ServiceHealth[], verbose: boolean): string[] {
  const w = Math.max(0, ...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    const c = r.check;
    const mark = c.skipped ? '-' : r.external ? '~' : r.healthy ? '✓' : '✗';
    const word = c.skipped ? 'skipped' : r.external ? 'external' : r.healthy ? 'healthy' : 'UNHEALTHY';
    lines.push(`${mark} ${r.name.padEnd(w)}  ${word.padEnd(9)}  ${c.check.padEnd(7)}  ${c.skipped ? '' : `${c.ms} ms  `}${r.detail}`.trimEnd());
    if (verbose) {
      if (c.target) lines.push(`    target: ${c.target}`);
      if (c.tools) lines.push(`    tools: ${c.tools.join(', ') || '(none)'}`);
    }
  }
  return lines;
}

/** The JSON shape of one service's health: the probe's result, and the verdict by the one rule. */
export const healthDoc = (r: ServiceHealth) => ({ ...r.check, healthy: r.healthy, external: Boolean(r.external), detail: r.detail, probe: r.check.healthy ? 'healthy' : r.check.skipped ? 'skipped' : r.check.reached === false ? 'no answer' : 'unhealthy' });

export const healthHandler: Handler<{ timeout?: string; strict?: boolean }> = async (ctx, opts, args) => {
  const timeoutMs = timeoutOption(opts.timeout);
  const platform = await loadPlatform(ctx.home);
  const services = selectServices(platform.services, args, { allowEmpty: true });
  const results = await runChecks(ctx, services, platform, timeoutMs, { strict: opts.strict });
  const unhealthy = results.filter((r) => !r.healthy);
  const external = results.filter((r) => r.external && r.healthy);
  const healthy = unhealthy.length === 0;
  const text = results.length ? checkLines(results, ctx.global.verbose) : ['No services in the config; nothing to check.'];
  if (results.length > 1 || !healthy || external.length) {
    text.push(
      healthy
        ? `All ${results.length} services healthy${external.length ? ` (${external.length} external, not reachable from here: runtime none, not counted; --strict counts them)` : ''}.`
        : `${unhealthy.length} of ${results.length} unhealthy: ${unhealthy.map((r) => r.name).join(', ')}`,
    );
  }
  return { data: { ok: healthy, healthy, runtime: platform.runtime.type, services: results.map(healthDoc) }, text, exitCode: healthy ? ExitCode.OK : ExitCode.PRECONDITION };
};
