// Backups and restores do not overlap a migration, nor each other: one writer per home (exit 4 naming
// the holder, nothing changed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, tempDir } from '../helpers/cli.js';
import { canaryMetrics, quickRollingPlan, type MetricsEndpoint } from '../helpers/canary-metrics.js';
import { withHomeLock } from '../../src/run/home-lock.js';

let metrics: MetricsEndpoint;
beforeAll(async () => {
  metrics = await canaryMetrics({ errorRate: 0.001, latencyMs: 5 });
});
afterAll(() => metrics.close());

const backupFiles = (home: string) => (existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')).sort() : []);

describe('one writer per home', () => {
  it('a backup or a restore while a migration runs exits 4 naming the run, and changes nothing', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['backup', 'create', '--name', 'before'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const before = backupFiles(home);
    const plan = await quickRollingPlan(5); // canary holds of 5 s: time enough to try
    const run = spawn(process.execPath, [MCP, '--home', home, 'migration', 'execute', '--plan', plan, '--metrics-url', metrics.url, '--health-url', metrics.healthUrl], { env: { ...process.env, CI: 'true' }, stdio: 'ignore' });
    const done = new Promise<number>((r) => run.on('exit', (c) => r(c ?? -1)));
    const lock = join(home, 'state/executor.lock');
    for (let i = 0; i < 200 && !existsSync(lock); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lock)).toBe(true);

    const create = await mcp(['backup', 'create'], { home });
    expect(create.exitCode).toBe(4);
    expect(create.stderr).toMatch(/another run holds .*executor\.lock: pid \d+ .*\(migration execute\)/);
    const restore = await mcp(['backup', 'restore', '--id', 'before', '--data-only'], { home });
    expect(restore.exitCode).toBe(4);
    expect(backupFiles(home)).toEqual(before); // not even a safety backup

    expect(await done).toBe(0);
    expect((await mcp(['backup', 'create'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
  }, 180_000);

  it('a migration while a restore holds the home exits 4 naming the restore; bad input and dry runs are not held up', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['backup', 'create'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    await withHomeLock(home, 'backup restore', async () => {
      const up = await mcp(['upgrade', '--to', '5.0'], { home });
      expect(up.exitCode).toBe(4);
      expect(up.stderr).toMatch(/another operation holds .*\(backup restore\)/);
      expect(up.stderr).toMatch(/wait for backup restore to finish/);
      const prune = await mcp(['backup', 'prune', '--keep', '1'], { home });
      expect(prune.exitCode).toBe(4);
      // bad input is still bad input (exit 2), whoever holds the home; a dry run reads only and runs
      expect((await mcp(['backup', 'prune', '--keep', 'abc'], { home })).exitCode).toBe(2);
      expect((await mcp(['backup', 'create', '--name', 'bad name!'], { home })).exitCode).toBe(2);
      const dry = await mcp(['backup', 'restore', '--latest', '--data-only', '--dry-run'], { home });
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^Would restore data/m);
    });
    expect(existsSync(join(home, 'state/executor.lock'))).toBe(false);
    expect(existsSync(join(home, 'state/runs')) ? readdirSync(join(home, 'state/runs')) : []).toEqual([]);
  }, 120_000);
});

describe('restoring only the data of another platform version', () => {
  it('a 5.0 database under the 6.0 config is refused (exit 3, nothing changed); restoring everything, or --any-version, is not', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const before = backupFiles(home);
    const refused = await mcp(['backup', 'restore', '--id', 'v5-final-backup', '--data-only'], { home });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/holds a 5\.0 database; this installation is at 6\.0/);
    expect(refused.stderr).toMatch(/mcp-migrate rollback --to 5\.0/);
    expect(backupFiles(home)).toEqual(before); // no safety backup: nothing was started
    expect((await mcp(['db', 'status', '--json'], { home })).stdout).toMatch(/6\.0\.0/);
    const forced = await mcp(['backup', 'restore', '--id', 'v5-final-backup', '--data-only', '--any-version', '--dry-run'], { home });
    expect(forced.exitCode, forced.stderr).toBe(0);
  }, 240_000);
});
