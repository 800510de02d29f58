// `mcp services verify [--all | NAMES…] [--accept]`: after a migration, is every service running,
// healthy, and does every MCP server still offer the tools it offered before? Differences → exit 3.
import type { Handler } from '../../cli/program.js';
import { ExitCode } from '../../cli/errors.js';
import { selectServices } from '../../runtime/services.js';
import type { ServiceState } from '../../runtime/index.js';
import { diffTools, readToolRecord, writeToolRecord } from '../../health/tools.js';
import { runChecks } from './health.js';
import { platformAndRuntime, timeoutOption } from './common.js';

interface Verdict {
  name: string;
  ok: boolean;
  state?: string;
  health: { healthy: boolean; check: string; detail: string; skipped?: boolean; external?: boolean };
  tools?: { baseline?: string[]; current: string[]; lost: string[]; added: string[]; baselineFrom?: string };
  problems: string[];
}

export const verifyHandler: Handler<{ all?: boolean; accept?: boolean; timeout?: string }> = async (ctx, opts, args) => {
  const timeoutMs = timeoutOption(opts.timeout);
  const { platform, runtime } = await platformAndRuntime(ctx);
  const services = selectServices(platform.services, args, { all: opts.all });
  const states: ServiceState[] = services.length ? await runtime.status(services) : [];
  // baselines are read before the checks, which would otherwise set one for a server seen the first time
  const before = new Map(await Promise.all(services.map(async (s) => [s.name, await readToolRecord(ctx.home, s.name)] as const)));
  const judged = await runChecks(ctx, services, platform, timeoutMs, { states });
  const verdicts: Verdict[] = [];
  for (const [i, s] of services.entries()) {
    const st = states.find((x) => x.name === s.name);
    const h = judged[i]!;
    const c = h.check;
    const problems: string[] = [];
    // the one rule (src/health/rule.ts): the runtime's state, then the probe
    if (!h.healthy) problems.push(st && h.state && h.detail.startsWith(h.state) ? `${s.name} is ${h.detail}` : `${s.name} is unhealthy: ${h.detail}`);
    const v: Verdict = { name: s.name, ok: true, state: st?.state, health: { healthy: h.healthy, check: c.check, detail: h.detail, ...(c.skipped ? { skipped: true } : {}), ...(h.external ? { external: true } : {}) }, problems };
    const rec = before.get(s.name);
    if (c.check === 'mcp' && c.tools) {
      const base = rec?.baseline?.tools;
      const d = base ? diffTools(base, c.tools) : { lost: [], added: [] };
      for (const t of d.lost) problems.push(`${s.name} lost tool ${t}`);
      v.tools = { baseline: base, current: c.tools, lost: d.lost, added: d.added, baselineFrom: rec?.baseline?.recordedAt };
      // a clean verification (or --accept) moves the baseline forward to what the server offers now
      if (d.lost.length === 0 || opts.accept) {
        const now = (await readToolRecord(ctx.home, s.name)) ?? { service: s.name };
        now.baseline = { tools: c.tools, recordedAt: new Date().toISOString(), platformVersion: platform.version, server: c.server };
        await writeToolRecord(ctx.home, now);
      }
    }
    v.ok = problems.length === 0 || (opts.accept === true && problems.every((p) => / lost tool /.test(p)));
    verdicts.push(v);
  }
  const failed = verdicts.filter((v) => !v.ok);
  const text: string[] = [];
  for (const v of verdicts) {
    const extra = v.tools ? `, ${v.tools.current.length} tools${v.tools.added.length ? ` (new: ${v.tools.added.join(', ')})` : ''}` : '';
    text.push(`${v.ok ? '✓' : '✗'} ${v.name}: ${v.state ?? 'state unknown'}, ${v.health.skipped ? 'no health check' : v.health.external ? v.health.detail : v.health.healthy ? 'healthy' : 'unhealthy'}${extra}`);
    for (const p of v.problems) text.push(`    ${p}${v.ok ? ' (accepted)' : ''}`);
  }
  if (!verdicts.length) text.push('No services in the config; nothing to verify.');
  else text.push(failed.length ? `${failed.length} of ${verdicts.length} services failed verification.` : `All ${verdicts.length} services verified.`);
  ctx.log.log(failed.length ? 'warn' : 'info', 'services.verified', { ok: failed.length === 0, problems: verdicts.flatMap((v) => v.problems) });
  return { data: { ok: failed.length === 0, runtime: runtime.type, services: verdicts }, text, exitCode: failed.length ? ExitCode.PRECONDITION : ExitCode.OK };
};
