// Logical dump and restore of a PostgreSQL or PGlite database through the SqlDatabase contract.
// Dump: one REPEATABLE READ, read-only transaction (a single snapshot for catalogs and rows); the schema
// goes to db/schema.json; each table's rows, COPYed (streamed by PostgreSQL; from PGlite, whose COPY output is
// one blob, a range of heap pages at a time), go out in COPY text format in chunks of a few MB (so memory stays
// flat and a chunk is also valid `COPY … FROM stdin` input).
// Restore: one transaction that drops the dumped schemas' tables, recreates them, loads the rows,
// adds constraints and indexes, sets sequences and checks every row count before COMMIT.
import { chunkStats, type ChunkStats } from './copy-chunks.js';
import { Writable } from 'node:stream';
import type { SqlDatabase, SqlSession } from '../db/types.js';
import { failedError, integrityError } from '../errors.js';
import type { DatabaseDump, TableDump } from './manifest.js';

export interface ChunkSink {
  addBuffer(path: string, buf: Buffer, mode?: number): Promise<void>;
}

interface ColumnDef {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  identity: '' | 'a' | 'd';
  generated: '' | 's';
}
interface TableDef {
  schema: string;
  name: string;
  columns: ColumnDef[];
  constraints: { name: string; type: string; def: string }[];
  indexes: string[];
  identity: { column: string; last: string; isCalled: boolean }[];
}
interface SequenceDef {
  schema: string;
  name: string;
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
  last: string;
  isCalled: boolean;
  ownedBy: { table: string; column: string } | null;
}
export interface SchemaDoc {
  schemas: string[];
  enums: { schema: string; name: string; labels: string[] }[];
  sequences: SequenceDef[];
  tables: TableDef[];
}

