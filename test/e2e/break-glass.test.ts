// The guide's "Manual Rollback" when mcp itself is broken: a backup archive extracts with tar into the
// home layout, and its database part loads with psql alone (db/restore.sql), giving back every row,
// type, sequence position and constraint, and dropping tables a later migration added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { mcp, tempDir } from '../helpers/cli.js';
import { createTestDb, pgExec, type TestDb } from '../helpers/pg.js';

// an operator's own database: a custom table name, an enum, identity and generated columns, a second schema,
// JSON with fields no version of the platform defines, characters COPY has to escape
const SEED = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE tenant_registry (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, data jsonb DEFAULT '{}', mood mood, tags text[], blob bytea);
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant int REFERENCES tenant_registry(id), body text, n numeric(10,2), twice bigint GENERATED ALWAYS AS (id * 2) STORED, CHECK (n >= 0));
CREATE INDEX events_body_idx ON events (body);
CREATE SCHEMA audit;
CREATE TABLE audit.log (at timestamptz, line text);
INSERT INTO tenant_registry (name, data, mood, tags, blob) VALUES
  ('acme', '{"display_name": "ACME", "mfa": {"totp": true}}', 'happy', '{x,"y z"}', '\\x00ff10'),
  ('tabs', '{"tab": "a\\tb", "nl": "l1\\nl2"}', NULL, NULL, NULL),
  (E'odd\\\\name\\twith\\ttabs', '{}', 'sad', '{}', '\\x');
INSERT INTO events (tenant, body, n) SELECT 1 + (g % 3), 'event ' || g || E'\\n' || repeat('x', g % 50), g / 100.0 FROM generate_series(1, 5000) g;
INSERT INTO audit.log VALUES ('2024-05-01T10:00:00Z', NULL), ('2020-01-01', E'back\\\\slash');
`;

async function content(url: string): Promise<Record<string, string[]>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Record<string, string[]> = {};
    const tables = await c.query<{ t: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS t FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    for (const { t } of tables.rows) out[t] = (await c.query<{ r: string }>(`SELECT x::text AS r FROM ${t} x ORDER BY 1`)).rows.map((r) => r.r);
    out['(constraints)'] = (await c.query<{ d: string }>(`SELECT conrelid::regclass || ' ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE connamespace::regnamespace::text IN ('public', 'audit') ORDER BY 1`)).rows.map((r) => r.d);
    out['(indexes)'] = (await c.query<{ d: string }>(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname IN ('public', 'audit') ORDER BY 1`)).rows.map((r) => r.d);
    return out;
  } finally {
    await c.end();
  }
}

describe('break glass: a backup restores with tar and psql alone', () => {
  let db: TestDb;
  let home: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDb('mcp_breakglass');
    env = { MCP_DATABASE_URL: db.url };
    home = tempDir();
    expect((await mcp(['init', '--version', '5.0'], { home })).exitCode).toBe(0);
    await pgExec(db.url, SEED);
  });
  afterAll(async () => db?.drop());

  it('tar -xzf in the home, then psql < db/restore.sql: the files, the config and every row as they were', async () => {
    const before = await content(db.url);
    const config = readFileSync(join(home, 'config/platform.json'));
    const c = await mcp(['backup', 'create', '--name', 'before-upgrade', '--json'], { home, env });
    expect(c.exitCode, c.stderr).toBe(0);
    const archive = join(home, 'backups', c.json().backup.file as string);
    expect(archive).toMatch(/\.tar\.gz$/);

    // what went wrong since: rows changed and gone, a table a later migration added, the config edited
    await pgExec(db.url, `DELETE FROM events WHERE id % 3 = 0; UPDATE tenant_registry SET data = '{}'; DROP TABLE audit.log; CREATE TABLE v6_only (x int); INSERT INTO events (tenant, body, n) VALUES (1, 'after', 1)`);
    writeFileSync(join(home, 'config/platform.json'), '{"version": "5.0", "broken": "by hand"}\n');

    // the guide's manual rollback, with no mcp: cd to the home, extract, load the SQL
    const tar = await execa('tar', ['-xzf', archive], { cwd: home, reject: false });
    expect(tar.exitCode, tar.stderr).toBe(0);
    expect(readFileSync(join(home, 'config/platform.json'))).toEqual(config);
    const psql = await execa('sh', ['-c', `psql -X -q "$DB" < db/restore.sql`], { cwd: home, reject: false, env: { DB: db.url } });
    expect(psql.exitCode, psql.stderr).toBe(0);
    const after = await content(db.url);
    expect(Object.keys(after)).not.toContain('public.v6_only');
    expect(after).toEqual(before);
    // sequences and identities continue where the backup left them, generated columns are computed
    await pgExec(db.url, `INSERT INTO tenant_registry (name) VALUES ('new'); INSERT INTO events (tenant, body, n) VALUES (4, 'next', 0)`);
    const next = await content(db.url);
    expect(next['public.tenant_registry']!.filter((r) => r.includes(',new,'))).toEqual(['(4,new,{},,,)']);
    expect(next['public.events']!.filter((r) => r.includes('next'))).toEqual(['(5001,4,next,0.00,10002)']);
  });

  it('a script that fails half-way changes nothing (one transaction, stops at the first error)', async () => {
    const before = await content(db.url);
    const c = await mcp(['backup', 'create', '--name', 'second', '--json'], { home, env });
    expect(c.exitCode, c.stderr).toBe(0);
    const dir = tempDir();
    expect((await execa('tar', ['-xzf', join(home, 'backups', c.json().backup.file)], { cwd: dir })).exitCode).toBe(0);
    // a chunk damaged after extraction: psql stops there and the transaction is rolled back
    const script = readFileSync(join(dir, 'db/restore.sql'), 'utf8');
    const chunk = /FROM '([^']+)'/.exec(script.split('\n').filter((l) => l.includes('"events"') && l.startsWith('\\copy')).join('\n'))![1]!;
    writeFileSync(join(dir, chunk), 'not\ta\trow\n');
    await pgExec(db.url, `CREATE TABLE v6_only (x int)`);
    const psql = await execa('sh', ['-c', `psql -X -q "$DB" < db/restore.sql`], { cwd: dir, reject: false, env: { DB: db.url } });
    expect(psql.exitCode).not.toBe(0);
    const after = await content(db.url);
    expect(after['public.v6_only']).toEqual([]);
    delete after['public.v6_only'];
    expect(after).toEqual(before);
  });
});
