// Nothing lost, proven by content: v4 records the example never makes (extra JSON keys, nulls, nested values,
// missing optional fields, non-object data, names with '-' and '_', microsecond timestamps) go 4.2 → 6.0 → 4.2
// and come back byte for byte, on real PostgreSQL and on PGlite, in a table the config names. Verification names
// the record and the field that changed. Layouts are recognised by their tables: the guide's services-only
// database is migrated from where it is, anything else is refused before a thing is written.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import fc from 'fast-check';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { tempDir } from '../helpers/cli.js';
import { pgliteHome } from '../helpers/pglite.js';
import { openSql } from '../../src/db/open.js';
import { inspectLayout, parseLegacyTable, POSTGRES_MIGRATIONS_DIR } from '../../src/db/layouts.js';
import { loadSqlMigrations, type SqlMigration } from '../../src/db/sqlfile.js';
import { sqlBaseline, sqlContentCheck, sqlMigrate, sqlRollback, sqlStatus } from '../../src/db/sql-engine.js';
import type { SqlDatabase } from '../../src/db/types.js';

const quiet = { lockTimeoutMs: 5000, progress: () => undefined };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface V4Row {
  kind: string;
  name: string;
  data: Json;
  created_at: string;
  updated_at: string;
}

// keys the v5 columns know, per kind, so generated records hit them with every kind of value (or leave them out)
const KNOWN: Record<string, string[]> = {
  user: ['email', 'role'],
  api_key: ['owner', 'key_hash', 'scopes'],
  setting: ['value'],
  event: ['service', 'actor', 'details'],
  service: ['image', 'type', 'status', 'orchestrator', 'instances', 'health_check'],
  widget: ['anything'],
};
const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\u0000'));
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).filter((d) => !Object.is(d, -0)),
    text,
    fc.string({ unit: fc.constantFrom('a', '_', '-', 'é', '"', '\\', ' '), maxLength: 8 }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(text, tie('v'), { maxKeys: 3 }),
  ),
})).v;
const stamp = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).chain((d) =>
  fc.integer({ min: 0, max: 999 }).map((us) => `${d.toISOString().slice(0, 23).replace('T', ' ')}${String(us).padStart(3, '0')}`),
);
const row: fc.Arbitrary<V4Row> = fc.constantFrom(...Object.keys(KNOWN)).chain((kind) =>
  fc.record({
    kind: fc.constant(kind),
    name: fc.string({ unit: fc.constantFrom('a', 'b', '_', '-', 'x', '1'), minLength: 1, maxLength: 8 }),
    data: fc.oneof(
      { weight: 9, arbitrary: fc.record({ known: fc.dictionary(fc.constantFrom(...KNOWN[kind]!), json, { maxKeys: KNOWN[kind]!.length }), extra: fc.dictionary(text, json, { maxKeys: 4 }) }).map((d) => ({ ...d.extra, ...d.known }) as Json) },
      { weight: 1, arbitrary: json },
    ),
    created_at: stamp,
    updated_at: stamp,
  }),
);
// every name unique per record (the suffix), so v5's unique names hold whatever the base is
const rows = fc.array(row, { minLength: 1, maxLength: 40 }).map((rs) => rs.map((r, i) => ({ ...r, name: `${r.name}_${i}` })));

const CONTENT = (t: string) =>
  `SELECT id, kind, name, data::text AS data, created_at::text AS created_at, updated_at::text AS updated_at FROM ${t} ORDER BY id`;

