// Verification by content: before a run changes the database, every record is read in one layout-independent
// form — the v4 record (id, kind, name, data, created_at, updated_at) as the current layout represents it, via
// the migrations' `records` sections — and kept in mcp_content_baseline with a 64-bit digest of each record.
// Afterwards the same form is read from the new layout and compared record by record inside the database (a
// hash join on the digests: no rows travel to the client); only for the records that differ are the fields
// compared, so a difference names the table, the id and the field, and how many records differ. Row counts
// come out of the same pass.
// Cost (bench/db.mjs, bench/verify.mjs): the digest is hashtextextended, not md5 — PostgreSQL's md5() goes
// through its cryptohash layer at a few microseconds per call, 4× the whole hash of a record here — and the
// per-field hashes of format 1 (a jsonb_each per record) are not taken up front: the snapshot keeps the record
// itself, so the fields are compared only where the digests differ. Both passes are plain SELECTs (CREATE
// TABLE AS, a read-only compare) that PostgreSQL may run with parallel workers.
import type { SqlDatabase, SqlSession } from './types.js';
import { preconditionError } from '../errors.js';

export const BASELINE_TABLE = 'mcp_content_baseline';

export interface BaselineMeta {
  /** 2: the record and a hashtextextended digest; 1 (mcp before 2026-12): an md5 digest and per-field hashes */
  format: 1 | 2;
  takenAt: string;
  /** what it was taken before, e.g. "mcp db migrate to 5.0" */
  label: string;
  /** the layout it was read from */
  layout: string;
  records: number;
  /** records per table (an array: a table named api_keys is not a secret field) */
  tables: TableCount[];
}

export interface TableCount {
  table: string;
  records: number;
}

export interface ContentDiff {
  table: string;
  id: string;
  change: 'changed' | 'missing' | 'added';
  /** the fields that differ: kind, name, created_at, updated_at, data.<key> (or data when it is not an object) */
  fields: string[];
}

export interface ContentReport {
  ok: boolean;
  baseline: BaselineMeta;
  records: number;
  tables: TableCount[];
  changed: number;
  missing: number;
  added: number;
  /** the first differences, by id */
  examples: ContentDiff[];
}

// A NULL is '\N' (as in COPY), so a NULL and an empty string never hash alike (a text that is the two characters
// \N would print as a NULL does; every layout's kind and name are NOT NULL). kind and name are the only parts that
// may hold chr(31) (jsonb and timestamps print it escaped or not at all), so kind's length comes first: a chr(31)
// moved between them changes the text.
const NUL = `'\\N'`;
const parts = (r: string) =>
  `COALESCE(${r}.kind, ${NUL}), COALESCE(${r}.name, ${NUL}), COALESCE(${r}.data::text, ${NUL}), COALESCE(${r}.created_at::text, ${NUL}), COALESCE(${r}.updated_at::text, ${NUL})`;
const DIGEST = (r: string) => `hashtextextended(concat_ws(chr(31), COALESCE(length(${r}.kind)::text, ${NUL}), ${parts(r)}), 0)`;
/** the digest of a format 1 snapshot (taken by an earlier mcp) */
const DIGEST_V1 = (r: string) => `md5(concat_ws(chr(31), ${parts(r)}))::uuid`;
const H = (x: string) => `left(md5(COALESCE(${x}, ${NUL})), 8)`;
/** A hash per field (kind, name, created_at, updated_at, data.<key>): computed only for the records that differ. */
const FIELDS = (r: string) =>
  `(jsonb_build_object('kind', ${H(`${r}.kind`)}, 'name', ${H(`${r}.name`)}, 'created_at', ${H(`${r}.created_at::text`)}, 'updated_at', ${H(`${r}.updated_at::text`)})
    || CASE WHEN jsonb_typeof(${r}.data) = 'object'
            THEN COALESCE((SELECT jsonb_object_agg('data.' || e.key, left(md5(e.value::text), 8)) FROM jsonb_each(${r}.data) e), '{}'::jsonb)
            ELSE jsonb_build_object('data', ${H(`${r}.data::text`)}) END)`;

