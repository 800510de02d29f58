// `mcp config optimize [--auto] [--dry-run]`: findings about the home's config; --auto applies the safe ones.
// Safe means safe by construction: the fix writes down what already happens (a health check's timeout is
// the probe's default). Limits and replicas change how a service runs (a limit can starve or kill it; a
// second replica of a stdio server, a queue worker or a service with volumes is a second consumer of
// the same work or state), so they are suggestions, never applied automatically.
import type { Handler } from '../../cli/program.js';
import { loadConfig, writeConfig } from '../../config/index.js';
import { DEFAULT_LIMITS } from '../../config/env.js';
import { withVersionHistory } from '../../version-history.js';
import { DEFAULT_TIMEOUT_MS } from '../../health/checks.js';

type Doc = Record<string, any>;

export interface Finding {
  id: 'missing-limits' | 'single-replica-production' | 'tls-off-production' | 'health-check-timeout' | 'static-api-keys';
  severity: 'warning' | 'info';
  path: string;
  message: string;
  /** safe: applied by --auto (it writes down what already happens, so it cannot stop anything working) */
  safe: boolean;
  fix?: string;
  applied?: boolean;
}

/** Findings and, for the safe ones, the fixed document (a copy). */
export function optimize(doc: Doc, generation: 4 | 5 | 6): { findings: Finding[]; fixed: Doc } {
  const fixed: Doc = structuredClone(doc);
  const findings: Finding[] = [];
  const production = doc.environment === 'production';
  const [cpuKey, memKey, hcKey] = generation === 4 ? ['max_cpu', 'max_memory', 'health_check'] : ['maxCpu', 'maxMemory', 'healthCheck'];
  (fixed.services ?? []).forEach((s: Doc, i: number) => {
    const p = `services[${i}]`;
    const limits = `measure ${s.name}'s use first; the production overlay's default is ${DEFAULT_LIMITS.cpu} / ${DEFAULT_LIMITS.memory} (not automatic: a limit below what it uses throttles or kills it)`;
    if (generation === 6) {
      const lim = s.deployment?.resources?.limits;
      if (!lim?.cpu || !lim?.memory) findings.push({ id: 'missing-limits', severity: 'warning', path: `${p}.deployment.resources.limits`, message: `${s.name} has no resource limits`, safe: false, fix: limits });
    } else if (s[cpuKey] === undefined || s[memKey] === undefined) {
      findings.push({ id: 'missing-limits', severity: 'warning', path: `${p}.${s[cpuKey] === undefined ? cpuKey : memKey}`, message: `${s.name} has no CPU/memory limit`, safe: false, fix: limits });
    }
    if (production && s.type !== 'infrastructure') {
      const replicas = generation === 6 ? s.deployment?.replicas : s.instances;
      if ((replicas ?? 1) < 2) {
        const why = s.transport === 'stdio' ? 'a stdio server serves one client per process' : s.volumes?.length ? 'it has volumes: two replicas would share its state' : 'only if it is stateless and no second copy duplicates work (queue workers, schedulers)';
        const where = generation === 6 ? `deployment.replicas: 2 and instances: 2` : 'instances: 2';
        findings.push({ id: 'single-replica-production', severity: 'warning', path: generation === 6 ? `${p}.deployment.replicas` : `${p}.instances`, message: `${s.name} runs a single replica in production`, safe: false, fix: `${where} (not automatic: ${why})` });
      }
    }
    const hc = s[hcKey];
    if (hc && hc.timeout === undefined) {
      const t = `${DEFAULT_TIMEOUT_MS / 1000}s`;
      // mcp's probes and Kubernetes' use 5s without one; a command check runs in the engine (Docker: 30s)
      const same = hc.type !== 'command';
      findings.push({ id: 'health-check-timeout', severity: 'info', path: `${p}.${hcKey}.timeout`, message: `${s.name}'s health check has no timeout`, safe: same, fix: same ? `timeout ${t} (what the probe uses when none is set)` : `timeout ${t} (not automatic: Docker runs a command check with its own 30s default)` });
      if (same) hc.timeout = t;
    }
  });
  if (production && doc.security?.tls?.enabled !== true) {
    findings.push({ id: 'tls-off-production', severity: 'warning', path: 'security.tls.enabled', message: 'TLS is off in production', safe: false, fix: 'enable security.tls with a certificate and key (not automatic: it needs the certificate files)' });
  }
  const keys = generation === 4 ? doc.auth?.tokens : doc.auth?.legacyApiKeys;
  if (Array.isArray(keys) && keys.length) {
    findings.push({ id: 'static-api-keys', severity: 'info', path: generation === 4 ? 'auth.tokens' : 'auth.legacyApiKeys', message: `${keys.length} static token(s) / legacy API key(s) still accepted`, safe: false, fix: 'move clients to JWTs, then remove them' });
  }
  return { findings, fixed };
}

export const optimizeHandler: Handler<{ auto?: boolean; dryRun?: boolean }> = async (ctx, opts) => {
  const loaded = await loadConfig(ctx.home);
  const { findings, fixed } = optimize(loaded.doc, loaded.generation);
  const safe = findings.filter((f) => f.safe);
  let written: Awaited<ReturnType<typeof writeConfig>> | undefined;
  if (opts.auto && safe.length && !opts.dryRun) written = await withVersionHistory(ctx.home, () => writeConfig(ctx.home, fixed, { where: loaded.path, source: loaded.text }));
  if (opts.auto) for (const f of safe) f.applied = !opts.dryRun;
  ctx.log.log('info', 'config.optimize', { findings: findings.length, applied: written ? safe.length : 0 });
  const text = findings.length
    ? [
        `${findings.length} finding(s) in ${loaded.path}:`,
        ...findings.map((f) => `  ${f.severity === 'warning' ? '!' : '-'} ${f.path}: ${f.message}${f.fix ? ` → ${f.fix}` : ''}${f.applied ? ' (applied)' : f.safe ? (opts.auto && opts.dryRun ? ' (would apply)' : ' (safe: --auto applies it)') : ' (manual)'}`),
        ...(written ? [`Applied ${safe.length} safe fix(es); previous config kept: ${written.previous}`] : []),
      ]
    : [`No findings: ${loaded.path} looks good.`];
  return { data: { config: loaded.path, version: loaded.version, findings, applied: written ? safe.length : 0, dryRun: Boolean(opts.dryRun), previous: written?.previous ?? null }, text };
};
