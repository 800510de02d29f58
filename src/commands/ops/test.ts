// `mcp test smoke [--env E]`, `mcp test all [--comprehensive]`, `mcp migration test [--comprehensive]`:
// the platform's own commands (health with MCP protocol checks, services verify, database, data
// verification, logs, benchmark) run in-process as one report with one exit code.
import { resolveEnvironment } from '../../environments.js';
import { enterHome } from '../../cli/home-guard.js';
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { invalidInput } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { readStoredConfig } from '../../config/store.js';
import { invoke, failureLine, type Invocation } from '../invoke.js';
import { logFiles, readLogFile } from '../../ops/logs.js';
import { parseDuration } from '../../ops/time.js';
import { formatSpan } from '../../duration.js';
import { listBaselines, newestBaseline } from '../../ops/benchmark.js';

export type TestStatus = 'pass' | 'fail' | 'skip';

export interface TestCheck {
  id: string;
  title: string;
  status: TestStatus;
  detail: string;
  hint?: string;
  command?: string;
  ms: number;
  data?: unknown;
}

export interface TestOptions {
  env?: string;
  comprehensive?: boolean;
  since?: string;
  baseline?: string;
  timeout?: string;
}

type Suite = 'smoke' | 'all' | 'migration';

function fromInv(id: string, title: string, inv: Invocation, pass: (d: any) => string, fail?: (d: any) => string | undefined): TestCheck {
  if (inv.ok) return { id, title, status: 'pass', detail: pass(inv.data), command: inv.command, ms: inv.ms, data: inv.data };
  return { id, title, status: 'fail', detail: (inv.data && fail?.(inv.data)) || failureLine(inv), hint: inv.error?.hint, command: inv.command, ms: inv.ms, data: inv.data ?? inv.error };
}

async function environmentCheck(ctx: Ctx, env: string): Promise<TestCheck> {
  const t0 = performance.now();
  const stored = await readStoredConfig(ctx.home);
  const actual = typeof stored.doc.environment === 'string' ? stored.doc.environment : undefined;
  const ms = Math.round(performance.now() - t0);
  if (actual === env) return { id: 'environment', title: 'Environment', status: 'pass', detail: `the installation is ${env}`, ms };
  return { id: 'environment', title: 'Environment', status: 'fail', detail: `the installation at ${ctx.home} is ${actual ?? 'of no stated environment'}, not ${env}`, hint: `point --home (or MCP_HOME) at the ${env} installation`, ms };
}

async function healthCheck(ctx: Ctx, timeout?: string): Promise<TestCheck> {
  const inv = await invoke(ctx, 'mcp health', async () => (await import('../services/health.js')).healthHandler, { timeout }, []);
  const describe = (d: any) => {
    const list = (d?.services ?? []) as Array<{ name: string; healthy: boolean; skipped?: boolean; external?: boolean; check: string; tools?: string[]; detail: string }>;
    const checked = list.filter((s) => !s.skipped && !s.external);
    const mcp = checked.filter((s) => s.check === 'mcp');
    return { list, checked, mcp, external: list.filter((s) => s.external) };
  };
  return fromInv(
    'health',
    'Services healthy (MCP protocol for MCP servers)',
    inv,
    (d) => {
      const { list, checked, mcp, external } = describe(d);
      if (!list.length) return 'no services in the config';
      const unchecked = list.length - checked.length - external.length;
      return `${checked.length} service(s) healthy${mcp.length ? `, ${mcp.length} MCP server(s) answered initialize and tools/list` : ''}${unchecked ? `; ${unchecked} without a health check` : ''}${external.length ? `; ${external.length} external, not reachable from here (runtime none)` : ''}`;
    },
    (d) => {
      const bad = describe(d).list.filter((s) => !s.healthy);
      return bad.length ? `unhealthy: ${bad.map((s) => `${s.name} (${s.detail})`).join('; ')}` : undefined;
    },
  );
}

async function dbPingCheck(ctx: Ctx): Promise<TestCheck> {
  const inv = await invoke(ctx, 'mcp db ping', async () => (await import('../db/ping.js')).dbPingHandler, {});
  return fromInv('database', 'Database reachable', inv, (d) => `${d?.kind} ${d?.database} answered in ${d?.latencyMs} ms`);
}

