// Versioned SQL migration files: migrations/postgres/<version>_<seq>__<name>.sql, e.g.
// 5.0.0_2__add_deployment_features.sql. Sections start with a marker line:
//   -- migrate:up                    statements run in one transaction (the default)
//   -- migrate:up transaction:false  statements run one by one outside a transaction
//   -- migrate:up batch size:10000   one statement run repeatedly, one transaction per batch:
//                                    $1 = last key done (NULL first), $2 = batch size; it returns
//                                    `last` (the batch's last key) and `n` (rows); it ends when n = 0
//   -- migrate:up check              SELECTs that must return no rows (each row: one problem, as text);
//                                    any row stops the run before the next step, exit 3
//   -- migrate:up verify             (no statements) compare every record with the snapshot taken
//                                    before the run (src/db/content.ts); a difference stops the run
//   -- migrate:down …                the same, to undo
//   -- migrate:records               one SELECT reading the layout after this migration as v4 records
//                                    (tbl, id, kind, name, data, created_at, updated_at): what verify compares
//   from:NAME on any marker          the section belongs to that variant only (a database that started
//                                    from another layout, e.g. from:guide); unmarked sections belong to all
//   -- layout: v5                    (before the first marker) the layout this migration leaves
//   {{legacy_table}} …               template variables, expanded when the migration runs (TEMPLATE_VARS)
// Statements that PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, …) are
// detected and given a step of their own outside one, whatever the section says.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput } from '../errors.js';

export const CHECKSUM_ALGORITHM = 'sha256/normalized-v1';

export type StepKind = 'tx' | 'notx' | 'batch' | 'check' | 'verify';

export interface Statement {
  sql: string;
  /** 1-based line in the file */
  line: number;
}

export interface Step {
  kind: StepKind;
  statements: Statement[];
  /** batch steps */
  size?: number;
}

export interface SqlMigration {
  /** tracking version, e.g. 5.0.0 */
  version: string;
  seq: number;
  name: string;
  file: string;
  path: string;
  checksum: string;
  /** the default variant's steps */
  up: Step[];
  down: Step[];
  /** the layout after this migration (`-- layout: v5`), when the file declares one */
  layout?: string;
  variants: Record<string, VariantSections>;
}

export const FILE_RE = /^(\d+(?:\.\d+){0,3})_(\d+)__([a-z0-9_]+)\.sql$/;

/** Same text for the same SQL whatever the line endings, trailing blanks or BOM. */
export function normalizeForChecksum(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n+$/, '\n');
}

export const checksumOf = (text: string) => createHash('sha256').update(normalizeForChecksum(text)).digest('hex');

/** A real SHA-256 hex, as opposed to the guide's placeholder 'sha256...' or an empty column. */
export const isRealChecksum = (c: unknown): c is string => typeof c === 'string' && /^[0-9a-f]{64}$/i.test(c);

const NO_TX = [
  /^\s*create\s+(unique\s+)?index\s+concurrently\b/i,
  /^\s*drop\s+index\s+concurrently\b/i,
  /^\s*reindex\b[^;]*\bconcurrently\b/i,
  /^\s*vacuum\b/i,
  /^\s*(create|drop)\s+database\b/i,
  /^\s*(create|drop)\s+tablespace\b/i,
  /^\s*alter\s+system\b/i,
  /^\s*cluster\b(?!\s+\w+\s+using)/i,
  /^\s*alter\s+table\b[^;]*\bdetach\s+partition\b[^;]*\bconcurrently\b/i,
];

export const needsNoTransaction = (sql: string) => NO_TX.some((re) => re.test(stripLeadingComments(sql)));

export function stripLeadingComments(sql: string): string {
  let s = sql;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) s = t.slice(t.indexOf('\n') === -1 ? t.length : t.indexOf('\n') + 1);
    else if (t.startsWith('/*')) s = t.slice(t.indexOf('*/') === -1 ? t.length : t.indexOf('*/') + 2);
    else return t;
  }
}

/** Split SQL into statements at top-level semicolons (quotes, identifiers, dollar quotes and comments respected). */
export function splitStatements(text: string, firstLine = 1): Statement[] {
  const out: Statement[] = [];
  let start = 0;
  let line = firstLine;
  let startLine = firstLine;
  let i = 0;
  const n = text.length;
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const sql = raw.trim();
    if (stripLeadingComments(sql) !== '') {
      const lead = raw.slice(0, raw.length - raw.trimStart().length);
      out.push({ sql, line: startLine + (lead.match(/\n/g)?.length ?? 0) });
    }
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '\n') line++;
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        if (text[i] === '\n') line++;
        if (text[i] === c) {
          if (text[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '$') {
      const m = text.slice(i).match(/^\$([A-Za-z_][A-Za-z0-9_]*)?\$/);
      if (m) {
        const tag = m[0];
        const end = text.indexOf(tag, i + tag.length);
        const stop = end === -1 ? n : end + tag.length;
        line += text.slice(i, stop).match(/\n/g)?.length ?? 0;
        i = stop;
      } else i++;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
      startLine = line;
    } else i++;
  }
  push(n);
  return out;
}

