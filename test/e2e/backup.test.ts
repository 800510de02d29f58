// Backups as a user meets them, through the built binary: create → wipe → restore gives the same bytes
// and rows; damaged or hostile archives are refused with exit 5 and nothing written; prune; an
// interrupted create never lists; encryption; the guide's scripts run without --yes and without a TTY.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { MCP, mcp, tempDir } from '../helpers/cli.js';
import { createTestDb, pgExec, type TestDb } from '../helpers/pg.js';
import { craftBackup, notOwnerOnly, treeOf } from '../helpers/backup-craft.js';

const notLogs = (rel: string) => rel === 'logs' || rel.startsWith('logs/');

function seedFiles(home: string): void {
  const d = join(home, 'data');
  mkdirSync(join(d, 'filesystem/deep/er/still'), { recursive: true });
  mkdirSync(join(d, 'git/empty-dir'), { recursive: true });
  writeFileSync(join(d, 'filesystem/hello.txt'), 'hello\n');
  writeFileSync(join(d, 'filesystem/random.bin'), randomBytes(300_000));
  writeFileSync(join(d, 'filesystem/empty'), '');
  writeFileSync(join(d, 'filesystem/secret.key'), 'k');
  chmodSync(join(d, 'filesystem/secret.key'), 0o600);
  writeFileSync(join(d, 'filesystem/deep/er/still/' + 'long-name-'.repeat(12) + 'ü.txt'), 'a path longer than 100 bytes\n');
  symlinkSync('hello.txt', join(d, 'filesystem/link-to-hello'));
}

async function rows(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const s = await c.query(`SELECT id, name, config::text FROM services ORDER BY id`);
    const u = await c.query(`SELECT id, email FROM users ORDER BY id`);
    return { services: s.rows, users: u.rows };
  } finally {
    await c.end();
  }
}

const sql = pgExec;

