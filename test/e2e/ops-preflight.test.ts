// `mcp migration preflight` and the guide's pre-migration-check.sh itself, run unmodified by bash
// against an example installation (v5, services, a PostgreSQL database of its own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, ROOT, mcp, tempDir } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';
import { createTestDb, type TestDb } from '../helpers/pg.js';

const SCRIPT = join(ROOT, 'test/fixtures/guide/pre-migration-check.sh');
let db: TestDb;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDb('mcp_preflight');
  home = await opsHome({
    environment: 'production',
    runtime: { type: 'none' },
    database: { type: 'postgres' },
    services: [
      { name: 'filesystem-mcp', type: 'mcp', image: 'mcp/filesystem:5.0', ports: ['3001:3000'], transport: 'http', volumes: ['./data/filesystem:/data'], healthCheck: { type: 'mcp', path: '/mcp' } },
      { name: 'git-mcp', type: 'mcp', image: 'mcp/git:5.0', ports: ['3002:3000'], transport: 'http', healthCheck: { type: 'mcp', path: '/mcp' } },
    ],
  });
  writeFileSync(join(home, 'data', 'notes.txt'), 'hello\n');
  // `mcp` on PATH, as an installed CLI is
  const bin = join(tempDir(), 'bin');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'mcp'), `#!/bin/sh\nexec "${process.execPath}" "${MCP}" "$@"\n`);
  chmodSync(join(bin, 'mcp'), 0o755);
  env = { MCP_HOME: home, MCP_DATABASE_URL: db.url, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1', CI: 'true' };
});
afterAll(async () => {
  await db?.drop();
});

describe("the guide's pre-migration-check.sh, unmodified", () => {
  it('is the script of the guide, byte for byte', () => {
    const guide = join(ROOT, '../shared/reference/MIGRATION_GUIDE.md');
    const alt = '/work/shared/reference/MIGRATION_GUIDE.md';
    const path = existsSync(guide) ? guide : existsSync(alt) ? alt : undefined;
    if (!path) return; // the guide lives beside the repository, not in it
    expect(readFileSync(path, 'utf8')).toContain(readFileSync(SCRIPT, 'utf8').trimEnd());
  });

  it('passes with y answers under bash -e (every command in it succeeds), writing the two backups files', async () => {
    const cwd = tempDir('mcp-script-');
    const r = await execa('bash', ['-e', SCRIPT], { cwd, env: { ...process.env, ...env }, input: 'y\ny\ny\n', reject: false, timeout: 120_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\[1\/10\] Current version:\n\d+\.\d+\.\d+\n/);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('Pre-migration checklist complete!');
    expect(JSON.parse(readFileSync(join(cwd, 'config-backup.json'), 'utf8'))).toMatchObject({ version: '5.0' });
    expect(JSON.parse(readFileSync(join(cwd, 'services-backup.json'), 'utf8')).map((s: any) => s.name)).toEqual(['filesystem-mcp', 'git-mcp']);
    const list = await mcp(['backup', 'list', '--json'], { home, env });
    expect(JSON.stringify(list.json())).toMatch(/pre-migration-\d{8}-\d{6}/);
  });

  it('stops at the first n with the guide\'s message', async () => {
    const r = await execa('bash', [SCRIPT], { cwd: tempDir(), env: { ...process.env, ...env }, input: 'y\nn\n', reject: false, timeout: 120_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('Please schedule maintenance window!');
  });
});

describe('mcp migration preflight', () => {
  it('without a terminal and without the confirmations: exit 2 naming the flags, before doing anything', async () => {
    const before = readdirSync(join(home, 'backups')).length;
    const out = tempDir();
    const r = await mcp(['migration', 'preflight', '--target-version', '6.0.0', '--output-dir', out], { home, env });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/hint: confirm with --tested-in-staging --window-scheduled --users-notified \(or --yes for all three\)/);
    expect(readdirSync(join(home, 'backups')).length).toBe(before);
    expect(readdirSync(out)).toEqual([]);
    const some = await mcp(['migration', 'preflight', '--target-version', '6.0.0', '--tested-in-staging'], { home, env });
    expect(some.stderr).toMatch(/hint: confirm with --window-scheduled --users-notified/);
  });

  it('with the flags: ten checks pass, a JSON report, the backup and the two files', async () => {
    const out = tempDir();
    const r = await mcp(['migration', 'preflight', '--target-version', '6.0.0', '--tested-in-staging', '--window-scheduled', '--users-notified', '--output-dir', out, '--json'], { home, env });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ targetVersion: '6.0.0', ok: true, failed: [] });
    expect(doc.checks.map((c: any) => [c.n, c.id, c.status === 'warn' ? 'pass' : c.status])).toEqual([
      [1, 'current-version', 'pass'],
      [2, 'compatibility', 'pass'],
      [3, 'backup', 'pass'],
      [4, 'config-export', 'pass'],
      [5, 'services', 'pass'],
      [6, 'disk-space', 'pass'],
      [7, 'database', 'pass'],
      [8, 'tested-in-staging', 'pass'],
      [9, 'maintenance-window', 'pass'],
      [10, 'users-notified', 'pass'],
    ]);
    expect(doc.checks[7].detail).toBe('confirmed (--tested-in-staging)');
    expect(doc.files).toEqual([join(out, 'config-backup.json'), join(out, 'services-backup.json')]);
    expect(JSON.parse(readFileSync(join(out, 'config-backup.json'), 'utf8')).version).toBe('5.0');

    const t = await mcp(['migration', 'preflight', '--target-version', '6.0.0', '--yes', '--output-dir', out], { home, env });
    expect(t.exitCode).toBe(0);
    expect(t.stdout).toMatch(/^=== Pre-Migration Checklist ===\n\[1\/10\] ✓ Current version: platform 5\.0/);
    expect(t.stdout).toMatch(/\[10\/10\] ✓ Users notified: confirmed \(--yes\)\nPre-migration checklist complete!/);
    expect(t.stderr).toMatch(/\[3\/10\] Backup of the current state…/);
  });

  it('a failing check fails the run with exit 3; the others still run and are reported', async () => {
    const r = await mcp(['migration', 'preflight', '--target-version', '6.0.0', '--yes', '--output-dir', tempDir(), '--json'], { home, env: { ...env, MCP_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing' } });
    expect(r.exitCode).toBe(3);
    const doc = r.json();
    expect(doc.ok).toBe(false);
    expect(doc.failed).toContain('database');
    expect(doc.checks.find((c: any) => c.id === 'database').detail).toMatch(/^mcp db ping: exit \d: /);
    expect(doc.checks.find((c: any) => c.id === 'users-notified').status).toBe('pass');
  });

  it('an unreachable target version fails the compatibility check', async () => {
    const r = await mcp(['migration', 'preflight', '--target-version', '4.0', '--yes', '--output-dir', tempDir(), '--json'], { home, env });
    expect(r.exitCode).toBe(3);
    expect(r.json().failed).toContain('compatibility');
  });
});
