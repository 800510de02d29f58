// The executor on its own: a registry of test step kinds that touch files in a temp home.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, failure } from '../helpers/errors.js';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { executePlan, resumeRun, rollbackRun, type ExecEvent, type Registry } from '../../src/run/executor.js';
import { makePlan, PLAN_API_VERSION, type PlanInput } from '../../src/run/plan.js';
import { acquireLock } from '../../src/run/home-lock.js';
import { Journal, readRecords, replay, runDir, writeControl, latestRun } from '../../src/run/journal.js';
import { saveState, restoreState } from '../../src/run/steps/snapshot.js';
import type { StepKind } from '../../src/run/steps/types.js';

let active = 0;
let peak = 0;
const kinds: StepKind[] = [
  {
    kind: 'write',
    summary: 'writes params.text to params.file under home',
    rollbackPoint: false,
    mutates: true,
    async run(ctx, p) {
      const f = join(ctx.home, String(p.file));
      await saveState(ctx.dir, 'f', [f]);
      writeFileSync(f, String(p.text));
      return { file: f };
    },
    async undo(ctx) {
      await restoreState(ctx.dir, 'f');
    },
  },
  {
    kind: 'boom',
    summary: 'fails',
    rollbackPoint: false,
    mutates: false,
    async run() {
      throw new Error('kaboom');
    },
  },
  {
    kind: 'sleep',
    summary: 'sleeps params.ms, counting concurrency',
    rollbackPoint: false,
    mutates: false,
    async run(ctx, p) {
      active++;
      peak = Math.max(peak, active);
      try {
        await new Promise<void>((res, rej) => {
          const t = setTimeout(res, Number(p.ms));
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), rej(ctx.signal.reason)), { once: true });
        });
      } finally {
        active--;
      }
    },
  },
];
const registry: Registry = new Map(kinds.map((k) => [k.kind, k]));

function plan(phases: PlanInput['phases'], extra: Partial<PlanInput> = {}) {
  return makePlan({ apiVersion: PLAN_API_VERSION, name: 'test', kind: 'custom', phases, ...extra });
}
const w = (id: string, file: string, text: string, rollbackPoint = false) => ({ id, kind: 'write', title: `write ${file}`, params: { file, text }, rollbackPoint });

function home(): string {
  const h = tempDir();
  mkdirSync(join(h, 'state'), { recursive: true });
  writeFileSync(join(h, 'a.txt'), 'A0');
  return h;
}

