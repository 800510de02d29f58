import { describe, expect, it } from 'vitest';
import { entryFromJson, entryFromText, formatEntry, matches, mergeByTime, parseLine } from '../../src/ops/logs.js';

describe('log lines', () => {
  it('reads the CLI structured log and attributes migration commands to the migration service', () => {
    const e = entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00.000Z', level: 'error', command: 'migration execute', event: 'step.failed', pid: 7, step: 'db' }), 'mcp.log', 'mcp')!;
    expect(e).toMatchObject({ time: '2025-07-24T10:00:00.000Z', level: 'error', service: 'migration', event: 'step.failed', pid: 7, fields: { step: 'db' } });
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'db migrate', event: 'x' }), 'mcp.log', 'mcp')!.service).toBe('migration');
    // mcp upgrade is a migration; an executor event is one whatever command ran it
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'upgrade', event: 'command.end' }), 'mcp.log', 'mcp')!.service).toBe('migration');
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'deploy', event: 'run.step.end', step: 'x' }), 'mcp.log', 'mcp')!.service).toBe('migration');
    // the end of db migrate is a line of migration.log: mcp.log's record of it stays the CLI's, not shown twice
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'error', command: 'db migrate', event: 'command.error' }), 'mcp.log', 'mcp')!.service).toBe('mcp');
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'db repair', event: 'command.start' }), 'mcp.log', 'mcp')!.service).toBe('migration');
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'backup list', event: 'command.end' }), 'mcp.log', 'mcp')!.service).toBe('mcp');
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', command: 'logs', event: 'x' }), 'mcp.log', 'mcp')!.service).toBe('mcp');
    expect(entryFromJson(JSON.stringify({ time: '2025-07-24T10:00:00Z', level: 'info', service: 'git-mcp', event: 'x' }), 'mcp.log', 'mcp')!.service).toBe('git-mcp');
  });
  it('maps foreign level names and timestamps', () => {
    expect(entryFromJson('{"timestamp":"2025-07-24T10:00:00Z","severity":"WARNING","msg":"slow"}', 'a.log', 'a')).toMatchObject({ level: 'warn', message: 'slow', service: 'a' });
    expect(entryFromJson('{"ts":1753351200000,"level":"fatal"}', 'a.log', 'a')).toMatchObject({ level: 'error', time: '2025-07-24T10:00:00.000Z' });
    expect(entryFromJson('{"level":"info"}', 'a.log', 'a')).toBeUndefined();
    expect(entryFromJson('not json', 'a.log', 'a')).toBeUndefined();
  });
  it('reads plain text lines with a leading timestamp, and keeps continuation lines', () => {
    const a = entryFromText('2025-07-24T10:00:00Z ERROR connection refused', 'migration.log', 'migration')!;
    expect(a).toMatchObject({ level: 'error', message: 'connection refused', service: 'migration', time: '2025-07-24T10:00:00.000Z' });
    expect(entryFromText('[2025-07-24 10:00:01] [WARN] disk at 91%', 'm.log', 'm')).toMatchObject({ level: 'warn', time: '2025-07-24T10:00:01.000Z' });
    expect(parseLine('    at foo (bar.js:1:1)', 'm.log', 'm', a)).toMatchObject({ time: a.time, level: 'error', message: '    at foo (bar.js:1:1)' });
    expect(parseLine('orphan', 'm.log', 'm')).toBeUndefined();
  });
  it('filters by window, minimum level and service', () => {
    const e = { time: '2025-07-24T10:00:00.000Z', level: 'warn' as const, service: 'migration', source: 'x' };
    expect(matches(e, {})).toBe(true);
    expect(matches(e, { level: 'warn' })).toBe(true);
    expect(matches(e, { level: 'error' })).toBe(false);
    expect(matches(e, { level: 'info' })).toBe(true);
    expect(matches(e, { since: new Date('2025-07-24T10:00:00Z'), until: new Date('2025-07-24T10:00:00Z') })).toBe(true);
    expect(matches(e, { since: new Date('2025-07-24T10:00:01Z') })).toBe(false);
    expect(matches(e, { until: new Date('2025-07-24T09:59:59Z') })).toBe(false);
    expect(matches(e, { services: ['mcp'] })).toBe(false);
    expect(matches(e, { services: ['mcp', 'migration'] })).toBe(true);
  });
  it('merges sources in time order and formats one line per entry', () => {
    const a = [{ time: '2025-07-24T10:00:02.000Z', level: 'info' as const, service: 'a', source: 'a', event: 'two' }];
    const b = [
      { time: '2025-07-24T10:00:01.000Z', level: 'info' as const, service: 'b', source: 'b', event: 'one' },
      { time: '2025-07-24T10:00:03.000Z', level: 'error' as const, service: 'b', source: 'b', event: 'three', fields: { code: 'x y' } },
    ];
    expect(mergeByTime([a, b]).map((e) => e.event)).toEqual(['one', 'two', 'three']);
    expect(formatEntry(b[1]!)).toBe('2025-07-24T10:00:03.000Z ERROR b three code="x y"');
  });
});