/**
 * Text forms that do not depend on the session's settings; and parallel workers for the scans where the server
 * has them (the digests are CPU-bound: the planner, not knowing what a jsonb expression costs, would not).
 */
async function settle(s: SqlSession): Promise<void> {
  await s.exec(`SET LOCAL datestyle = 'ISO, YMD'; SET LOCAL timezone = 'UTC'; SET LOCAL extra_float_digits = 1; SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0`);
}

export async function readBaselineMeta(db: SqlSession): Promise<BaselineMeta | undefined> {
  const r = await db.query<{ d: string | null }>(`SELECT obj_description(to_regclass($1), 'pg_class') AS d`, [BASELINE_TABLE]);
  const d = r.rows[0]?.d;
  if (!d) return undefined;
  try {
    const m = JSON.parse(d) as BaselineMeta;
    return m.format === 1 || m.format === 2 ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Take the snapshot: every record `records` (a SELECT of tbl, id, kind, name, data, created_at, updated_at)
 * yields, with its digest, replacing the previous one, in one transaction.
 */
export async function captureBaseline(db: SqlDatabase, records: string | undefined, info: { label: string; layout: string }): Promise<BaselineMeta> {
  return db.transaction(async (s) => {
    await settle(s);
    const source = records ?? `SELECT NULL::text AS tbl, NULL::bigint AS id, NULL::text AS kind, NULL::text AS name, NULL::jsonb AS data, NULL::timestamp AS created_at, NULL::timestamp AS updated_at WHERE false`;
    await s.exec(
      `DROP TABLE IF EXISTS ${BASELINE_TABLE};
       CREATE TABLE ${BASELINE_TABLE} AS
         SELECT r.id::bigint AS id, r.tbl::text AS tbl, ${DIGEST('r')} AS digest, r.kind::text AS kind, r.name::text AS name, r.data::jsonb AS data,
                r.created_at::timestamp AS created_at, r.updated_at::timestamp AS updated_at
           FROM (${source}) r`,
    );
    // the primary key is the uniqueness check; only when it fails are the duplicates looked for, to name them
    await s.exec('SAVEPOINT mcp_baseline_pk');
    try {
      await s.exec(`ALTER TABLE ${BASELINE_TABLE} ADD PRIMARY KEY (id)`);
    } catch (e) {
      await s.exec('ROLLBACK TO SAVEPOINT mcp_baseline_pk');
      const dup = await s.query<{ id: string | null; tbls: string }>(
        `SELECT id::text AS id, string_agg(tbl, ', ') AS tbls FROM ${BASELINE_TABLE} GROUP BY id HAVING count(*) > 1 OR id IS NULL ORDER BY id NULLS FIRST LIMIT 5`,
      );
      if (!dup.rows.length) throw e;
      throw preconditionError(`record ids are not unique: ${dup.rows.map((d) => (d.id === null ? `records of ${d.tbls} have no id` : `id ${d.id} is in ${d.tbls}`)).join('; ')}`, {
        hint: 'every record keeps its v4 id in every layout; give the duplicates ids of their own, then run again',
      });
    }
    const t = await s.query<{ tbl: string; n: number }>(`SELECT tbl, count(*)::int AS n FROM ${BASELINE_TABLE} GROUP BY tbl ORDER BY tbl`);
    const tables = t.rows.map((x) => ({ table: displayTable(x.tbl), records: x.n }));
    const meta: BaselineMeta = {
      format: 2,
      takenAt: new Date().toISOString(),
      label: info.label,
      layout: info.layout,
      records: tables.reduce((a, b) => a + b.records, 0),
      tables,
    };
    await s.exec(`COMMENT ON TABLE ${BASELINE_TABLE} IS '${JSON.stringify(meta).replace(/'/g, "''")}'`);
    return meta;
  });
}

/** `"platform_data"` (a quoted identifier, as the v4 records name their table) → platform_data */
const displayTable = (t: string) => t.replace(/"/g, '');

/** Compare the records as they are now with the snapshot; undefined when there is no snapshot. */
export async function compareContent(db: SqlDatabase, records: string | undefined, opts: { examples?: number } = {}): Promise<ContentReport | undefined> {
  const baseline = await readBaselineMeta(db);
  if (!baseline) return undefined;
  const digest = baseline.format === 1 ? DIGEST_V1 : DIGEST;
  const cur = records
    ? `SELECT r.tbl, r.id, r.kind, r.name, r.data, r.created_at, r.updated_at, ${digest('r')} AS digest FROM (${records}) r`
    : `SELECT NULL::text AS tbl, NULL::bigint AS id, NULL::text AS kind, NULL::text AS name, NULL::jsonb AS data, NULL::timestamp AS created_at, NULL::timestamp AS updated_at, ${baseline.format === 1 ? 'NULL::uuid' : 'NULL::bigint'} AS digest WHERE false`;
  return db.transaction(
    async (s) => {
      await settle(s);
      const g = await s.query<{ tbl: string | null; n: number; missing: number; added: number; changed: number }>(
        `WITH cur AS (${cur})
         SELECT c.tbl, count(c.id)::int AS n, count(*) FILTER (WHERE c.id IS NULL)::int AS missing,
                count(*) FILTER (WHERE b.id IS NULL)::int AS added, count(*) FILTER (WHERE b.digest <> c.digest)::int AS changed
           FROM ${BASELINE_TABLE} b FULL JOIN cur c ON c.id = b.id GROUP BY c.tbl`,
      );
      const tables: TableCount[] = [];
      let changed = 0;
      let missing = 0;
      let added = 0;
      for (const row of g.rows) {
        if (row.tbl !== null) tables.push({ table: displayTable(row.tbl), records: row.n });
        changed += row.changed;
        missing += row.missing;
        added += row.added;
      }
      const examples: ContentDiff[] = [];
      if (changed + missing + added > 0) {
        const ex = await s.query<{ tbl: string; id: string; before: Record<string, string> | null; after: Record<string, string> | null }>(
          `WITH cur AS (${cur})
           SELECT COALESCE(c.tbl, b.tbl) AS tbl, COALESCE(c.id, b.id)::text AS id, ${baseline.format === 1 ? 'b.fields' : `CASE WHEN b.id IS NULL THEN NULL ELSE ${FIELDS('b')} END`} AS before,
                  CASE WHEN c.id IS NULL THEN NULL ELSE ${FIELDS('c')} END AS after
             FROM ${BASELINE_TABLE} b FULL JOIN cur c ON c.id = b.id
            WHERE b.id IS NULL OR c.id IS NULL OR b.digest <> c.digest
            ORDER BY COALESCE(c.id, b.id) LIMIT $1`,
          [opts.examples ?? 10],
        );
        for (const e of ex.rows) examples.push(diffOf(displayTable(e.tbl), e.id, e.before, e.after));
      }
      return {
        ok: changed + missing + added === 0,
        baseline,
        records: tables.reduce((a, b) => a + b.records, 0),
        tables: tables.sort((a, b) => a.table.localeCompare(b.table)),
        changed,
        missing,
        added,
        examples,
      };
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

/** Which fields differ between two field-hash maps. */
export function diffOf(table: string, id: string, before: Record<string, string> | null, after: Record<string, string> | null): ContentDiff {
  if (!before) return { table, id, change: 'added', fields: [] };
  if (!after) return { table, id, change: 'missing', fields: [] };
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();
  return { table, id, change: 'changed', fields };
}

/** One line: "3 of 50001 records differ from the snapshot …: users id 42 (data.email), …". */
export function describeContent(r: ContentReport): string {
  if (r.ok) return `${r.records} records, each identical to the snapshot taken ${r.baseline.label ? `before ${r.baseline.label}` : ''} (${r.baseline.takenAt})`;
  const parts = [r.changed && `${r.changed} changed`, r.missing && `${r.missing} missing`, r.added && `${r.added} added`].filter(Boolean).join(', ');
  const ex = r.examples
    .slice(0, 5)
    .map((e) => `${e.table} id ${e.id} ${e.change === 'changed' ? `(${e.fields.join(', ') || 'content'})` : `(${e.change})`}`)
    .join('; ');
  return `${parts} of ${r.baseline.records} records since the snapshot taken before ${r.baseline.label} (${r.baseline.takenAt}): ${ex}${r.examples.length > 5 ? '; …' : ''}`;
}
