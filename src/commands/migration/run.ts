// Handlers of the run commands: mcp migration execute|status|pause|resume|abort, mcp upgrade,
// mcp-migrate plan|execute|rollback. They build a plan (file, built-in), hand it to the one executor,
// and render its events: a spinner per step on a TTY, one plain line per step otherwise, NDJSON with --json.
import { resolve } from 'node:path';
import type { Ctx } from '../../cli/context.js';
import type { Handler } from '../../cli/program.js';
import type { CommandResult, Spinner } from '../../cli/output.js';
import { invalidInput, preconditionError, usageError } from '../../errors.js';
import { durationMs } from '../../duration.js';
import { ExitCode } from '../../cli/errors.js';
import { checkPlan, executePlan, refusalError, resumeRun, rollbackRun, type ExecEvent, type ExecOptions, type RunOutcome } from '../../run/executor.js';
import { defaultRegistry, STEP_KINDS } from '../../run/steps/index.js';
import { parsePlanText, readPlanFile } from '../../run/plan-files.js';
import { assertFingerprint, convertPlan, fingerprint, promotionPlanText, upgradePlan, withPlatform } from '../../run/planner.js';
import { formatDuration, sanitizePlan, type Plan } from '../../run/plan.js';
import { latestRun, listRuns, replay, writeControl } from '../../run/journal.js';
import { readLock } from '../../run/home-lock.js';
import { readStoredConfig } from '../../config/store.js';
import { assertEnvironmentName, environmentHomes, ownEnvironment, resolveEnvironment } from '../../environments.js';
import { writeFileAtomic } from '../../fsutil.js';
import { currentVersion } from '../../version-history.js';
import { sameRelease } from '../../versions.js';
import { statusDoc, statusText } from '../../run/status.js';
import { createNarration } from '../../log.js';
import { logsDir } from '../../home.js';

const registry = defaultRegistry();

/** One line of <logs>/migration.log per executor event: what a person tailing the file wants to read. */
export function narrate(ev: ExecEvent): { level: 'info' | 'warn' | 'error'; text: string } | undefined {
  const run = `run ${ev.runId}`;
  const step = `step ${ev.step}${ev.title ? ` (${ev.title})` : ''}`;
  const took = ev.durationMs !== undefined ? ` in ${formatDuration(ev.durationMs)}` : '';
  switch (ev.type) {
    case 'run.start':
      return { level: 'info', text: `${run}: started ${ev.plan} (${ev.steps} steps), pid ${process.pid}` };
    case 'run.resume':
      return { level: 'info', text: `${run}: resumed from ${ev.from}, pid ${process.pid}` };
    case 'phase.start':
      return ev.dryRun ? undefined : { level: 'info', text: `${run}: phase ${ev.phase} started${ev.parallel ? ` (parallel, ${ev.steps} steps)` : ''}` };
    case 'phase.end':
      return ev.ok === false ? undefined : { level: 'info', text: `${run}: phase ${ev.phase} done` };
    case 'step.start':
      return { level: 'info', text: `${run}: ${step} started` };
    case 'step.end':
      return { level: 'info', text: `${run}: ${step} done${took}` };
    case 'step.fail':
      return { level: 'error', text: `${run}: ${step} failed${took}: ${ev.error}` };
    case 'step.undone':
      return { level: 'warn', text: `${run}: ${step} ${ev.redo ? 'reset (half-done)' : 'undone'}${took}` };
    case 'canary.start':
      return { level: 'info', text: `${run}: canary ${ev.phase} holding at ${ev.percentage}% for ${formatDuration(Number(ev.durationMs))}` };
    case 'canary.measure': {
      const checks = (ev.checks as Array<Record<string, unknown>>).map((c) => `${c.metric} ${c.value ?? 'no data'} (rollback when ${c.threshold})`).join(', ');
      return { level: ev.verdict === 'breached' ? 'error' : 'info', text: `${run}: canary ${ev.phase} ${ev.verdict}: ${checks}` };
    }
    case 'rollback.start':
      return { level: 'warn', text: `${run}: rolling back to ${ev.to === 'start' || !ev.stopAt ? 'the start' : `rollback point ${ev.stopAt}`}: ${ev.reason}` };
    case 'rollback.end':
      return { level: 'warn', text: `${run}: rollback complete` };
    case 'run.paused':
      return { level: 'warn', text: `${run}: paused; continue with mcp migration resume` };
    case 'run.failed':
      return { level: 'error', text: `${run}: failed: ${ev.error}` };
    case 'run.end':
      return { level: ev.status === 'completed' ? 'info' : 'warn', text: `${run}: ${ev.status}${took}` };
    default:
      return undefined;
  }
}

