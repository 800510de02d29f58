// `mcp db migrate/status/rollback/repair` as users run them, several at once and killed halfway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import pg from 'pg';
import { cpSync, appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, ROOT, tempDir } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { pgliteHome } from '../helpers/pglite.js';
import { openSql } from '../../src/db/open.js';
import { seedV4Example } from '../../src/db/layouts.js';
import { ADVISORY_LOCK_KEY } from '../../src/db/sql-engine.js';

const envFor = (url?: string) => ({ MCP_DATABASE_URL: url, CI: 'true' });

async function seed(home: string, url: string | undefined, rows: number) {
  const db = await openSql({ home, env: { MCP_DATABASE_URL: url } });
  try {
    await seedV4Example(db, { rows });
  } finally {
    await db.close();
  }
}

async function sql<T = any>(url: string, q: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(q, params)).rows as T[];
  } finally {
    await c.end();
  }
}

describe('mcp db on PostgreSQL', { timeout: 180_000 }, () => {
  let t: TestDb;
  beforeAll(async () => (t = await createTestDb()));
  afterAll(async () => t?.drop());
  const reset = () => sql(t.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');

  it('the guide step `mcp db migrate --version 5.0` runs without --yes and without a terminal', async () => {
    await reset();
    const home = tempDir();
    await seed(home, t.url, 300);
    const r = await mcp(['db', 'migrate', '--version', '5.0'], { home, env: envFor(t.url) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ apply +5\.0\.0_2__add_deployment_features\.sql/);
    const s = await mcp(['db', 'status', '--json'], { home, env: envFor(t.url) });
    expect(s.json()).toMatchObject({ current: '5.0.0', pending: 1, failed: 0, drifted: [], layout: 'v5', trackingTable: 'mcp' });
    const dry = await mcp(['db', 'migrate', '--dry-run'], { home, env: envFor(t.url) });
    expect(dry.stdout).toContain('CREATE TABLE auth_providers');
    expect((await mcp(['db', 'status', '--json'], { home, env: envFor(t.url) })).json().pending).toBe(1);
    const rb = await mcp(['db', 'rollback', '--to', '4.2', '--json'], { home, env: envFor(t.url) });
    expect(rb.exitCode, rb.stderr).toBe(0);
    expect(rb.json().actions.map((a: any) => a.name)).toEqual(['add_deployment_features', 'multi_table_layout']);
    expect((await sql(t.url, `SELECT count(*)::int AS n FROM platform_data`))[0].n).toBe(300);
  });

  it('two processes racing: both succeed, exactly one applies each migration', async () => {
    await reset();
    const home = tempDir();
    await seed(home, t.url, 100_000);
    const run = () => execa(process.execPath, [MCP, 'db', 'migrate', '--json', '--lock-timeout', '120'], { env: { ...process.env, ...envFor(t.url), MCP_HOME: home }, reject: false, cwd: ROOT });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.exitCode, String(a.stderr)).toBe(0);
    expect(b.exitCode, String(b.stderr)).toBe(0);
    const acts = [JSON.parse(String(a.stdout)).actions, JSON.parse(String(b.stdout)).actions];
    // one did everything, the other waited for the lock and found nothing left
    expect(acts.map((x) => x.length).sort()).toEqual([0, 4]);
    expect(String(a.stderr) + String(b.stderr)).toMatch(/waiting for the migration lock, held by pid \d+/);
    const rows = await sql(t.url, `SELECT version, name, status, count(*) OVER (PARTITION BY version, name)::int AS n FROM migrations`);
    expect(rows.every((r) => r.n === 1 && r.status === 'completed')).toBe(true);
    expect((await sql(t.url, `SELECT count(*)::int AS n FROM audit_events`))[0].n).toBe(100_000 - 16);
  });

  it('a run that finds the lock held exits 4 naming the holder after --lock-timeout', async () => {
    await reset();
    const c = new pg.Client({ connectionString: t.url, application_name: 'mcp pid 4242 on opsbox' });
    await c.connect();
    try {
      await c.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
      const started = Date.now();
      const r = await mcp(['db', 'migrate', '--lock-timeout', '1'], { home: tempDir(), env: envFor(t.url) });
      expect(r.exitCode).toBe(4);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(r.stderr).toMatch(/held by pid 4242 on opsbox \(server pid \d+/);
    } finally {
      await c.end();
    }
    expect((await sql(t.url, `SELECT to_regclass('migrations') IS NULL AS none`))[0].none).toBe(true);
  });

  it('a run killed with SIGKILL mid-migration: the rerun resumes and converges', async () => {
    await reset();
    const home = tempDir();
    await seed(home, t.url, 200_000);
    const child = execa(process.execPath, [MCP, 'db', 'migrate'], { env: { ...process.env, ...envFor(t.url), MCP_HOME: home }, reject: false, cwd: ROOT });
    // wait until the batched copy of the v4 table is under way, then kill it
    for (let i = 0; i < 600; i++) {
      const r = await sql(t.url, `SELECT rows_done FROM migrations WHERE name = 'multi_table_layout'`).catch(() => []);
      if (r[0] && Number(r[0].rows_done) > 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    child.kill('SIGKILL');
    await child;
    const mid = await mcp(['db', 'status', '--json'], { home, env: envFor(t.url) });
    const m = mid.json().migrations.find((x: any) => x.name === 'multi_table_layout');
    expect(m.state).toBe('running');
    expect(m.rowsDone).toBeGreaterThan(0);
    expect(m.rowsDone).toBeLessThan(200_000);
    const again = await mcp(['db', 'migrate'], { home, env: envFor(t.url), timeoutMs: 120_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming 5\.0\.0_1__multi_table_layout\.sql — resuming after an interrupted run at step \d+ of \d+, batch after key \d+/);
    const counts = await sql(t.url, `SELECT (SELECT count(*) FROM audit_events)::int AS e, (SELECT count(*) FROM services)::int AS s, to_regclass('platform_data') IS NULL AS gone`);
    expect(counts[0]).toEqual({ e: 200_000 - 16, s: 6, gone: true });
    expect((await mcp(['db', 'status', '--json'], { home, env: envFor(t.url) })).json()).toMatchObject({ pending: 0, failed: 0 });
  });

  it('a changed applied migration: exit 5 naming the file; repair accepts it', async () => {
    await reset();
    const home = tempDir();
    const dir = tempDir();
    cpSync(join(ROOT, 'migrations/postgres'), dir, { recursive: true });
    const r1 = await mcp(['db', 'migrate', '--migrations-dir', dir, '--version', '5.0'], { home, env: envFor(t.url) });
    expect(r1.exitCode, r1.stderr).toBe(0);
    appendFileSync(join(dir, '5.0.0_2__add_deployment_features.sql'), '\n-- reviewed\n');
    const r2 = await mcp(['db', 'migrate', '--migrations-dir', dir], { home, env: envFor(t.url) });
    expect(r2.exitCode).toBe(5);
    expect(r2.stderr).toMatch(/5\.0\.0_2__add_deployment_features\.sql/);
    expect(r2.stderr).toMatch(/hint: .*mcp db repair/);
    const rep = await mcp(['db', 'repair', '--migrations-dir', dir, '--json'], { home, env: envFor(t.url) });
    expect(rep.json().accepted.map((a: any) => a.file)).toEqual(['5.0.0_2__add_deployment_features.sql']);
    expect((await mcp(['db', 'migrate', '--migrations-dir', dir], { home, env: envFor(t.url) })).exitCode).toBe(0);
    const reidx = await mcp(['db', 'reindex', '--json'], { home, env: envFor(t.url) });
    expect(reidx.exitCode, reidx.stderr).toBe(0);
    expect(reidx.json().tables.map((x: any) => x.table)).toContain('services');
  });
});

describe('mcp db on the embedded database', { timeout: 300_000 }, () => {
  it('two processes racing: the second waits for the first and finds nothing to do', async () => {
    const home = await pgliteHome();
    await seed(home, undefined, 2000);
    const run = () => execa(process.execPath, [MCP, 'db', 'migrate', '--json', '--lock-timeout', '240'], { env: { ...process.env, CI: 'true', MCP_HOME: home, MCP_DATABASE_URL: '' }, reject: false, cwd: ROOT });
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.exitCode, String(a.stderr)).toBe(0);
    expect(b.exitCode, String(b.stderr)).toBe(0);
    expect([JSON.parse(String(a.stdout)).actions.length, JSON.parse(String(b.stdout)).actions.length].sort()).toEqual([0, 4]);
    expect(String(a.stderr) + String(b.stderr)).toMatch(/waiting for the database, held by pid \d+ \(mcp db migrate\)/);
  });

  it('killed with SIGKILL mid-migration: the rerun takes over the lock file and converges', async () => {
    const home = await pgliteHome();
    // the platform's migrations with small batches, so a modest table still takes several
    const dir = tempDir();
    cpSync(join(ROOT, 'migrations/postgres'), dir, { recursive: true });
    const f = join(dir, '5.0.0_1__multi_table_layout.sql');
    writeFileSync(f, readFileSync(f, 'utf8').replace('batch size:10000', 'batch size:1000'));
    await seed(home, undefined, 20_000);
    const env = { ...process.env, CI: 'true', MCP_HOME: home, MCP_DATABASE_URL: '' };
    const child = execa(process.execPath, [MCP, 'db', 'migrate', '--migrations-dir', dir], { env, reject: false, cwd: ROOT });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    for (let i = 0; i < 4000 && !/multi_table_layout\.sql: [1-9]\d* rows/.test(err); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await child;
    expect(err).toMatch(/multi_table_layout\.sql: \d+ rows/);
    expect(err).not.toMatch(/✓ 5\.0\.0_1__multi_table_layout\.sql applied/);
    const again = await mcp(['db', 'migrate', '--migrations-dir', dir], { home, env: { MCP_DATABASE_URL: '' }, timeoutMs: 240_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming 5\.0\.0_1__multi_table_layout\.sql — resuming after an interrupted run at step \d+ of \d+, batch after key \d+/);
    const db = await openSql({ home, env: {} });
    try {
      expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n).toBe(20_000 - 16);
      expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM migrations WHERE status = 'completed'`)).rows[0]!.n).toBe(4);
    } finally {
      await db.close();
    }
  });
});

describe('mcp db usage errors', () => {
  it('rollback without --to undoes the newest applied version, one at a time, content kept; then exit 3 naming --to', async () => {
    const home = tempDir();
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    expect((await mcp(['db', 'migrate'], { home, timeoutMs: 120_000 })).exitCode).toBe(0);
    const applied = async () => (await mcp(['db', 'status', '--json'], { home })).json().migrations.filter((m: any) => m.state === 'applied').map((m: any) => m.version);
    expect(await applied()).toEqual(['4.0.0', '5.0.0', '5.0.0', '6.0.0']);
    const one = await mcp(['db', 'rollback', '--json'], { home, timeoutMs: 120_000 });
    expect(one.exitCode, one.stderr).toBe(0);
    expect(one.json()).toMatchObject({ to: '5.0.0', content: { ok: true } });
    expect(await applied()).toEqual(['4.0.0', '5.0.0', '5.0.0']);
    const two = await mcp(['db', 'rollback', '--json'], { home, timeoutMs: 120_000 });
    expect(two.json()).toMatchObject({ to: '4.0.0', content: { ok: true } });
    expect(await applied()).toEqual(['4.0.0']);
    const three = await mcp(['db', 'rollback'], { home });
    expect(three.exitCode).toBe(3);
    expect(three.stderr).toMatch(/only 4\.0\.0 is applied .*there is no older version to return to/);
    expect(three.stderr).toMatch(/mcp db rollback --to VERSION/);
  }, 240_000);

  it('a bad version is exit 2 with one line', async () => {
    const home = tempDir();
    const b = await mcp(['db', 'migrate', '--version', 'five'], { home });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/--version 'five' is not a platform version/);
  });
});