const MARKER = /^--\s*migrate:(up|down|records)\b(.*)$/;
const LAYOUT_RE = /^--\s*layout:\s*(v[0-9]+)\s*$/;

/** The variant a section without `from:` belongs to as well: the platform's own v4 single table. */
export const DEFAULT_VARIANT = 'v4';

export interface VariantSections {
  up: Step[];
  down: Step[];
  /** the SELECT (UNION ALL of every records section) that reads this layout as v4 records, with its line */
  records?: Statement;
}

/** Template variables a migration may use; expanded when it runs (the checksum is over the text as written). */
export const TEMPLATE_VARS = ['legacy_table', 'legacy_table_literal', 'legacy_index', 'records'] as const;
export type TemplateVars = Partial<Record<(typeof TEMPLATE_VARS)[number], string>>;
const TEMPLATE_RE = /\{\{\s*([a-z_]+)\s*\}\}/g;

export interface ParsedMigration {
  up: Step[];
  down: Step[];
  /** the layout the database is in after this migration (a `-- layout: v5` line), when declared */
  layout?: string;
  /** per variant (`from:NAME` on a section marker); always has DEFAULT_VARIANT */
  variants: Record<string, VariantSections>;
}

export function parseMigrationText(text: string, file: string): ParsedMigration {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: { dir: 'up' | 'down' | 'records'; flags: string; line: number; body: string[] }[] = [];
  let layout: string | undefined;
  lines.forEach((l, idx) => {
    const m = l.trim().match(MARKER);
    if (m) sections.push({ dir: m[1] as 'up' | 'down' | 'records', flags: m[2]!.trim(), line: idx + 1, body: [] });
    else if (sections.length) sections[sections.length - 1]!.body.push(l);
    else {
      const lm = l.trim().match(LAYOUT_RE);
      if (lm) layout = lm[1];
    }
    for (const t of l.matchAll(TEMPLATE_RE)) {
      if (!(TEMPLATE_VARS as readonly string[]).includes(t[1]!)) {
        throw invalidInput(`unknown template variable {{${t[1]}}}`, { where: `${file}:${idx + 1}`, hint: `known: ${TEMPLATE_VARS.map((v) => `{{${v}}}`).join(', ')}` });
      }
    }
  });
  if (!sections.some((s) => s.dir === 'up')) {
    throw invalidInput('no `-- migrate:up` section', { where: `${file}:1`, hint: 'start the statements with a line `-- migrate:up` (and undo them after `-- migrate:down`)' });
  }
  const parsed = sections.map((s) => {
    const flags = new Map<string, string>();
    for (const f of s.flags.split(/\s+/).filter(Boolean)) {
      const i = f.indexOf(':');
      flags.set(i === -1 ? f : f.slice(0, i), i === -1 ? 'true' : f.slice(i + 1));
    }
    for (const k of flags.keys()) {
      if (!['transaction', 'batch', 'size', 'from', 'check', 'verify'].includes(k)) {
        throw invalidInput(`unknown flag '${k}' on the section marker`, { where: `${file}:${s.line}`, hint: 'flags: transaction:false, batch, size:N, check, verify, from:VARIANT' });
      }
    }
    const from = flags.get('from')?.split(',').filter(Boolean);
    if (flags.has('from') && !from?.length) throw invalidInput('from: names no variant', { where: `${file}:${s.line}`, hint: 'e.g. from:guide' });
    return { ...s, flags, from, stmts: splitStatements(s.body.join('\n'), s.line + 1) };
  });
  const names = new Set<string>([DEFAULT_VARIANT]);
  for (const s of parsed) for (const v of s.from ?? []) names.add(v);
  const variants: Record<string, VariantSections> = {};
  for (const v of names) {
    const out: VariantSections = { up: [], down: [] };
    const records: Statement[] = [];
    for (const s of parsed) {
      if (s.from && !s.from.includes(v)) continue;
      if (s.dir === 'records') {
        if (s.stmts.length !== 1) throw invalidInput(`a records section holds exactly one SELECT, found ${s.stmts.length}`, { where: `${file}:${s.line}` });
        records.push(s.stmts[0]!);
        continue;
      }
      addSection(s.dir === 'up' ? out.up : out.down, s.flags, s.stmts, `${file}:${s.line}`);
    }
    if (records.length) out.records = { sql: records.map((r) => `(${r.sql})`).join('\nUNION ALL\n'), line: records[0]!.line };
    variants[v] = out;
  }
  return { up: variants[DEFAULT_VARIANT]!.up, down: variants[DEFAULT_VARIANT]!.down, layout, variants };
}