/** Migrations: none failed or interrupted, none changed since applied (pending ones are reported, not failed). */
async function dbStatusCheck(ctx: Ctx): Promise<TestCheck> {
  const inv = await invoke(ctx, 'mcp db status', async () => (await import('../db/status.js')).dbStatusHandler, {});
  const d = inv.data as { current?: string | null; pending?: number; failed?: number; drifted?: unknown[]; migrations?: Array<{ version: string; name: string; state: string; error?: string }> } | undefined;
  if (inv.ok && d && ((d.failed ?? 0) > 0 || (d.drifted?.length ?? 0) > 0)) {
    const bad = (d.migrations ?? []).filter((m) => m.state !== 'applied' && m.state !== 'pending' && m.state !== 'baselined').map((m) => `${m.version} ${m.name} ${m.state}${m.error ? `: ${m.error}` : ''}`);
    return {
      id: 'db-status',
      title: 'Database migrations',
      status: 'fail',
      detail: `${d.failed ?? 0} failed or interrupted, ${d.drifted?.length ?? 0} changed since applied${bad.length ? `: ${bad.slice(0, 3).join('; ')}` : ''}`,
      hint: 'see mcp db status; resume with mcp db migrate, or accept a changed file with mcp db repair',
      command: inv.command,
      ms: inv.ms,
      data: d,
    };
  }
  return fromInv('db-status', 'Database migrations', inv, (x) => `current ${x?.current ?? 'none'}, nothing failed${x?.pending ? `, ${x.pending} pending` : ''}`);
}

async function servicesVerifyCheck(ctx: Ctx, timeout?: string): Promise<TestCheck> {
  const inv = await invoke(ctx, 'mcp services verify --all', async () => (await import('../services/verify.js')).verifyHandler, { all: true, timeout }, []);
  return fromInv(
    'services',
    'Services running, MCP tools kept',
    inv,
    (d) => {
      const v = (d?.services ?? []) as Array<{ health?: { external?: boolean } }>;
      if (!Array.isArray(v) || !v.length) return 'no services in the config';
      const external = v.filter((x) => x.health?.external).length;
      const seen = v.length - external;
      return `${seen} service(s) ${d?.runtime === 'none' ? 'answering' : 'running'} and healthy${external ? `, ${external} external and not reachable from here (runtime none)` : ''}; no MCP server lost a tool`;
    },
    (d) => {
      const v = (d?.services ?? []) as Array<{ ok: boolean; problems: string[] }>;
      const problems = Array.isArray(v) ? v.filter((x) => !x.ok).flatMap((x) => x.problems) : [];
      return problems.length ? problems.join('; ') : undefined;
    },
  );
}

async function dataVerifyCheck(ctx: Ctx): Promise<TestCheck> {
  const inv = await invoke(ctx, 'mcp data verify --checksum', async () => (await import('../backup/handlers.js')).dataVerifyHandler, { checksum: true });
  return fromInv(
    'data',
    'Data integrity verified',
    inv,
    (d) =>
      `data matches backup ${d?.backup}: ${d?.checked} file(s) by SHA-256, ${d?.database?.compared === false ? `database rows not compared (${d.database.reason})` : `${d?.tables?.length ?? 0} table(s) counted`}`,
    (d) => {
      const parts = [
        d?.changed?.length ? `changed: ${d.changed.slice(0, 5).join(', ')}` : '',
        d?.missing?.length ? `missing: ${d.missing.slice(0, 5).join(', ')}` : '',
        d?.extra?.length ? `extra: ${d.extra.slice(0, 5).join(', ')}` : '',
        ...(d?.tables ?? []).filter((t: { actual: number; expected: number }) => t.actual !== t.expected).map((t: { name: string; actual: number; expected: number }) => `rows ${t.name}: ${t.actual} (backup: ${t.expected})`),
      ].filter(Boolean);
      return parts.length ? `data differs from backup ${d?.backup}: ${parts.join('; ')}` : undefined;
    },
  );
}

/** No error in the logs over the window (usage mistakes at the prompt are not platform errors). */
async function logsCheck(ctx: Ctx, sinceMs: number): Promise<TestCheck> {
  const t0 = performance.now();
  const since = new Date(Date.now() - sinceMs);
  const entries = (await Promise.all((await logFiles(ctx.home, ctx.env)).map((f) => readLogFile(f, { since, level: 'error' })))).flat();
  const errors = entries.filter((e) => e.pid !== process.pid && !(e.event === 'command.error' && e.fields?.exitCode === ExitCode.USAGE));
  const ms = Math.round(performance.now() - t0);
  const title = 'No critical errors in logs';
  if (!errors.length) return { id: 'logs', title, status: 'pass', detail: `no error entries in the last ${formatSpan(sinceMs)}`, command: `mcp logs --since ${formatSpan(sinceMs).replace(/ /g, '')} --level error`, ms };
  const sample = errors.slice(-3).map((e) => `${e.time} ${e.service}: ${[e.event, e.message, e.fields?.message].filter(Boolean).join(' ')}`);
  return { id: 'logs', title, status: 'fail', detail: `${errors.length} error entr${errors.length === 1 ? 'y' : 'ies'} in the last ${formatSpan(sinceMs)}; latest: ${sample.join(' | ')}`, hint: 'read them with mcp logs --level error --since …', command: 'mcp logs --level error', ms, data: errors.slice(-20) };
}

