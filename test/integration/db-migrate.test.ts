// The migration engine against real PostgreSQL and embedded PGlite: the platform's own migrations both ways,
// adoption of the guide's hand-made table, drift, out-of-order, failures that resume, CONCURRENTLY outside a
// transaction with its validity checked.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeOf, failure } from '../helpers/errors.js';
import { cpSync, mkdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { tempDir } from '../helpers/cli.js';
import { pgliteHome } from '../helpers/pglite.js';
import { openSql } from '../../src/db/open.js';
import { detectLayout, POSTGRES_MIGRATIONS_DIR, seedV4Example } from '../../src/db/layouts.js';
import { loadSqlMigrations } from '../../src/db/sqlfile.js';
import { sqlBaseline, sqlMigrate, sqlRepair, sqlRollback, sqlStatus } from '../../src/db/sql-engine.js';
import type { SqlDatabase } from '../../src/db/types.js';

const opts = { lockTimeoutMs: 5000, progress: () => undefined };
const V4_SNAPSHOT = `SELECT md5(string_agg(id || kind || name || data::text, ',' ORDER BY id)) AS h, count(*)::int AS n FROM platform_data`;

async function tables(db: SqlDatabase): Promise<string[]> {
  const r = await db.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`);
  return r.rows.map((x) => x.t);
}

for (const kind of ['postgres', 'pglite'] as const) {
  // PGlite runs in WASM: slow on a loaded machine
  describe(`migrations on ${kind}`, { timeout: 240_000 }, () => {
    let t: TestDb | undefined;
    let db: SqlDatabase;
    beforeAll(async () => {
      if (kind === 'postgres') t = await createTestDb();
    });
    afterAll(async () => t?.drop());
    const open = async () => {
      if (kind === 'postgres') {
        // a fresh schema per test keeps them independent on one database
        const d = await openSql({ home: tempDir(), env: { MCP_DATABASE_URL: t!.url } });
        await d.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
        return d;
      }
      return openSql({ home: await pgliteHome(), env: {} });
    };
    afterEach(async () => db?.close());

    it('takes the v4 example to v6 and rolls back to each version, the v4 rows coming back identical', async () => {
      db = await open();
      const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
      await seedV4Example(db, { rows: 1200 });
      const before = (await db.query<{ h: string; n: number }>(V4_SNAPSHOT)).rows[0]!;

      const r5 = await sqlMigrate(db, migs, { ...opts, target: '5.0' });
      expect(r5.items.map((i) => `${i.action} ${i.name}`)).toEqual(['apply single_table_layout', 'apply multi_table_layout', 'apply add_deployment_features']);
      expect(await detectLayout(db)).toBe('v5');
      const svc = await db.query<{ name: string; deployment_type: string; hc: any }>(`SELECT name, deployment_type, health_check_config AS hc FROM services ORDER BY id`);
      expect(svc.rows.map((s) => s.name)).toEqual(['filesystem-mcp', 'git-mcp', 'browser-mcp', 'postgres-mcp', 'api-gateway', 'redis']);
      expect(svc.rows.find((s) => s.name === 'postgres-mcp')!.deployment_type).toBe('kubernetes');
      expect(svc.rows.find((s) => s.name === 'git-mcp')!.deployment_type).toBe('docker');
      expect(svc.rows[0]!.hc).toMatchObject({ type: 'http', path: '/health' });
      const counts = await db.query<{ e: number; u: number; k: number; s: number }>(
        `SELECT (SELECT count(*) FROM audit_events)::int AS e, (SELECT count(*) FROM users)::int AS u, (SELECT count(*) FROM api_keys)::int AS k, (SELECT count(*) FROM settings)::int AS s`,
      );
      expect(counts.rows[0]).toEqual({ e: 1200 - 16, u: 3, k: 3, s: 4 });
      const idx = await db.query<{ valid: boolean }>(`SELECT indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'idx_services_deployment_type'`);
      expect(idx.rows).toEqual([{ valid: true }]);

      const r6 = await sqlMigrate(db, migs, opts);
      expect(r6.items.map((i) => i.name)).toEqual(['v6_auth_and_deployments']);
      expect(await detectLayout(db)).toBe('v6');
      expect((await db.query(`SELECT replicas, deployment_type FROM services WHERE name = 'postgres-mcp'`)).rows[0]).toEqual({ replicas: 3, deployment_type: 'kubernetes' });
      expect((await sqlMigrate(db, migs, opts)).items).toEqual([]);

      const back5 = await sqlRollback(db, migs, { ...opts, to: '5.0' });
      expect(back5.items.map((i) => i.name)).toEqual(['v6_auth_and_deployments']);
      expect(await detectLayout(db)).toBe('v5');
      expect((await db.query(`SELECT deployment_type FROM services WHERE name = 'git-mcp'`)).rows[0]).toEqual({ deployment_type: 'docker' });

      const back4 = await sqlRollback(db, migs, { ...opts, to: '4.2' });
      expect(back4.items.map((i) => i.name)).toEqual(['add_deployment_features', 'multi_table_layout']);
      expect(await detectLayout(db)).toBe('v4');
      expect((await db.query<{ h: string; n: number }>(V4_SNAPSHOT)).rows[0]).toEqual(before);
      expect(await tables(db)).toEqual(['mcp_content_baseline', 'migrations', 'platform_data']);
      expect(back4.content).toMatchObject({ ok: true, records: 1200 });
      const st = await sqlStatus(db, migs);
      expect(st.migrations.map((m) => m.state)).toEqual(['applied', 'rolled_back', 'rolled_back', 'rolled_back']);
      expect(st.current).toBe('4.0.0');

      // and forward again: the same result
      await sqlMigrate(db, migs, opts);
      expect((await sqlStatus(db, migs)).pending).toBe(0);
      expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`)).rows[0]!.n).toBe(1184);

      // all the way down, then nothing
      // all the way down is refused while the v4 table holds rows (it would drop them); empty, it goes
      const down = await sqlRollback(db, migs, { ...opts, to: '3' }).catch((e) => e);
      expect(exitCodeOf(down)).toBe(3);
      expect(down.message).toContain('holds 1200 rows: rolling back before 4.0 would drop them');
      await sqlRollback(db, migs, { ...opts, to: '4.2' });
      await db.exec('DELETE FROM platform_data');
      await sqlRollback(db, migs, { ...opts, to: '3' });
      expect(await tables(db)).toEqual(['mcp_content_baseline', 'migrations']);
    });

    it("adopts a guide-style hand-made migrations table, placeholder checksum included, without re-running anything", async () => {
      db = await open();
      const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
      // what an operator who followed the guide by hand has: v5 tables, the guide's table and row
      await seedV4Example(db, { rows: 50 });
      await sqlMigrate(db, migs, { ...opts, target: '5.0' });
      await db.exec(`DROP TABLE migrations;
        CREATE TABLE IF NOT EXISTS migrations (
          id SERIAL PRIMARY KEY, version VARCHAR(20) NOT NULL, name VARCHAR(255) NOT NULL,
          executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(64), status VARCHAR(20) DEFAULT 'pending');
        INSERT INTO migrations (version, name, checksum, status) VALUES ('5.0.0', 'add_deployment_features', 'sha256...', 'completed');`);
      const st = await sqlStatus(db, migs);
      expect(st.trackingTable).toBe('guide');
      expect(st.migrations.find((m) => m.name === 'add_deployment_features')).toMatchObject({ state: 'applied', placeholderChecksum: true, drifted: false });

      const r = await sqlMigrate(db, migs, { ...opts, target: '5.0' });
      expect(r.items.map((i) => `${i.action} ${i.name}`)).toEqual(['baseline single_table_layout', 'baseline multi_table_layout', 'adopt add_deployment_features']);
      const after = await sqlStatus(db, migs);
      expect(after.trackingTable).toBe('mcp');
      expect(after.migrations.map((m) => m.state)).toEqual(['baselined', 'baselined', 'applied', 'pending']);
      expect(after.migrations.every((m) => !m.placeholderChecksum && !m.drifted)).toBe(true);
      const row = await db.query(`SELECT checksum, checksum_algorithm, adopted FROM migrations WHERE name = 'add_deployment_features'`);
      expect(row.rows[0]).toEqual({ checksum: migs[2]!.checksum, checksum_algorithm: 'sha256/normalized-v1', adopted: true });
    });

    it('a changed applied file stops migrate with exit 5 naming it; repair accepts it explicitly', async () => {
      db = await open();
      const dir = tempDir();
      writeFileSync(join(dir, '1.0.0_1__a.sql'), '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n');
      writeFileSync(join(dir, '1.0.0_2__b.sql'), '-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n');
      await sqlMigrate(db, await loadSqlMigrations(dir), opts);
      // line endings and trailing blanks do not count as a change
      writeFileSync(join(dir, '1.0.0_1__a.sql'), '-- migrate:up  \r\nCREATE TABLE a (id int);\r\n-- migrate:down\r\nDROP TABLE a;\r\n\r\n');
      expect((await sqlMigrate(db, await loadSqlMigrations(dir), opts)).items).toEqual([]);
      appendFileSync(join(dir, '1.0.0_1__a.sql'), '-- a comment\n');
      writeFileSync(join(dir, '1.0.0_3__c.sql'), '-- migrate:up\nCREATE TABLE c (id int);\n');
      const err = await sqlMigrate(db, await loadSqlMigrations(dir), opts).catch((e) => e);
      expect(exitCodeOf(err)).toBe(5);
      expect(err.message).toContain('1.0.0_1__a.sql');
      expect(await tables(db)).not.toContain('c');
      expect((await sqlStatus(db, await loadSqlMigrations(dir))).drifted).toEqual(['1.0.0_1__a.sql']);
      const rep = await sqlRepair(db, await loadSqlMigrations(dir), opts);
      expect(rep.accepted.map((a) => a.file)).toEqual(['1.0.0_1__a.sql']);
      expect((await sqlMigrate(db, await loadSqlMigrations(dir), opts)).items.map((i) => i.name)).toEqual(['c']);
    });

    it('refuses an out-of-order file unless asked; baseline records without running', async () => {
      db = await open();
      const dir = tempDir();
      writeFileSync(join(dir, '1.0.0_1__a.sql'), '-- migrate:up\nCREATE TABLE a (id int);\n');
      writeFileSync(join(dir, '3.0.0_1__c.sql'), '-- migrate:up\nCREATE TABLE c (id int);\n');
      await sqlMigrate(db, await loadSqlMigrations(dir), opts);
      writeFileSync(join(dir, '2.0.0_1__b.sql'), '-- migrate:up\nCREATE TABLE b (id int);\n');
      const err = await sqlMigrate(db, await loadSqlMigrations(dir), opts).catch((e) => e);
      expect(exitCodeOf(err)).toBe(3);
      expect(err.message).toContain('2.0.0_1__b.sql');
      expect(err.hint).toContain('--allow-out-of-order');
      const ok = await sqlMigrate(db, await loadSqlMigrations(dir), { ...opts, allowOutOfOrder: true });
      expect(ok.items.map((i) => i.name)).toEqual(['b']);

      writeFileSync(join(dir, '4.0.0_1__d.sql'), '-- migrate:up\nCREATE TABLE d (id int);\n');
      const bl = await sqlBaseline(db, await loadSqlMigrations(dir), { ...opts, version: '4.0' });
      expect(bl.items.map((i) => `${i.action} ${i.name}`)).toEqual(['baseline d']);
      expect(await tables(db)).not.toContain('d');
    });

    it('a failing batch leaves status failed with the statement and error; the rerun resumes after the last batch', async () => {
      db = await open();
      const dir = tempDir();
      writeFileSync(
        join(dir, '1.0.0_1__src.sql'),
        `-- migrate:up\nCREATE TABLE src (id bigint PRIMARY KEY, v int NOT NULL);\nINSERT INTO src SELECT g, g FROM generate_series(1, 1000) g;\nUPDATE src SET v = 0 WHERE id = 777;\n`,
      );
      writeFileSync(
        join(dir, '1.0.0_2__copy.sql'),
        `-- migrate:up\nCREATE TABLE dst (id bigint PRIMARY KEY, inv numeric NOT NULL);\n\n-- migrate:up batch size:100\nWITH b AS (SELECT * FROM src WHERE id > COALESCE($1::bigint, -1) ORDER BY id LIMIT $2),\n     ins AS (INSERT INTO dst SELECT id, 1.0 / v FROM b)\nSELECT max(id) AS last, count(*) AS n FROM b;\n\n-- migrate:down\nDROP TABLE dst;\n`,
      );
      const migs = await loadSqlMigrations(dir);
      const err = await sqlMigrate(db, migs, opts).catch((e) => e);
      expect(exitCodeOf(err)).toBe(1);
      expect(err.message).toMatch(/1\.0\.0_2__copy\.sql failed while applying: division by zero/);
      expect(err.where).toMatch(/1\.0\.0_2__copy\.sql:5$/);
      const st = (await sqlStatus(db, migs)).migrations[1]!;
      expect(st).toMatchObject({ state: 'failed', stepsDone: 1, rowsDone: 700, error: 'division by zero' });
      expect(st.failedStatement).toMatch(/^WITH b AS/);
      expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dst`)).rows[0]!.n).toBe(700);

      await db.exec(`UPDATE src SET v = 777 WHERE id = 777`);
      const r = await sqlMigrate(db, migs, opts);
      expect(r.items[0]).toMatchObject({ action: 'resume', name: 'copy', fromStep: 1 });
      expect(r.items[0]!.note).toContain('after key 700');
      expect((await db.query<{ n: number; s: string }>(`SELECT count(*)::int AS n, sum(id)::text AS s FROM dst`)).rows[0]).toEqual({ n: 1000, s: '500500' });
      expect((await sqlStatus(db, migs)).migrations[1]).toMatchObject({ state: 'applied', rowsDone: 1000 });
    });

    it('CREATE INDEX CONCURRENTLY runs outside the transaction; an invalid index is a failure, rebuilt on the rerun', async () => {
      db = await open();
      const dir = tempDir();
      writeFileSync(join(dir, '1.0.0_1__t.sql'), `-- migrate:up\nCREATE TABLE t (id int, k int);\nINSERT INTO t VALUES (1, 1), (2, 1);\n-- migrate:down\nDROP TABLE t;\n`);
      writeFileSync(join(dir, '1.0.0_2__idx.sql'), `-- migrate:up\nALTER TABLE t ADD COLUMN note text;\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_k ON t (k);\n-- migrate:down\nDROP INDEX CONCURRENTLY IF EXISTS t_k;\nALTER TABLE t DROP COLUMN note;\n`);
      const migs = await loadSqlMigrations(dir);
      expect(migs[1]!.up.map((s) => s.kind)).toEqual(['tx', 'notx']);
      const err = await sqlMigrate(db, migs, opts).catch((e) => e);
      expect(exitCodeOf(err)).toBe(1);
      expect(err.message).toMatch(/1\.0\.0_2__idx\.sql/);
      const st = (await sqlStatus(db, migs)).migrations[1]!;
      expect(st).toMatchObject({ state: 'failed', stepsDone: 1 });
      expect(st.failedStatement).toMatch(/^CREATE UNIQUE INDEX CONCURRENTLY/);
      await db.exec(`UPDATE t SET k = 2 WHERE id = 2`);
      const r = await sqlMigrate(db, migs, opts);
      expect(r.items[0]).toMatchObject({ action: 'resume', fromStep: 1 });
      const idx = await db.query(`SELECT indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_k'`);
      expect(idx.rows).toEqual([{ valid: true }]);
      await sqlRollback(db, migs, { ...opts, to: '0.9' });
      expect(await tables(db)).toEqual(['migrations']);
    });
  });
}

describe('migration files', () => {
  it('the packaged ones parse, and the guide statements that cannot run in a transaction are split out', async () => {
    const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
    expect(migs.map((m) => `${m.version}_${m.seq}__${m.name}`)).toEqual([
      '4.0.0_1__single_table_layout',
      '5.0.0_1__multi_table_layout',
      '5.0.0_2__add_deployment_features',
      '6.0.0_1__v6_auth_and_deployments',
    ]);
    const adf = migs[2]!;
    expect(adf.up.map((s) => s.kind)).toEqual(['tx', 'batch', 'notx']);
    expect(adf.down.map((s) => s.kind)).toEqual(['notx', 'tx']);
    const d = tempDir();
    mkdirSync(join(d, 'x'));
    cpSync(POSTGRES_MIGRATIONS_DIR, join(d, 'x'), { recursive: true });
    writeFileSync(join(d, 'x', 'bad-name.sql'), 'select 1');
    expect(await failure(loadSqlMigrations(join(d, 'x')))).toMatchObject({ exitCode: 2 });
  });
});
