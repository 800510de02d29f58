// The content snapshot on its own, on PostgreSQL and PGlite, with records of a hand-written table (not the
// example's): a change that keeps the record's jsonb equal but its text not (1.0 → 1.00) is a difference; a
// chr(31) moved between kind and name is one; duplicate or missing ids stop the snapshot and are named; a
// snapshot an earlier mcp took (format 1: md5 digests and per-field hashes) still verifies and names fields.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { tempDir } from '../helpers/cli.js';
import { pgliteHome } from '../helpers/pglite.js';
import { openSql } from '../../src/db/open.js';
import { BASELINE_TABLE, captureBaseline, compareContent } from '../../src/db/content.js';
import type { SqlDatabase } from '../../src/db/types.js';

const RECORDS = `SELECT 'things'::text AS tbl, id, kind, name, doc AS data, made AS created_at, touched AS updated_at FROM things`;
const info = { label: 'a test', layout: 'things' };

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`content snapshot on ${kind}`, { timeout: 120_000 }, () => {
    let t: TestDb | undefined;
    let db: SqlDatabase | undefined;
    beforeAll(async () => {
      if (kind === 'postgres') t = await createTestDb();
    });
    afterAll(async () => t?.drop());
    afterEach(async () => {
      await db?.close();
      db = undefined;
    });
    const open = async () => {
      const d = kind === 'postgres' ? await openSql({ home: tempDir(), env: { MCP_DATABASE_URL: t!.url } }) : await openSql({ home: await pgliteHome(), env: {} });
      await d.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;
        CREATE TABLE things (id BIGINT, kind TEXT, name TEXT, doc JSONB, made TIMESTAMP, touched TIMESTAMP);
        INSERT INTO things VALUES
          (1, 'gadget', 'one', '{"n": 1.0, "tags": ["a"], "nested": {"x": null}}', '2020-01-01 00:00:00.5', '2020-01-02 00:00:00'),
          (2, 'a' || chr(31) || 'b', 'c', '{"k": "v"}', '2020-01-01 00:00:00', NULL),
          (3, 'gadget', 'three', '"not an object"', '2020-01-01 00:00:00', '2020-01-01 00:00:00')`);
      return d;
    };

    it('counts every record and finds the changes a count cannot: 1.0 → 1.00, a moved chr(31), a NULL for a value', async () => {
      db = await open();
      const meta = await captureBaseline(db, RECORDS, info);
      expect(meta).toMatchObject({ format: 2, records: 3, tables: [{ table: 'things', records: 3 }] });
      const same = (await compareContent(db, RECORDS))!;
      expect(same).toMatchObject({ ok: true, records: 3, changed: 0, missing: 0, added: 0, examples: [] });

      // equal as jsonb, different as text: the digest is of the text
      await db.exec(`UPDATE things SET doc = '{"n": 1.00, "tags": ["a"], "nested": {"x": null}}' WHERE id = 1`);
      expect((await db.query<{ eq: boolean }>(`SELECT doc = '{"n": 1.0, "tags": ["a"], "nested": {"x": null}}'::jsonb AS eq FROM things WHERE id = 1`)).rows[0]!.eq).toBe(true);
      // the same characters, the separator between kind and name moved
      await db.exec(`UPDATE things SET kind = 'a', name = 'b' || chr(31) || 'c' WHERE id = 2`);
      // a non-object data changed, and a timestamp set where there was none
      await db.exec(`UPDATE things SET doc = '"another"', touched = '2021-01-01' WHERE id = 3`);
      const r = (await compareContent(db, RECORDS))!;
      expect(r).toMatchObject({ ok: false, records: 3, changed: 3, missing: 0, added: 0 });
      expect(r.examples).toEqual([
        { table: 'things', id: '1', change: 'changed', fields: ['data.n'] },
        { table: 'things', id: '2', change: 'changed', fields: ['kind', 'name'] },
        { table: 'things', id: '3', change: 'changed', fields: ['data', 'updated_at'] },
      ]);

      await db.exec(`DELETE FROM things WHERE id = 3; INSERT INTO things VALUES (4, 'gadget', 'four', '{}', '2020-01-01', '2020-01-01')`);
      const moved = (await compareContent(db, RECORDS))!;
      expect(moved).toMatchObject({ changed: 2, missing: 1, added: 1 });
      expect(moved.examples.filter((e) => e.change !== 'changed').map((e) => `${e.id} ${e.change}`)).toEqual(['3 missing', '4 added']);
    });

    it('duplicate and missing ids stop the snapshot, named; the previous snapshot is kept', async () => {
      db = await open();
      await captureBaseline(db, RECORDS, info);
      await db.exec(`INSERT INTO things VALUES (2, 'gadget', 'two again', '{}', '2020-01-01', '2020-01-01')`);
      await expect(captureBaseline(db, RECORDS, { ...info, label: 'the second' })).rejects.toThrow(/record ids are not unique: id 2 is in things, things/);
      await db.exec(`DELETE FROM things WHERE name = 'two again'; INSERT INTO things VALUES (NULL, 'gadget', 'nameless', '{}', '2020-01-01', '2020-01-01')`);
      await expect(captureBaseline(db, RECORDS, { ...info, label: 'the third' })).rejects.toThrow(/records of things have no id/);
      // the failed snapshots changed nothing: the first one is still there, whole
      const r = (await compareContent(db, `${RECORDS} WHERE id IS NOT NULL`))!;
      expect(r).toMatchObject({ ok: true, records: 3, baseline: { label: 'a test', records: 3 } });
    });

    it('a snapshot an earlier mcp took (format 1) still verifies, and names the field that changed', async () => {
      db = await open();
      // what captureBaseline wrote before format 2: an md5 digest and an 8-hex hash per field, per record
      const NUL = `'\\N'`;
      const H = (x: string) => `left(md5(COALESCE(${x}, ${NUL})), 8)`;
      await db.exec(`SET datestyle = 'ISO, YMD'; SET timezone = 'UTC';
        CREATE TABLE ${BASELINE_TABLE} (id BIGINT NOT NULL, tbl TEXT NOT NULL, digest UUID NOT NULL, fields JSONB NOT NULL);
        INSERT INTO ${BASELINE_TABLE} SELECT r.id, r.tbl,
          md5(concat_ws(chr(31), COALESCE(r.kind, ${NUL}), COALESCE(r.name, ${NUL}), COALESCE(r.data::text, ${NUL}), COALESCE(r.created_at::text, ${NUL}), COALESCE(r.updated_at::text, ${NUL})))::uuid,
          jsonb_build_object('kind', ${H('r.kind')}, 'name', ${H('r.name')}, 'created_at', ${H('r.created_at::text')}, 'updated_at', ${H('r.updated_at::text')})
            || CASE WHEN jsonb_typeof(r.data) = 'object' THEN COALESCE((SELECT jsonb_object_agg('data.' || e.key, left(md5(e.value::text), 8)) FROM jsonb_each(r.data) e), '{}'::jsonb)
                    ELSE jsonb_build_object('data', ${H('r.data::text')}) END
        FROM (${RECORDS}) r;
        ALTER TABLE ${BASELINE_TABLE} ADD PRIMARY KEY (id);
        COMMENT ON TABLE ${BASELINE_TABLE} IS '{"format":1,"takenAt":"2026-11-01T00:00:00.000Z","label":"mcp db migrate to 5.0","layout":"v4","records":3,"tables":[{"table":"things","records":3}]}';
        RESET datestyle; RESET timezone;`);
      expect((await compareContent(db, RECORDS))!).toMatchObject({ ok: true, records: 3, baseline: { format: 1 } });
      await db.exec(`UPDATE things SET doc = jsonb_set(doc, '{tags}', '["a","b"]') WHERE id = 1`);
      const r = (await compareContent(db, RECORDS))!;
      expect(r).toMatchObject({ ok: false, changed: 1 });
      expect(r.examples).toEqual([{ table: 'things', id: '1', change: 'changed', fields: ['data.tags'] }]);
    });
  });
}