async function performanceCheck(ctx: Ctx, baseline?: string): Promise<TestCheck> {
  const title = 'Performance within 10% of baseline';
  // the named baseline, else the newest one that measured something (not one saved while every service was down)
  const name = baseline ?? (await newestBaseline(ctx.home));
  if (!name) {
    const saved = (await listBaselines(ctx.home)).length;
    return { id: 'performance', title, status: 'skip', detail: saved ? `no saved baseline measured a service (every request failed when ${saved === 1 ? 'it was' : 'they were'} saved)` : 'no baseline saved yet', hint: 'save one on a healthy installation: mcp benchmark --save baseline', ms: 0 };
  }
  const inv = await invoke(ctx, `mcp benchmark --compare-with ${name}`, async () => (await import('./benchmark.js')).benchmarkHandler, { requests: '50', concurrency: '4', timeout: '5s', compareWith: name });
  return fromInv(
    'performance',
    title,
    inv,
    () => `within 10% of baseline '${name}'`,
    (d) => {
      const failed = (d?.comparison?.checks ?? []).filter((c: { ok: boolean }) => !c.ok) as Array<{ service: string; metric: string; current: number; threshold: number }>;
      return failed.length ? `beyond 10% of baseline '${name}': ${failed.map((c) => `${c.service} ${c.metric} ${c.current} (limit ${c.threshold})`).join('; ')}` : undefined;
    },
  );
}

export async function runSuite(ctx: Ctx, suite: Suite, opts: TestOptions): Promise<{ data: unknown; text: string[]; exitCode: number }> {
  const sinceMs = parseDuration(opts.since ?? '1h', '--since');
  if (opts.timeout !== undefined) parseDuration(opts.timeout, '--timeout');
  const started = Date.now();
  const checks: TestCheck[] = [];
  const add = (c: TestCheck) => {
    checks.push(c);
    ctx.out.progress(`${c.status === 'pass' ? '✓' : c.status === 'skip' ? '-' : '✗'} ${c.title}`);
  };
  if (opts.env) add(await environmentCheck(ctx, opts.env));
  add(await healthCheck(ctx, opts.timeout));
  add(await dbPingCheck(ctx));
  if (suite !== 'smoke') {
    add(await dbStatusCheck(ctx));
    add(await servicesVerifyCheck(ctx, opts.timeout));
    add(await dataVerifyCheck(ctx));
  }
  if (suite !== 'smoke' && opts.comprehensive) {
    add(await logsCheck(ctx, sinceMs));
    add(await performanceCheck(ctx, opts.baseline));
  }
  const failed = checks.filter((c) => c.status === 'fail');
  const ok = failed.length === 0;
  ctx.log.log(ok ? 'info' : 'warn', 'test.run', { suite, comprehensive: Boolean(opts.comprehensive), ok, failed: failed.map((c) => c.id) });
  const text = [
    ...checks.flatMap((c) => [`${c.status === 'pass' ? '✓' : c.status === 'skip' ? '-' : '✗'} ${c.title}: ${c.detail}`, ...(c.status !== 'pass' && c.hint ? [`    hint: ${c.hint}`] : [])]),
    ok ? `${suite === 'smoke' ? 'Smoke tests' : 'Tests'} passed (${checks.filter((c) => c.status === 'pass').length} passed${checks.some((c) => c.status === 'skip') ? `, ${checks.filter((c) => c.status === 'skip').length} skipped` : ''}).` : `${failed.length} of ${checks.length} check(s) FAILED: ${failed.map((c) => c.id).join(', ')} (exit 3)`,
  ];
  return {
    data: { suite, comprehensive: Boolean(opts.comprehensive), environment: opts.env, ok, checks, ms: Date.now() - started },
    text,
    exitCode: ok ? ExitCode.OK : ExitCode.PRECONDITION,
  };
}

const ENVS = ['development', 'staging', 'production'];

export const testSmokeHandler: Handler<TestOptions> = async (ctx, opts) => {
  if (opts.env && !ENVS.includes(opts.env)) throw invalidInput(`--env '${opts.env}' is not an environment`, { hint: `use one of ${ENVS.join(', ')}` });
  // --env NAME, another environment: its home is tested
  const t = opts.env ? await resolveEnvironment(ctx.home, opts.env) : undefined;
  return runSuite(t && !t.own ? await enterHome(ctx, t.home, opts as unknown as Record<string, unknown>) : ctx, 'smoke', opts);
};
export const testAllHandler: Handler<TestOptions> = async (ctx, opts) => runSuite(ctx, 'all', opts);
export const migrationTestHandler: Handler<TestOptions> = async (ctx, opts) => runSuite(ctx, 'migration', opts);
