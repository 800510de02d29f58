// Durations, one parser and two renderings for the whole CLI. Written as operators write them: 500ms,
// 30s, 10m, 1h, 2d, 1w, or combined (1h30m, "1h 30m"); a bare number is seconds where the caller
// allows it. Callers add their own error (a flag's exit 2, a plan file's line).
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gi;
const WITH_UNITS = /^(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$/i;
const BARE = /^\d+(?:\.\d+)?$/;

/** Milliseconds, or undefined when `raw` is not a duration. `bare: 'none'` refuses numbers without a unit. */
export function durationMs(raw: unknown, opts: { bare?: 'seconds' | 'none' } = {}): number | undefined {
  const bareOk = opts.bare !== 'none';
  if (typeof raw === 'number') return bareOk && Number.isFinite(raw) && raw >= 0 ? Math.round(raw * 1000) : undefined;
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  if (BARE.test(s)) return bareOk ? Math.round(Number(s) * 1000) : undefined;
  if (!WITH_UNITS.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PART)) total += Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  return Math.round(total);
}

/** A measured duration, precise where it is short: 640ms, 1.75s, 12.3s, 5m3s, 2h5m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}

/** A span as a flag takes it back (`--since`): 90061000 → "1d 1h 1m 1s", 3600000 → "1h"; under a second in ms. */
export function formatSpan(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, sec] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(rest / sec);
    if (n) parts.push(`${n}${unit}`);
    rest -= n * sec;
  }
  return parts.join(' ');
}
