// The tracking table: the guide's `migrations` (id, version, name, executed_at, checksum, status) extended with
// what a user needs after a failure or a dispute. A table created by hand from the guide's SQL is adopted:
// the columns are added, its rows kept (a placeholder checksum like 'sha256...' is replaced by the file's on
// the next migrate or repair, and said so).
import type { SqlSession } from './types.js';
import { isRealChecksum, orderOf } from './sqlfile.js';

export const TRACKING_DDL = `CREATE TABLE IF NOT EXISTS migrations (
    id SERIAL PRIMARY KEY,
    version VARCHAR(20) NOT NULL,
    name VARCHAR(255) NOT NULL,
    executed_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    checksum VARCHAR(64),
    status VARCHAR(20) DEFAULT 'pending'
)`;

/** Our columns, added to the guide's table (idempotent). */
export const TRACKING_EXTEND = `ALTER TABLE migrations
    ADD COLUMN IF NOT EXISTS seq INTEGER,
    ADD COLUMN IF NOT EXISTS file VARCHAR(255),
    ADD COLUMN IF NOT EXISTS checksum_algorithm VARCHAR(32),
    ADD COLUMN IF NOT EXISTS duration_ms INTEGER,
    ADD COLUMN IF NOT EXISTS applied_by VARCHAR(255),
    ADD COLUMN IF NOT EXISTS error TEXT,
    ADD COLUMN IF NOT EXISTS failed_statement TEXT,
    ADD COLUMN IF NOT EXISTS direction VARCHAR(4),
    ADD COLUMN IF NOT EXISTS step INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS batch_cursor TEXT,
    ADD COLUMN IF NOT EXISTS rows_done BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS adopted BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN IF NOT EXISTS updated_at TIMESTAMP,
    ADD COLUMN IF NOT EXISTS params JSONB`;

export type RowStatus = 'pending' | 'running' | 'completed' | 'failed' | 'rolling_back' | 'rolled_back' | 'baselined';

export interface TrackingRow {
  id: number;
  version: string;
  name: string;
  executed_at: Date | string | null;
  checksum: string | null;
  status: string | null;
  seq?: number | null;
  file?: string | null;
  checksum_algorithm?: string | null;
  duration_ms?: number | null;
  applied_by?: string | null;
  error?: string | null;
  failed_statement?: string | null;
  direction?: string | null;
  step?: number | null;
  batch_cursor?: string | null;
  rows_done?: number | string | null;
  adopted?: boolean | null;
  updated_at?: Date | string | null;
  /** what the run recorded about the database: {variant, legacyTable} (sql-plan.ts RunParams) */
  params?: unknown;
}

export interface TrackingInfo {
  exists: boolean;
  /** created by hand from the guide (no columns of ours yet) */
  handMade: boolean;
  rows: TrackingRow[];
}

export async function readTracking(s: SqlSession): Promise<TrackingInfo> {
  const t = await s.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'migrations'`,
  );
  if (t.rows.length === 0) return { exists: false, handMade: false, rows: [] };
  const cols = new Set(t.rows.map((r) => r.column_name));
  const rows = (await s.query<TrackingRow>(`SELECT * FROM migrations ORDER BY id`)).rows;
  return { exists: true, handMade: !cols.has('checksum_algorithm'), rows };
}

export async function ensureTracking(s: SqlSession): Promise<void> {
  await s.exec(`${TRACKING_DDL};\n${TRACKING_EXTEND};`);
}

/** The latest row per (version, name): the guide's table has no unique key and may hold repeats. */
export function latestRows(rows: TrackingRow[]): Map<string, TrackingRow> {
  const m = new Map<string, TrackingRow>();
  for (const r of rows) {
    const k = `${r.version}|${r.name}`;
    const prev = m.get(k);
    if (!prev || r.id > prev.id) m.set(k, r);
  }
  return m;
}

export const isApplied = (r: TrackingRow | undefined) => !!r && (r.status === 'completed' || r.status === 'baselined');
export const hasPlaceholderChecksum = (r: TrackingRow) => !isRealChecksum(r.checksum);

export { orderOf };
