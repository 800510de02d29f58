// `mcp migration schedule --from 5.0 --to 6.0 --date D --window 02:00-06:00`: the guide's "Migration
// Schedule Template" filled in from the plan that would run (the built-in upgrade plan, or --plan FILE),
// with per-step estimates for this installation (src/run/estimate.ts). Markdown on stdout or --output.
import { resolve } from 'node:path';
import type { Handler } from '../../cli/program.js';
import { usageError } from '../../errors.js';
import { writeFileAtomic } from '../../fsutil.js';
import { readStoredConfig } from '../../config/store.js';
import { parseSize } from '../../ops/disk.js';
import { buildSchedule, humanDuration, parseDate, parseWindow, renderSchedule } from '../../ops/schedule.js';
import { estimatePlan, measuredDurations, type InstallationFacts } from '../../run/estimate.js';
import { upgradePlan } from '../../run/planner.js';
import { readPlanFile } from '../../run/plan-files.js';
import { measureDataSize } from '../../data/size.js';
import { servicesOf } from '../../ops/platform.js';
import type { Plan } from '../../run/plan.js';

export interface ScheduleOptions {
  from?: string;
  to?: string;
  date: string;
  window: string;
  plan?: string;
  dataSize?: string;
  lead?: string;
  databaseTeam?: string;
  platformTeam?: string;
  onCall?: string;
  output?: string;
}

export const scheduleHandler: Handler<ScheduleOptions> = async (ctx, opts) => {
  // bad input first, before measuring anything
  const date = parseDate(opts.date);
  const window = parseWindow(opts.window);
  const stored = await readStoredConfig(ctx.home).catch(() => undefined);
  const runtime = ((stored?.doc.runtime as { type?: string } | undefined)?.type ?? 'docker') as string;

  let plan: Plan;
  if (opts.plan) {
    plan = (await readPlanFile(resolve(opts.plan), { to: opts.to, from: opts.from ?? stored?.version })).plan;
  } else {
    if (!opts.to) throw usageError('--to VERSION is required (or --plan FILE)', { hint: 'e.g. mcp migration schedule --from 5.0 --to 6.0 --date 2025-07-30 --window 02:00-06:00' });
    const from = opts.from ?? stored?.version;
    if (!from) throw usageError(`--from VERSION is required: there is no installation in ${ctx.home} to read it from`, { hint: 'e.g. --from 5.0' });
    plan = upgradePlan(from, opts.to, { runtime });
  }

  const notes: string[] = [];
  const today = new Date(ctx.deps.now().toISOString().slice(0, 10) + 'T00:00:00Z');
  const daysAhead = Math.round((date.getTime() - today.getTime()) / 86_400_000);
  if (daysAhead < 0) ctx.out.warn(`--date ${opts.date} is in the past (today is ${today.toISOString().slice(0, 10)})`);
  else if (daysAhead < 7) notes.push(`--date is ${daysAhead} day(s) away: the timeline's T-7 announcement is already late`);
  let dataBytes = 0;
  let databaseBytes = 0;
  if (opts.dataSize !== undefined) {
    // a size given for the whole installation: counted as database too (the database migration is
    // estimated as if all of it had to move: the conservative reading)
    databaseBytes = parseSize(opts.dataSize, '--data-size');
  } else if (stored) {
    const size = await measureDataSize(ctx.home, ctx.env, stored.doc);
    dataBytes = size.dataDir;
    databaseBytes = size.database ?? 0;
    if (size.databaseNote) notes.push(size.databaseNote);
  } else {
    notes.push(`no installation in ${ctx.home}: estimates assume no data (pass --data-size)`);
  }
  if (!stored) notes.push('no installation: the runtime is assumed to be docker');
  else if (runtime === 'none') notes.push('runtime none: stopping and starting the services is done by hand; each is estimated at 15 minutes');
  const facts: InstallationFacts = {
    dataBytes,
    databaseBytes,
    services: stored ? safeCount(stored.doc) : 9,
    runtime,
    measuredByKind: await measuredDurations(ctx.home),
  };
  const { steps, overTimeout } = estimatePlan(plan, facts);
  for (const o of overTimeout) notes.push(`phase ${o.phase} is expected to take ${humanDuration(o.expectedMs)}, over its timeout of ${humanDuration(o.timeoutMs)}: the executor would fail it; raise the timeout in the plan`);
  const schedule = buildSchedule({
    from: plan.from ?? opts.from ?? '?',
    to: plan.to ?? opts.to ?? '?',
    date,
    window,
    steps,
    team: { lead: opts.lead, database: opts.databaseTeam, platform: opts.platformTeam, onCall: opts.onCall },
  });
  const markdown = renderSchedule(schedule);
  if (!schedule.downtime.fitsWindow) ctx.out.warn(`the plan's worst case (${humanDuration(schedule.totalMs.maximum)}) does not fit the ${humanDuration(window.durationMs)} window ${window.start}-${window.end}`);
  for (const n of notes) ctx.out.progress(`note: ${n}`);
  for (const o of overTimeout) ctx.out.warn(`phase ${o.phase}: expected ${humanDuration(o.expectedMs)}, timeout ${humanDuration(o.timeoutMs)}`);
  const data = {
    ...schedule,
    plan: { name: plan.name, kind: plan.kind, from: plan.from, to: plan.to },
    facts: { dataBytes, databaseBytes, services: facts.services, runtime },
    steps: steps.map((s) => ({ id: s.id, phase: s.phase, title: s.title, kind: s.kind, estimateMs: s.estimateMs, maxMs: s.maxMs, rollbackPoint: s.rollbackPoint, basis: s.basis })),
    overTimeout,
    notes,
    markdown,
    output: opts.output ? resolve(opts.output) : undefined,
  };
  if (opts.output) {
    await writeFileAtomic(resolve(opts.output), markdown);
    return { data, text: `schedule written to ${resolve(opts.output)} (expected downtime ${schedule.downtime.expected}, maximum ${schedule.downtime.maximum})` };
  }
  return { data, text: markdown.replace(/\n$/, '') };
};

function safeCount(doc: Record<string, unknown>): number {
  try {
    return servicesOf(doc).length;
  } catch {
    return 9;
  }
}