function addSection(target: Step[], flags: Map<string, string>, stmts: Statement[], where: string): void {
  if (flags.has('verify')) {
    if (stmts.length) throw invalidInput('a verify section holds no statements (the engine compares the content itself)', { where });
    target.push({ kind: 'verify', statements: [] });
    return;
  }
  if (flags.has('check')) {
    if (!stmts.length) throw invalidInput('a check section needs at least one SELECT', { where });
    target.push({ kind: 'check', statements: stmts });
    return;
  }
  if (flags.has('batch')) {
    if (stmts.length !== 1) throw invalidInput(`a batch section holds exactly one statement, found ${stmts.length}`, { where });
    const size = Number(flags.get('size') ?? 10000);
    if (!Number.isInteger(size) || size <= 0) throw invalidInput(`batch size '${flags.get('size')}' is not a positive integer`, { where });
    target.push({ kind: 'batch', statements: stmts, size });
    return;
  }
  const noTx = flags.get('transaction') === 'false';
  let cur: Step | undefined;
  for (const st of stmts) {
    const kind: StepKind = noTx || needsNoTransaction(st.sql) ? 'notx' : 'tx';
    if (kind === 'notx') {
      target.push({ kind, statements: [st] });
      cur = undefined;
    } else {
      if (!cur) target.push((cur = { kind: 'tx', statements: [] }));
      cur.statements.push(st);
    }
  }
}

/** The sections of one variant (the default one when the file has no such variant). */
export const variantOf = (m: SqlMigration, variant: string | undefined): VariantSections => m.variants[variant ?? DEFAULT_VARIANT] ?? m.variants[DEFAULT_VARIANT]!;

/** Replace {{name}} by its value; {{records}} is this variant's records SELECT, itself expanded. */
export function expandTemplate(sql: string, vars: TemplateVars): string {
  return sql.replace(TEMPLATE_RE, (_m, name: string) => {
    const v = vars[name as keyof TemplateVars];
    if (v === undefined) throw new Error(`template variable {{${name}}} has no value here`);
    return v;
  });
}

/** Numeric comparison of dotted versions: 4.10 > 4.9; missing parts count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const orderOf = (a: { version: string; seq: number }, b: { version: string; seq: number }) => compareVersions(a.version, b.version) || a.seq - b.seq;

/**
 * Does a migration's version fall within a target given as the guide writes it? `--version 5.0`
 * includes 5.0.0 and 5.0.3 but not 5.1.0; `6` includes every 6.x; `4.2.1` is exact.
 */
export function withinTarget(version: string, target: string): boolean {
  const t = target.replace(/^v/i, '').replace(/\.(x|\*)$/i, '').split('.').map(Number);
  const v = version.split('.').map(Number).slice(0, t.length);
  while (v.length < t.length) v.push(0);
  for (let i = 0; i < t.length; i++) {
    if (v[i]! < t[i]!) return true;
    if (v[i]! > t[i]!) return false;
  }
  return true;
}

export async function loadSqlMigrations(dir: string): Promise<SqlMigration[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: SqlMigration[] = [];
  const seen = new Map<string, string>();
  for (const file of names) {
    const m = file.match(FILE_RE);
    if (!m) {
      throw invalidInput(`migration file name '${file}' is not <version>_<seq>__<name>.sql`, {
        where: join(dir, file),
        hint: 'name it like 5.0.0_2__add_deployment_features.sql (lower-case name, digits and _)',
      });
    }
    const key = `${m[1]}_${Number(m[2])}`;
    if (seen.has(key)) throw invalidInput(`two migrations share version ${m[1]} and sequence ${m[2]}: ${seen.get(key)} and ${file}`, { where: join(dir, file) });
    seen.set(key, file);
    const text = await readFile(join(dir, file), 'utf8');
    const p = parseMigrationText(text, join(dir, file));
    out.push({ version: m[1]!, seq: Number(m[2]), name: m[3]!, file, path: join(dir, file), checksum: checksumOf(text), up: p.up, down: p.down, layout: p.layout, variants: p.variants });
  }
  return out.sort(orderOf);
}
