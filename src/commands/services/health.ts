// `mcp health [NAME] [--timeout D]`: check one service or all; unhealthy → exit 3. MCP servers are
// checked with the protocol itself and their tool lists recorded for `mcp services verify`.
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { ExitCode } from '../../cli/errors.js';
import { loadPlatform } from '../../runtime/index.js';
import { selectServices, type PlatformServices, type ServiceSpec } from '../../runtime/services.js';
import { DEFAULT_NAMESPACE } from '../../runtime/kubernetes.js';
import { composeRunArgv, writeComposeFile } from '../../runtime/docker.js';
import { checkService, type CheckOptions, type CheckResult } from '../../health/checks.js';
import { recordTools } from '../../health/tools.js';
import { mapLimit, timeoutOption } from './common.js';

/** Run the checks (8 at a time) and record the tool list of every MCP server that answered. */
export async function runChecks(ctx: Ctx, services: ServiceSpec[], platform: PlatformServices, timeoutMs?: number): Promise<CheckResult[]> {
  const platformVersion = platform.version;
  const reach: CheckOptions['reach'] =
    platform.runtime.type === 'kubernetes' ? { kind: 'kubernetes', namespace: platform.runtime.namespace ?? DEFAULT_NAMESPACE } : { kind: 'local' };
  // docker: a stdio MCP server without a command is started as a one-off container of its service
  let stdioLauncher: CheckOptions['stdioLauncher'];
  const needsLauncher = (s: ServiceSpec) => s.type === 'mcp' && s.transport === 'stdio' && s.healthCheck?.command === undefined && s.command === undefined;
  if (platform.runtime.type === 'docker' && services.some(needsLauncher)) {
    await writeComposeFile(platform, ctx.home);
    stdioLauncher = (s) => composeRunArgv(platform, ctx.home, s.name);
  }
  const results = await mapLimit(services, 8, async (s) => {
    const r = await checkService(s, { timeoutMs, env: ctx.env, cwd: ctx.home, signal: ctx.signal, reach, stdioLauncher });
    ctx.out.debug(`${r.healthy ? 'ok' : 'FAIL'} ${s.name} ${r.check} ${r.target ?? ''} ${r.ms} ms: ${r.detail}`);
    return r;
  });
  for (const r of results) {
    if (r.check === 'mcp' && r.healthy && r.tools) {
      await recordTools(ctx.home, r.name, { tools: r.tools, recordedAt: new Date().toISOString(), platformVersion, server: r.server });
    }
  }
  ctx.log.log(results.every((r) => r.healthy) ? 'info' : 'warn', 'health.checked', {
    services: results.map((r) => ({ name: r.name, check: r.check, healthy: r.healthy, ms: r.ms, detail: r.detail })),
  });
  return results;
}

export function checkLines(results: CheckResult[], verbose: boolean): string[] {
  const w = Math.max(0, ...results.map((r) => r.name.length));
  const lines: string[] = [];
  for (const r of results) {
    const mark = r.skipped ? '-' : r.healthy ? '✓' : '✗';
    const word = r.skipped ? 'skipped' : r.healthy ? 'healthy' : 'UNHEALTHY';
    lines.push(`${mark} ${r.name.padEnd(w)}  ${word.padEnd(9)}  ${r.check.padEnd(7)}  ${r.skipped ? '' : `${r.ms} ms  `}${r.detail}`.trimEnd());
    if (verbose) {
      if (r.target) lines.push(`    target: ${r.target}`);
      if (r.tools) lines.push(`    tools: ${r.tools.join(', ') || '(none)'}`);
    }
  }
  return lines;
}

export const healthHandler: Handler<{ timeout?: string }> = async (ctx, opts, args) => {
  const timeoutMs = timeoutOption(opts.timeout);
  const platform = await loadPlatform(ctx.home);
  const services = selectServices(platform.services, args, { allowEmpty: true });
  const results = await runChecks(ctx, services, platform, timeoutMs);
  const unhealthy = results.filter((r) => !r.healthy);
  const healthy = unhealthy.length === 0;
  const text = results.length ? checkLines(results, ctx.global.verbose) : ['No services in the config; nothing to check.'];
  if (results.length > 1 || !healthy) text.push(healthy ? `All ${results.length} services healthy.` : `${unhealthy.length} of ${results.length} unhealthy: ${unhealthy.map((r) => r.name).join(', ')}`);
  return { data: { healthy, services: results }, text, exitCode: healthy ? ExitCode.OK : ExitCode.PRECONDITION };
};
