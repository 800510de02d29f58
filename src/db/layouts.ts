// The platform's table layouts, as created by migrations/postgres/ (the files are the source of truth):
//   v4: one table, platform_data(id, kind, name, data jsonb, created_at, updated_at), or the name the config gives
//   guide: a database made with the guide's SQL: a services table with a config jsonb column
//   v5: services, users, api_keys, settings, audit_events, legacy_records (+ the guide's deployment columns)
//   v6: v5 + auth_providers, config_documents, services.replicas/resources/namespace, users.auth_provider
// seedV4Example fills the v4 layout with an example installation (mcp init --example, tests, bench).
import { pkgPath } from '../paths.js';
import { loadSqlMigrations } from './sqlfile.js';
import type { LegacyTable, SqlDatabase, SqlSession } from './types.js';
import { invalidInput } from '../errors.js';
import { expandTemplate } from './sqlfile.js';

export const POSTGRES_MIGRATIONS_DIR = pkgPath('migrations', 'postgres');

export const V4_TABLES = ['platform_data'] as const;
export const V5_TABLES = ['services', 'users', 'api_keys', 'settings', 'audit_events', 'legacy_records'] as const;
export const V6_TABLES = [...V5_TABLES, 'auth_providers', 'config_documents'] as const;
/** the tracking table (the guide's name) */
export const TRACKING_TABLE = 'migrations';

export type Layout = 'none' | 'v4' | 'guide' | 'v5' | 'v6' | 'partial' | 'unknown';

/** How far along a layout is: a migration's declared layout is present when the database's rank is at least its rank. */
export const LAYOUT_RANK: Record<string, number> = { none: 0, v4: 1, guide: 1, v5: 2, v6: 3 };

export const DEFAULT_LEGACY_TABLE = 'platform_data';

export type { LegacyTable };

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** The v4 table's name from the config (v4 database.table, v5/v6 database.legacyTable), checked as identifiers. */
export function parseLegacyTable(raw: string | undefined, where = 'database.table'): LegacyTable {
  const text = (raw ?? DEFAULT_LEGACY_TABLE).trim();
  const parts = text.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw invalidInput(`'${text}' is not a table name`, { where, hint: 'a name of letters, digits and _ (optionally schema.name), exactly as PostgreSQL shows it' });
  }
  return parts.length === 2 ? { raw: text, schema: parts[0], name: parts[1]! } : { raw: text, name: parts[0]! };
}

/** The config's name for the v4 table: database.table (v4) or database.legacyTable (v5, v6). */
export function legacyTableOf(config: unknown): LegacyTable {
  const d = (config && typeof config === 'object' ? (config as Record<string, unknown>).database : undefined) as Record<string, unknown> | undefined;
  if (d && typeof d.table === 'string') return parseLegacyTable(d.table, 'database.table');
  if (d && typeof d.legacyTable === 'string') return parseLegacyTable(d.legacyTable, 'database.legacyTable');
  return parseLegacyTable(undefined);
}

