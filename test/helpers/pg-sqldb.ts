// Test-only: a pg.Pool behind the SqlDatabase contract, for exercising dump/restore against a real
// PostgreSQL independently of the product's own adapter.
import pg from 'pg';
import type { SqlDatabase, SqlSession } from '../../src/db/types.js';

export function poolDatabase(url: string): SqlDatabase {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const session = (c: { query: pg.Pool['query'] }): SqlSession => ({
    async query(sql, params) {
      const r = await c.query(sql, params as unknown[]);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
    async exec(sql) {
      await c.query(sql);
    },
  });
  const base = session(pool);
  return {
    kind: 'postgres',
    display: url.replace(/:[^:@/]*@/, '@'),
    query: base.query,
    exec: base.exec,
    async transaction(fn, opts) {
      const client = await pool.connect();
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${(opts?.isolation ?? 'read committed').toUpperCase()}${opts?.readOnly ? ' READ ONLY' : ''}`);
        const out = await fn(session(client as unknown as { query: pg.Pool['query'] }));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
