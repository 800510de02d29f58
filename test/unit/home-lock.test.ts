// withHomeLock: one writer per home across processes and within one; re-entrant only along one call chain.
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { Journal } from '../../src/run/journal.js';
import { withHomeLock } from '../../src/run/home-lock.js';
import { makePlan, PLAN_API_VERSION } from '../../src/run/plan.js';

describe('withHomeLock', () => {
  it('a nested call on the same chain re-enters; a concurrent one in the same process is refused with exit 4', async () => {
    const home = tempDir();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const outer = withHomeLock(home, 'backup restore', async () => {
      await withHomeLock(home, 'backup create', async () => undefined); // the same chain: re-enters
      await gate;
      return 'done';
    });
    await new Promise((r) => setTimeout(r, 20));
    const concurrent = await withHomeLock(home, 'backup prune', async () => 'ran').catch((e) => e);
    expect(exitCodeOf(concurrent)).toBe(4);
    expect(concurrent.message).toMatch(/another operation holds .*\(backup restore\)/);
    // another home is another lock
    expect(await withHomeLock(tempDir(), 'backup prune', async () => 'ran')).toBe('ran');
    release();
    expect(await outer).toBe('done');
    expect(existsSync(join(home, 'state/executor.lock'))).toBe(false);
  });
});

describe('a closed journal', () => {
  it('refuses a late record instead of writing it anywhere', () => {
    const home = tempDir();
    const j = Journal.create(home, 'r1', makePlan({ apiVersion: PLAN_API_VERSION, name: 'p', kind: 'custom', phases: [{ name: 'a', steps: [{ id: 's', kind: 'noop', title: 's', params: {} }] }] } as never));
    j.append('run.start', {});
    j.close();
    expect(() => j.append('step.log', { step: 's', message: 'late' })).toThrow(/closed/);
  });
});