describe('executor', () => {
  it('runs phases in order and journals each step start and end before moving on', async () => {
    const h = home();
    const out = await executePlan(plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1')] }, { name: 'two', steps: [w('s2', 'b.txt', 'B1')] }]), { home: h, env: {}, registry });
    expect(out.status).toBe('completed');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A1');
    const types = readRecords(join(runDir(h, out.runId), 'journal.ndjson')).map((r) => `${r.type}${r.step ? ':' + r.step : ''}`);
    expect(types).toEqual(['run.start', 'phase.start', 'step.start:s1', 'step.end:s1', 'phase.end', 'phase.start', 'step.start:s2', 'step.end:s2', 'phase.end', 'run.end']);
  });

  it('bounds a parallel phase and runs its steps concurrently', async () => {
    const h = home();
    peak = 0;
    const steps = Array.from({ length: 6 }, (_, i) => ({ id: `p${i}`, kind: 'sleep', title: 'sleep', params: { ms: 150 } }));
    const t0 = Date.now();
    const out = await executePlan(plan([{ name: 'par', parallel: true, maxParallel: 3, steps }]), { home: h, env: {}, registry });
    expect(out.status).toBe('completed');
    expect(peak).toBe(3);
    expect(Date.now() - t0).toBeLessThan(150 * 6);
  });

  it('fails a phase that exceeds its timeout and rolls back what it did', async () => {
    const h = home();
    const out = await executePlan(plan([{ name: 'slow', timeoutMs: 100, steps: [w('s1', 'a.txt', 'A1'), { id: 's2', kind: 'sleep', title: 'sleep', params: { ms: 5000 } }] }]), { home: h, env: {}, registry });
    expect(out.status).toBe('rolled-back');
    expect(out.error).toMatch(/exceeded its timeout of 100ms/);
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
  });

  it('on failure undoes in reverse to the last rollback point', async () => {
    const h = home();
    const events: ExecEvent[] = [];
    const out = await executePlan(
      plan([
        { name: 'one', steps: [w('s1', 'a.txt', 'A1', true)] },
        { name: 'two', steps: [w('s2', 'a.txt', 'A2'), w('s3', 'c.txt', 'C'), { id: 's4', kind: 'boom', title: 'boom', params: {} }] },
      ]),
      { home: h, env: {}, registry, onEvent: (e) => events.push(e) },
    );
    expect(out.status).toBe('rolled-back');
    expect(out.rollback?.stopAt).toBe('s1');
    // the run's failure names its step (notifications say it); the rollback's end says why
    expect(events.filter((e) => e.type === 'run.failed')).toEqual([expect.objectContaining({ step: 's4', phase: 'two', error: expect.stringContaining('boom') })]);
    expect(events.find((e) => e.type === 'rollback.end')).toMatchObject({ reason: expect.stringContaining('step s4') });
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A1');
    expect(existsSync(join(h, 'c.txt'))).toBe(false);
    // and on to the start on request
    const back = await rollbackRun(out.runId, { home: h, env: {}, registry, to: 'start' });
    expect(back.status).toBe('rolled-back');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
  });

  it('an undo that fails ends the run failed, naming the step; once fixed, resume finishes the rollback with the result the step ran with', async () => {
    const h = home();
    let undoBroken = true;
    const seen: unknown[] = [];
    const sticky: StepKind = {
      kind: 'sticky', summary: '', rollbackPoint: false, mutates: true,
      async run(ctx, p) { writeFileSync(join(ctx.home, 'sticky.txt'), String(p.text)); return { wrote: 'sticky.txt' }; },
      async undo(ctx, _p, result) {
        seen.push(result);
        if (undoBroken) throw new Error('disk is read-only');
        rmSync(join(ctx.home, String(result?.wrote)));
      },
    };
    const reg: Registry = new Map([...registry, ['sticky', sticky]]);
    const events: ExecEvent[] = [];
    const out = await executePlan(
      plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1'), { id: 'st', kind: 'sticky', title: 'sticky file', params: { text: 'S' } }, { id: 'b', kind: 'boom', title: 'boom', params: {} }] }]),
      { home: h, env: {}, registry: reg, onEvent: (e) => events.push(e) },
    );
    // not left 'rolling-back' forever: failed, with the step and both errors
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/kaboom.*undoing st \(sticky file\) failed: disk is read-only/);
    expect(replay(h, out.runId)).toMatchObject({ status: 'failed', rollback: { failed: true } });
    expect(events.at(-1)).toMatchObject({ type: 'run.failed', step: 'st' });
    // s1 was not undone yet: the rollback stopped at the step that failed
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A1');
    // still broken: another try fails the same way and changes nothing
    const again = await resumeRun(out.runId, { home: h, env: {}, registry: reg });
    expect(again).toMatchObject({ status: 'failed', error: expect.stringContaining('undoing st') });
    undoBroken = false;
    const fixed = await resumeRun(out.runId, { home: h, env: {}, registry: reg });
    expect(fixed.status).toBe('rolled-back');
    expect(existsSync(join(h, 'sticky.txt'))).toBe(false);
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
    expect(seen).toEqual([{ wrote: 'sticky.txt' }, { wrote: 'sticky.txt' }, { wrote: 'sticky.txt' }]);
  });

  it('without automatic rollback a failure stops; resume retries the failed step only', async () => {
    const h = home();
    let fail = true;
    const flaky: StepKind = { kind: 'flaky', summary: '', rollbackPoint: false, mutates: false, async run() { if (fail) throw new Error('not yet'); } };
    const reg: Registry = new Map([...registry, ['flaky', flaky]]);
    const p = plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1'), { id: 's2', kind: 'flaky', title: 'flaky', params: {} }, w('s3', 'b.txt', 'B')] }], { rollback: { automatic: false, conditions: [], noData: 'fail' } });
    const out = await executePlan(p, { home: h, env: {}, registry: reg });
    expect(out.status).toBe('failed');
    fail = false;
    const again = await resumeRun(out.runId, { home: h, env: {}, registry: reg });
    expect(again.status).toBe('completed');
    const starts = readRecords(join(runDir(h, out.runId), 'journal.ndjson')).filter((r) => r.type === 'step.start').map((r) => r.step);
    expect(starts).toEqual(['s1', 's2', 's2', 's3']);
  });

  it('resumes after a crash: an interrupted step is reset from its saved state and run again; completed steps never rerun', async () => {
    const h = home();
    const p = plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1'), w('s2', 'b.txt', 'B1'), w('s3', 'c.txt', 'C1')] }]);
    // simulate a process that died inside s2 after changing b.txt
    const id = 'crashed-run';
    const j = Journal.create(h, id, p);
    j.append('run.start', { pid: 999999 });
    j.append('phase.start', { phase: 'one' });
    j.append('step.start', { step: 's1' });
    writeFileSync(join(h, 'a.txt'), 'A1');
    j.append('step.end', { step: 's1' });
    j.append('step.start', { step: 's2' });
    await saveState(join(runDir(h, id), 'steps', 's2'), 'f', [join(h, 'b.txt')]);
    writeFileSync(join(h, 'b.txt'), 'half');
    j.close();
    // torn last line
    writeFileSync(join(runDir(h, id), 'journal.ndjson'), readFileSync(join(runDir(h, id), 'journal.ndjson'), 'utf8') + '{"seq":7,"t":"2026');
    expect(replay(h, id).status).toBe('interrupted');
    const out = await resumeRun(id, { home: h, env: {}, registry });
    expect(out.status).toBe('completed');
    expect(readFileSync(join(h, 'b.txt'), 'utf8')).toBe('B1');
    const starts = readRecords(join(runDir(h, id), 'journal.ndjson')).filter((r) => r.type === 'step.start').map((r) => r.step);
    expect(starts).toEqual(['s1', 's2', 's2', 's3']);
  });

  it('pauses at the control file and resumes', async () => {
    const h = home();
    const p = plan([{ name: 'one', steps: [{ id: 'z', kind: 'sleep', title: 'sleep', params: { ms: 200 } }, w('s1', 'a.txt', 'A1')] }]);
    const running = executePlan(p, { home: h, env: {}, registry, onEvent: (ev) => { if (ev.type === 'step.start' && ev.step === 'z') writeControl(h, ev.runId, 'pause'); } });
    const out = await running;
    expect(out.status).toBe('paused');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
    const done = await resumeRun(out.runId, { home: h, env: {}, registry });
    expect(done.status).toBe('completed');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A1');
  });

  it('abort stops and rolls back', async () => {
    const h = home();
    const p = plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1'), { id: 'z', kind: 'sleep', title: 'sleep', params: { ms: 100 } }, w('s2', 'b.txt', 'B')] }]);
    const out = await executePlan(p, { home: h, env: {}, registry, onEvent: (ev) => { if (ev.type === 'step.start' && ev.step === 'z') writeControl(h, ev.runId, 'abort'); } });
    expect(out.status).toBe('rolled-back');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
    expect(existsSync(join(h, 'b.txt'))).toBe(false);
  });

  it('a second executor on the same home is refused with exit 4 naming the holder', async () => {
    const h = home();
    const lock = acquireLock(h, 'other-run', 'mcp upgrade');
    try {
      expect(await failure(executePlan(plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1')] }]), { home: h, env: {}, registry }))).toMatchObject({ exitCode: 4, message: expect.stringContaining(`pid ${process.pid}`) });
    } finally {
      lock.release();
    }
    expect(latestRun(h)).toBeUndefined();
  });

  it('refuses unknown step kinds at plan time, naming each, and changes nothing', async () => {
    const h = home();
    expect(await failure(executePlan(plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1'), { id: 'x', kind: 'teleport', title: 'x', params: {} }] }]), { home: h, env: {}, registry }))).toMatchObject({ exitCode: 3,
      message: expect.stringContaining("step x (teleport): unknown step kind 'teleport'"),
    });
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
  });
});

describe('rollbacks that would change nothing', () => {
  it('a paused run ends at its rollback point when aborted; a finished run refuses a rollback that undoes nothing, to the start as well', async () => {
    const h = home();
    const p = plan([{ name: 'one', steps: [w('s1', 'a.txt', 'A1', true)] }, { name: 'two', steps: [w('s2', 'b.txt', 'B')] }]);
    const out = await executePlan(p, { home: h, env: {}, registry, onEvent: (ev) => { if (ev.type === 'step.end' && ev.step === 's1') writeControl(h, ev.runId, 'pause'); } });
    expect(out.status).toBe('paused');
    // abort of the paused run: nothing after the rollback point to undo, and it still ends there
    const aborted = await rollbackRun(out.runId, { home: h, env: {}, registry, to: 'rollback-point', reason: 'aborted' });
    expect(aborted.status).toBe('rolled-back');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A1');
    // to the start: s1 is undone
    const back = await rollbackRun(out.runId, { home: h, env: {}, registry, to: 'start' });
    expect(back.status).toBe('rolled-back');
    expect(readFileSync(join(h, 'a.txt'), 'utf8')).toBe('A0');
    // again: nothing left to undo, so no second "rolled back"
    const again = await rollbackRun(out.runId, { home: h, env: {}, registry, to: 'start' }).catch((e) => e);
    expect(exitCodeOf(again)).toBe(3);
    expect(again.message).toMatch(/is rolled-back: rolling back to its start would undo nothing/);
  });
});
