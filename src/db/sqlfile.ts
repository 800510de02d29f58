// Versioned SQL migration files: migrations/postgres/<version>_<seq>__<name>.sql, e.g.
// 5.0.0_2__add_deployment_features.sql. Sections start with a marker line:
//   -- migrate:up                    statements run in one transaction (the default)
//   -- migrate:up transaction:false  statements run one by one outside a transaction
//   -- migrate:up batch size:10000   one statement run repeatedly, one transaction per batch:
//                                    $1 = last key done (NULL first), $2 = batch size; it returns
//                                    `last` (the batch's last key) and `n` (rows); it ends when n = 0
//   -- migrate:down …                the same, to undo
// Statements that PostgreSQL refuses inside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, …) are
// detected and given a step of their own outside one, whatever the section says.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidInput } from '../cli/errors.js';

export const CHECKSUM_ALGORITHM = 'sha256/normalized-v1';

export type StepKind = 'tx' | 'notx' | 'batch';

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
  up: Step[];
  down: Step[];
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

const MARKER = /^--\s*migrate:(up|down)\b(.*)$/;

export function parseMigrationText(text: string, file: string): { up: Step[]; down: Step[] } {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const sections: { dir: 'up' | 'down'; flags: string; line: number; body: string[] }[] = [];
  lines.forEach((l, idx) => {
    const m = l.trim().match(MARKER);
    if (m) sections.push({ dir: m[1] as 'up' | 'down', flags: m[2]!.trim(), line: idx + 1, body: [] });
    else if (sections.length) sections[sections.length - 1]!.body.push(l);
  });
  if (!sections.some((s) => s.dir === 'up')) {
    throw invalidInput('no `-- migrate:up` section', { where: `${file}:1`, hint: 'start the statements with a line `-- migrate:up` (and undo them after `-- migrate:down`)' });
  }
  const up: Step[] = [];
  const down: Step[] = [];
  for (const s of sections) {
    const flags = new Map<string, string>();
    for (const f of s.flags.split(/\s+/).filter(Boolean)) {
      const [k, v] = f.split(':');
      flags.set(k!, v ?? 'true');
    }
    for (const k of flags.keys()) {
      if (!['transaction', 'batch', 'size'].includes(k)) throw invalidInput(`unknown flag '${k}' on the section marker`, { where: `${file}:${s.line}`, hint: 'flags: transaction:false, batch, size:N' });
    }
    const stmts = splitStatements(s.body.join('\n'), s.line + 1);
    const target = s.dir === 'up' ? up : down;
    if (flags.has('batch')) {
      if (stmts.length !== 1) throw invalidInput(`a batch section holds exactly one statement, found ${stmts.length}`, { where: `${file}:${s.line}` });
      const size = Number(flags.get('size') ?? 10000);
      if (!Number.isInteger(size) || size <= 0) throw invalidInput(`batch size '${flags.get('size')}' is not a positive integer`, { where: `${file}:${s.line}` });
      target.push({ kind: 'batch', statements: stmts, size });
      continue;
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
  return { up, down };
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
    const { up, down } = parseMigrationText(text, join(dir, file));
    out.push({ version: m[1]!, seq: Number(m[2]), name: m[3]!, file, path: join(dir, file), checksum: checksumOf(text), up, down });
  }
  return out.sort(orderOf);
}
