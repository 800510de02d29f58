// The logical dump through a real PostgreSQL: dump → archive → drop everything → restore gives the same rows,
// sequences continue where they were, constraints hold; a failed restore leaves the database untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { openPostgres } from '../../src/db/postgres.js';
import type { SqlDatabase } from '../../src/db/types.js';
import { ArchiveWriter } from '../../src/backup/writer.js';
import { readArchive } from '../../src/backup/reader.js';
import { dumpSql, restoreSql } from '../../src/backup/sql-dump.js';

const SEED = `
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE services (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, config jsonb DEFAULT '{}', mood mood, tags text[], blob bytea, created timestamptz DEFAULT now());
CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, service_id int REFERENCES services(id), body text, n numeric(10,2), twice int GENERATED ALWAYS AS (id * 2) STORED, CHECK (n >= 0));
CREATE INDEX events_body_idx ON events (body);
CREATE SCHEMA audit;
CREATE TABLE audit.log (at timestamptz, line text);
INSERT INTO services (name, config, mood, tags, blob) VALUES
  ('filesystem-mcp', '{"a": 1}', 'happy', '{x,"y z"}', '\\x00ff10'),
  ('git-mcp', '{"tab": "a\\tb", "nl": "l1\\nl2"}', NULL, NULL, NULL),
  (E'odd\\\\name\\twith\\ttabs', '{}', 'sad', '{}', '\\x');
INSERT INTO events (service_id, body, n) SELECT 1 + (g % 3), 'event ' || g || E'\\n' || repeat('x', g % 50), g / 100.0 FROM generate_series(1, 12000) g;
INSERT INTO audit.log VALUES (now(), NULL), ('2020-01-01', E'back\\\\slash');
`;

async function snapshot(db: SqlDatabase) {
  const q = async (sql: string) => (await db.query(sql)).rows;
  return {
    services: await q(`SELECT id, name, config::text, mood::text, tags::text, encode(blob, 'hex') AS blob, created::text FROM services ORDER BY id`),
    events: await q(`SELECT id, service_id, body, n::text, twice FROM events ORDER BY id`),
    log: await q(`SELECT at::text, line FROM audit.log ORDER BY at`),
  };
}

