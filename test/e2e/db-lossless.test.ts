// The operator's own database through the built binary: a hand-written v4 home (config naming its table
// `mcp_data`, records with fields the v5 columns do not have) upgraded with `mcp db migrate`, verified by
// content with `mcp migration verify`, rolled back byte for byte; and a connection terminated mid-migration
// (pg_terminate_backend) ending in one error line, a `failed` tracking row and a rerun that resumes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import pg from 'pg';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, mcp, ROOT, tempDir } from '../helpers/cli.js';
import { createTestDb, type TestDb } from '../helpers/pg.js';

async function sql<T = any>(url: string, q: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(q, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A v4.2 home as an operator writes it: its own table name, no example data. */
function v4Home(table: string): string {
  const home = tempDir();
  mkdirSync(join(home, 'config'), { recursive: true });
  writeFileSync(
    join(home, 'config', 'platform.yaml'),
    `version: "4.2"\nenvironment: production\nplatform:\n  name: ops\napi:\n  host: api.internal\n  port: 8080\ndatabase:\n  type: postgres\n  table: ${table}\nruntime:\n  type: none\nservices:\n  - name: filesystem_mcp\n    type: mcp\n    image: mcp/filesystem:4.2\n`,
  );
  return home;
}

const DIGEST = (t: string) =>
  `SELECT md5(string_agg(id || '|' || kind || '|' || name || '|' || data::text || '|' || created_at::text || '|' || updated_at::text, E'\\n' ORDER BY id)) AS h, count(*)::int AS n FROM ${t}`;

async function handWritten(url: string, table: string, events: number): Promise<void> {
  await sql(url, `CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, kind VARCHAR(32) NOT NULL, name VARCHAR(255) NOT NULL, data JSONB NOT NULL DEFAULT '{}', created_at TIMESTAMP NOT NULL DEFAULT now(), updated_at TIMESTAMP NOT NULL DEFAULT now())`);
  await sql(
    url,
    `INSERT INTO ${table} (kind, name, data, created_at, updated_at) VALUES
      ('user', 'alice', '{"email":"alice@ops.example","display_name":"Alice","mfa":{"totp":true}}', '2021-03-04 05:06:07.891011', '2024-01-01 00:00:00.000001'),
      ('user', 'svc-bot', '{"email":null}', '2021-03-04 05:06:07', '2021-03-04 05:06:07'),
      ('api_key', 'deploy', '{"owner":"alice","key_hash":"9f2c","expires_at":"2026-01-01","scopes":["deploy"]}', '2022-01-01 00:00:00', '2022-06-01 00:00:00'),
      ('setting', 'features', '{"flags":["a","b"]}', '2022-01-01 00:00:00', '2023-01-01 00:00:00'),
      ('service', 'filesystem_mcp', '{"image":"mcp/filesystem:4.2","description":"shared files","owner_team":"infra"}', '2020-01-01 00:00:00', '2020-01-01 00:00:00'),
      ('webhook', 'pager', '{"url":"https://pager.example/hook"}', '2020-01-01 00:00:00', '2020-01-01 00:00:00')`,
  );
  await sql(
    url,
    `INSERT INTO ${table} (kind, name, data, created_at, updated_at)
     SELECT 'event', 'service.health', jsonb_build_object('service', 'filesystem_mcp', 'actor', 'probe', 'ip', '10.0.' || (g % 250) || '.1', 'details', jsonb_build_object('seq', g)),
            timestamp '2024-01-01' + make_interval(secs => g * 0.001001), timestamp '2024-01-01' + make_interval(secs => g * 0.001001)
     FROM generate_series(1, $1::int) g`,
    [events],
  );
}

describe('the operator’s own PostgreSQL database, through the built binary', { timeout: 240_000 }, () => {
  let t: TestDb;
  beforeAll(async () => (t = await createTestDb()));
  afterAll(async () => t?.drop());
  const env = () => ({ MCP_DATABASE_URL: t.url });

  it('database.table is honoured: migrated in full, verified by content, a blanked field named, 4.2 again byte for byte', async () => {
    await sql(t.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const home = v4Home('mcp_data');
    await handWritten(t.url, 'mcp_data', 5000);
    const before = (await sql(t.url, DIGEST('mcp_data')))[0];

    const st = await mcp(['db', 'status', '--json'], { home, env: env() });
    expect(st.json()).toMatchObject({ layout: 'v4', layoutDetails: { legacyTable: 'mcp_data' } });

    const up = await mcp(['db', 'migrate', '--version', '6.0', '--json'], { home, env: env() });
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.json().content).toMatchObject({ ok: true, records: 5006, changed: 0, missing: 0, added: 0 });
    expect(up.json().content.tables).toEqual([
      { table: 'api_keys', records: 1 },
      { table: 'audit_events', records: 5000 },
      { table: 'legacy_records', records: 1 },
      { table: 'services', records: 1 },
      { table: 'settings', records: 1 },
      { table: 'users', records: 2 },
    ]);
    expect((await sql(t.url, `SELECT to_regclass('mcp_data') IS NULL AS gone`))[0].gone).toBe(true);

    // the config is still v4 (db migrate moves the database only): verify's data check reads the database
    const ok = await mcp(['migration', 'verify', '--version', '6.0', '--json'], { home, env: env() });
    const data = ok.json().checks.find((c: any) => c.name === 'data');
    expect(data).toMatchObject({ status: 'passed' });
    expect(data.detail).toMatch(/^5006 records, each identical to the snapshot taken before mcp db migrate/);

    await sql(t.url, `UPDATE api_keys SET attributes = attributes - 'expires_at' WHERE name = 'deploy'`);
    const bad = await mcp(['migration', 'verify', '--version', '6.0', '--step-by-step'], { home, env: env() });
    expect(bad.exitCode).toBe(3);
    expect(bad.stdout).toMatch(/✗ data: 1 changed of 5006 records since the snapshot taken before mcp db migrate to 6\.0 .*: api_keys id 3 \(data\.expires_at\)/);
    expect(bad.stdout).toMatch(/✗ api_keys id 3 — changed: data\.expires_at/);
    await sql(t.url, `UPDATE api_keys SET attributes = attributes || '{"expires_at":"2026-01-01"}' WHERE name = 'deploy'`);

    const down = await mcp(['db', 'rollback', '--to', '4.2', '--json'], { home, env: env() });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.json().content).toMatchObject({ ok: true, records: 5006 });
    expect((await sql(t.url, DIGEST('mcp_data')))[0]).toEqual(before);
  });

  it('a terminated connection mid-migration: one error line, the tracking row failed with the statement, command.end logged; the rerun resumes', async () => {
    await sql(t.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const home = v4Home('platform_data');
    await handWritten(t.url, 'platform_data', 120_000);
    const before = (await sql(t.url, DIGEST('platform_data')))[0];
    const child = execa(process.execPath, [MCP, 'db', 'migrate', '--version', '5.0'], { env: { ...process.env, ...env(), MCP_HOME: home, NO_COLOR: '1' }, reject: false, cwd: ROOT });
    let killed = 0;
    for (let i = 0; i < 1200 && !killed; i++) {
      const r = await sql(t.url, `SELECT rows_done FROM migrations WHERE name = 'multi_table_layout'`).catch(() => []);
      if (r[0] && Number(r[0].rows_done) > 0) {
        // the pool's connections (the batch in flight), not the lock's session
        const k = await sql(t.url, `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'mcp' AND datname = current_database() AND pid <> pg_backend_pid()`);
        killed = k.filter((x) => x.ok).length;
      } else await new Promise((res) => setTimeout(res, 25));
    }
    expect(killed).toBeGreaterThan(0);
    const r = await child;
    const stderr = String(r.stderr);
    expect(r.exitCode, stderr).toBe(1);
    expect(stderr).not.toMatch(/Unhandled|\n\s+at /);
    expect(stderr.split('\n').filter((l) => l.startsWith('mcp: error:'))).toHaveLength(1);
    expect(stderr).toMatch(/mcp: error: .*5\.0\.0_1__multi_table_layout\.sql: the connection to the database was lost while applying/);
    expect(stderr).toMatch(/hint: run the command again when the database is reachable: it resumes/);
    const row = (await sql(t.url, `SELECT status, error, failed_statement, rows_done FROM migrations WHERE name = 'multi_table_layout'`))[0];
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/terminat/i);
    expect(row.failed_statement).toMatch(/^WITH batch AS/);
    const log = readFileSync(join(home, 'logs', 'mcp.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log.some((e) => e.event === 'command.end' && e.exitCode === 1)).toBe(true);
    expect(readFileSync(join(home, 'logs', 'migration.log'), 'utf8')).toMatch(/ERROR .*db migrate/);

    const again = await mcp(['db', 'migrate', '--version', '5.0', '--json'], { home, env: env(), timeoutMs: 180_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming 5\.0\.0_1__multi_table_layout\.sql — resuming after a failure/);
    expect(again.json().content).toMatchObject({ ok: true, records: 120_006 });
    const back = await mcp(['db', 'rollback', '--to', '4.2'], { home, env: env(), timeoutMs: 180_000 });
    expect(back.exitCode, back.stderr).toBe(0);
    expect((await sql(t.url, DIGEST('platform_data')))[0]).toEqual(before);
  });
});