describe('mcp backup: create, wipe, restore (PostgreSQL)', () => {
  let db: TestDb;
  let home: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDb('mcp_bk_e2e');
    env = { MCP_DATABASE_URL: db.url };
    home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    seedFiles(home);
    await sql(db.url, `
      CREATE TABLE services (id serial PRIMARY KEY, name text NOT NULL, config jsonb);
      CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE);
      INSERT INTO services (name, config) SELECT 'svc-' || g, jsonb_build_object('n', g, 'tab', E'a\\tb') FROM generate_series(1, 2500) g;
      INSERT INTO users (email) VALUES ('a@example.com'), (NULL), (E'back\\\\slash@example.com');`);
  });
  afterAll(async () => db?.drop());

  it('restores byte-identical files and identical rows, from a script (no TTY, no --yes)', async () => {
    const files = treeOf(join(home, 'data'), undefined, { modes: false });
    const before = await rows(db.url);
    const c = await mcp(['backup', 'create', '--name', 'pre-migration-1', '--json'], { home, env });
    expect(c.exitCode, c.stderr).toBe(0);
    const created = c.json().backup;
    expect(created.contents).toEqual(['config', 'history', 'data', 'database']);
    expect(created.database.tables).toEqual([{ name: 'public.services', rows: 2500 }, { name: 'public.users', rows: 3 }]);

    // wipe: data files gone, rows gone, a table a later migration added
    rmSync(join(home, 'data'), { recursive: true });
    mkdirSync(join(home, 'data'));
    writeFileSync(join(home, 'data/stray.txt'), 'not in the backup');
    await sql(db.url, `DROP TABLE users; DELETE FROM services WHERE id % 2 = 0; CREATE TABLE v6_only (x int);`);

    const r = await mcp(['backup', 'restore', '--id', 'pre-migration-1', '--data-only', '--json'], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const rep = r.json();
    expect(rep.safetyBackup).toMatch(/^bk-/);
    expect(treeOf(join(home, 'data'), undefined, { modes: false })).toEqual(files);
    expect(notOwnerOnly(join(home, 'data'))).toEqual([]);
    expect(await rows(db.url)).toEqual(before);

    const v = await mcp(['data', 'verify', '--checksum', '--json'], { home, env });
    expect(v.exitCode, v.stdout).toBe(0);
    expect(v.json().ok).toBe(true);

    // the safety backup undoes the restore
    const undo = await mcp(['backup', 'restore', '--id', rep.safetyBackup, '--data-only'], { home, env });
    expect(undo.exitCode, undo.stderr).toBe(0);
    expect(readFileSync(join(home, 'data/stray.txt'), 'utf8')).toBe('not in the backup');
    const drift = await mcp(['data', 'verify', '--checksum', '--id', 'pre-migration-1', '--json'], { home, env });
    expect(drift.exitCode).toBe(3);
    expect(drift.json().extra).toContain('data/stray.txt');
  });

  it('--dry-run verifies and reports, changing nothing', async () => {
    writeFileSync(join(home, 'data/stray.txt'), 'edited\n');
    const tree = treeOf(home, notLogs);
    const listed = (await mcp(['backup', 'list', '--json'], { home })).json().backups.length;
    const r = await mcp(['backup', 'restore', '--id', 'pre-migration-1', '--dry-run', '--json'], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().dryRun).toBe(true);
    expect(r.json().files.data).toMatchObject({ removed: 1, added: 6 });
    expect(treeOf(home, notLogs)).toEqual(tree);
    expect((await mcp(['backup', 'list', '--json'], { home })).json().backups.length).toBe(listed);
  });

  it('config restore brings back the config from the backup', async () => {
    const cfg = join(home, 'config/platform.json');
    const original = readFileSync(cfg, 'utf8');
    writeFileSync(cfg, JSON.stringify({ version: '6.0', environment: 'development', services: [] }));
    const r = await mcp(['config', 'restore', '--backup-id', 'pre-migration-1'], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(cfg, 'utf8')).toBe(original);
  });

  it('create --verify proves the archive restores into a scratch embedded database', async () => {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const tables = (await c.query(`SELECT 'public.' || relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`)).rows;
    const expected = [];
    for (const t of tables) {
      const n = Number((await c.query(`SELECT count(*) AS n FROM ${t.name}`)).rows[0].n);
      expected.push({ name: t.name, rows: n, restored: n });
    }
    await c.end();
    const r = await mcp(['backup', 'create', '--full', '--verify', '--json'], { home, env, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    const v = r.json().verification;
    expect(v.ok).toBe(true);
    expect(v.tables).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
    expect(r.json().backup.verified.ok).toBe(true);
    expect((await mcp(['backup', 'list', '--json'], { home })).json().backups[0].verified.ok).toBe(true);
  });
});

describe('mcp backup: damaged and hostile archives are refused with exit 5, nothing written', () => {
  let home: string;
  beforeAll(async () => {
    home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    seedFiles(home);
  });

  async function refused(id: string, pattern: RegExp) {
    const tree = treeOf(home, notLogs);
    const r = await mcp(['backup', 'restore', '--id', id], { home });
    expect(r.exitCode, r.stderr).toBe(5);
    expect(r.stderr).toMatch(pattern);
    expect(treeOf(home, notLogs)).toEqual(tree);
    const v = await mcp(['backup', 'verify', '--id', id], { home });
    expect(v.exitCode).toBe(5);
  }

  it('a flipped bit', async () => {
    const c = await mcp(['backup', 'create', '--name', 'flip', '--json'], { home });
    expect(c.exitCode, c.stderr).toBe(0);
    const file = join(home, 'backups', c.json().backup.file);
    const buf = readFileSync(file);
    buf[Math.floor(buf.length / 2)]! ^= 0x10;
    writeFileSync(file, buf);
    await refused('flip', /corrupt|mismatch|does not match/);
  });

  it('a truncated archive (even with a sidecar rewritten to match it)', async () => {
    const c = await mcp(['backup', 'create', '--name', 'trunc', '--json'], { home });
    const file = join(home, 'backups', c.json().backup.file);
    const buf = readFileSync(file).subarray(0, Math.floor(readFileSync(file).length * 0.7));
    writeFileSync(file, buf);
    const sc = JSON.parse(readFileSync(join(home, 'backups', `${c.json().backup.id}.manifest.json`), 'utf8'));
    sc.archive.size = buf.length;
    sc.archive.sha256 = (await import('node:crypto')).createHash('sha256').update(buf).digest('hex');
    writeFileSync(join(home, 'backups', `${c.json().backup.id}.manifest.json`), JSON.stringify(sc));
    await refused('trunc', /truncated|corrupt/);
  });

  it('path traversal', async () => {
    craftBackup(home, 'bk-traversal', [{ path: 'data/../../escaped.txt', type: 'File', body: 'pwned' }]);
    await refused('bk-traversal', /traversal/);
    expect(existsSync(join(home, '..', 'escaped.txt'))).toBe(false);
  });

  it('an absolute path', async () => {
    const target = join(tempDir(), 'abs.txt');
    craftBackup(home, 'bk-absolute', [{ path: target, type: 'File', body: 'pwned' }]);
    await refused('bk-absolute', /absolute/);
    expect(existsSync(target)).toBe(false);
  });

  it('a link escaping the target, and a file written through it', async () => {
    craftBackup(home, 'bk-link', [
      { path: 'data/', type: 'Directory' },
      { path: 'data/out', type: 'SymbolicLink', linkpath: '../../..' },
      { path: 'data/out/x.txt', type: 'File', body: 'pwned' },
    ]);
    await refused('bk-link', /escapes|link/);
    craftBackup(home, 'bk-abslink', [{ path: 'data/etc', type: 'SymbolicLink', linkpath: '/etc' }]);
    await refused('bk-abslink', /outside/);
  });

  it('a hard link', async () => {
    craftBackup(home, 'bk-hardlink', [{ path: 'data/h', type: 'Link', linkpath: 'data/x' }]);
    await refused('bk-hardlink', /type Link/);
  });

  it('a duplicate entry', async () => {
    craftBackup(home, 'bk-dup', [
      { path: 'data/a.txt', type: 'File', body: 'first' },
      { path: 'data/a.txt', type: 'File', body: 'second' },
    ], { manifestEntries: [{ path: 'data/a.txt', type: 'file', size: 5, sha256: 'a'.repeat(64), mode: 0o644 }] });
    await refused('bk-dup', /duplicate/);
  });

  it('a checksum the manifest does not confirm', async () => {
    craftBackup(home, 'bk-sum', [{ path: 'data/a.txt', type: 'File', body: 'content', manifestSha: 'b'.repeat(64) }]);
    await refused('bk-sum', /SHA-256 mismatch/);
  });

  it('an entry the manifest does not list', async () => {
    craftBackup(home, 'bk-extra', [{ path: 'data/a.txt', type: 'File', body: 'content' }, { path: 'data/b.txt', type: 'File', body: 'sneaky' }], {
      manifestEntries: [{ path: 'data/a.txt', type: 'file', size: 7, sha256: (await import('node:crypto')).createHash('sha256').update('content').digest('hex'), mode: 0o644 }],
    });
    await refused('bk-extra', /not in its manifest/);
  });
});

describe('mcp backup prune, interrupted creates, encryption', () => {
  it('prune keeps the newest N (and asks first without --yes)', async () => {
    const home = tempDir();
    await mcp(['init', '--version', '5.0'], { home });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await mcp(['backup', 'create', '--config-only', '--name', `n${i}`, '--json'], { home })).json().backup.id);
    const noTty = await mcp(['backup', 'prune', '--keep', '2'], { home });
    expect(noTty.exitCode).toBe(2);
    expect(noTty.stderr).toMatch(/--yes/);
    const dry = await mcp(['backup', 'prune', '--keep', '2', '--dry-run', '--json'], { home });
    expect(dry.json().removed).toEqual([ids[1], ids[0]]);
    expect((await mcp(['backup', 'prune', '--keep', '2', '--yes'], { home })).exitCode).toBe(0);
    expect((await mcp(['backup', 'list', '--json'], { home })).json().backups.map((b: { id: string }) => b.id)).toEqual([ids[3], ids[2]]);
    expect(readdirSync(join(home, 'backups')).sort()).toEqual([`${ids[2]}.manifest.json`, `${ids[2]}.tar.gz`, `${ids[3]}.manifest.json`, `${ids[3]}.tar.gz`].sort());
  });

  it('a create killed half-way leaves no archive that lists or restores', async () => {
    const home = tempDir();
    await mcp(['init', '--version', '5.0'], { home });
    mkdirSync(join(home, 'data/big'), { recursive: true });
    for (let i = 0; i < 8; i++) writeFileSync(join(home, `data/big/f${i}.bin`), randomBytes(8 * 1024 * 1024));
    const child = spawn(process.execPath, [MCP, 'backup', 'create', '--name', 'doomed'], { env: { ...process.env, MCP_HOME: home, CI: 'true' }, stdio: 'ignore' });
    // wait until the partial archive exists and has grown, then kill -9
    for (let i = 0; i < 400; i++) {
      const p = existsSync(join(home, 'backups')) ? readdirSync(join(home, 'backups')).find((n) => n.endsWith('.partial')) : undefined;
      if (p && readFileSync(join(home, 'backups', p)).length > 1024 * 1024) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // the next command removes what the dead create left, and says so
    const listed = await mcp(['backup', 'list', '--json'], { home });
    expect(listed.stderr).toMatch(/removed partial archive .*\.partial \(its process \d+ is gone\)/);
    expect(listed.json().backups).toEqual([]);
    expect(listed.json().partials).toBe(0);
    expect(readdirSync(join(home, 'backups'))).toEqual([]);
    const r = await mcp(['restore', '--latest', '--data-only'], { home });
    expect(r.exitCode).toBe(3);
    expect((await mcp(['backup', 'prune', '--keep', '1', '--yes'], { home })).exitCode).toBe(0);
  });

  it('encrypts with a passphrase from the environment; a wrong one is exit 5', async () => {
    const home = tempDir();
    await mcp(['init', '--version', '5.0'], { home });
    seedFiles(home);
    const files = treeOf(join(home, 'data'), undefined, { modes: false });
    const good = { MCP_BACKUP_PASSPHRASE: 'correct horse battery staple' };
    const c = await mcp(['backup', 'create', '--encrypt', '--name', 'sealed', '--json'], { home, env: good });
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.json().backup.encrypted).toBe(true);
    const raw = readFileSync(join(home, 'backups', c.json().backup.file));
    expect(raw.includes(Buffer.from('hello'))).toBe(false);
    expect(readFileSync(join(home, 'backups', `${c.json().backup.id}.manifest.json`), 'utf8')).not.toMatch(/hello\.txt/);
    const wrong = await mcp(['backup', 'verify', '--id', 'sealed'], { home, env: { MCP_BACKUP_PASSPHRASE: 'not the passphrase' } });
    expect(wrong.exitCode).toBe(5);
    expect(wrong.stderr).toMatch(/wrong passphrase/);
    expect(wrong.stderr).not.toMatch(/not the passphrase/);
    const none = await mcp(['backup', 'verify', '--id', 'sealed'], { home });
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/MCP_BACKUP_PASSPHRASE/);
    const pf = join(tempDir(), 'pass');
    writeFileSync(pf, 'correct horse battery staple\n');
    expect((await mcp(['backup', 'verify', '--id', 'sealed', '--passphrase-file', pf], { home })).exitCode).toBe(0);
    rmSync(join(home, 'data'), { recursive: true });
    const r = await mcp(['restore', '--data-only', '--latest'], { home, env: good });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(treeOf(join(home, 'data'), undefined, { modes: false })).toEqual(files);
    expect(notOwnerOnly(join(home, 'data'))).toEqual([]);
  });
});