/** Progress renderer for executor events. */
function renderer(ctx: Ctx, opts: { verbose?: boolean } = {}) {
  const spinners = new Map<string, Spinner>();
  const narration = createNarration(logsDir(ctx.home, ctx.env), ctx.env);
  const useSpinner = ctx.out.animate && !ctx.out.json && !ctx.out.quiet;
  let parallelPhase = false;
  const c = ctx.out.c;
  return async (ev: ExecEvent) => {
    const n = narrate(ev);
    if (n) narration.line(n.level, n.text);
    if (ctx.out.json) return ctx.out.event({ ...ev, t: new Date().toISOString() });
    const label = ev.phase ? `${ev.phase} › ${ev.title ?? ev.step}` : String(ev.title ?? ev.step ?? '');
    switch (ev.type) {
      case 'phase.start':
        parallelPhase = Boolean(ev.parallel);
        if (ev.dryRun) ctx.out.progress(c.bold(`phase ${ev.phase}${ev.parallel ? ' (parallel)' : ''}`));
        else ctx.out.debug(`phase ${ev.phase}${ev.parallel ? ` (parallel, ${ev.steps} steps)` : ''}`);
        return;
      case 'step.plan':
        ctx.out.progress(`  would ${ev.would}${ev.rollbackPoint ? c.dim('  [rollback point]') : ''}`);
        return;
      case 'step.start':
        if (useSpinner && !parallelPhase) spinners.set(ev.step!, await ctx.out.spinner(label));
        return;
      case 'step.end': {
        const text = `${label} ${c.dim(formatDuration(ev.durationMs ?? 0))}`;
        const s = spinners.get(ev.step!);
        if (s) s.succeed(text);
        else ctx.out.progress(`${c.green('✓')} ${text}`);
        spinners.delete(ev.step!);
        return;
      }
      case 'step.fail': {
        const text = `${label}: ${ev.error}`;
        const s = spinners.get(ev.step!);
        if (s) s.fail(text);
        else ctx.out.progress(`${c.red('✗')} ${text}`);
        spinners.delete(ev.step!);
        return;
      }
      case 'step.undone':
        ctx.out.progress(`${c.yellow('↺')} ${ev.redo ? 'reset half-done' : 'undone'}: ${ev.title ?? ev.step} ${c.dim(formatDuration(ev.durationMs ?? 0))}`);
        return;
      case 'canary.start':
        ctx.out.progress(`canary ${ev.phase}: holding at ${ev.percentage}% for ${formatDuration(Number(ev.durationMs))}`);
        return;
      case 'canary.measure':
        for (const ch of ev.checks as Array<Record<string, unknown>>) {
          ctx.out.progress(`  ${ch.breached ? c.red('✗') : c.green('✓')} ${ch.metric}: ${ch.value ?? 'no data'} (rollback when ${ch.threshold})${ch.note ? ` — ${ch.note}` : ''}`);
        }
        return;
      case 'rollback.start':
        ctx.out.progress(c.yellow(`rolling back (${ev.to === 'start' ? 'to the start' : ev.stopAt ? `to rollback point ${ev.stopAt}` : 'to the start: no rollback point reached'}): ${ev.reason}`));
        return;
      case 'rollback.end':
        ctx.out.progress(c.yellow('rollback complete'));
        return;
      case 'run.paused':
        ctx.out.progress(`paused; continue with: mcp migration resume`);
        return;
      default:
        if (opts.verbose) ctx.out.debug(`${ev.type} ${ev.step ?? ''}`);
    }
  };
}

const pendingNotifications: Array<Promise<unknown>> = [];
/** progress rendering runs in order, asynchronously (spinners load lazily); finish() waits for it */
let renderChain: Promise<void> = Promise.resolve();

/**
 * Notifications at start, failure, rollback and completion (src/ops/notify.ts): to the plan's
 * `notifications:` (automated-migration.yaml) and to what the environment names (MCP_SLACK_WEBHOOK_URL,
 * MCP_SMTP_URL, MCP_NOTIFY_EMAIL_TO). A notification that fails is a warning; it never
 * fails or delays the run beyond the channel's timeout.
 */
