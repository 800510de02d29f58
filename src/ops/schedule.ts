// The guide's "Migration Schedule Template", filled in from a plan: the timeline before T-0, the
// maintenance window, expected and maximum downtime from the steps' estimates, rollback decision points
// from the plan's rollback points (T+ offsets), and the success criteria.
import { invalidInput } from '../errors.js';

export interface ScheduleStep {
  id: string;
  title: string;
  phase: string;
  kind: string;
  /** expected duration */
  estimateMs: number;
  /** worst case (a timeout); defaults to the estimate */
  maxMs?: number;
  rollbackPoint: boolean;
}

export interface Window {
  start: string;
  end: string;
  /** minutes from midnight */
  startMin: number;
  endMin: number;
  durationMs: number;
}

export interface Team {
  lead?: string;
  database?: string;
  platform?: string;
  onCall?: string;
}

export function parseWindow(raw: string): Window {
  const m = String(raw).trim().match(/^([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)$/);
  if (!m) throw invalidInput(`--window '${raw}' is not a time window`, { hint: 'write it as HH:MM-HH:MM in UTC, e.g. 02:00-06:00' });
  const startMin = Number(m[1]) * 60 + Number(m[2]);
  const endMin = Number(m[3]) * 60 + Number(m[4]);
  if (startMin === endMin) throw invalidInput(`--window '${raw}' is empty`, { hint: 'e.g. 02:00-06:00' });
  const minutes = endMin > startMin ? endMin - startMin : 24 * 60 - startMin + endMin; // crossing midnight
  const hhmm = (n: number) => `${String(Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`;
  return { start: hhmm(startMin), end: hhmm(endMin), startMin, endMin, durationMs: minutes * 60_000 };
}

export function parseDate(raw: string): Date {
  const m = String(raw).trim().match(/^(\d{4})-(\d{2})-(\d{2})$/);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.getUTCFullYear() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw invalidInput(`--date '${raw}' is not a date`, { hint: 'write it as YYYY-MM-DD, e.g. 2025-07-30' });
  }
  return d;
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

/** "2 hours", "45 minutes", "1 hour 30 minutes" — as the template writes them. */
export function humanDuration(ms: number): string {
  const totalMin = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  const parts = [h ? `${h} hour${h === 1 ? '' : 's'}` : '', m ? `${m} minute${m === 1 ? '' : 's'}` : ''].filter(Boolean);
  return parts.join(' ');
}

/** "T+15m", "T+1h15m"; rounded up, so a decision point is never announced before it can be reached */
export function tPlus(ms: number): string {
  const totalMin = Math.ceil(ms / 60_000);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  return `T+${h ? `${h}h` : ''}${m || !h ? `${m}m` : ''}`;
}

export interface Schedule {
  from: string;
  to: string;
  date: string;
  window: { start: string; end: string; timezone: 'UTC'; durationMs: number };
  timeline: Array<{ at: string; date: string; what: string }>;
  downtime: { expectedMs: number; maximumMs: number; expected: string; maximum: string; fitsWindow: boolean; from?: string; to?: string; periods: number };
  totalMs: { expected: number; maximum: number };
  rollbackPoints: Array<{ n: number; step: string; title: string; at: string; offsetMs: number }>;
  team: Required<Team>;
  successCriteria: string[];
}

export const SUCCESS_CRITERIA = ['All services healthy', 'Data integrity verified', 'Performance within 10% of baseline', 'No critical errors in logs'];

export function buildSchedule(input: { from: string; to: string; date: Date; window: Window; steps: ScheduleStep[]; team?: Team }): Schedule {
  const { steps } = input;
  let t = 0;
  let tMax = 0;
  const offsets = steps.map((s) => {
    t += s.estimateMs;
    tMax += s.maxMs ?? s.estimateMs;
    return { step: s, endMs: t, endMaxMs: tMax };
  });
  // downtime: from each step that stops the services through the next one that starts them again (a
  // multi-hop upgrade is down twice, and up in between); a plan that never stops them counts whole
  const isStop = (k: string) => k === 'services.stop';
  const isStart = (k: string) => k === 'services.start';
  const spans: Array<[number, number]> = [];
  for (let i = 0; i < steps.length; i++) {
    if (!isStop(steps[i]!.kind)) continue;
    let j = i;
    while (j < steps.length - 1 && !isStart(steps[j]!.kind)) j++;
    spans.push([i, j]);
    i = j;
  }
  if (!spans.length && steps.length) spans.push([0, steps.length - 1]);
  const inSpans = (pick: (s: ScheduleStep) => number) => spans.reduce((a, [f, l]) => a + steps.slice(f, l + 1).reduce((b, s) => b + pick(s), 0), 0);
  const expectedMs = inSpans((s) => s.estimateMs);
  const maximumMs = inSpans((s) => s.maxMs ?? s.estimateMs);
  const first = spans[0]?.[0] ?? 0;
  const last = spans[spans.length - 1]?.[1] ?? steps.length - 1;
  const rollbackPoints = offsets
    .filter((o) => o.step.rollbackPoint)
    .map((o, i) => ({ n: i + 1, step: o.step.id, title: o.step.title, at: tPlus(o.endMs), offsetMs: o.endMs }));
  const team = { lead: input.team?.lead ?? 'TBD', database: input.team?.database ?? 'TBD', platform: input.team?.platform ?? 'TBD', onCall: input.team?.onCall ?? 'TBD' };
  const d = input.date;
  return {
    from: input.from,
    to: input.to,
    date: ymd(d),
    window: { start: input.window.start, end: input.window.end, timezone: 'UTC', durationMs: input.window.durationMs },
    timeline: [
      { at: 'T-7 days', date: ymd(addDays(d, -7)), what: 'Announce maintenance window' },
      { at: 'T-3 days', date: ymd(addDays(d, -3)), what: 'Final testing in staging' },
      { at: 'T-1 day', date: ymd(addDays(d, -1)), what: 'Final reminder to users' },
      { at: 'T-0', date: `${ymd(d)} ${input.window.start} UTC`, what: 'Begin migration' },
    ],
    downtime: {
      expectedMs,
      maximumMs,
      expected: humanDuration(expectedMs),
      maximum: humanDuration(maximumMs),
      fitsWindow: offsets.length ? offsets[offsets.length - 1]!.endMaxMs <= input.window.durationMs : true,
      from: steps[first]?.title,
      to: steps[last]?.title,
      periods: spans.length,
    },
    totalMs: { expected: t, maximum: tMax },
    rollbackPoints,
    team,
    successCriteria: SUCCESS_CRITERIA,
  };
}

export function renderSchedule(s: Schedule): string {
  const lines = [
    `# Migration Schedule: v${s.from} to v${s.to}`,
    '',
    '## Timeline',
    ...s.timeline.map((t) => `- **${t.at}**: ${t.what} (${t.date})`),
    '',
    '## Maintenance Window',
    `- **Date**: ${s.date}`,
    `- **Time**: ${s.window.start} - ${s.window.end} UTC`,
    `- **Expected Downtime**: ${s.downtime.expected}`,
    `- **Maximum Downtime**: ${s.downtime.maximum}`,
    ...(s.downtime.fitsWindow ? [] : [`- **Warning**: the plan's worst case (${humanDuration(s.totalMs.maximum)}) does not fit the ${humanDuration(s.window.durationMs)} window`]),
    '',
    '## Team Assignments',
    `- **Migration Lead**: ${s.team.lead}`,
    `- **Database Team**: ${s.team.database}`,
    `- **Platform Team**: ${s.team.platform}`,
    `- **On-Call**: ${s.team.onCall}`,
    '',
    '## Rollback Decision Points',
    ...(s.rollbackPoints.length ? s.rollbackPoints.map((r) => `${r.n}. After ${lowerFirst(r.title)} (${r.at})`) : ['(the plan has no rollback points)']),
    '',
    '## Success Criteria',
    ...s.successCriteria.map((c) => `- ${c}`),
    '',
  ];
  return lines.join('\n');
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