export const qi = (s: string) => '"' + s.replace(/"/g, '""') + '"';
export const ql = (s: string) => "'" + s.replace(/'/g, "''") + "'";
const qn = (schema: string, name: string) => `${qi(schema)}.${qi(name)}`;
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

async function readSchema(s: SqlSession): Promise<{ doc: SchemaDoc; warnings: string[] }> {
  const warnings: string[] = [];
  const tables = await s.query<{ oid: string; schema: string; name: string; kind: string }>(
    `SELECT c.oid::text AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMA} AND c.relkind IN ('r','p','v','m','f') ORDER BY n.nspname, c.relname`,
  );
  const enums = await s.query<{ schema: string; name: string; labels: string[] | string }>(
    `SELECT n.nspname AS schema, t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
     FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_SCHEMA} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const others = await s.query<{ what: string; n: string }>(
    `SELECT 'functions' AS what, count(*)::text AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMA}
     UNION ALL SELECT 'domains or composite types', count(*)::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${USER_SCHEMA} AND (t.typtype = 'd' OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c')))`,
  );
  for (const o of others.rows) if (Number(o.n) > 0) warnings.push(`${o.n} ${o.what} in user schemas are not part of the dump`);
  const doc: SchemaDoc = { schemas: [], enums: enums.rows.map((e) => ({ schema: e.schema, name: e.name, labels: pgArray(e.labels) })), sequences: [], tables: [] };
  for (const t of tables.rows) {
    if (t.kind !== 'r') {
      warnings.push(`${t.schema}.${t.name} is a ${{ p: 'partitioned table', v: 'view', m: 'materialized view', f: 'foreign table' }[t.kind] ?? t.kind} and is not part of the dump`);
      continue;
    }
    const cols = await s.query<{ name: string; type: string; not_null: boolean; def: string | null; identity: string; generated: string }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS def,
              a.attidentity::text AS identity, a.attgenerated::text AS generated
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [t.oid],
    );
    const cons = await s.query<{ name: string; type: string; def: string }>(
      `SELECT conname AS name, contype::text AS type, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = $1::oid AND contype IN ('p','u','c','x','f') ORDER BY contype, conname`,
      [t.oid],
    );
    const idx = await s.query<{ def: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i WHERE i.indrelid = $1::oid
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p','u','x'))
       ORDER BY 1`,
      [t.oid],
    );
    const columns: ColumnDef[] = cols.rows.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.not_null,
      default: c.def,
      identity: (c.identity || '') as ColumnDef['identity'],
      generated: (c.generated || '') as ColumnDef['generated'],
    }));
    const identity: TableDef['identity'] = [];
    for (const c of columns.filter((x) => x.identity)) {
      const seq = await s.query<{ seq: string }>(`SELECT pg_get_serial_sequence($1, $2) AS seq`, [qn(t.schema, t.name), c.name]);
      if (seq.rows[0]?.seq) {
        const v = await s.query<{ last: string; called: boolean }>(`SELECT last_value::text AS last, is_called AS called FROM ${seq.rows[0].seq}`);
        identity.push({ column: c.name, last: v.rows[0]!.last, isCalled: v.rows[0]!.called });
      }
    }
    doc.tables.push({ schema: t.schema, name: t.name, columns, constraints: cons.rows, indexes: idx.rows.map((r) => r.def), identity });
  }
  const seqs = await s.query<{
    schema: string; name: string; type: string; start: string; inc: string; min: string; max: string; cache: string; cycle: boolean;
    owned_table: string | null; owned_schema: string | null; owned_column: string | null; deptype: string | null;
  }>(
    `SELECT n.nspname AS schema, c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start, s.seqincrement::text AS inc,
            s.seqmin::text AS min, s.seqmax::text AS max, s.seqcache::text AS cache, s.seqcycle AS cycle,
            tc.relname AS owned_table, tn.nspname AS owned_schema, att.attname AS owned_column, dep.deptype::text AS deptype
     FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_depend dep ON dep.objid = c.oid AND dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a','i')
     LEFT JOIN pg_class tc ON tc.oid = dep.refobjid LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
     LEFT JOIN pg_attribute att ON att.attrelid = dep.refobjid AND att.attnum = dep.refobjsubid
     WHERE ${USER_SCHEMA} ORDER BY 1, 2`,
  );
  for (const q of seqs.rows) {
    if (q.deptype === 'i') continue; // identity sequences come back with their column
    const v = await s.query<{ last: string; called: boolean }>(`SELECT last_value::text AS last, is_called AS called FROM ${qn(q.schema, q.name)}`);
    doc.sequences.push({
      schema: q.schema, name: q.name, type: q.type, start: q.start, increment: q.inc, min: q.min, max: q.max, cache: q.cache, cycle: q.cycle,
      last: v.rows[0]!.last, isCalled: v.rows[0]!.called,
      ownedBy: q.owned_table && q.owned_column ? { table: qn(q.owned_schema!, q.owned_table), column: q.owned_column } : null,
    });
  }
  doc.schemas = [...new Set([...doc.tables.map((t) => t.schema), ...doc.enums.map((e) => e.schema), ...doc.sequences.map((q) => q.schema)])].sort();
  return { doc, warnings };
}

/** PGlite may hand back a text[] as its literal; pg parses it. */
function pgArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  const inner = v.replace(/^\{|\}$/g, '');
  if (inner === '') return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^,]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(inner))) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

export interface DumpOptions {
  chunkBytes?: number;
  /** PGlite: heap pages per COPY (its COPY output is one blob in memory) */
  pagesPerCopy?: number;
  onTable?: (name: string, rows: number) => void;
  signal?: AbortSignal;
}

export async function dumpSql(db: SqlDatabase, sink: ChunkSink, opts: DumpOptions = {}): Promise<DatabaseDump> {
  const chunkBytes = opts.chunkBytes ?? 8 * 1024 * 1024;
  const pagesPerCopy = opts.pagesPerCopy ?? 128;
  return db.transaction(
    async (s) => {
      const version = (await s.query<{ v: string }>('SHOW server_version')).rows[0]?.v;
      const { doc, warnings } = await readSchema(s);
      await sink.addBuffer('db/schema.json', Buffer.from(JSON.stringify(doc, null, 2) + '\n'));
      const tables: TableDump[] = [];
      let ti = 0;
      for (const t of doc.tables) {
        ti++;
        const cols = t.columns.filter((c) => c.generated === '');
        const name = `${t.schema}.${t.name}`;
        const dump: TableDump = { name, rows: 0, chunks: [] };
        const chunks: Buffer[] = [];
        const flush = async () => {
          for (const buf of chunks.splice(0)) {
            if (!buf.length) continue;
            const path = `db/t${String(ti).padStart(4, '0')}/c${String(dump.chunks.length + 1).padStart(6, '0')}.copy`;
            await sink.addBuffer(path, buf);
            dump.chunks.push(path);
          }
        };
        if (cols.length) {
          // COPY output cut into chunks at row boundaries (a raw newline ends a row in COPY text format); pieces are
          // kept as a list and joined once per chunk (no quadratic re-copying)
          let pieces: Buffer[] = [];
          let pending = 0;
          const chunker = new Writable({
            highWaterMark: 1024 * 1024,
            write(piece: Buffer, _e, cb) {
              let n = 0;
              for (let i = piece.indexOf(10); i !== -1; i = piece.indexOf(10, i + 1)) n++;
              dump.rows += n;
              pieces.push(piece);
              pending += piece.length;
              if (pending < chunkBytes) return cb();
              const all = Buffer.concat(pieces, pending);
              const cut = all.lastIndexOf(10) + 1;
              pieces = cut < all.length ? [all.subarray(cut)] : [];
              pending = all.length - cut;
              chunks.push(all.subarray(0, cut));
              flush().then(() => cb(), cb);
            },
          });
          const list = cols.map((c) => qi(c.name)).join(', ');
          if (db.kind === 'postgres') {
            // the server streams it
            await s.copyTo(`COPY ${qn(t.schema, t.name)} (${list}) TO STDOUT`, chunker);
          } else {
            // PGlite hands COPY output over as one blob: the table goes a range of heap pages at a time (a TID
            // range scan), so one blob is about pagesPerCopy × 8 KB of rows whatever the table's size. Rows in
            // TOAST come along with their row. The snapshot is the transaction's: pages added since hold nothing
            // it sees.
            const pages = Number(
              (await s.query<{ n: string }>(`SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::bigint)::text AS n`, [qn(t.schema, t.name)])).rows[0]!.n,
            );
            for (let p = 0; p < pages; p += pagesPerCopy) {
              if (opts.signal?.aborted) throw failedError('interrupted');
              await s.copyTo(`COPY (SELECT ${list} FROM ONLY ${qn(t.schema, t.name)} WHERE ctid >= '(${p},0)'::tid AND ctid < '(${p + pagesPerCopy},0)'::tid) TO STDOUT`, chunker);
            }
          }
          // copyTo resolves once the chunker accepted everything; wait until it has written it all out
          await new Promise<void>((resolve, reject) => {
            chunker.once('error', reject);
            chunker.end(() => resolve());
          });
          if (pending) chunks.push(Buffer.concat(pieces, pending));
        } else {
          dump.rows = Number((await s.query<{ n: string }>(`SELECT count(*)::text AS n FROM ONLY ${qn(t.schema, t.name)}`)).rows[0]!.n);
        }
        await flush();
        tables.push(dump);
        opts.onTable?.(name, dump.rows);
      }
      await sink.addBuffer('db/restore.sql', Buffer.from(restoreScript(doc, { tables })));
      return { kind: db.kind, format: 'pg-copy-text/1', snapshot: 'repeatable read', serverVersion: version, schemaEntry: 'db/schema.json', tables, warnings } as DatabaseDump;
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

export interface ChunkSource {
  read(path: string): Promise<Buffer>;
}

function columnSql(c: ColumnDef): string {
  let sql = `${qi(c.name)} ${c.type}`;
  if (c.generated === 's' && c.default) sql += ` GENERATED ALWAYS AS (${c.default}) STORED`;
  else if (c.identity) sql += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
  else if (c.default !== null) sql += ` DEFAULT ${c.default}`;
  if (c.notNull && !c.identity) sql += ' NOT NULL';
  return sql;
}

/** `"schema"."table" ("col", …)`: where COPY loads a table's rows (generated columns are computed, not loaded). */
function copyTarget(t: TableDef): string {
  return `${qn(t.schema, t.name)} (${t.columns.filter((c) => c.generated === '').map((c) => qi(c.name)).join(', ')})`;
}

/** Schemas, enums, sequences and tables, before any row (names quoted; the rest checked by parseSchemaDoc). */
function createStatements(doc: SchemaDoc): string[] {
  return [
    ...doc.schemas.map((sc) => `CREATE SCHEMA IF NOT EXISTS ${qi(sc)}`),
    ...doc.enums.map((e) => `CREATE TYPE ${qn(e.schema, e.name)} AS ENUM (${e.labels.map(ql).join(', ')})`),
    ...doc.sequences.map(
      (q) => `CREATE SEQUENCE ${qn(q.schema, q.name)} AS ${q.type} INCREMENT BY ${q.increment} MINVALUE ${q.min} MAXVALUE ${q.max} START WITH ${q.start} CACHE ${q.cache}${q.cycle ? ' CYCLE' : ''}`,
    ),
    ...doc.tables.map((t) => `CREATE TABLE ${qn(t.schema, t.name)} (${t.columns.map(columnSql).join(', ')})`),
  ];
}

/** After the rows: constraints, indexes, foreign keys last, sequence ownership and positions (numbers checked by parseSchemaDoc). */
function finishStatements(doc: SchemaDoc): string[] {
  const bool = (b: boolean) => (b ? 'true' : 'false');
  const constraint = (t: TableDef, c: TableDef['constraints'][number]) => `ALTER TABLE ${qn(t.schema, t.name)} ADD CONSTRAINT ${qi(c.name)} ${c.def}`;
  return [
    ...doc.tables.flatMap((t) => t.constraints.filter((x) => x.type !== 'f').map((c) => constraint(t, c))),
    ...doc.tables.flatMap((t) => t.indexes),
    ...doc.tables.flatMap((t) => t.constraints.filter((x) => x.type === 'f').map((c) => constraint(t, c))),
    ...doc.sequences.flatMap((q) => [
      ...(q.ownedBy ? [`ALTER SEQUENCE ${qn(q.schema, q.name)} OWNED BY ${q.ownedBy.table}.${qi(q.ownedBy.column)}`] : []),
      `SELECT setval(${ql(qn(q.schema, q.name))}::regclass, ${q.last}::bigint, ${bool(q.isCalled)})`,
    ]),
    ...doc.tables.flatMap((t) => t.identity.map((id) => `SELECT setval(pg_get_serial_sequence(${ql(qn(t.schema, t.name))}, ${ql(id.column)}), ${id.last}::bigint, ${bool(id.isCalled)})`)),
  ];
}

/**
 * db/restore.sql, the break-glass path: the same restore as restoreSql as a plain script for psql, run from the
 * directory the archive was extracted into (`\copy` reads the chunks relative to it). One transaction that
 * stops at the first error; it drops what the dumped schemas hold now, so tables a later migration added go too.
 */
export function restoreScript(doc: SchemaDoc, dump: Pick<DatabaseDump, 'tables'>): string {
  const lines = [
    '-- Written by mcp backup create: this backup\'s database, for psql alone (docs/backups.md, "Break glass").',
    '-- From the directory the archive was extracted into:  psql -X DBNAME < db/restore.sql',
    '\\set ON_ERROR_STOP on',
    "SET client_encoding = 'UTF8';",
    'BEGIN;',
  ];
  // psql reads a meta-command to the end of its line: a name with a line break cannot be written as one (and
  // one holding the script's own dollar quote could end it)
  const names = [...doc.schemas, ...doc.tables.flatMap((t) => [t.schema, t.name, ...t.columns.map((c) => c.name)])];
  if (names.some((n) => /[\r\n]/.test(n) || n.includes('$mcp$'))) {
    lines.push(`DO $mcp$ BEGIN RAISE EXCEPTION 'a table or column name cannot be written in a psql script: restore this backup with mcp backup restore'; END $mcp$;`);
    return lines.join('\n') + '\n';
  }
  if (doc.schemas.length) {
    const schemas = `ARRAY[${doc.schemas.map(ql).join(', ')}]::text[]`;
    lines.push(
      `DO $mcp$ DECLARE r record; BEGIN`,
      `  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`,
      `    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(${schemas}) AND NOT c.relispartition LOOP EXECUTE 'DROP TABLE IF EXISTS ' || r.t || ' CASCADE'; END LOOP;`,
      `  FOR r IN SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace`,
      `    WHERE c.relkind = 'S' AND n.nspname = ANY(${schemas}) LOOP EXECUTE 'DROP SEQUENCE IF EXISTS ' || r.t || ' CASCADE'; END LOOP;`,
      `END $mcp$;`,
    );
  }
  for (const e of doc.enums) lines.push(`DROP TYPE IF EXISTS ${qn(e.schema, e.name)} CASCADE;`);
  lines.push(...createStatements(doc).map((x) => x + ';'));
  for (const t of doc.tables) {
    const td = dump.tables.find((x) => x.name === `${t.schema}.${t.name}`);
    for (const chunk of td?.chunks ?? []) lines.push(`\\copy ${copyTarget(t)} FROM ${ql(chunk)}`);
  }
  lines.push(...finishStatements(doc).map((x) => x + ';'), 'COMMIT;');
  return lines.join('\n') + '\n';
}

/** Restore a dump in one transaction; any failure rolls everything back. Returns rows per table. */
export async function restoreSql(
  db: SqlDatabase,
  dump: DatabaseDump,
  src: ChunkSource,
  opts: { onTable?: (name: string, rows: number) => void; signal?: AbortSignal; marker?: { id: string; backup: string } } = {},
): Promise<Record<string, number>> {
  if (dump.format !== 'pg-copy-text/1' || !dump.schemaEntry) throw integrityError(`cannot restore a ${dump.format} dump into ${db.kind}`);
  const doc = parseSchemaDoc((await src.read(dump.schemaEntry)).toString('utf8'), dump);
  return db.transaction(async (s) => {
    // 1. Clear what the dumped schemas hold now (a later migration may have added tables).
    if (doc.schemas.length) {
      const existing = await s.query<{ t: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r','p') AND n.nspname = ANY($1::text[]) AND NOT c.relispartition`,
        [doc.schemas],
      );
      if (existing.rows.length) await s.exec(`DROP TABLE IF EXISTS ${existing.rows.map((r) => r.t).join(', ')} CASCADE`);
      const seqs = await s.query<{ t: string }>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = ANY($1::text[])`,
        [doc.schemas],
      );
      if (seqs.rows.length) await s.exec(`DROP SEQUENCE IF EXISTS ${seqs.rows.map((r) => r.t).join(', ')} CASCADE`);
    }
    for (const e of doc.enums) await s.exec(`DROP TYPE IF EXISTS ${qn(e.schema, e.name)} CASCADE`);
    // 2. Schema before data.
    for (const sql of createStatements(doc)) await s.exec(sql);
    // 3. Rows.
    const counts: Record<string, number> = {};
    for (let i = 0; i < doc.tables.length; i++) {
      const t = doc.tables[i]!;
      const td = dump.tables.find((x) => x.name === `${t.schema}.${t.name}`);
      if (!td) throw integrityError(`the dump has no rows entry for ${t.schema}.${t.name}`);
      const copy = `COPY ${copyTarget(t)} FROM STDIN`;
      let loaded = 0;
      for (const chunk of td.chunks) {
        if (opts.signal?.aborted) throw failedError('interrupted; the database was rolled back');
        const buf = await src.read(chunk);
        try {
          loaded += await s.copyFrom(copy, [buf]);
        } catch (e) {
          throw integrityError(`cannot load the rows of ${td.name}: ${(e as Error).message}`, { where: chunk, cause: e });
        }
      }
      if (loaded !== td.rows) throw integrityError(`${td.name}: ${loaded} rows in the chunks, the manifest says ${td.rows}`);
      counts[td.name] = loaded;
      opts.onTable?.(td.name, loaded);
    }
    // 4. Constraints, indexes, foreign keys, ownership and sequence positions.
    for (const sql of finishStatements(doc)) await s.exec(sql);
    // 5. What is about to be committed matches the manifest.
    for (const td of dump.tables) {
      const [schema, ...rest] = td.name.split('.');
      const n = Number((await s.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qn(schema!, rest.join('.'))}`)).rows[0]!.n);
      if (n !== td.rows) throw integrityError(`${td.name} holds ${n} rows after the restore, the manifest says ${td.rows}; rolled back`);
    }
    // 6. The restore's id, in the same transaction: after a crash, its presence says the restore committed.
    if (opts.marker) {
      await s.exec(`CREATE TABLE IF NOT EXISTS mcp_restores (id TEXT PRIMARY KEY, backup TEXT NOT NULL, restored_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
      await s.query(`INSERT INTO mcp_restores (id, backup) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [opts.marker.id, opts.marker.backup]);
    }
    return counts;
  });
}

