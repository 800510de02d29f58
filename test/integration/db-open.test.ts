// openDatabase against real PostgreSQL and the embedded default; the example v4 data; COPY streaming.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../helpers/errors.js';
import { PassThrough } from 'node:stream';
import { createTestDb, type TestDb } from '../helpers/pg.js';
import { tempDir } from '../helpers/cli.js';
import { openDatabase, openSql } from '../../src/db/open.js';
import { detectLayout, seedV4Example } from '../../src/db/layouts.js';
import type { SqlDatabase } from '../../src/db/types.js';

async function collect(fn: (dest: PassThrough) => Promise<number>): Promise<string> {
  const dest = new PassThrough();
  const chunks: Buffer[] = [];
  dest.on('data', (c) => chunks.push(c));
  await fn(dest);
  dest.end();
  return Buffer.concat(chunks).toString('utf8');
}

async function exercise(db: SqlDatabase) {
  expect(await detectLayout(db)).toBe('none');
  const seeded = await seedV4Example(db, { rows: 500 });
  expect(seeded).toMatchObject({ rows: 500, services: 6, users: 3, events: 500 - 16 });
  expect(await detectLayout(db)).toBe('v4');
  const byKind = await db.query<{ kind: string; n: number }>(`SELECT kind, count(*)::int AS n FROM platform_data GROUP BY kind ORDER BY kind`);
  expect(byKind.rows).toEqual([
    { kind: 'api_key', n: 3 },
    { kind: 'event', n: 484 },
    { kind: 'service', n: 6 },
    { kind: 'setting', n: 4 },
    { kind: 'user', n: 3 },
  ]);
  const svc = await db.query<{ data: any }>(`SELECT data FROM platform_data WHERE kind = 'service' AND name = 'postgres_mcp'`);
  expect(svc.rows[0]!.data).toMatchObject({ orchestrator: 'kubernetes', instances: 3, image: 'mcp/postgres:4.2' });

  // a consistent snapshot out, then restore into a copy inside one transaction
  const dump = await collect((dest) => db.transaction((s) => s.copyTo('COPY platform_data TO STDOUT', dest), { isolation: 'repeatable read', readOnly: true }));
  expect(dump.trim().split('\n')).toHaveLength(500);
  await db.exec('CREATE TABLE pd_copy (LIKE platform_data INCLUDING ALL)');
  const copied = await db.transaction((s) => s.copyFrom('COPY pd_copy FROM STDIN', [Buffer.from(dump)]));
  expect(copied).toBe(500);
  const same = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM platform_data p JOIN pd_copy c USING (id) WHERE p.data = c.data AND p.name = c.name`);
  expect(same.rows[0]!.n).toBe(500);

  // a failing transaction leaves nothing behind
  await expect(db.transaction(async (s) => {
    await s.exec(`INSERT INTO pd_copy (kind, name) VALUES ('x', 'y')`);
    throw new Error('boom');
  })).rejects.toThrow('boom');
  expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pd_copy`)).rows[0]!.n).toBe(500);
}

describe('openDatabase on PostgreSQL', () => {
  let t: TestDb;
  beforeAll(async () => (t = await createTestDb()));
  afterAll(async () => t?.drop());

  it('opens MCP_DATABASE_URL, seeds the v4 example, copies out and in', async () => {
    const db = await openSql({ home: tempDir(), env: { MCP_DATABASE_URL: t.url } });
    try {
      expect(db.kind).toBe('postgres');
      await exercise(db);
      const d = await db.dedicated();
      expect(d!.backendPid).toBeGreaterThan(0);
      await d!.release();
    } finally {
      await db.close();
    }
  });
});

describe('openDatabase on embedded PGlite (the default)', { timeout: 180_000 }, () => {
  it('opens <home>/state/pglite, holds it against a second opener, releases on close', async () => {
    const home = tempDir();
    const db = await openSql({ home, env: {} });
    try {
      expect(db.kind).toBe('pglite');
      expect(db.display).toBe(`pglite:${home}/state/pglite`);
      await exercise(db);
      expect(await failure(openDatabase({ home, env: {}, lockTimeoutMs: 100 }))).toMatchObject({ exitCode: 4 });
    } finally {
      await db.close();
    }
    const again = await openSql({ home, env: {} });
    expect(await detectLayout(again)).toBe('v4');
    await again.close();
  });
});