function notifier(ctx: Ctx) {
  let plan: Plan | undefined;
  const send = (kind: 'start' | 'failure' | 'rollback' | 'completion', ev: ExecEvent) => {
    if (!plan) return;
    const p = plan;
    const event = { kind, title: p.name, runId: ev.runId, from: p.from, to: p.to, step: ev.step, error: ev.error ?? (ev.reason as string | undefined), durationMs: ev.durationMs };
    pendingNotifications.push(
      import('../../ops/notify.js')
        .then(async ({ notify, notifySettings }) => {
          // the plan's channels (automated-migration.yaml), else none named: the environment's alone
          const results = await notify(notifySettings({ notifications: p.notifications.map((n) => ({ [n.channel]: n.target })) }, ctx.env), event, ctx.log);
          for (const r of results) if (!r.ok) ctx.out.warn(`notification to ${r.channel} not sent: ${r.skipped ?? r.error}`);
        })
        .catch((e) => ctx.out.warn(`notification not sent: ${(e as Error).message}`)),
    );
  };
  return {
    setPlan: (p: Plan) => (plan = p),
    event(ev: ExecEvent) {
      if (ev.type === 'run.start') send('start', ev);
      else if (ev.type === 'run.failed') send('failure', ev);
      else if (ev.type === 'rollback.end') send('rollback', ev);
      else if (ev.type === 'run.end' && ev.status === 'completed') send('completion', ev);
    },
  };
}

async function execOptions(ctx: Ctx, extra: Partial<ExecOptions> = {}, plan?: Plan): Promise<ExecOptions> {
  const render = renderer(ctx, { verbose: ctx.global.verbose });
  const notes = notifier(ctx);
  if (plan) notes.setPlan(plan);
  // the homes of the environments the steps act on (this home's own, or registered ones)
  const named = plan ? plan.phases.flatMap((p) => p.steps.map((s) => s.environment).filter((e): e is string => Boolean(e))) : [];
  const homes = named.length ? await environmentHomes(ctx.home, named) : undefined;
  return {
    home: ctx.home,
    homes,
    env: ctx.env,
    registry,
    signal: ctx.signal,
    command: ctx.command,
    onEvent: (ev) => {
      notes.event(ev);
      renderChain = renderChain.then(() => render(ev)).catch(() => undefined);
    },
    detail: (m) => ctx.out.debug(m),
    ...extra,
  };
}

