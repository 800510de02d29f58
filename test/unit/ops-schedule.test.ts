import { describe, expect, it } from 'vitest';
import { buildSchedule, humanDuration, parseDate, parseWindow, renderSchedule, tPlus, type ScheduleStep } from '../../src/ops/schedule.js';

const m = 60_000;
const steps: ScheduleStep[] = [
  { id: 'check', title: 'Pre-checks', phase: 'pre-checks', kind: 'check.version', estimateMs: 5 * m, rollbackPoint: false },
  { id: 'backup', title: 'Back up everything', phase: 'backup', kind: 'backup.create', estimateMs: 10 * m, maxMs: 20 * m, rollbackPoint: true },
  { id: 'stop', title: 'Stop all services', phase: 'stop', kind: 'services.stop', estimateMs: 5 * m, maxMs: 10 * m, rollbackPoint: true },
  { id: 'db', title: 'Database migrations', phase: 'database', kind: 'db.migrate', estimateMs: 30 * m, maxMs: 90 * m, rollbackPoint: false },
  { id: 'start', title: 'Start all services', phase: 'start', kind: 'services.start', estimateMs: 30 * m, maxMs: 60 * m, rollbackPoint: true },
  { id: 'verify', title: 'Verify', phase: 'verify', kind: 'verify', estimateMs: 15 * m, rollbackPoint: true },
];

describe('schedule', () => {
  it('parses windows (also across midnight) and dates', () => {
    expect(parseWindow('02:00-06:00')).toMatchObject({ start: '02:00', end: '06:00', durationMs: 4 * 60 * m });
    expect(parseWindow('22:30 - 01:00').durationMs).toBe(150 * m);
    expect(() => parseWindow('2-6')).toThrow(/--window '2-6' is not a time window/);
    expect(() => parseWindow('02:00-02:00')).toThrow(/empty/);
    expect(parseDate('2025-07-30').toISOString()).toBe('2025-07-30T00:00:00.000Z');
    expect(() => parseDate('2025-02-30')).toThrow(/--date/);
  });
  it('formats as the template does', () => {
    expect(humanDuration(2 * 60 * m)).toBe('2 hours');
    expect(humanDuration(65 * m)).toBe('1 hour 5 minutes');
    expect(tPlus(15 * m)).toBe('T+15m');
    expect(tPlus(75 * m)).toBe('T+1h15m');
    expect(tPlus(120 * m)).toBe('T+2h');
    expect(tPlus(16_000)).toBe('T+1m');
    expect(tPlus(0)).toBe('T+0m');
  });
  it('downtime from stop through start, rollback points at their T+ offsets, timeline before T-0', () => {
    const s = buildSchedule({ from: '5.0', to: '6.0', date: parseDate('2025-07-30'), window: parseWindow('02:00-06:00'), steps, team: { lead: 'John Doe' } });
    expect(s.downtime).toMatchObject({ expectedMs: 65 * m, maximumMs: 160 * m, expected: '1 hour 5 minutes', maximum: '2 hours 40 minutes', fitsWindow: true });
    expect(s.rollbackPoints.map((r) => [r.step, r.at])).toEqual([['backup', 'T+15m'], ['stop', 'T+20m'], ['start', 'T+1h20m'], ['verify', 'T+1h35m']]);
    expect(s.timeline.map((t) => t.date)).toEqual(['2025-07-23', '2025-07-27', '2025-07-29', '2025-07-30 02:00 UTC']);
    const md = renderSchedule(s);
    expect(md).toContain('# Migration Schedule: v5.0 to v6.0\n\n## Timeline\n- **T-7 days**: Announce maintenance window (2025-07-23)');
    expect(md).toContain('- **Time**: 02:00 - 06:00 UTC\n- **Expected Downtime**: 1 hour 5 minutes\n- **Maximum Downtime**: 2 hours 40 minutes\n');
    expect(md).toContain('- **Migration Lead**: John Doe\n- **Database Team**: TBD');
    expect(md).toContain('## Rollback Decision Points\n1. After back up everything (T+15m)\n2. After stop all services (T+20m)\n3. After start all services (T+1h20m)\n4. After verify (T+1h35m)\n');
    expect(md).toContain('## Success Criteria\n- All services healthy\n- Data integrity verified\n- Performance within 10% of baseline\n- No critical errors in logs\n');
  });
  it('warns when the worst case does not fit the window', () => {
    const s = buildSchedule({ from: '5.0', to: '6.0', date: parseDate('2025-07-30'), window: parseWindow('02:00-03:00'), steps });
    expect(s.downtime.fitsWindow).toBe(false);
    expect(renderSchedule(s)).toMatch(/\*\*Warning\*\*: the plan's worst case \(3 hours 20 minutes\) does not fit the 1 hour window/);
  });
});
