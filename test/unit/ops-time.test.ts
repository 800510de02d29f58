import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { formatSpan as formatDuration, parseDuration, parseInstant } from '../../src/ops/time.js';
import { McpError } from '../../src/errors.js';

const now = new Date('2025-07-24T12:00:00.000Z');

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['1w', 604_800_000],
  ])('%s = %i ms', (s, ms) => expect(parseDuration(s)).toBe(ms));

  it.each(['', '10', 'h', '1 hour', '-1h', '0m', '1y'])('%j is refused with exit 2 naming the flag', (s) => {
    try {
      parseDuration(s, '--duration');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(McpError);
      expect(exitCodeOf(e as McpError)).toBe(2);
      expect((e as McpError).message).toContain('--duration');
    }
  });

  it('formats for humans', () => {
    expect(formatDuration(500)).toBe('500ms');
    expect(formatDuration(90_061_000)).toBe('1d 1h 1m 1s');
    expect(formatDuration(7_200_000)).toBe('2h');
  });
});

describe('instants', () => {
  it('a duration means that long ago', () => {
    expect(parseInstant('1h', '--since', now).toISOString()).toBe('2025-07-24T11:00:00.000Z');
    expect(parseInstant('10m', '--since', now).toISOString()).toBe('2025-07-24T11:50:00.000Z');
  });
  it('ISO 8601 forms as the guide writes them', () => {
    expect(parseInstant('2025-07-24T00:00:00Z', '--from', now).toISOString()).toBe('2025-07-24T00:00:00.000Z');
    expect(parseInstant('2025-07-24T23:59:59Z', '--to', now).toISOString()).toBe('2025-07-24T23:59:59.000Z');
    expect(parseInstant('2025-07-24', '--from', now).toISOString()).toBe('2025-07-24T00:00:00.000Z');
    expect(parseInstant('2025-07-24T02:00:00+02:00', '--from', now).toISOString()).toBe('2025-07-24T00:00:00.000Z');
    expect(parseInstant('2025-07-24T02:00:00.123456Z', '--from', now).toISOString()).toBe('2025-07-24T02:00:00.123Z');
    expect(parseInstant('2025-07-24 02:00', '--from', now).toISOString()).toBe('2025-07-24T02:00:00.000Z');
    expect(parseInstant('now', '--to', now).toISOString()).toBe(now.toISOString());
  });
  it.each(['2025-02-30', '2025-13-01', 'yesterday', '24/07/2025', '2025-07-24T25:00:00Z'])('%j is refused with exit 2', (s) => {
    expect(() => parseInstant(s, '--from', now)).toThrow(/--from '.*' is not a time/);
  });
});

describe('one duration parser for flags, plan files and configs', () => {
  it('the same text means the same milliseconds everywhere it is accepted', async () => {
    const { durationMs } = await import('../../src/duration.js');
    const { parseDuration: planDuration } = await import('../../src/run/plan.js');
    const { parseDuration: configDuration } = await import('../../src/runtime/services.js');
    for (const [text, ms] of [['500ms', 500], ['30s', 30_000], ['45m', 2_700_000], ['1h30m', 5_400_000], ['1h 30m', 5_400_000], ['2d', 172_800_000], ['1.5s', 1500]] as const) {
      expect(durationMs(text)).toBe(ms);
      expect(parseDuration(text)).toBe(ms);
      expect(planDuration(text)).toBe(ms);
      expect(configDuration(text)).toBe(ms);
    }
    // a bare number is seconds in plans and configs, refused for flags that want a unit
    expect(planDuration('90')).toBe(90_000);
    expect(configDuration(5000, 'timeout', 'config')).toBe(5000);
    expect(() => parseDuration('90', '--since')).toThrow(/--since '90' is not a duration/);
    for (const bad of ['soon', '1x', '', 'm5', '-5s']) expect(durationMs(bad)).toBeUndefined();
  });
});
