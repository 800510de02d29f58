// `mcp benchmark [--service NAME] [--requests N] [--save NAME] [--compare-with NAME]`.
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { integrityError, invalidInput, preconditionError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import {
  TOLERANCE,
  benchmarkTargets,
  compare,
  comparableServices,
  isMeasurement,
  listBaselines,
  notMeasuredReason,
  loadBaseline,
  measure,
  saveBaseline,
  validBaselineName,
  type BenchmarkRun,
  type Check,
  type NotComparable,
} from '../../ops/benchmark.js';
import { readPlatform } from '../../ops/platform.js';
import { parseDuration } from '../../ops/time.js';

export interface BenchmarkOptions {
  service?: string[];
  requests: string;
  concurrency: string;
  timeout: string;
  save?: string;
  compareWith?: string;
}

const MAX_REQUESTS = 100_000;

function intFlag(raw: string, flag: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidInput(`${flag} '${raw}' must be a whole number from ${min} to ${max}`);
  return n;
}

function nameFlag(raw: string, flag: string): string {
  if (!validBaselineName(raw)) throw invalidInput(`${flag} '${raw}' is not a baseline name`, { hint: 'letters, digits, dot, dash and underscore, e.g. baseline-v6' });
  return raw;
}

/** A progress bar on a TTY (stderr), one line per service otherwise; nothing with --json or --quiet. */
function progressBar(ctx: Ctx, total: number) {
  const tty = ctx.out.animate && !ctx.global.json && !ctx.global.quiet;
  let done = 0;
  let last = 0;
  let label = '';
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 80) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / total) * width);
    ctx.out.writeStderr(`\r${label.padEnd(20).slice(0, 20)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`);
  };
  return {
    start(service: string) {
      label = service;
      if (tty) draw(true);
      else if (!ctx.global.json) ctx.out.progress(`benchmarking ${service}…`);
    },
    tick() {
      done++;
      if (tty) draw();
    },
    end() {
      if (tty) {
        draw(true);
        ctx.out.writeStderr('\n');
      }
    },
  };
}

