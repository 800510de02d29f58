// Times as the guide writes them: durations (`1h`, `10m`, `30s`, `2d`, `1h30m`) and instants
// (ISO 8601: `2025-07-24T00:00:00Z`, `2025-07-24`, or a duration meaning "that long ago").
import { invalidInput } from '../errors.js';

import { durationMs } from '../duration.js';

export { formatSpan } from '../duration.js';

/** `1h` → 3_600_000. Throws exit 2 naming the flag when it is not a duration. */
export function parseDuration(raw: string, flag = 'duration'): number {
  const total = durationMs(raw, { bare: 'none' });
  if (total === undefined) {
    throw invalidInput(`${flag} '${raw}' is not a duration`, { hint: 'write a number and a unit: 30s, 10m, 1h, 2d (or combined: 1h30m)' });
  }
  if (total <= 0) throw invalidInput(`${flag} '${raw}' must be longer than zero`, { hint: 'for example 10m or 1h' });
  return total;
}

// ISO 8601 date or date-time; a date-time without zone is taken as UTC (operators read UTC logs).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** An instant: ISO 8601, `now`, or a duration meaning that long before `now`. */
export function parseInstant(raw: string, flag: string, now: Date = new Date()): Date {
  const s = String(raw).trim();
  if (s.toLowerCase() === 'now') return new Date(now.getTime());
  if (durationMs(s, { bare: 'none' }) !== undefined) return new Date(now.getTime() - parseDuration(s, flag));
  const m = s.match(ISO);
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
    const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
    const z = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    const iso = `${y}-${mo}-${d}T${h}:${mi}:${sec}.${String(ms).padStart(3, '0')}${z}`;
    const t = new Date(iso);
    // Date accepts 2025-02-30 by rolling over; a round trip catches it.
    if (!Number.isNaN(t.getTime()) && Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= daysIn(Number(y), Number(mo)) && Number(h) < 24 && Number(mi) < 60 && Number(sec) < 61) {
      return t;
    }
  }
  throw invalidInput(`${flag} '${raw}' is not a time`, { hint: 'use ISO 8601 (2025-07-24T00:00:00Z or 2025-07-24) or a duration ago (10m, 1h, 2d)' });
}

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