async function insertV4(db: SqlDatabase, table: string, rs: V4Row[]): Promise<void> {
  await db.exec(`CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, kind VARCHAR(32) NOT NULL, name VARCHAR(255) NOT NULL, data JSONB NOT NULL DEFAULT '{}', created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`);
  await db.query(
    `INSERT INTO ${table} (kind, name, data, created_at, updated_at) SELECT r->>'kind', r->>'name', r->'data', (r->>'created_at')::timestamp, (r->>'updated_at')::timestamp FROM jsonb_array_elements($1::jsonb) r`,
    [JSON.stringify(rs)],
  );
}

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`lossless migrations on ${kind}`, { timeout: 600_000 }, () => {
    let t: TestDb | undefined;
    let db: SqlDatabase | undefined;
    let migs: SqlMigration[];
    beforeAll(async () => {
      migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
      if (kind === 'postgres') t = await createTestDb();
    });
    afterAll(async () => t?.drop());
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });
    const fresh = async (d: SqlDatabase) => d.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    const open = async (table?: string) => {
      const d = kind === 'postgres' ? await openSql({ home: tempDir(), env: { MCP_DATABASE_URL: t!.url } }) : await openSql({ home: await pgliteHome(), env: {} });
      // one database for the PostgreSQL tests: a fresh schema each
      if (kind === 'postgres') await fresh(d);
      if (table) d.legacyTable = parseLegacyTable(table);
      return d;
    };

    it('property: any v4 records go 4.2 → 6.0 → 4.2 and come back byte for byte (id, kind, name, data::text, timestamps)', async () => {
      db = await open('operator_records');
      const d = db;
      await fc.assert(
        fc.asyncProperty(rows, async (rs) => {
          await fresh(d);
          await insertV4(d, 'operator_records', rs);
          const before = (await d.query(CONTENT('operator_records'))).rows;
          const up = await sqlMigrate(d, migs, { ...quiet, target: '6.0' });
          expect(up.content).toMatchObject({ ok: true, records: rs.length });
          expect((await inspectLayout(d, { legacyTable: parseLegacyTable('operator_records') })).layout).toBe('v6');
          const down = await sqlRollback(d, migs, { ...quiet, to: '4.2' });
          expect(down.content).toMatchObject({ ok: true, records: rs.length });
          expect((await d.query(CONTENT('operator_records'))).rows).toEqual(before);
        }),
        { numRuns: kind === 'postgres' ? 25 : 8, endOnFailure: true },
      );
    });

    it('a hand-written v4 table named by the config: every key reaches v5, verify names a blanked field, rollback gives it all back', async () => {
      db = await open('mcp_data');
      await insertV4(db, 'mcp_data', [
        { kind: 'user', name: 'alice', data: { email: 'a@example.com', display_name: 'Alice', mfa: { totp: true } }, created_at: '2020-01-01 00:00:00.123456', updated_at: '2021-02-02 03:04:05.654321' },
        { kind: 'user', name: 'norole', data: { email: 'n@example.com' }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'setting', name: 'flags', data: { flags: ['a', 'b'] }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-02 00:00:00' },
        { kind: 'api_key', name: 'ci', data: { owner: 'alice', key_hash: 'h', expires_at: '2026-01-01', scopes: ['read'] }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'event', name: 'auth.login', data: { service: 'auth_service', actor: 'alice', ip: '10.0.0.1', details: { ok: true } }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'service', name: 'filesystem_mcp', data: { image: 'mcp/fs:4.2', description: 'files' }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
      ]);
      const before = (await db.query(CONTENT('mcp_data'))).rows;
      const r = await sqlMigrate(db, migs, { ...quiet, target: '5.0' });
      expect(r.items.map((i) => i.file)).toEqual(['4.0.0_1__single_table_layout.sql', '5.0.0_1__multi_table_layout.sql', '5.0.0_2__add_deployment_features.sql']);
      expect(r.content).toMatchObject({ ok: true, records: 6 });
      expect(r.content!.tables.map((x) => `${x.table} ${x.records}`)).toEqual(['api_keys 1', 'audit_events 1', 'services 1', 'settings 1', 'users 2']);
      expect((await db.query(`SELECT to_regclass('mcp_data') IS NULL AS gone`)).rows[0]).toEqual({ gone: true });
      // known fields in their columns, the rest kept; no default invented for the missing role
      const users = (await db.query(`SELECT username, email, role, attributes, created_at::text AS c FROM users ORDER BY id`)).rows;
      expect(users).toEqual([
        { username: 'alice', email: 'a@example.com', role: null, attributes: { display_name: 'Alice', mfa: { totp: true } }, c: '2020-01-01 00:00:00.123456' },
        { username: 'norole', email: 'n@example.com', role: null, attributes: {}, c: '2020-01-01 00:00:00' },
      ]);
      expect((await db.query(`SELECT value, attributes FROM settings`)).rows).toEqual([{ value: null, attributes: { flags: ['a', 'b'] } }]);
      expect((await db.query(`SELECT service, attributes FROM audit_events`)).rows).toEqual([{ service: 'auth-service', attributes: { ip: '10.0.0.1' } }]);

      // blank one field: verification names the table, the record and the field
      await db.exec(`UPDATE users SET email = '' WHERE username = 'alice'`);
      const bad = (await sqlContentCheck(db, migs))!;
      expect(bad).toMatchObject({ ok: false, changed: 1, missing: 0, added: 0 });
      expect(bad.examples).toEqual([{ table: 'users', id: '1', change: 'changed', fields: ['data.email'] }]);
      await db.exec(`DELETE FROM settings`);
      const worse = (await sqlContentCheck(db, migs))!;
      expect(worse).toMatchObject({ changed: 1, missing: 1 });
      expect(worse.examples.map((e) => `${e.table} ${e.id} ${e.change}`)).toEqual(['users 1 changed', 'mcp_data 3 missing']);
      await db.exec(`UPDATE users SET email = 'a@example.com' WHERE username = 'alice'; INSERT INTO settings (id, key, value, attributes, created_at, updated_at) VALUES (3, 'flags', NULL, '{"flags":["a","b"]}', '2020-01-01 00:00:00', '2020-01-02 00:00:00')`);
      expect((await sqlContentCheck(db, migs))!.ok).toBe(true);

      await sqlMigrate(db, migs, { ...quiet, target: '6.0' });
      // the config now says something else: the rollback rebuilds the table the data came from (recorded)
      db.legacyTable = parseLegacyTable('platform_data');
      const back = await sqlRollback(db, migs, { ...quiet, to: '4.2' });
      expect(back.content).toMatchObject({ ok: true, records: 6 });
      expect((await db.query(CONTENT('mcp_data'))).rows).toEqual(before);
      expect((await db.query(`SELECT to_regclass('platform_data') AS t`)).rows[0]).toEqual({ t: null });
    });

    it('what v5 cannot hold is refused before anything is written: duplicate names, a table with other columns', async () => {
      db = await open();
      await insertV4(db, 'platform_data', [
        { kind: 'user', name: 'bob', data: {}, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'user', name: 'bob', data: { email: 'b@x' }, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'service', name: 'a_b', data: {}, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
        { kind: 'service', name: 'a-b', data: {}, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' },
      ]);
      const err = await sqlMigrate(db, migs, { ...quiet, target: '5.0' }).catch((e) => e);
      expect(exitCodeOf(err)).toBe(3);
      expect(err.message).toContain("user rows 1, 2 share the name 'bob'");
      expect(err.message).toContain("services 'a_b', 'a-b' all become 'a-b'");
      expect(err.hint).toContain('nothing was changed');
      const st = await sqlStatus(db, migs);
      expect(st.trackingTable).toBe('missing');
      expect((await db.query(`SELECT to_regclass('users') AS u`)).rows[0]).toEqual({ u: null });

      await fresh(db);
      await db.exec(`CREATE TABLE platform_data (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, data JSON NOT NULL, tenant TEXT, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)`);
      const e2 = await sqlMigrate(db, migs, { ...quiet, target: '5.0' }).catch((e) => e);
      expect(exitCodeOf(e2)).toBe(3);
      expect(e2.message).toMatch(/platform_data\.data is json, the v4 layout has jsonb/);
      expect(e2.message).toContain('a column tenant');
      expect((await db.query(`SELECT to_regclass('migrations') AS m`)).rows[0]).toEqual({ m: null });
    });

    it("the guide's own SQL (services with a config column, its migrations table): migrated from there, never dropped", async () => {
      for (const tracked of [true, false]) {
        db ??= await open();
        await fresh(db);
        await db.exec(`CREATE TABLE services (id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, config JSONB NOT NULL DEFAULT '{}', owner TEXT);
          INSERT INTO services (name, config, owner) VALUES ('filesystem-mcp', '{"orchestrator":"kubernetes","instances":2,"x":{"y":[1,null]}}', 'ops'), ('git-mcp', '{}', NULL);
          CREATE TABLE IF NOT EXISTS migrations (id SERIAL PRIMARY KEY, version VARCHAR(20) NOT NULL, name VARCHAR(255) NOT NULL,
            executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64), status VARCHAR(20) DEFAULT 'pending');`);
        if (tracked) {
          await db.exec(`ALTER TABLE services ADD COLUMN IF NOT EXISTS deployment_type VARCHAR(20) DEFAULT 'docker', ADD COLUMN IF NOT EXISTS health_check_config JSONB DEFAULT '{}';
            UPDATE services SET deployment_type = CASE WHEN config->>'orchestrator' = 'kubernetes' THEN 'kubernetes' ELSE 'docker' END;
            INSERT INTO migrations (version, name, checksum, status) VALUES ('5.0.0', 'add_deployment_features', 'sha256...', 'completed');`);
        }
        const svc = `SELECT id, name, config::text AS config, owner FROM services ORDER BY id`;
        const before = (await db.query(svc)).rows;
        expect((await sqlStatus(db, migs)).layout).toBe('guide');
        const r = await sqlMigrate(db, migs, { ...quiet, target: '6.0' });
        expect(r.items.map((i) => `${i.action} ${i.name}${i.variant === 'guide' ? ' (guide)' : ''}`)).toEqual(
          tracked
            ? ['baseline single_table_layout (guide)', 'apply multi_table_layout (guide)', 'adopt add_deployment_features', 'apply v6_auth_and_deployments (guide)']
            : ['apply single_table_layout (guide)', 'apply multi_table_layout (guide)', 'apply add_deployment_features (guide)', 'apply v6_auth_and_deployments (guide)'],
        );
        expect(r.content).toMatchObject({ ok: true, records: 2 });
        expect((await db.query(`SELECT to_regclass('platform_data') AS t, to_regclass('users') IS NOT NULL AS u`)).rows[0]).toEqual({ t: null, u: true });
        expect((await db.query(`SELECT replicas, deployment_type FROM services WHERE name = 'filesystem-mcp'`)).rows[0]).toEqual({ replicas: 2, deployment_type: 'kubernetes' });
        expect((await sqlStatus(db, migs)).pending).toBe(0);
        const back = await sqlRollback(db, migs, { ...quiet, to: tracked ? '5.0' : '4.2' });
        expect(back.content?.ok).toBe(true);
        expect((await db.query(svc)).rows).toEqual(before);
        if (!tracked) {
          // the guide's layout again: services kept with every row, the tables v5 added gone
          expect((await inspectLayout(db)).layout).toBe('guide');
        }
      }
    });

    it('baseline records only what is there; rollback never runs the down of a migration that did not run here', async () => {
      db = await open();
      await insertV4(db, 'platform_data', [{ kind: 'user', name: 'u', data: {}, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' }]);
      const e = await sqlBaseline(db, migs, { ...quiet, version: '5.0' }).catch((x) => x);
      expect(exitCodeOf(e)).toBe(3);
      expect(e.message).toContain('5.0.0_1__multi_table_layout.sql is not in the database');
      const ok = await sqlBaseline(db, migs, { ...quiet, version: '4.2' });
      expect(ok.items.map((i) => i.name)).toEqual(['single_table_layout']);
      // a v5 database made another way, baselined: rolling it back would run downs that never ran
      await sqlMigrate(db, migs, { ...quiet, target: '5.0' });
      await db.exec(`UPDATE migrations SET status = 'baselined' WHERE name = 'multi_table_layout'`);
      const r = await sqlRollback(db, migs, { ...quiet, to: '4.2' }).catch((x) => x);
      expect(exitCodeOf(r)).toBe(3);
      expect(r.message).toMatch(/5\.0\.0_1__multi_table_layout\.sql was baselined/);
      expect((await inspectLayout(db)).layout).toBe('v5');
    });

    it('a tracking table that disagrees with the tables is refused, nothing recorded', async () => {
      db = await open();
      await insertV4(db, 'platform_data', [{ kind: 'user', name: 'u', data: {}, created_at: '2020-01-01 00:00:00', updated_at: '2020-01-01 00:00:00' }]);
      await sqlMigrate(db, migs, { ...quiet, target: '6.0' });
      // someone dropped the v6 tables by hand
      await db.exec(`DROP TABLE auth_providers; DROP TABLE config_documents;`);
      const e = await sqlRollback(db, migs, { ...quiet, to: '4.2' }).catch((x) => x);
      expect(exitCodeOf(e)).toBe(3);
      expect(e.message).toContain('the tracking table says 6.0.0_1__v6_auth_and_deployments.sql is applied');
      const st = await sqlStatus(db, migs);
      expect(st.migrations.every((m) => m.state === 'applied')).toBe(true);
    });
  });
}
