// `mcp data migrate` through the built binary, with the real rsync.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { MCP, mcp, tempDir } from '../helpers/cli.js';

function setup() {
  const base = tempDir('mcp-data-e2e-');
  const source = join(base, 'old/data/path');
  mkdirSync(join(source, 'services/git'), { recursive: true });
  for (let i = 0; i < 30; i++) writeFileSync(join(source, `services/git/obj-${i}`), `object ${i}\n`.repeat(i + 1));
  writeFileSync(join(source, 'services/git/debug.log'), 'noise');
  writeFileSync(join(source, 'half.tmp'), 'noise');
  const home = join(base, 'home');
  for (const d of ['config', 'backups', 'state', 'logs']) mkdirSync(join(home, d), { recursive: true });
  writeFileSync(join(home, 'config/platform.json'), JSON.stringify({ version: '5.0', services: [] }));
  symlinkSync(source, join(home, 'data'));
  return { base, source, home, target: join(base, 'new/data/path') };
}

describe('mcp data migrate', () => {
  it('moves the data, proves it identical, and points <home>/data at the target', async () => {
    const { source, home, target } = setup();
    const r = await mcp(['data', 'migrate', '--source', source, '--target', target, '--json'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc.verification).toMatchObject({ identical: true, files: 30, differences: [] });
    expect(doc.plan.excludes).toEqual(['*.tmp', '*.log']);
    expect(doc.link).toMatchObject({ path: join(home, 'data'), action: 'update', done: true, from: source, to: target });
    expect(readlinkSync(join(home, 'data'))).toBe(target);
    expect(readFileSync(join(home, 'data/services/git/obj-29'), 'utf8')).toBe('object 29\n'.repeat(30));
    expect(existsSync(join(target, 'services/git/debug.log'))).toBe(false);
    for (const d of ['services', 'configs', 'backups', 'logs']) expect(statSync(join(target, d)).mode & 0o777).toBe(0o755);
    expect(JSON.parse(readFileSync(join(home, 'state/data-migrate.json'), 'utf8'))).toMatchObject({ status: 'verified', source, target });

    // the same again: nothing to copy, still verified, the link already right
    const again = await mcp(['data', 'migrate', '--source', source, '--target', target], { home });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/0 files transferred/);
    expect(again.stdout).toMatch(/verified: 30 files .* identical by SHA-256/);
    expect(again.stdout).toMatch(/already points at/);
  });

  it('--dry-run writes nothing, not even the target', async () => {
    const { source, home, target } = setup();
    const r = await mcp(['data', 'migrate', '--source', source, '--target', target, '--dry-run'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Dry run: nothing was changed\.$/m);
    expect(r.stdout).toMatch(/would copy 30 files/);
    expect(r.stdout).toMatch(new RegExp(`would update ${join(home, 'data')} → ${target}`));
    expect(existsSync(target)).toBe(false);
    expect(readlinkSync(join(home, 'data'))).toBe(source);
    expect(existsSync(join(home, 'state/data-migrate.json'))).toBe(false);
  });

  it('a rerun after an interrupted run says it resumes and completes the copy', async () => {
    const { source, home, target } = setup();
    // an interrupted run: journal says running, part of the files copied
    mkdirSync(join(target, 'services/git'), { recursive: true });
    writeFileSync(join(target, 'services/git/obj-0'), 'object 0\n');
    writeFileSync(join(home, 'state/data-migrate.json'), JSON.stringify({ source, target, status: 'running', startedAt: '2026-01-01T00:00:00.000Z' }));
    const r = await mcp(['data', 'migrate', '--source', source, '--target', target], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/resuming the interrupted migration started 2026-01-01T00:00:00.000Z/);
    expect(r.stdout).toMatch(/verified: 30 files/);
  });

  it('differences are listed one per line, exit 3, and the data link is not moved', async () => {
    const { source, home, target } = setup();
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'leftover.bin'), 'x');
    const r = await mcp(['data', 'migrate', '--source', source, '--target', target, '--no-link'], { home });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/^verification FAILED: 1 difference:$/m);
    expect(r.stdout).toMatch(/^ {2}extra {3}leftover\.bin: file only in target$/m);
    expect(r.stdout).toMatch(/data link: not changed \(--no-link\)/);
    expect(readlinkSync(join(home, 'data'))).toBe(source);
    rmSync(join(target, 'leftover.bin'));
    expect((await mcp(['data', 'migrate', '--source', source, '--target', target], { home })).exitCode).toBe(0);
    expect(readlinkSync(join(home, 'data'))).toBe(target);
  });

  it('bad input is exit 2 and writes nothing; a missing rsync is exit 3 naming it', async () => {
    const { source, home, target } = setup();
    const missing = await mcp(['data', 'migrate', '--source', join(source, 'nope'), '--target', target], { home });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^mcp: error: --source: \/.*\/nope does not exist\nhint: give the current data directory\n$/);
    const noTarget = await mcp(['data', 'migrate', '--source', source], { home });
    expect(noTarget.exitCode).toBe(2);
    expect(existsSync(target)).toBe(false);
    const r = await mcp(['data', 'migrate', '--source', source, '--target', target], { home, env: { PATH: tempDir() } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/^mcp: error: rsync not found on PATH\nhint: install rsync/);
    expect(existsSync(target)).toBe(false);
  });

  it('a real interruption (SIGINT during a throttled rsync) exits 130 and the rerun completes the copy', async () => {
    const { source, home, target } = setup();
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    writeFileSync(join(source, 'services/big.bin'), big);
    const child = execa(process.execPath, [MCP, 'data', 'migrate', '--source', source, '--target', target, '--bwlimit', '200'], {
      env: { ...process.env, MCP_HOME: home, NO_COLOR: '1', CI: 'true' },
      reject: false,
    });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (c) => {
        stderr += c;
        if (/copying/.test(stderr)) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(JSON.parse(readFileSync(join(home, 'state/data-migrate.json'), 'utf8')).status).toBe('running');
    expect(readlinkSync(join(home, 'data'))).toBe(source); // not switched to a half copy
    const complete = existsSync(join(target, 'services/big.bin')) && statSync(join(target, 'services/big.bin')).size === big.length;
    expect(complete).toBe(false);

    const again = await mcp(['data', 'migrate', '--source', source, '--target', target, '--json'], { home });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming the interrupted migration/);
    expect(again.json().verification).toMatchObject({ identical: true, files: 31 });
    expect(readFileSync(join(target, 'services/big.bin')).equals(big)).toBe(true);
    expect(existsSync(join(target, '.mcp-rsync-partial'))).toBe(false);
    expect(readlinkSync(join(home, 'data'))).toBe(target);
  });
});
