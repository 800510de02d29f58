// The PostgreSQL the tests rely on is reachable, and throw-away databases really go away.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDb, PG_URL } from '../helpers/pg.js';

describe('test PostgreSQL', () => {
  it('creates a uniquely named database and drops it', async () => {
    const db = await createTestDb();
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    expect((await c.query('select current_database() as d')).rows[0].d).toBe(db.name);
    await c.end();
    await db.drop();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const r = await admin.query('select 1 from pg_database where datname = $1', [db.name]);
    await admin.end();
    expect(r.rowCount).toBe(0);
  });
});
