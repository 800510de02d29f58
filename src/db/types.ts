// The database adapter contract shared by migrations, backups and verification.
// Implementations: postgres.ts (pg), pglite.ts (embedded, the default), mongo.ts (official driver).

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Run a script of several statements (no parameters). */
  exec(sql: string): Promise<void>;
}

export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

export interface SqlDatabase extends SqlSession {
  readonly kind: 'postgres' | 'pglite';
  /** where it is, safe to print (no password) */
  readonly display: string;
  /** One transaction on one session: BEGIN … COMMIT, ROLLBACK when fn throws. */
  transaction<T>(fn: (s: SqlSession) => Promise<T>, opts?: { isolation?: Isolation; readOnly?: boolean }): Promise<T>;
  close(): Promise<void>;
}

export interface MongoDatabase {
  readonly kind: 'mongo';
  readonly display: string;
  readonly db: import('mongodb').Db;
  close(): Promise<void>;
}

export type Database = SqlDatabase | MongoDatabase;

export const isSql = (d: Database): d is SqlDatabase => d.kind !== 'mongo';