describe('SQL dump and restore (real PostgreSQL)', () => {
  let t: TestDb;
  let db: SqlDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-sqldump-'));
  beforeAll(async () => {
    t = await createTestDb('mcp_backup');
    db = await openPostgres(t.url, t.name);
    await db.exec(SEED);
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips rows, types, sequences and constraints through an archive', async () => {
    const before = await snapshot(db);
    const file = join(dir, 'db.tar.gz');
    const w = await ArchiveWriter.open(file);
    const dump = await dumpSql(db, w, { chunkBytes: 64 * 1024, pagesPerCopy: 2 });
    expect(dump.tables.map((x) => [x.name, x.rows])).toEqual([
      ['audit.log', 2],
      ['public.events', 12000],
      ['public.services', 3],
    ]);
    expect(dump.tables.find((x) => x.name === 'public.events')!.chunks.length).toBeGreaterThan(1);
    await w.finish({ format: 'mcp-backup', formatVersion: 1, id: 'x', name: 'x', kind: 'backup', createdAt: new Date().toISOString(), cliVersion: '0', platformVersion: null, environment: null, scope: 'data', contents: ['database'], database: dump });

    // wipe: the database loses its tables, and gains one a later migration would add
    await db.exec('DROP TABLE events, services, audit.log; DROP TYPE mood; CREATE TABLE added_later (x int);');
    const stage = join(dir, 'stage');
    const read = await readArchive(file, { stageDir: stage });
    const counts = await restoreSql(db, read.manifest.database!, { read: (p) => readFile(join(stage, ...p.split('/'))) });
    expect(counts['public.events']).toBe(12000);
    expect(await snapshot(db)).toEqual(before);
    expect((await db.query(`SELECT to_regclass('added_later') AS t`)).rows[0]!.t).toBeNull();
    // sequences continue after the restored maximum; constraints and the FK hold
    const next = await db.query<{ id: number }>(`INSERT INTO services (name) VALUES ('new') RETURNING id`);
    expect(next.rows[0]!.id).toBe(4);
    const ev = await db.query<{ id: string }>(`INSERT INTO events (service_id, body, n) VALUES (1, 'x', 1) RETURNING id`);
    expect(Number(ev.rows[0]!.id)).toBe(12001);
    await expect(db.exec(`INSERT INTO events (service_id, body, n) VALUES (99, 'x', 1)`)).rejects.toThrow(/foreign key/);
    await expect(db.exec(`INSERT INTO events (service_id, body, n) VALUES (1, 'x', -1)`)).rejects.toThrow(/check constraint/);
    const idx = await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'events' ORDER BY 1`);
    expect(idx.rows.map((r) => r.indexname)).toEqual(['events_body_idx', 'events_pkey']);
  });

  it('rolls the whole restore back when a row does not fit', async () => {
    const file = join(dir, 'db2.tar.gz');
    const w = await ArchiveWriter.open(file);
    const dump = await dumpSql(db, w);
    await w.finish({ format: 'mcp-backup', formatVersion: 1, id: 'y', name: 'y', kind: 'backup', createdAt: new Date().toISOString(), cliVersion: '0', platformVersion: null, environment: null, scope: 'data', contents: ['database'], database: dump });
    const stage = join(dir, 'stage2');
    const read = await readArchive(file, { stageDir: stage });
    const before = await snapshot(db);
    // a manifest that claims one row more than the chunks hold must not commit anything
    const lying = { ...read.manifest.database!, tables: read.manifest.database!.tables.map((x) => (x.name === 'public.services' ? { ...x, rows: x.rows + 1 } : x)) };
    await expect(restoreSql(db, lying, { read: (p) => readFile(join(stage, ...p.split('/'))) })).rejects.toThrow(/manifest says/);
    expect(await snapshot(db)).toEqual(before);
  });
});

describe('SQL dump and restore (embedded PGlite)', () => {
  it('round-trips a range of heap pages at a time and COPY FROM: moved, deleted and TOASTed rows included', async () => {
    const { openPglite } = await import('../../src/db/pglite.js');
    const dir = mkdtempSync(join(tmpdir(), 'mcp-pglite-dump-'));
    try {
      const db = await openPglite(join(dir, 'pg'), 'pglite', async () => undefined);
      try {
        await db.exec(SEED.replace(/now\(\)/g, `'2024-05-01 10:00:00+00'`));
        // an updated row lives on a later page than its neighbours, deleted ones leave dead tuples behind, and a
        // 160 KB config is stored out of line (TOAST): each page range must still yield every live row once
        await db.exec(`UPDATE events SET body = body || ' moved' WHERE id = 5; UPDATE events SET n = n + 1 WHERE id % 11 = 0; DELETE FROM events WHERE id % 7 = 0;
          UPDATE services SET config = jsonb_build_object('big', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 5000) g)) WHERE name = 'git-mcp';`);
        // larger than a heap page: it can only be out of line
        expect((await db.query<{ n: number }>(`SELECT pg_column_size(config) AS n FROM services WHERE name = 'git-mcp'`)).rows[0]!.n).toBeGreaterThan(8192);
        const before = await snapshot(db);
        const file = join(dir, 'db.tar.gz');
        const w = await ArchiveWriter.open(file);
        const dump = await dumpSql(db, w, { chunkBytes: 64 * 1024, pagesPerCopy: 2 });
        const live = 12000 - Math.floor(12000 / 7);
        expect(dump.tables.map((x) => [x.name, x.rows])).toEqual([
          ['audit.log', 2],
          ['public.events', live],
          ['public.services', 3],
        ]);
        expect(dump.tables.find((x) => x.name === 'public.events')!.chunks.length).toBeGreaterThan(1);
        await w.finish({ format: 'mcp-backup', formatVersion: 1, id: 'p', name: 'p', kind: 'backup', createdAt: new Date().toISOString(), cliVersion: '0', platformVersion: null, environment: null, scope: 'data', contents: ['database'], database: dump });
        await db.exec('DROP TABLE events, services, audit.log; DROP TYPE mood;');
        const stage = join(dir, 'stage');
        const read = await readArchive(file, { stageDir: stage });
        await restoreSql(db, read.manifest.database!, { read: (p) => readFile(join(stage, ...p.split('/'))) });
        expect(await snapshot(db)).toEqual(before);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
