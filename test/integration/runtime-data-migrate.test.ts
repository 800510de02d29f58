// The filesystem migration with the real rsync: copy, excludes, permissions, links, checksum
// verification that lists every difference, resuming after an interruption.
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { migrateData, type MigrateOptions } from '../../src/data/migrate.js';
import { compareTrees, excludeMatcher } from '../../src/data/tree.js';

function sourceTree(): { root: string; outside: string } {
  const base = tempDir('mcp-data-');
  const root = join(base, 'old');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'not ours');
  mkdirSync(join(root, 'services/filesystem/nested'), { recursive: true });
  mkdirSync(join(root, 'configs'), { recursive: true });
  writeFileSync(join(root, 'services/filesystem/a.txt'), 'alpha\n');
  writeFileSync(join(root, 'services/filesystem/nested/b.bin'), Buffer.alloc(70_000, 7));
  writeFileSync(join(root, 'configs/app.json'), '{"x":1}');
  writeFileSync(join(root, 'configs/run.sh'), '#!/bin/sh\n');
  chmodSync(join(root, 'configs/run.sh'), 0o775);
  writeFileSync(join(root, 'configs/private.key'), 'k');
  chmodSync(join(root, 'configs/private.key'), 0o600);
  writeFileSync(join(root, 'services/server.log'), 'log line');
  writeFileSync(join(root, 'scratch.tmp'), 'tmp');
  symlinkSync('a.txt', join(root, 'services/filesystem/latest'));
  symlinkSync(outside, join(root, 'external')); // a link out of the tree
  return { root, outside };
}

const opts = (source: string, target: string, extra: Partial<MigrateOptions> = {}): MigrateOptions => ({
  source,
  target,
  defaultLink: join(tempDir(), 'no-home-data'),
  dryRun: false,
  env: process.env,
  ...extra,
});

