// The database adapter contract shared by migrations, backups and verification.
// Implementations: postgres.ts (pg), pglite.ts (embedded, the default), mongo.ts (official driver).
// openDatabase({home, env, config}) in open.ts picks one.

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Run a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /**
   * Stream `COPY … TO STDOUT` (text or csv format, as the statement says) into `dest`; resolves with the
   * bytes written once `dest` has received everything (dest is not ended). Use inside `transaction`
   * with `{ isolation: 'repeatable read', readOnly: true }` for a consistent multi-table snapshot.
   */
  copyTo(sql: string, dest: NodeJS.WritableStream): Promise<number>;
  /** Feed `COPY … FROM STDIN` from `src`; resolves with the rows copied. Use inside `transaction` to restore atomically. */
  copyFrom(sql: string, src: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): Promise<number>;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

/** One connection of its own, outside any pool, for session state (advisory locks). */
export interface DedicatedSession extends SqlSession {
  /** the backend pid (PostgreSQL) — shown to whoever waits on our lock */
  readonly backendPid: number;
  /** the error that closed the connection, once it is gone (a terminated backend, a server restart) */
  lost(): Error | undefined;
  release(): Promise<void>;
}

export interface SqlDatabase extends SqlSession {
  readonly kind: 'postgres' | 'pglite';
  /** where it is, safe to print (no password) */
  readonly display: string;
  /** the v4 table the home's config names (database.table / legacyTable), set by openDatabase */
  legacyTable?: LegacyTable;
  /** One transaction on one session: BEGIN … COMMIT, ROLLBACK when fn throws. */
  transaction<T>(fn: (s: SqlSession) => Promise<T>, opts?: { isolation?: Isolation; readOnly?: boolean }): Promise<T>;
  /**
   * PostgreSQL: a new connection that holds no transaction (locks live on it). PGlite: undefined — one
   * process owns the data directory (the lock file), so there is nothing to lock against.
   */
  dedicated(opts?: { applicationName?: string }): Promise<DedicatedSession | undefined>;
  close(): Promise<void>;
}

export interface MongoDatabase {
  readonly kind: 'mongo';
  readonly display: string;
  readonly db: import('mongodb').Db;
  close(): Promise<void>;
}

export type Database = SqlDatabase | MongoDatabase;

/** The v4 single table, as the config names it (src/db/layouts.ts parseLegacyTable). */
export interface LegacyTable {
  /** as configured: `platform_data`, `mcp_data`, `legacy.platform_data` */
  raw: string;
  schema?: string;
  name: string;
}

export const isSql = (d: Database): d is SqlDatabase => d.kind !== 'mongo';