describe('the embedded database (PGlite under <home>/state/pglite)', () => {
  it('backs up and restores it in the dev-to-staging way: create --env … --data-only, restore --env … --data-only --latest', async () => {
    const home = tempDir();
    await mcp(['init', '--version', '5.0'], { home });
    seedFiles(home);
    const { openPglite } = await import('../../src/db/pglite.js');
    const open = () => openPglite(join(home, 'state/pglite'), 'embedded', async () => undefined);
    let db = await open();
    await db.exec(`CREATE TABLE services (id serial PRIMARY KEY, name text); INSERT INTO services (name) SELECT 'svc-' || g FROM generate_series(1, 500) g;`);
    await db.close();
    const c = await mcp(['backup', 'create', '--env', 'development', '--data-only', '--json'], { home, timeoutMs: 120_000 });
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.json().backup).toMatchObject({ environment: 'development', contents: ['data', 'database'] });
    expect(c.json().backup.database).toMatchObject({ kind: 'pglite', tables: [{ name: 'public.services', rows: 500 }] });

    db = await open();
    await db.exec(`DELETE FROM services WHERE id > 100`);
    await db.close();
    rmSync(join(home, 'data/filesystem'), { recursive: true });
    const r = await mcp(['restore', '--env', 'development', '--data-only', '--latest'], { home, timeoutMs: 120_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    db = await open();
    try {
      expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM services`)).rows[0]!.n).toBe(500);
    } finally {
      await db.close();
    }
    expect(readFileSync(join(home, 'data/filesystem/hello.txt'), 'utf8')).toBe('hello\n');
  }, 240_000);
});
