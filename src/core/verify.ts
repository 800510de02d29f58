// `mcp migration verify --version V` / `mcp-migrate verify --version V`: is this installation a
// healthy V? The config validates against V's schema, every database migration up to V is applied with
// a matching checksum, the data counts match the pre-migration backup, services are healthy.
// A check whose module is not built in is reported as failed with the reason — never passed silently.
import type { Handler } from '../cli/program.js';
import { readStoredConfig } from '../config/store.js';
import { parseVersion } from './versions.js';
import { loadModule } from './steps/modules.js';
import { ExitCode, usageError } from '../cli/errors.js';

export interface VerifyCheck {
  name: 'config' | 'database' | 'data' | 'services';
  status: 'passed' | 'failed';
  detail: string;
  items?: Array<{ name: string; ok: boolean; detail?: string }>;
}

export interface VerifyReport {
  version: string;
  ok: boolean;
  checks: VerifyCheck[];
}

export async function verifyInstallation(opts: { home: string; env: NodeJS.ProcessEnv; version: string; signal?: AbortSignal; baseline?: string }): Promise<VerifyReport> {
  const want = parseVersion(opts.version, '--version');
  const checks: VerifyCheck[] = [];

  // 1. config
  try {
    const cfg = await readStoredConfig(opts.home);
    const have = parseVersion(cfg.version);
    if (have.major !== want.major || (want.minor !== undefined && have.minor !== want.minor)) {
      checks.push({ name: 'config', status: 'failed', detail: `${cfg.path} is at ${cfg.version}, not ${opts.version}` });
    } else {
      const config = await loadModule('config');
      if (!config) checks.push({ name: 'config', status: 'failed', detail: 'cannot validate: needs the config module' });
      else {
        const v = config.validateConfig(cfg.doc, cfg.version);
        checks.push(
          v.ok
            ? { name: 'config', status: 'passed', detail: `${cfg.path} is a valid ${cfg.version} config` }
            : { name: 'config', status: 'failed', detail: `${cfg.path}: ${v.issues.map((i: any) => `${i.path}: ${i.message}`).join('; ')}` },
        );
      }
    }
  } catch (e) {
    checks.push({ name: 'config', status: 'failed', detail: (e as Error).message });
  }

  // 2. database migrations and 3. data counts
  const db = await loadModule('db');
  if (!db || typeof db.verifyDatabase !== 'function') {
    checks.push({ name: 'database', status: 'failed', detail: 'cannot check migrations: needs the db module' });
  } else {
    try {
      const r = await db.verifyDatabase({ home: opts.home, env: opts.env, version: opts.version, baseline: opts.baseline, signal: opts.signal });
      checks.push({ name: 'database', status: r.migrationsOk ? 'passed' : 'failed', detail: r.migrationsDetail, items: r.migrations });
      if (r.counts) checks.push({ name: 'data', status: r.countsOk ? 'passed' : 'failed', detail: r.countsDetail, items: r.counts });
    } catch (e) {
      checks.push({ name: 'database', status: 'failed', detail: (e as Error).message });
    }
  }

  // 4. services
  const runtime = await loadModule('runtime');
  if (!runtime) checks.push({ name: 'services', status: 'failed', detail: 'cannot check services: needs the runtime module' });
  else {
    try {
      const platform = await runtime.loadPlatform(opts.home);
      const { nullLogger } = await import('../log.js');
      const rt = runtime.runtimeFor(platform, { home: opts.home, env: opts.env, log: nullLogger, signal: opts.signal });
      const states: any[] = await rt.status(platform.services);
      const items = states.map((s) => ({ name: s.name, ok: s.state === 'running' || s.state === 'external', detail: s.detail ?? s.state }));
      const bad = items.filter((i) => !i.ok);
      const external = states.filter((s) => s.state === 'external').length;
      checks.push({
        name: 'services',
        status: bad.length ? 'failed' : 'passed',
        detail: bad.length
          ? `unhealthy: ${bad.map((b) => `${b.name} (${b.detail})`).join(', ')}`
          : external
            ? `${external} of ${states.length} services are external (runtime ${rt.type}): their health is the operator's to check`
            : `${states.length} services running`,
        items,
      });
    } catch (e) {
      checks.push({ name: 'services', status: 'failed', detail: (e as Error).message });
    }
  }
  return { version: opts.version, ok: checks.every((c) => c.status === 'passed'), checks };
}

export const verifyHandler: Handler<{ version?: string; stepByStep?: boolean; baseline?: string }> = async (ctx, opts) => {
  let version = opts.version;
  if (!version) {
    const { currentVersion } = await import('./version-history.js');
    version = await currentVersion(ctx.home);
    if (!version) throw usageError('which version? pass --version V', { hint: 'e.g. mcp migration verify --version 5.0' });
  }
  const report = await verifyInstallation({ home: ctx.home, env: ctx.env, version, signal: ctx.signal, baseline: opts.baseline });
  const lines = [`Verify ${version}: ${report.ok ? 'passed' : 'FAILED'}`];
  for (const c of report.checks) {
    lines.push(`  ${c.status === 'passed' ? '✓' : '✗'} ${c.name}: ${c.detail}`);
    if (opts.stepByStep) for (const i of c.items ?? []) lines.push(`      ${i.ok ? '✓' : '✗'} ${i.name}${i.detail ? ` — ${i.detail}` : ''}`);
  }
  return { data: report, text: lines, exitCode: report.ok ? ExitCode.OK : ExitCode.PRECONDITION };
};