export const benchmarkHandler: Handler<BenchmarkOptions> = async (ctx, opts) => {
  const settings = {
    requests: intFlag(opts.requests, '--requests', 1, MAX_REQUESTS),
    concurrency: intFlag(opts.concurrency, '--concurrency', 1, 256),
    timeoutMs: parseDuration(opts.timeout, '--timeout'),
  };
  const save = opts.save !== undefined ? nameFlag(opts.save, '--save') : undefined;
  const compareWith = opts.compareWith !== undefined ? nameFlag(opts.compareWith, '--compare-with') : undefined;

  // Load the baseline first: a wrong name should not cost a benchmark run.
  let baseline: BenchmarkRun | undefined;
  if (compareWith) {
    try {
      baseline = await loadBaseline(ctx.home, compareWith);
    } catch (e) {
      throw integrityError(`baseline '${compareWith}' is unreadable: ${(e as Error).message}`, { hint: `save a new one with mcp benchmark --save ${compareWith}` });
    }
    if (!baseline) {
      const have = await listBaselines(ctx.home);
      throw preconditionError(`no baseline named '${compareWith}'`, {
        hint: have.length ? `saved baselines: ${have.join(', ')}` : `save one first: mcp benchmark --save ${compareWith}`,
      });
    }
  }
  // A baseline service whose every request failed (saved before that was refused) is no measurement.
  const { comparable, notComparable } = baseline ? comparableServices(baseline) : { comparable: [], notComparable: [] as NotComparable[] };
  if (baseline && !comparable.length) {
    throw preconditionError(
      `baseline '${compareWith}' holds no measurement to compare with: ${notComparable.map((s) => `${s.service}: ${s.reason}`).join('; ')}`,
      { hint: `save a new one while the services run: mcp benchmark --save ${compareWith}` },
    );
  }

  const platform = await readPlatform(ctx.home);
  const only = (opts.service ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s && s !== 'all');
  for (const name of only) {
    if (!platform.services.some((s) => s.name === name)) {
      throw invalidInput(`--service '${name}' is not a service of this platform`, { hint: `services: ${platform.services.map((s) => s.name).join(', ') || '(none)'}` });
    }
  }
  // With a baseline, measure what it measured (unless --service narrows it).
  const wanted = only.length ? only : baseline ? comparable.map((s) => s.service) : undefined;
  const { targets, skipped } = benchmarkTargets(platform.services, wanted);
  if (!targets.length) {
    throw preconditionError('no service with an HTTP endpoint to benchmark', {
      hint: skipped.length ? skipped.map((s) => `${s.service}: ${s.reason}`).join('; ') : 'add services with published ports and an http health check to the config',
    });
  }

  const bar = progressBar(ctx, targets.length * settings.requests);
  const run = await measure(targets, settings, { platformVersion: platform.version, skipped }, { signal: ctx.signal, onService: (s) => bar.start(s), onRequest: () => bar.tick() });
  bar.end();
  if (ctx.signal.aborted) throw preconditionError('benchmark interrupted; nothing saved');

  const checks = baseline ? compare(baseline, run) : undefined;
  // nothing compared (--service named only services the baseline did not measure) is no pass
  const passed = checks ? checks.length > 0 && checks.every((c) => c.ok) : undefined;
  let savedTo: string | undefined;
  let leftOut: NotComparable[] | undefined;
  if (save) {
    // A service none of whose requests succeeded was not measured: it is no baseline.
    const measured = run.services.filter(isMeasurement);
    leftOut = run.services.filter((s) => !isMeasurement(s)).map((s) => ({ service: s.service, reason: notMeasuredReason(s) }));
    if (!measured.length) {
      throw preconditionError(`no service answered, so baseline '${save}' is not saved: ${leftOut.map((s) => `${s.service}: ${s.reason}`).join('; ')}`, {
        hint: `start ${leftOut.length === 1 ? 'it' : 'them'} (mcp start ${leftOut.map((s) => s.service).join(' ')}) and benchmark again, or pick a running service with --service NAME`,
      });
    }
    for (const s of leftOut) ctx.out.warn(`${s.service} is left out of baseline '${save}': ${s.reason}; it was not measured`);
    savedTo = await saveBaseline(ctx.home, save, { ...run, name: save, services: measured, ...(leftOut.length ? { leftOut } : {}) });
  }
  ctx.log.log(passed === false ? 'warn' : 'info', 'benchmark', { services: run.services.map((s) => ({ service: s.service, p50: s.latencyMs.p50, p95: s.latencyMs.p95, rps: s.throughputRps, errors: s.errors })), save, compareWith, withinBaseline: passed });

  const text: string[] = [];
  const pad = Math.max(7, ...run.services.map((s) => s.service.length));
  text.push(`${'service'.padEnd(pad)}  requests  errors    p50 ms    p95 ms    p99 ms   req/s`);
  for (const s of run.services) {
    text.push(
      `${s.service.padEnd(pad)}  ${String(s.requests).padStart(8)}  ${String(s.errors).padStart(6)}  ${s.latencyMs.p50.toFixed(2).padStart(8)}  ${s.latencyMs.p95.toFixed(2).padStart(8)}  ${s.latencyMs.p99.toFixed(2).padStart(8)}  ${s.throughputRps.toFixed(1).padStart(6)}`,
    );
    if (s.errorSamples.length) text.push(`${''.padEnd(pad)}  errors: ${s.errorSamples.join(', ')}`);
  }
  for (const s of skipped) text.push(`skipped ${s.service}: ${s.reason}`);
  if (checks && baseline) {
    text.push('', `Compared with baseline '${compareWith}' (${baseline.createdAt}); criterion: within ${TOLERANCE * 100}% of baseline`);
    for (const c of checks) text.push(`  ${c.ok ? '✓' : '✗'} ${describeCheck(c)}`);
    for (const n of notComparable) text.push(`  - ${n.service}: not comparable, ${n.reason}`);
    if (!checks.length) text.push('  nothing measured now was measured in the baseline');
    text.push(passed ? 'Performance is within 10% of the baseline.' : 'Performance is NOT within 10% of the baseline (exit 3).');
  }
  if (savedTo) text.push(`Saved baseline '${save}' to ${savedTo}${leftOut?.length ? ` (without ${leftOut.map((s) => s.service).join(', ')}: not measured)` : ''}`);
  return {
    data: {
      ...run,
      name: save,
      savedTo,
      leftOut: leftOut?.length ? leftOut : undefined,
      comparison: checks ? { baseline: compareWith, baselineCreatedAt: baseline!.createdAt, tolerance: TOLERANCE, ok: passed, checks, notComparable } : undefined,
    },
    text,
    exitCode: passed === false ? ExitCode.PRECONDITION : ExitCode.OK,
  };
};

function describeCheck(c: Check): string {
  if (c.metric === 'present') return `${c.service}: measured in the baseline, not now`;
  const unit = c.metric === 'throughput' ? ' req/s' : c.metric === 'errorRate' ? '' : ' ms';
  const cmp = c.metric === 'throughput' ? '≥' : '≤';
  const pct = c.change === null ? '' : ` (${c.change > 0 ? '+' : ''}${(c.change * 100).toFixed(1)}% ${c.change > 0 ? 'worse' : c.change < 0 ? 'better' : 'same'})`;
  return `${c.service} ${c.metric}: ${c.current}${unit} vs baseline ${c.baseline}${unit}, must be ${cmp} ${c.threshold}${unit}${pct}`;
}
