// The dashboard's pure decisions: the bearer token, the control-action table, the Host header check.
import { describe, expect, it } from 'vitest';
import { authorized, bearerOf, generateToken, tokenEquals } from '../../src/dashboard/token.js';
import { decide, isAction, type Situation } from '../../src/dashboard/actions.js';
import { hostAllowed } from '../../src/dashboard/server.js';
import type { RunStatus } from '../../src/run/journal.js';

describe('dashboard token', () => {
  it('is 32 random bytes in base64url, different every time', () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).not.toBe(b);
  });

  it('matches only the exact token, whatever the lengths', () => {
    const t = generateToken();
    expect(tokenEquals(t, t)).toBe(true);
    expect(tokenEquals(t, t.slice(0, -1))).toBe(false);
    expect(tokenEquals(t, t + 'x')).toBe(false);
    expect(tokenEquals(t, '')).toBe(false);
    expect(tokenEquals('', '')).toBe(false);
    expect(tokenEquals(t, t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase())).toBe(false);
  });

  it('reads only Authorization: Bearer <token>', () => {
    const t = generateToken();
    expect(bearerOf(`Bearer ${t}`)).toBe(t);
    expect(bearerOf(`bearer ${t}`)).toBe(t);
    expect(bearerOf(`Basic ${t}`)).toBeUndefined();
    expect(bearerOf(t)).toBeUndefined();
    expect(bearerOf(undefined)).toBeUndefined();
    expect(bearerOf([`Bearer ${t}`])).toBeUndefined();
    expect(authorized(t, `Bearer ${t}`)).toBe(true);
    expect(authorized(t, `Bearer ${t}x`)).toBe(false);
    expect(authorized(t, undefined)).toBe(false);
  });
});

describe('dashboard control decisions', () => {
  const run = 'r1';
  const s = (status: RunStatus, lockedRun?: string, pendingPid?: number): Situation => ({ runId: run, status, lockedRun, lockPid: lockedRun ? 4242 : undefined, pendingPid });

  it('knows exactly pause, resume and rollback', () => {
    expect(['pause', 'resume', 'rollback'].every(isAction)).toBe(true);
    for (const a of ['complete', 'abort', '', 'PAUSE', 'pause ']) expect(isAction(a)).toBe(false);
  });

  it('pause: a control file for the running executor; refused otherwise', () => {
    expect(decide('pause', s('running', run))).toMatchObject({ kind: 'control', control: 'pause', http: 202 });
    for (const st of ['paused', 'completed', 'failed', 'interrupted', 'rolled-back'] as RunStatus[]) expect(decide('pause', s(st))).toMatchObject({ kind: 'refuse', http: 409 });
    expect(decide('pause', s('running', 'other-run'))).toMatchObject({ kind: 'refuse', http: 409 });
  });

  it('resume: a new `mcp migration resume --run` only when nothing runs and the run can continue', () => {
    for (const st of ['paused', 'interrupted', 'failed'] as RunStatus[]) {
      expect(decide('resume', s(st))).toEqual(expect.objectContaining({ kind: 'spawn', bin: 'mcp', args: ['migration', 'resume', '--run', run], http: 202 }));
    }
    expect(decide('resume', s('running', run))).toMatchObject({ kind: 'refuse', http: 409 });
    expect(decide('resume', s('paused', 'other-run'))).toMatchObject({ kind: 'refuse', http: 409, message: expect.stringContaining('other-run') });
    for (const st of ['completed', 'rolled-back', 'aborted'] as RunStatus[]) expect(decide('resume', s(st))).toMatchObject({ kind: 'refuse', http: 409 });
  });

  it('rollback: abort through the running executor, else the CLI command that fits the run', () => {
    expect(decide('rollback', s('running', run))).toMatchObject({ kind: 'control', control: 'abort' });
    // a completed run goes back to where it started (its last rollback point is its last step: undoing to it undoes nothing)
    expect(decide('rollback', { ...s('completed'), from: '4.2' })).toMatchObject({ kind: 'spawn', bin: 'mcp-migrate', args: ['rollback', '--run', run, '--to', '4.2'] });
    expect(decide('rollback', s('completed'))).toMatchObject({ kind: 'refuse', http: 409, message: expect.stringContaining('--to VERSION') });
    for (const st of ['paused', 'failed', 'interrupted'] as RunStatus[]) expect(decide('rollback', s(st))).toMatchObject({ kind: 'spawn', bin: 'mcp', args: ['migration', 'abort', '--run', run] });
    expect(decide('rollback', s('rolled-back'))).toMatchObject({ kind: 'refuse', http: 409 });
    expect(decide('rollback', s('completed', 'other-run'))).toMatchObject({ kind: 'refuse', http: 409 });
  });

  it('a process the dashboard already started for the run blocks a second one (double click)', () => {
    expect(decide('resume', s('paused', undefined, 999))).toMatchObject({ kind: 'refuse', http: 409, message: expect.stringContaining('999') });
    expect(decide('rollback', s('completed', undefined, 999))).toMatchObject({ kind: 'refuse', http: 409 });
  });

  it('never claims that something happened: replies are requests or starts', () => {
    const all: RunStatus[] = ['running', 'paused', 'completed', 'failed', 'rolling-back', 'rolled-back', 'aborted', 'interrupted'];
    for (const a of ['pause', 'resume', 'rollback'] as const) {
      for (const st of all) {
        for (const lock of [undefined, run]) {
          const d = decide(a, s(st, lock));
          if (d.kind === 'control') expect(d.message).toMatch(/^(pause|rollback) requested/);
          else if (d.kind === 'spawn') expect(d.message).toMatch(/^(resume|rollback) started/);
          else expect(d.http).toBe(409);
        }
      }
    }
  });
});

describe('dashboard Host header check (DNS rebinding)', () => {
  it('loopback binding answers as the bound address or localhost on its port only', () => {
    expect(hostAllowed('127.0.0.1:8090', '127.0.0.1', 8090)).toBe(true);
    expect(hostAllowed('localhost:8090', '127.0.0.1', 8090)).toBe(true);
    expect(hostAllowed('[::1]:8090', '127.0.0.1', 8090)).toBe(true);
    expect(hostAllowed('evil.example:8090', '127.0.0.1', 8090)).toBe(false);
    // DNS names that look like loopback addresses are names an attacker controls
    for (const h of ['127.evil.example:8090', '127.0.0.1.nip.io:8090']) {
      expect(hostAllowed(h, '127.0.0.1', 8090)).toBe(false);
      expect(hostAllowed(h, '0.0.0.0', 8090)).toBe(false);
    }
    expect(hostAllowed('127.0.0.2:8090', '127.0.0.1', 8090)).toBe(true);
    expect(hostAllowed('localhost:9999', '127.0.0.1', 8090)).toBe(false);
    expect(hostAllowed('localhost', '127.0.0.1', 8090)).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', 8090)).toBe(false);
  });

  it('a non-loopback binding answers as that address; a wildcard binding to IP literals, never to names', () => {
    expect(hostAllowed('10.0.0.5:8090', '10.0.0.5', 8090)).toBe(true);
    expect(hostAllowed('localhost:8090', '10.0.0.5', 8090)).toBe(false);
    expect(hostAllowed('10.1.2.3:8090', '0.0.0.0', 8090)).toBe(true);
    expect(hostAllowed('attacker.example:8090', '0.0.0.0', 8090)).toBe(false);
  });
});
