// The cross-process lock file that keeps a PGlite data directory to one process.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, failure } from '../helpers/errors.js';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { acquireLockFile } from '../../src/db/lockfile.js';
import { tempDir } from '../helpers/cli.js';

describe('lock file', () => {
  it('a second holder waits, then fails with exit 4 naming the holder pid', async () => {
    const dir = tempDir();
    const path = join(dir, 'pglite.lock');
    // another live process holds it
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(path, JSON.stringify({ pid: child.pid, host: hostname(), started: new Date().toISOString(), command: 'mcp db migrate', token: 'x' }));
      const t0 = Date.now();
      const err = await acquireLockFile(path, { timeoutMs: 400, what: 'the embedded database' }).catch((e) => e);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(exitCodeOf(err)).toBe(4);
      expect(err.message).toContain(`pid ${child.pid}`);
      expect(err.message).toContain('mcp db migrate');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over from a holder that died (SIGKILL leaves the file behind)', async () => {
    const dir = tempDir();
    const path = join(dir, 'pglite.lock');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    writeFileSync(path, JSON.stringify({ pid: child.pid, host: hostname(), started: new Date().toISOString(), token: 'dead' }));
    const lock = await acquireLockFile(path, { timeoutMs: 0 });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('is released for the next process and re-acquired after release', async () => {
    const path = join(tempDir(), 'x.lock');
    const a = await acquireLockFile(path, { timeoutMs: 0 });
    const waiting = acquireLockFile(path, { timeoutMs: 5000 });
    // same process: refused at once, not a deadlock
    expect(await failure(waiting)).toMatchObject({ exitCode: 4 });
    await a.release();
    const b = await acquireLockFile(path, { timeoutMs: 0 });
    await b.release();
  });
});
