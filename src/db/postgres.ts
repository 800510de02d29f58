// PostgreSQL through pg: a small pool for statements and transactions, dedicated clients for session
// state (the migration advisory lock), COPY streaming through pg-copy-streams.
import pg from 'pg';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { from as copyFromStream, to as copyToStream } from 'pg-copy-streams';
import type { DedicatedSession, Isolation, QueryResult, SqlDatabase, SqlSession } from './types.js';

// bigint (int8) and numeric as JS values a user expects in JSON: int8 fits a number for our row counts
pg.types.setTypeParser(20, (v) => (Number.isSafeInteger(Number(v)) ? Number(v) : v));

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

function sessionOf(c: Queryable, client?: pg.PoolClient | pg.Client): SqlSession {
  return {
    async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await c.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await c.query(sql);
    },
    async copyTo(sql, dest) {
      return withClient(c, client, async (cl) => {
        const src = cl.query(copyToStream(sql));
        let bytes = 0;
        const counter = new Writable({
          write(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            if (dest.write(chunk)) cb();
            else dest.once('drain', () => cb());
          },
        });
        await pipeline(src, counter);
        return bytes;
      });
    },
    async copyFrom(sql, src) {
      return withClient(c, client, async (cl) => {
        const sink = cl.query(copyFromStream(sql));
        const input = typeof (src as NodeJS.ReadableStream).pipe === 'function' ? (src as NodeJS.ReadableStream) : Readable.from(src as AsyncIterable<Uint8Array | string>);
        await pipeline(input as NodeJS.ReadableStream, sink);
        return Number(sink.rowCount ?? 0);
      });
    },
  };
}

async function withClient<T>(c: Queryable, client: pg.PoolClient | pg.Client | undefined, fn: (cl: pg.PoolClient | pg.Client) => Promise<T>): Promise<T> {
  if (client) return fn(client);
  const pc = await (c as pg.Pool).connect();
  try {
    return await fn(pc);
  } finally {
    pc.release();
  }
}

export async function openPostgres(url: string, display: string): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'mcp', connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {
    /* an idle client lost its connection: the next query reports it */
  });
  // a client checked out of the pool (a transaction, a COPY) has no listener of the pool's: without one, a
  // terminated backend is an unhandled 'error' event that kills the process; the query in flight rejects anyway
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  // fail now, with the reason, rather than at the first query
  const probe = await pool.connect();
  probe.release();
  const base = sessionOf(pool);
  return {
    kind: 'postgres',
    display,
    ...base,
    async transaction<T>(fn: (s: SqlSession) => Promise<T>, opts: { isolation?: Isolation; readOnly?: boolean } = {}): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query(`BEGIN ISOLATION LEVEL ${(opts.isolation ?? 'read committed').toUpperCase()}${opts.readOnly ? ' READ ONLY' : ''}`);
        try {
          const out = await fn(sessionOf(client, client));
          await client.query('COMMIT');
          return out;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw e;
        }
      } finally {
        client.release(broken);
      }
    },
    async dedicated(opts: { applicationName?: string } = {}): Promise<DedicatedSession> {
      const client = new pg.Client({ connectionString: url, application_name: opts.applicationName ?? 'mcp' });
      let lost: Error | undefined;
      client.on('error', (e) => {
        lost ??= e;
      });
      client.on('end', () => {
        lost ??= new Error('the connection was closed');
      });
      await client.connect();
      const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      let released = false;
      return {
        ...sessionOf(client, client),
        backendPid: pid,
        lost: () => (released ? undefined : lost),
        async release() {
          released = true;
          await client.end().catch(() => undefined);
        },
      };
    },
    async close() {
      await pool.end();
    },
  };
}