/** Row counts of the tables a dump names, for --verify and dry runs. Missing tables count as -1. */
export async function countRows(db: SqlDatabase, names: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const [schema, ...rest] = name.split('.');
    const exists = await db.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [qn(schema!, rest.join('.'))]);
    out[name] = exists.rows[0]?.t ? Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qn(schema!, rest.join('.'))}`)).rows[0]!.n) : -1;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------- checking a dump

/**
 * db/schema.json as restore will use it, checked first: its shape, every table a dump entry names, and every
 * piece of SQL it carries (column types, defaults, constraints, indexes) a single fragment of a known shape,
 * so an altered archive cannot smuggle a second statement into the restore. Names are data: always quoted.
 */
export function parseSchemaDoc(text: string, dump: Pick<DatabaseDump, 'tables'>, where = 'db/schema.json'): SchemaDoc {
  let doc: SchemaDoc;
  try {
    doc = JSON.parse(text) as SchemaDoc;
  } catch (e) {
    throw integrityError(`the schema document is not JSON: ${(e as Error).message}`, { where });
  }
  const bad = (what: string, path: string) => integrityError(`${what}: refusing to restore`, { where: `${where}: ${path}` });
  const str = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 63 * 4 && !v.includes('\u0000');
  if (!doc || !Array.isArray(doc.schemas) || !Array.isArray(doc.tables) || !Array.isArray(doc.sequences) || !Array.isArray(doc.enums)) throw bad('not a schema document', '');
  doc.schemas.forEach((x, i) => {
    if (!str(x)) throw bad('a schema name is not a name', `schemas[${i}]`);
  });
  doc.enums.forEach((e, i) => {
    if (!str(e.schema) || !str(e.name) || !Array.isArray(e.labels) || !e.labels.every((l) => typeof l === 'string')) throw bad('an enum is malformed', `enums[${i}]`);
  });
  const num = /^-?\d{1,20}$/;
  doc.sequences.forEach((q, i) => {
    if (!str(q.schema) || !str(q.name) || !['smallint', 'integer', 'bigint'].includes(q.type)) throw bad('a sequence is malformed', `sequences[${i}]`);
    for (const k of ['start', 'increment', 'min', 'max', 'cache', 'last'] as const) if (!num.test(String(q[k]))) throw bad(`sequence ${k} is not a number`, `sequences[${i}].${k}`);
    if (q.ownedBy && (!/^"(?:[^"]|"")+"\."(?:[^"]|"")+"$/.test(q.ownedBy.table) || !str(q.ownedBy.column))) throw bad('a sequence owner is malformed', `sequences[${i}].ownedBy`);
  });
  doc.tables.forEach((t, i) => {
    const at = `tables[${i}]`;
    if (!str(t.schema) || !str(t.name) || !Array.isArray(t.columns) || !Array.isArray(t.constraints) || !Array.isArray(t.indexes)) throw bad('a table is malformed', at);
    t.columns.forEach((c, k) => {
      if (!str(c.name)) throw bad('a column name is not a name', `${at}.columns[${k}].name`);
      if (!isTypeName(c.type)) throw bad(`column type '${String(c.type).slice(0, 80)}' is not a type name`, `${at}.columns[${k}].type`);
      if (c.default !== null && !oneFragment(c.default)) throw bad('a column default is not one expression', `${at}.columns[${k}].default`);
      if (!['', 'a', 'd'].includes(c.identity) || !['', 's'].includes(c.generated)) throw bad('a column is malformed', `${at}.columns[${k}]`);
    });
    t.constraints.forEach((c, k) => {
      if (!str(c.name) || !['p', 'u', 'c', 'x', 'f'].includes(c.type) || !/^(PRIMARY KEY|UNIQUE|CHECK|EXCLUDE|FOREIGN KEY)\b/.test(c.def) || !oneFragment(c.def)) throw bad('a constraint is malformed', `${at}.constraints[${k}]`);
    });
    t.indexes.forEach((ix, k) => {
      if (typeof ix !== 'string' || !/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING \w+ \(/.test(ix) || !oneFragment(ix)) throw bad('an index definition is malformed', `${at}.indexes[${k}]`);
    });
    if (!Array.isArray(t.identity) || !t.identity.every((x) => str(x.column) && num.test(String(x.last)))) throw bad('identity positions are malformed', `${at}.identity`);
  });
  for (const td of dump.tables) {
    if (!doc.tables.some((t) => `${t.schema}.${t.name}` === td.name)) throw integrityError(`the manifest names table ${JSON.stringify(td.name)}, which db/schema.json does not hold`, { where });
  }
  return doc;
}

/** A type as format_type prints it: words, quoted identifiers, dots, (n[,m]) and [] — nothing else. */
function isTypeName(t: unknown): boolean {
  if (typeof t !== 'string' || t.length === 0 || t.length > 200) return false;
  return /^(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?(?: [A-Za-z]+)*(?:\(\d+(?:, ?\d+)?\))?(?: with(?:out)? time zone)?(?:\[\])*$/.test(t);
}

/** One SQL fragment: no statement separator or comment outside quotes (the splitter knows quotes and dollar quotes). */
function oneFragment(sql: unknown): boolean {
  if (typeof sql !== 'string' || sql.length > 100_000) return false;
  let depth = 0;
  let q: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (q) {
      if (c === q) {
        if (sql[i + 1] === q) i++;
        else q = null;
      }
      continue;
    }
    if (c === "'" || c === '"') q = c;
    else if (c === ';' || (c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*') || c === '$') return false;
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return q === null && depth === 0;
}

/**
 * What restore checks before it loads a row, without a database: the schema document (parseSchemaDoc), every
 * chunk of every table valid COPY text (or JSON documents) with as many fields per row as the table has
 * columns, and the rows per table as the manifest says. A backup that passes this restores.
 */
export function checkDump(dump: DatabaseDump, schemaText: string | undefined, stats: Map<string, ChunkStats>): void {
  const doc = dump.format === 'pg-copy-text/1' ? parseSchemaDoc(schemaText ?? '', dump) : undefined;
  for (const td of dump.tables) {
    const t = doc?.tables.find((x) => `${x.schema}.${x.name}` === td.name);
    const cols = t ? t.columns.filter((c) => c.generated === '').length : undefined;
    let rows = 0;
    for (const c of td.chunks) {
      const st = stats.get(c);
      if (!st) throw integrityError(`chunk ${c} of ${td.name} is missing from the archive`, { where: c });
      if (st.bad) throw integrityError(`row ${st.bad.line} of ${td.name}: ${st.bad.reason}`, { where: `${c}:${st.bad.line}` });
      if (cols !== undefined && st.lines && (st.minFields !== cols || st.maxFields !== cols)) {
        throw integrityError(`${td.name} has ${cols} columns, rows of this chunk have ${st.minFields === st.maxFields ? st.minFields : `${st.minFields} to ${st.maxFields}`} fields`, { where: c });
      }
      rows += st.lines;
    }
    if (rows !== td.rows) throw integrityError(`${td.name}: ${rows} rows in its chunks, the manifest says ${td.rows}`, { where: td.chunks[0] ?? td.name });
  }
}

/** checkDump over chunks read from `src` (a staged archive), one chunk in memory at a time. */
export async function checkDumpChunks(dump: DatabaseDump, src: ChunkSource, enabled = true): Promise<void> {
  if (!enabled) return;
  const stats = new Map<string, ChunkStats>();
  for (const td of dump.tables) for (const c of td.chunks) stats.set(c, chunkStats(await src.read(c), dump.format));
  checkDump(dump, dump.schemaEntry ? (await src.read(dump.schemaEntry)).toString('utf8') : undefined, stats);
}