/** The report: steps, durations, what the operator must still do. */
export function report(out: RunOutcome, extra: { runtime?: string; title?: string; installed?: string } = {}): CommandResult {
  const manual = new Set<string>(out.plan.manualActions);
  for (const s of out.steps) for (const m of (s.result?.manualActions as string[] | undefined) ?? []) manual.add(m);
  // what the run itself did is not left to do (a config transform's list names the database migration
  // that the upgrade's own db.migrate step applied)
  if (out.steps.some((s) => s.kind === 'db.migrate' && s.status === 'done')) for (const m of [...manual]) if (/^run the database migrations\b/.test(m)) manual.delete(m);
  // runtime none: the plan's service steps changed no process; say what that leaves (the report points here)
  if (extra.runtime === 'none' && out.steps.some((s) => /^services?\./.test(s.kind)) && ![...manual].some((m) => m.startsWith('runtime none'))) {
    manual.add(`runtime none: the services run outside mcp — move them to ${out.plan.to ?? 'the new version'} yourself, then run mcp health --verbose`);
  }
  // a plan that moves services to a version does not change the platform's config or database: say so
  // when the installation is still at another version after it
  if (out.status === 'completed' && extra.installed && out.plan.to && out.plan.kind !== 'upgrade' && !sameRelease(extra.installed, out.plan.to)) {
    manual.add(`the installation's config and database are still at ${extra.installed}: this plan moved services to ${out.plan.to}; move the platform with mcp upgrade --to ${out.plan.to} (the guide's configuration and database steps)`);
  }
  const lines: string[] = [];
  const head = extra.title ?? out.plan.name;
  lines.push(`${head}: ${out.status}${out.durationMs ? ` in ${formatDuration(out.durationMs)}` : ''}${out.runId !== 'dry-run' ? ` (run ${out.runId})` : ''}`);
  let phase = '';
  for (const s of out.steps) {
    if (s.phase !== phase) {
      phase = s.phase;
      lines.push(`  ${phase}`);
    }
    const mark = { done: '✓', failed: '✗', undone: '↺', pending: '·', running: '…', undoing: '↺' }[s.status];
    lines.push(`    ${mark} ${s.title}${s.durationMs !== undefined ? `  ${formatDuration(s.durationMs)}` : ''}${s.status === 'undone' ? '  (undone)' : ''}${s.error ? `  — ${s.error}` : ''}`);
  }
  if (out.error && out.status !== 'paused') lines.push(`Error: ${out.error}`);
  if (out.rollback) lines.push(`Rolled back ${out.rollback.to === 'start' || !out.rollback.stopAt ? 'to the start' : `to rollback point ${out.rollback.stopAt}`}: ${out.rollback.reason}`);
  if (extra.runtime === 'none') lines.push(`Runtime: none — the services are external; mcp did not start or stop any process${out.status === 'completed' && manual.size ? ' (see below)' : ''}.`);
  if (out.status === 'completed' && manual.size) {
    lines.push('What you must still do:');
    for (const m of manual) lines.push(`  - ${m}`);
  }
  if (out.status === 'interrupted' || out.status === 'failed' || out.status === 'paused') {
    lines.push('Next: mcp migration resume   (continue from the journal)   or   mcp-migrate rollback   (undo to the last rollback point)');
  }
  const data = {
    runId: out.runId,
    status: out.status,
    plan: { name: out.plan.name, kind: out.plan.kind, from: out.plan.from, to: out.plan.to },
    durationMs: out.durationMs,
    steps: out.steps.map((s) => ({ id: s.id, phase: s.phase, title: s.title, kind: s.kind, status: s.status, durationMs: s.durationMs, error: s.error })),
    rollback: out.rollback,
    error: out.error,
    measurements: out.measurements,
    manualActions: [...manual],
    runtime: extra.runtime,
  };
  return { data, text: lines, exitCode: EXIT_FOR_STATUS[out.status] ?? ExitCode.FAILED };
}

/** NDJSON mode: the final document is the last event line. */
async function finish(ctx: Ctx, r: CommandResult): Promise<CommandResult> {
  await renderChain;
  await Promise.all(pendingNotifications.splice(0));
  if (ctx.out.json) {
    ctx.out.event({ type: 'result', ...(r.data as object) });
    return { exitCode: r.exitCode };
  }
  return r;
}