describe('data migrate with rsync', () => {
  it('copies with the default excludes, normalizes permissions without following links, verifies by content', async () => {
    const { root, outside } = sourceTree();
    const target = join(tempDir(), 'new');
    const r = await migrateData(opts(root, target));
    expect(r.verification!.identical).toBe(true);
    expect(r.verification!.differences).toEqual([]);
    expect(r.verification!.files).toBe(5);
    expect(r.transferred).toBe(5);
    for (const d of ['services', 'configs', 'backups', 'logs']) expect(statSync(join(target, d)).isDirectory()).toBe(true);
    expect(existsSync(join(target, 'services/server.log'))).toBe(false);
    expect(existsSync(join(target, 'scratch.tmp'))).toBe(false);
    expect(readFileSync(join(target, 'services/filesystem/nested/b.bin'))).toEqual(Buffer.alloc(70_000, 7));
    expect(statSync(join(target, 'configs/run.sh')).mode & 0o777).toBe(0o644);
    expect(statSync(join(target, 'services/filesystem')).mode & 0o777).toBe(0o755);
    expect(statSync(join(target, 'configs/private.key')).mode & 0o777).toBe(0o600); // not opened up to the world
    expect(r.permissions!.keptPrivate).toEqual(['configs/private.key']);
    expect(readlinkSync(join(target, 'services/filesystem/latest'))).toBe('a.txt');
    expect(lstatSync(join(target, 'external')).isSymbolicLink()).toBe(true);
    // the link out of the tree was neither followed nor had its target's mode changed
    expect(statSync(join(outside, 'secret.txt')).mode & 0o777).not.toBe(0o444);
    chmodSync(join(outside, 'secret.txt'), 0o640);
    await migrateData(opts(root, target));
    expect(statSync(join(outside, 'secret.txt')).mode & 0o777).toBe(0o640);
    expect(existsSync(join(target, '.mcp-rsync-partial'))).toBe(false);
  });

  it('--exclude replaces the defaults and is honoured by the verification', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    const r = await migrateData(opts(root, target, { excludes: ['nested/', '/configs/app.json'] }));
    expect(r.verification!.identical).toBe(true);
    expect(existsSync(join(target, 'services/server.log'))).toBe(true);
    expect(existsSync(join(target, 'services/filesystem/nested'))).toBe(false);
    expect(existsSync(join(target, 'configs/app.json'))).toBe(false);
  });

  it('rerunning after an interruption completes the copy', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    // what an interrupted run leaves: part of the tree, a truncated file, rsync's partial dir
    mkdirSync(join(target, 'services/filesystem/nested'), { recursive: true });
    writeFileSync(join(target, 'services/filesystem/a.txt'), 'alpha\n');
    writeFileSync(join(target, 'services/filesystem/nested/b.bin'), Buffer.alloc(1000, 7));
    mkdirSync(join(target, 'services/filesystem/nested/.mcp-rsync-partial'));
    writeFileSync(join(target, 'services/filesystem/nested/.mcp-rsync-partial/b.bin'), Buffer.alloc(30_000, 7));
    const r = await migrateData(opts(root, target));
    expect(r.verification!.identical).toBe(true);
    expect(readFileSync(join(target, 'services/filesystem/nested/b.bin')).length).toBe(70_000);
    expect(existsSync(join(target, 'services/filesystem/nested/.mcp-rsync-partial'))).toBe(false);
  });

  it('a target file rsync would skip (same size and time, other bytes) is found by checksum and repaired', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    await migrateData(opts(root, target));
    const f = join(target, 'configs/app.json');
    const st = statSync(join(root, 'configs/app.json'));
    writeFileSync(f, '{"x":2}');
    utimesSync(f, st.atime, st.mtime);
    const r = await migrateData(opts(root, target));
    expect(r.repaired).toBe(true);
    expect(r.verification!.identical).toBe(true);
    expect(readFileSync(f, 'utf8')).toBe('{"x":1}');
  });

  it('lists every difference and leaves the data link alone when the copy is not identical', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    mkdirSync(join(target, 'services'), { recursive: true });
    writeFileSync(join(target, 'services/stray.db'), 'left over');
    writeFileSync(join(target, 'other.txt'), 'x');
    const base = tempDir();
    symlinkSync(root, join(base, 'data'));
    const r = await migrateData(opts(root, target, { defaultLink: join(base, 'data') }));
    expect(r.verification!.identical).toBe(false);
    expect(r.verification!.differences).toEqual([
      { path: 'other.txt', kind: 'extra', detail: 'file only in target' },
      { path: 'services/stray.db', kind: 'extra', detail: 'file only in target' },
    ]);
    expect(r.link).toMatchObject({ action: 'update', done: false });
    expect(readlinkSync(join(base, 'data'))).toBe(root);
  });

  it('updates the data symlink when verified; an explicit --link that is a real directory is refused', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    const base = tempDir();
    symlinkSync(root, join(base, 'data'));
    const r = await migrateData(opts(root, target, { defaultLink: join(base, 'data') }));
    expect(r.link).toMatchObject({ action: 'update', done: true, from: root });
    expect(readlinkSync(join(base, 'data'))).toBe(target);
    mkdirSync(join(base, 'realdir'));
    const err = await migrateData(opts(root, target, { link: join(base, 'realdir') })).catch((e) => e);
    expect(exitCodeOf(err)).toBe(3);
    expect(err.message).toMatch(/is not a symbolic link/);
  });

  it('dry run changes nothing and lists what rsync would copy', async () => {
    const { root } = sourceTree();
    const target = join(tempDir(), 'new');
    const r = await migrateData(opts(root, target, { dryRun: true }));
    expect(existsSync(target)).toBe(false);
    expect(r.wouldTransfer!.sort()).toEqual(['configs/app.json', 'configs/private.key', 'configs/run.sh', 'external', 'services/filesystem/a.txt', 'services/filesystem/latest', 'services/filesystem/nested/b.bin']);
  });

  it('refuses a target inside the source', async () => {
    const { root } = sourceTree();
    const err = await migrateData(opts(root, join(root, 'copy'))).catch((e) => e);
    expect(exitCodeOf(err)).toBe(2);
    expect(err.message).toMatch(/inside --source/);
  });
});

describe('exclude patterns (rsync semantics)', () => {
  it.each([
    ['*.log', 'a/b/c.log', false, true],
    ['*.log', 'a/b/c.log.1', false, false],
    ['cache/', 'x/cache', true, true],
    ['cache/', 'x/cache', false, false],
    ['/top.txt', 'top.txt', false, true],
    ['/top.txt', 'a/top.txt', false, false],
    ['a/*.txt', 'z/a/b.txt', false, true],
    ['a/*.txt', 'a/b/c.txt', false, false],
    ['**/deep', 'x/y/deep', true, true],
    ['file?.[ch]', 'src/file1.c', false, true],
  ])('%s on %s (dir=%s) → %s', (pat, rel, isDir, want) => {
    expect(excludeMatcher([pat])(rel, isDir)).toBe(want);
  });

  it('compareTrees reports a type change and a link change', async () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(join(a, 'x'), '1');
    mkdirSync(join(b, 'x'));
    symlinkSync('one', join(a, 'l'));
    symlinkSync('two', join(b, 'l'));
    const r = await compareTrees(a, b, () => false);
    expect(r.differences.map((d) => `${d.kind} ${d.path}`)).toEqual(['link l', 'type x']);
  });
});
