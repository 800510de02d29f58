// `mcp status [--detailed]`: the platform version, the runtime, the newest migration run (its journal,
// as `mcp migration status` reads it) and each service's state as the runtime reports it; --detailed
// (or --verbose) adds image, ports and a health check per service, and the run's phases.
import type { Handler } from '../../cli/program.js';
import { runChecks } from './health.js';
import { platformAndRuntime, table, timeoutOption } from './common.js';
import type { ServiceHealth } from '../../health/rule.js';
import { latestRunState, summarize, summaryLine } from '../../run/summary.js';
import { statusDoc } from '../../run/status.js';

export const statusHandler: Handler<{ detailed?: boolean; timeout?: string }> = async (ctx, opts) => {
  const detailed = Boolean(opts.detailed || ctx.global.verbose);
  const timeoutMs = timeoutOption(opts.timeout);
  const { platform, runtime } = await platformAndRuntime(ctx);
  const states = platform.services.length ? await runtime.status(platform.services) : [];
  const checks: ServiceHealth[] = detailed ? await runChecks(ctx, platform.services, platform, timeoutMs, { states }) : [];
  const services = platform.services.map((s, i) => {
    const st = states.find((x) => x.name === s.name);
    const c = checks[i];
    return {
      name: s.name,
      type: s.type,
      state: st?.state ?? 'unknown',
      detail: st?.detail,
      ...(st?.replicas ? { replicas: st.replicas } : {}),
      ...(detailed
        ? {
            image: st?.image ?? s.image,
            ports: s.ports,
            containerHealth: st?.health,
            health: c ? { healthy: c.healthy, skipped: c.check.skipped ?? false, ...(c.external ? { external: true } : {}), check: c.check.check, ms: c.check.ms, detail: c.detail } : undefined,
          }
        : {}),
    };
  });
  const counts: Record<string, number> = {};
  for (const s of services) counts[s.state] = (counts[s.state] ?? 0) + 1;
  const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ') || 'no services';
  const st = latestRunState(ctx.home);
  const migration = st && summarize(st);
  // --detailed: the whole run document, exactly what `mcp migration status --json` prints
  const run = detailed && st ? statusDoc(st) : undefined;
  const text = [`Platform ${platform.version} (${platform.configPath})`, `Runtime: ${runtime.describe()}`, `Migration: ${migration ? summaryLine(migration) : 'none has run in this home'}`];
  if (run) {
    for (const p of run.phases) text.push(`  ${p.name}: ${p.status}${p.steps.length > 1 ? ` (${p.steps.filter((x) => x.status === 'done').length}/${p.steps.length})` : ''}`);
  }
  text.push(`Services: ${summary}`);
  if (services.length) {
    text.push('');
    const header = detailed ? ['NAME', 'STATE', 'DETAIL', 'IMAGE', 'HEALTH'] : ['NAME', 'STATE', 'DETAIL'];
    text.push(
      ...table(
        header,
        services.map((s) => {
          const row = [s.name, s.state, s.detail ?? ''];
          if (detailed) {
            const h = s.health;
            row.push(s.image ?? '-', h ? (h.skipped ? 'no check' : h.healthy ? `healthy (${h.check}, ${h.ms} ms)` : `UNHEALTHY (${h.check}): ${h.detail}`) : '-');
          }
          return row;
        }),
      ),
    );
  }
  return { data: { version: platform.version, runtime: { type: runtime.type, description: runtime.describe() }, migration: run ?? migration ?? null, summary: counts, services }, text };
};
