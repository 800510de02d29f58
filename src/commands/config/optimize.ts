// `mcp config optimize [--auto] [--dry-run]`: findings about the home's config; --auto applies the safe ones.
import type { Handler } from '../../cli/program.js';
import { loadConfig, writeConfig } from '../../config/index.js';
import { DEFAULT_LIMITS } from '../../config/env.js';
import { withVersionHistory } from '../../version-history.js';

type Doc = Record<string, any>;

export interface Finding {
  id: 'missing-limits' | 'single-replica-production' | 'tls-off-production' | 'health-check-timeout' | 'static-api-keys';
  severity: 'warning' | 'info';
  path: string;
  message: string;
  /** safe: applied by --auto (it cannot stop anything working) */
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
    if (generation === 6) {
      const lim = s.deployment?.resources?.limits;
      if (!lim?.cpu || !lim?.memory) {
        findings.push({ id: 'missing-limits', severity: 'warning', path: `${p}.deployment.resources.limits`, message: `${s.name} has no resource limits`, safe: true, fix: `limits ${DEFAULT_LIMITS.cpu} / ${DEFAULT_LIMITS.memory}` });
        s.deployment.resources = { ...(s.deployment.resources ?? {}), limits: { cpu: lim?.cpu ?? DEFAULT_LIMITS.cpu, memory: lim?.memory ?? DEFAULT_LIMITS.memory } };
      }
    } else if (s[cpuKey] === undefined || s[memKey] === undefined) {
      findings.push({ id: 'missing-limits', severity: 'warning', path: `${p}.${s[cpuKey] === undefined ? cpuKey : memKey}`, message: `${s.name} has no CPU/memory limit`, safe: true, fix: `${cpuKey} ${DEFAULT_LIMITS.cpu}, ${memKey} ${DEFAULT_LIMITS.memory}` });
      s[cpuKey] ??= DEFAULT_LIMITS.cpu;
      s[memKey] ??= DEFAULT_LIMITS.memory;
    }
    if (production && s.type !== 'infrastructure') {
      const replicas = generation === 6 ? s.deployment?.replicas : s.instances;
      if ((replicas ?? 1) < 2) {
        findings.push({ id: 'single-replica-production', severity: 'warning', path: generation === 6 ? `${p}.deployment.replicas` : `${p}.instances`, message: `${s.name} runs a single replica in production`, safe: true, fix: '2 replicas' });
        if (generation === 6) {
          s.deployment.replicas = 2;
          if (s.instances !== undefined) s.instances = 2;
        } else s.instances = 2;
      }
    }
    const hc = s[hcKey];
    if (hc && hc.timeout === undefined) {
      findings.push({ id: 'health-check-timeout', severity: 'info', path: `${p}.${hcKey}.timeout`, message: `${s.name}'s health check has no timeout`, safe: true, fix: 'timeout 5s' });
      hc.timeout = '5s';
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
  if (opts.auto && safe.length && !opts.dryRun) written = await withVersionHistory(ctx.home, () => writeConfig(ctx.home, fixed, { where: loaded.path }));
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