async function runtimeType(home: string): Promise<string | undefined> {
  try {
    const c = await readStoredConfig(home);
    const rt = (c.doc.runtime as { type?: string } | undefined)?.type;
    return rt ?? 'docker';
  } catch {
    return undefined;
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);

async function loadPlanFor(ctx: Ctx, opts: PlanFileOpts): Promise<Plan> {
  const file = resolve(opts.plan);
  const from = await currentVersion(ctx.home).catch(() => undefined);
  const monitorWindowMs = opts.monitorWindow !== undefined ? durationMs(opts.monitorWindow) : undefined;
  if (opts.monitorWindow !== undefined && (monitorWindowMs === undefined || monitorWindowMs < 1000)) throw invalidInput(`--monitor-window '${opts.monitorWindow}' is not a duration of at least 1s`, { where: '--monitor-window', hint: 'like 30s, 5m or 1h' });
  const { plan } = await readPlanFile(file, { to: opts.to, from, skip: list(opts.skip), metricsUrl: opts.metricsUrl, healthUrls: list(opts.healthUrl), monitorWindowMs });
  await refuseCrossHome(ctx, plan, file);
  await assertFingerprint(ctx.home, plan, file);
  return withPlatform(plan, from);
}

/**
 * A promotion plan (source staging, target production) with steps that name no home would run them in the
 * source's own home and turn it into the target in place: relabel staging as production with staging's
 * endpoints and data. The target is another installation (docs/environments.md): such a plan — and its dry run
 * — is refused before anything changes. production-migration.yaml's steps each name their home.
 */
async function refuseCrossHome(ctx: Ctx, plan: Plan, file: string): Promise<void> {
  const env = plan.environment;
  if (!env?.source || !env.target || env.source === env.target) return;
  // every step names the home it acts on (production-migration.yaml): nothing runs on this home by default
  if (plan.phases.every((p) => p.steps.every((s) => s.environment))) return;
  const own = await ownEnvironment(ctx.home).catch(() => undefined);
  if (own === env.target) return;
  throw preconditionError(`${file} promotes ${env.source} to ${env.target}, and this home is ${own ?? 'of no readable environment'}: running it here would relabel this installation as ${env.target} in place`, {
    where: `${file}: migration.target.environment`,
    hint: `${env.target} is another installation; move it with: mcp backup create --env ${env.source} --data-only, mcp deploy --env ${env.target} --config FILE, mcp restore --env ${env.target} --data-only --latest (docs/environments.md)`,
  });
}

interface PlanFileOpts {
  plan: string;
  to?: string;
  skip?: string[];
  metricsUrl?: string;
  healthUrl?: string[];
  monitorWindow?: string;
  dryRun?: boolean;
}

/** A run's end as the exit code a script sees (the engine reports statuses; the CLI maps them). */
export const EXIT_FOR_STATUS: Record<string, number> = {
  completed: ExitCode.OK,
  'dry-run': ExitCode.OK,
  paused: ExitCode.OK,
  failed: ExitCode.FAILED,
  'rolled-back': ExitCode.FAILED,
  aborted: ExitCode.FAILED,
  'rolling-back': ExitCode.FAILED,
  interrupted: ExitCode.INTERRUPTED,
  running: ExitCode.FAILED,
};

export const executeHandler: Handler<PlanFileOpts> = async (ctx, opts) => {
  if (!opts.plan) throw usageError('--plan FILE is required', { hint: 'e.g. mcp migration execute --plan migration-plan.yaml' });
  const plan = await loadPlanFor(ctx, opts);
  const out = await executePlan(plan, await execOptions(ctx, { dryRun: Boolean(opts.dryRun) }, plan));
  return finish(ctx, report(out, { runtime: await runtimeType(ctx.home), installed: await currentVersion(ctx.home).catch(() => undefined) }));
};

export const upgradeHandler: Handler<{ to: string; dryRun?: boolean }> = async (ctx, opts) => {
  const cfg = await readStoredConfig(ctx.home);
  const rt = await runtimeType(ctx.home);
  const plan = upgradePlan(cfg.version, opts.to, { runtime: rt });
  if (!opts.dryRun) ctx.out.progress(`${plan.name}: ${plan.phases.reduce((a, p) => a + p.steps.length, 0)} steps${rt === 'none' ? ' (runtime none: services are external)' : ''}`);
  const out = await executePlan(plan, await execOptions(ctx, { dryRun: Boolean(opts.dryRun) }, plan));
  return finish(ctx, report(out, { runtime: rt, title: `Upgrade ${plan.from} → ${plan.to}` }));
};

function pickRun(ctx: Ctx, id?: string): string {
  const run = id ?? latestRun(ctx.home);
  if (!run) throw preconditionError(`no runs in ${ctx.home}`, { hint: 'start one with mcp upgrade --to 6.0 or mcp migration execute --plan FILE' });
  if (!listRuns(ctx.home).includes(run)) throw usageError(`no run ${run} in ${ctx.home}`, { hint: `runs: ${listRuns(ctx.home).slice(-5).join(', ')}` });
  return run;
}

export const resumeHandler: Handler<{ run?: string }> = async (ctx, opts) => {
  const id = pickRun(ctx, opts.run);
  const out = await resumeRun(id, await execOptions(ctx, {}, replay(ctx.home, id).plan));
  return finish(ctx, report(out, { runtime: await runtimeType(ctx.home), installed: await currentVersion(ctx.home).catch(() => undefined) }));
};

export const rollbackHandler: Handler<{ run?: string; to?: string }> = async (ctx, opts) => {
  const id = pickRun(ctx, opts.run);
  const out = await rollbackRun(id, { ...(await execOptions(ctx, {}, replay(ctx.home, id).plan)), to: opts.to ? { version: opts.to } : 'rollback-point', reason: `requested by ${ctx.bin} ${ctx.command}${opts.to ? ` --to ${opts.to}` : ''}` });
  const r = report(out, { title: `Rollback of ${out.plan.name}` });
  return finish(ctx, { ...r, exitCode: out.status === 'rolled-back' ? ExitCode.OK : r.exitCode });
};

export const pauseHandler: Handler<{ run?: string }> = async (ctx, opts) => {
  const id = pickRun(ctx, opts.run);
  const lock = readLock(ctx.home);
  if (!lock || lock.runId !== id) throw preconditionError(`run ${id} is not in progress (${replay(ctx.home, id).status})`, { hint: 'only a running run can be paused' });
  writeControl(ctx.home, id, 'pause');
  return { data: { runId: id, requested: 'pause' }, text: `pause requested: run ${id} stops before its next step (pid ${lock.pid}); continue with mcp migration resume` };
};

export const abortHandler: Handler<{ run?: string }> = async (ctx, opts) => {
  const id = pickRun(ctx, opts.run);
  const lock = readLock(ctx.home);
  if (lock && lock.runId === id) {
    writeControl(ctx.home, id, 'abort');
    return { data: { runId: id, requested: 'abort' }, text: `abort requested: run ${id} stops before its next step and rolls back to its last rollback point (pid ${lock.pid})` };
  }
  const st = replay(ctx.home, id);
  if (st.status === 'completed' || st.status === 'rolled-back') throw preconditionError(`run ${id} is ${st.status}; nothing to abort`, { hint: 'to undo a completed upgrade: mcp-migrate rollback --to VERSION' });
  const out = await rollbackRun(id, { ...(await execOptions(ctx, {}, st.plan)), to: 'rollback-point', reason: 'aborted' });
  const r = report(out, { title: `Abort of ${out.plan.name}` });
  return finish(ctx, { ...r, exitCode: out.status === 'rolled-back' ? ExitCode.OK : r.exitCode });
};

const TERMINAL = new Set(['completed', 'failed', 'rolled-back', 'aborted', 'paused', 'interrupted']);

export const statusHandler: Handler<{ run?: string; watch?: boolean; interval?: string }> = async (ctx, opts) => {
  // no run yet is an answer, not an error: `watch -n 5 'mcp migration status'` started before the migration
  if (!opts.run && !latestRun(ctx.home)) {
    return { data: { runId: null, status: 'none' }, text: `No migration has run in ${ctx.home} yet (start one with: mcp upgrade --to VERSION, or mcp migration execute --plan FILE)` };
  }
  const id = pickRun(ctx, opts.run);
  if (!opts.watch) {
    const doc = statusDoc(replay(ctx.home, id));
    return { data: doc, text: statusText(doc) };
  }
  const every = Math.max(200, Number(opts.interval ?? 1000));
  let last = '';
  for (;;) {
    const doc = statusDoc(replay(ctx.home, id));
    const key = JSON.stringify(doc);
    if (key !== last) {
      last = key;
      if (ctx.out.json) ctx.out.event({ type: 'status', ...(doc as unknown as Record<string, unknown>) });
      else ctx.out.progress(statusText(doc).join('\n') + '\n');
    }
    if (TERMINAL.has(doc.status) || ctx.signal.aborted) return { exitCode: ExitCode.OK };
    await new Promise((r) => setTimeout(r, every));
  }
};

/**
 * The promotion of this home into another environment's registered home. Run from the source's home: a source
 * that is not this home, or a target with no registered home, is exit 2 and changes nothing.
 */
async function promotionPlanHere(home: string, sourceEnv: string | undefined, targetEnv: string | undefined, o: { from?: string; skip?: string[] }): Promise<Plan> {
  const own = await ownEnvironment(home);
  const source = sourceEnv ?? own;
  assertEnvironmentName(source, '--source-env');
  if (source !== own) {
    throw usageError(`--source-env ${source}: this home is the ${own} environment; a promotion runs in its source's home`, { hint: `run it there: mcp-migrate --home <the ${source} home> plan --source-env ${source}${targetEnv ? ` --target-env ${targetEnv}` : ''}` });
  }
  if (!targetEnv) throw usageError('--target-env is missing: which environment does this home promote into?', { hint: `e.g. mcp-migrate plan --source-env ${own} --target-env ${own === 'staging' ? 'production' : 'staging'}` });
  if (targetEnv === own) throw usageError(`--target-env ${targetEnv} is this home's own environment: a promotion goes into another environment's home`, { hint: 'mcp environments list shows the registered ones' });
  // the target's own home, registered here (else exit 2 naming mcp environments add)
  await resolveEnvironment(home, targetEnv, '--target-env');
  const { listBaselines } = await import('../../ops/benchmark.js');
  const text = promotionPlanText(source, targetEnv, { snapshot: `pre-promotion-${targetEnv}`, baseline: (await listBaselines(home)).length > 0 });
  // a promotion moves an installation between homes at the version it is at
  return withPlatform((await parsePlanText(text, `promotion ${source} → ${targetEnv}`, { from: o.from, to: o.from, skip: o.skip })).plan, o.from);
}

/** `mcp-migrate plan`: build a plan (built-in or from a file), show it for review, optionally save it. */
export const planHandler: Handler<{ from?: string; to?: string; source?: string; target?: string; sourceEnv?: string; targetEnv?: string; plan?: string; out?: string; skip?: string[] }> = async (ctx, opts) => {
  let plan: Plan;
  if (opts.plan) {
    const from = await currentVersion(ctx.home).catch(() => undefined);
    plan = withPlatform((await readPlanFile(resolve(opts.plan), { to: opts.to, from, skip: list(opts.skip) })).plan, from);
  } else if (opts.source || opts.target) {
    if (!opts.source || !opts.target) throw usageError('--source and --target go together', { hint: 'mcp-migrate plan --source ./v4-config --target ./v5-config' });
    plan = await convertPlan(resolve(opts.source), resolve(opts.target), opts.to);
  } else if (opts.sourceEnv || opts.targetEnv) {
    plan = await promotionPlanHere(ctx.home, opts.sourceEnv, opts.targetEnv, { from: await currentVersion(ctx.home).catch(() => undefined), skip: list(opts.skip) });
  } else {
    if (!opts.to) throw usageError('what to plan? pass --to VERSION (with --from, else the installed version), --source/--target DIR, --source-env/--target-env, or --plan FILE', { hint: 'e.g. mcp-migrate plan --from 4.x --to 5.x' });
    let from = opts.from;
    if (!from) from = (await readStoredConfig(ctx.home)).version;
    plan = upgradePlan(from, opts.to, { runtime: await runtimeType(ctx.home) });
  }
  const refusals = await checkPlan(plan, registry, ctx.home, ctx.env, (await execOptions(ctx, {}, plan)).homes);
  if (refusals.length) throw refusalError(refusals);
  const saved = sanitizePlan({ ...plan, fingerprint: await fingerprint(ctx.home) });
  if (opts.out) await writeFileAtomic(resolve(opts.out), JSON.stringify(saved, null, 2) + '\n');
  const kinds = new Map(STEP_KINDS.map((k) => [k.kind, k]));
  const lines = [`Plan: ${plan.name}${plan.from ? ` (${plan.from} → ${plan.to})` : ''}`];
  for (const p of plan.phases) {
    lines.push(`  ${p.name}${p.parallel ? ' (parallel)' : ''}${p.timeoutMs ? `, timeout ${formatDuration(p.timeoutMs)}` : ''}${p.canary ? `, canary ${p.canary.percentage}% for ${formatDuration(p.canary.durationMs)}` : ''}`);
    for (const s of p.steps) {
      const k = kinds.get(s.kind);
      lines.push(`    - ${s.title}  [${s.kind}${s.environment ? ` on ${s.environment}` : ''}; undo: ${k?.mutates && k.undo ? 'yes' : 'nothing to undo'}${s.rollbackPoint ? '; rollback point' : ''}]`);
    }
  }
  if (plan.rollback.conditions.length) lines.push(`  rollback ${plan.rollback.automatic ? 'automatically' : 'manually'} when: ${plan.rollback.conditions.map((c) => c.text).join(', ')} (no data: ${plan.rollback.noData})`);
  for (const n of plan.notes) lines.push(`  note: ${n}`);
  if (plan.manualActions.length) {
    lines.push('  afterwards, by hand:');
    for (const m of plan.manualActions) lines.push(`    - ${m}`);
  }
  if (opts.out) lines.push(`Saved to ${resolve(opts.out)} (fingerprint ${saved.fingerprint!.value.slice(0, 12)}…); run it with: mcp-migrate execute --plan ${opts.out}`);
  return { data: { plan: saved, file: opts.out ? resolve(opts.out) : undefined }, text: lines };
};