const qid = (s: string) => '"' + s.replace(/"/g, '""') + '"';
const lit = (s: string) => "'" + s.replace(/'/g, "''") + "'";
export const legacyIdent = (t: LegacyTable) => (t.schema ? `${qid(t.schema)}.${qid(t.name)}` : qid(t.name));

/** The template variables a platform migration is expanded with (sqlfile.ts TEMPLATE_VARS, but {{records}}). */
export function legacyVars(t: LegacyTable): { legacy_table: string; legacy_table_literal: string; legacy_index: string } {
  return { legacy_table: legacyIdent(t), legacy_table_literal: lit(legacyIdent(t)), legacy_index: qid(`idx_${t.name}_kind_name`.slice(0, 63)) };
}

export interface LayoutReport {
  layout: Layout;
  legacyTable: string;
  /** the platform tables found */
  tables: string[];
  /** why the layout is unknown, or what a partial one misses */
  problems: string[];
}

const V4_COLUMNS: Record<string, string[]> = {
  id: ['smallint', 'integer', 'bigint'],
  kind: ['text', 'character varying', 'character'],
  name: ['text', 'character varying', 'character'],
  data: ['jsonb'],
  created_at: ['timestamp without time zone'],
  updated_at: ['timestamp without time zone'],
};
const V5_OWN = ['users', 'api_keys', 'settings', 'audit_events', 'legacy_records'];

/**
 * What the database holds, from its tables and columns (never from the tracking table): the v4 single table
 * (named by the config), the guide's services-only layout, v5, v6, a partly migrated one, or something
 * else — with what does not match, for a report that says what was expected and what was found.
 */
export async function inspectLayout(db: SqlSession, opts: { legacyTable?: LegacyTable } = {}): Promise<LayoutReport> {
  const legacy = opts.legacyTable ?? parseLegacyTable(undefined);
  const r = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE (c.table_schema = current_schema() AND c.table_name = ANY($1::text[]))
         OR (c.table_schema = COALESCE($2, current_schema()) AND c.table_name = $3)
      ORDER BY c.table_name, c.ordinal_position`,
    [[...V6_TABLES], legacy.schema ?? null, legacy.name],
  );
  const cols = new Map<string, Map<string, string>>();
  for (const row of r.rows) {
    const key = row.table_name === legacy.name && !(V6_TABLES as readonly string[]).includes(row.table_name) ? '#legacy' : row.table_name;
    if (!cols.has(key)) cols.set(key, new Map());
    cols.get(key)!.set(row.column_name, row.data_type);
  }
  // a legacy table named like a v5 table (services…) is not supported: say so rather than guess
  if ((V6_TABLES as readonly string[]).includes(legacy.name) && !legacy.schema) {
    return { layout: 'unknown', legacyTable: legacy.raw, tables: [...cols.keys()], problems: [`the v4 table cannot be named ${legacy.name}: v5 uses that name`] };
  }
  const problems: string[] = [];
  const has = (t: string) => cols.has(t);
  const tables = [...cols.keys()].map((k) => (k === '#legacy' ? legacy.raw : k));
  const hasLegacy = has('#legacy');
  if (hasLegacy) {
    const c = cols.get('#legacy')!;
    for (const [name, types] of Object.entries(V4_COLUMNS)) {
      const t = c.get(name);
      if (!t) problems.push(`${legacy.raw} has no column ${name} (the v4 layout: ${Object.keys(V4_COLUMNS).join(', ')})`);
      else if (!types.includes(t)) problems.push(`${legacy.raw}.${name} is ${t}, the v4 layout has ${types.join(' or ')}${name === 'data' && t === 'json' ? ` (convert it: ALTER TABLE ${legacy.raw} ALTER COLUMN data TYPE jsonb USING data::jsonb)` : ''}`);
    }
    for (const name of c.keys()) if (!V4_COLUMNS[name]) problems.push(`${legacy.raw} has a column ${name} that the v4 layout does not (its values would have nowhere to go)`);
  }
  const v5own = V5_OWN.filter(has);
  const hasServices = has('services');
  const v6 = ['auth_providers', 'config_documents'].filter(has);
  const out = (layout: Layout) => ({ layout, legacyTable: legacy.raw, tables, problems });
  if (!hasLegacy && !hasServices && v5own.length === 0 && v6.length === 0) return out('none');
  if (hasLegacy && !hasServices && v5own.length === 0 && v6.length === 0) return out(problems.length ? 'unknown' : 'v4');
  if (hasLegacy) {
    if (problems.length) return out('unknown');
    // an interrupted 5.0.0_1: some v5 tables, the v4 table still there
    if (v6.length === 0) return { ...out('partial'), problems: [`both the v4 table ${legacy.raw} and v5 tables (${[...v5own, ...(hasServices ? ['services'] : [])].join(', ')}) exist`] };
    return { ...out('unknown'), problems: [`the v4 table ${legacy.raw} exists beside v6 tables (${v6.join(', ')})`] };
  }
  if (hasServices && v5own.length === 0 && v6.length === 0) {
    const s = cols.get('services')!;
    if (!['smallint', 'integer', 'bigint'].includes(s.get('id') ?? '')) problems.push(`services.id is ${s.get('id') ?? 'missing'}; the guide's layout needs an integer id`);
    if (!['text', 'character varying'].includes(s.get('name') ?? '')) problems.push(`services.name is ${s.get('name') ?? 'missing'}; the guide's layout needs a text name`);
    if (s.get('config') !== 'jsonb') problems.push(`services.config is ${s.get('config') ?? 'missing'}; the guide's layout keeps each service's fields in a jsonb config`);
    return out(problems.length ? 'unknown' : 'guide');
  }
  const missing = [...V5_OWN.filter((t) => !has(t)), ...(hasServices ? [] : ['services'])];
  if (missing.length) return { ...out('unknown'), problems: [`v5 tables missing: ${missing.join(', ')} (found ${tables.join(', ')})`] };
  if (!cols.get('users')!.has('attributes')) {
    return { ...out('unknown'), problems: ['users has no attributes column: these v5 tables were not made by this version of the platform migrations (where each record keeps every v4 field)'] };
  }
  if (v6.length === 2) return out('v6');
  if (v6.length === 0) return out('v5');
  return { ...out('unknown'), problems: [`of the v6 tables only ${v6.join(', ')} exist`] };
}

/** Which layout the database holds (see inspectLayout). */
export async function detectLayout(db: SqlSession, opts: { legacyTable?: LegacyTable } = {}): Promise<Layout> {
  return (await inspectLayout(db, opts)).layout;
}

/** Create the v4 single table (idempotent: the up section of 4.0.0_1__single_table_layout.sql). */
export async function applyV4Layout(db: SqlSession, table: LegacyTable = parseLegacyTable(undefined)): Promise<void> {
  const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
  const v4 = migs.find((m) => m.name === 'single_table_layout');
  if (!v4) throw new Error(`mcp: migrations/postgres has no single_table_layout migration (${POSTGRES_MIGRATIONS_DIR})`);
  for (const step of v4.up) for (const s of step.statements) await db.exec(expandTemplate(s.sql, legacyVars(table)));
}

export interface SeedResult {
  rows: number;
  services: number;
  users: number;
  apiKeys: number;
  settings: number;
  events: number;
}

const SERVICES = [
  { name: 'filesystem_mcp', image: 'mcp/filesystem:4.2', ports: ['3001:3000'], volumes: ['./data/filesystem:/data'], orchestrator: 'docker', instances: 1, transport: 'http' },
  { name: 'git_mcp', image: 'mcp/git:4.2', ports: ['3002:3000'], volumes: ['./data/git:/repos'], orchestrator: 'docker', instances: 1, transport: 'http' },
  { name: 'browser_mcp', image: 'mcp/browser:4.2', ports: ['3003:3000'], volumes: [], orchestrator: 'docker', instances: 2, transport: 'http' },
  { name: 'postgres_mcp', image: 'mcp/postgres:4.2', ports: ['3004:3000'], volumes: [], orchestrator: 'kubernetes', instances: 3, transport: 'stdio' },
  { name: 'api_gateway', image: 'mcp/gateway:4.2', ports: ['8080:8080'], volumes: [], orchestrator: 'docker', instances: 1, transport: 'http', type: 'core' },
  { name: 'redis', image: 'redis:7-alpine', ports: ['6379:6379'], volumes: ['./data/redis:/data'], orchestrator: 'docker', instances: 1, transport: 'http', type: 'infrastructure' },
];
const USERS = [
  { name: 'admin', email: 'admin@example.com', role: 'admin' },
  { name: 'alice', email: 'alice@example.com', role: 'operator' },
  { name: 'bob', email: 'bob@example.com', role: 'user' },
];
const SETTINGS: [string, unknown][] = [
  ['api.base_path', '/api/'],
  ['auth.mode', 'bearer'],
  ['retention.audit_days', 90],
  ['maintenance.window', 'Sun 02:00-04:00 UTC'],
];

/**
 * Fill the v4 layout with an example installation of `rows` rows in all: 6 services, 3 users, 3 API
 * keys, 4 settings, the rest audit events spread over the services (generated server-side, so a
 * million rows take seconds). Creates the v4 table if missing; adds to what is there.
 */
export async function seedV4Example(db: SqlDatabase | SqlSession, opts: { rows: number; table?: LegacyTable }): Promise<SeedResult> {
  const fixed = SERVICES.length + USERS.length + USERS.length + SETTINGS.length;
  if (!Number.isInteger(opts.rows) || opts.rows < fixed) throw new RangeError(`seedV4Example: rows must be an integer ≥ ${fixed}`);
  const table = opts.table ?? parseLegacyTable(undefined);
  await applyV4Layout(db, table);
  const t = legacyIdent(table);
  const ins = `INSERT INTO ${t} (kind, name, data, created_at, updated_at) VALUES ($1, $2, $3::jsonb, now() - interval '400 days', now() - interval '30 days')`;
  for (const s of SERVICES) {
    const data = {
      type: s.type ?? 'mcp',
      image: s.image,
      ports: s.ports,
      volumes: s.volumes,
      environment: { LOG_LEVEL: 'info' },
      orchestrator: s.orchestrator,
      instances: s.instances,
      transport: s.transport,
      health_check: { type: 'http', path: '/health', port: Number(s.ports[0]!.split(':')[1]) },
      status: 'running',
    };
    await db.query(ins, ['service', s.name, JSON.stringify(data)]);
  }
  for (const u of USERS) await db.query(ins, ['user', u.name, JSON.stringify({ email: u.email, role: u.role })]);
  for (const u of USERS) {
    // a hash, never a key: the example holds no usable credential
    await db.query(`INSERT INTO ${t} (kind, name, data) VALUES ('api_key', $1::text, jsonb_build_object('owner', $2::text, 'key_hash', encode(sha256(convert_to($1::text || ':' || $2::text, 'UTF8')), 'hex'), 'scopes', $3::jsonb))`, [
      `${u.name}-cli`,
      u.name,
      JSON.stringify(u.role === 'admin' ? ['admin', 'read', 'write'] : ['read']),
    ]);
  }
  for (const [k, v] of SETTINGS) await db.query(ins, ['setting', k, JSON.stringify({ value: v })]);
  const events = opts.rows - fixed;
  if (events > 0) {
    await db.query(
      `INSERT INTO ${t} (kind, name, data, created_at, updated_at)
       SELECT 'event',
              (ARRAY['service.start','service.stop','service.health','config.update','auth.login'])[1 + g % 5],
              jsonb_build_object(
                'service', (ARRAY[${SERVICES.map((s) => `'${s.name}'`).join(',')}])[1 + g % ${SERVICES.length}],
                'actor', (ARRAY[${USERS.map((u) => `'${u.name}'`).join(',')}])[1 + g % ${USERS.length}],
                'details', jsonb_build_object('seq', g, 'ok', g % 17 <> 0, 'latency_ms', g % 250)),
              now() - make_interval(secs => ($1::bigint - g) * 7),
              now() - make_interval(secs => ($1::bigint - g) * 7)
       FROM generate_series(1, $1::bigint) AS g`,
      [events],
    );
  }
  return { rows: opts.rows, services: SERVICES.length, users: USERS.length, apiKeys: USERS.length, settings: SETTINGS.length, events };
}
