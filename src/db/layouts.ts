// The platform's table layouts, as created by migrations/postgres/ (the files are the source of truth):
//   v4: one table, platform_data(id, kind, name, data jsonb, created_at, updated_at)
//   v5: services, users, api_keys, settings, audit_events, legacy_records (+ the guide's deployment columns)
//   v6: v5 + auth_providers, config_documents, services.replicas/resources/namespace, users.auth_provider
// seedV4Example fills the v4 layout with an example installation (mcp init --example, tests, bench).
import { pkgPath } from '../paths.js';
import { loadSqlMigrations } from './sqlfile.js';
import type { SqlDatabase, SqlSession } from './types.js';

export const POSTGRES_MIGRATIONS_DIR = pkgPath('migrations', 'postgres');

export const V4_TABLES = ['platform_data'] as const;
export const V5_TABLES = ['services', 'users', 'api_keys', 'settings', 'audit_events', 'legacy_records'] as const;
export const V6_TABLES = [...V5_TABLES, 'auth_providers', 'config_documents'] as const;
/** the tracking table (the guide's name) */
export const TRACKING_TABLE = 'migrations';

export type Layout = 'none' | 'v4' | 'v5' | 'v6';

/** Which layout the database holds, from the tables present (not from the tracking table). */
export async function detectLayout(db: SqlSession): Promise<Layout> {
  const r = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const t = new Set(r.rows.map((x) => x.table_name));
  if (t.has('auth_providers') && t.has('services')) return 'v6';
  if (t.has('services') && t.has('users')) return 'v5';
  if (t.has('platform_data')) return 'v4';
  return 'none';
}

/** Create the v4 single table (idempotent: the up section of 4.0.0_1__single_table_layout.sql). */
export async function applyV4Layout(db: SqlSession): Promise<void> {
  const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
  const v4 = migs.find((m) => m.name === 'single_table_layout');
  if (!v4) throw new Error(`mcp: migrations/postgres has no single_table_layout migration (${POSTGRES_MIGRATIONS_DIR})`);
  for (const step of v4.up) for (const s of step.statements) await db.exec(s.sql);
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
export async function seedV4Example(db: SqlDatabase | SqlSession, opts: { rows: number }): Promise<SeedResult> {
  const fixed = SERVICES.length + USERS.length + USERS.length + SETTINGS.length;
  if (!Number.isInteger(opts.rows) || opts.rows < fixed) throw new RangeError(`seedV4Example: rows must be an integer ≥ ${fixed}`);
  await applyV4Layout(db);
  const ins = `INSERT INTO platform_data (kind, name, data, created_at, updated_at) VALUES ($1, $2, $3::jsonb, now() - interval '400 days', now() - interval '30 days')`;
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
    await db.query(`INSERT INTO platform_data (kind, name, data) VALUES ('api_key', $1::text, jsonb_build_object('owner', $2::text, 'key_hash', encode(sha256(convert_to($1::text || ':' || $2::text, 'UTF8')), 'hex'), 'scopes', $3::jsonb))`, [
      `${u.name}-cli`,
      u.name,
      JSON.stringify(u.role === 'admin' ? ['admin', 'read', 'write'] : ['read']),
    ]);
  }
  for (const [k, v] of SETTINGS) await db.query(ins, ['setting', k, JSON.stringify({ value: v })]);
  const events = opts.rows - fixed;
  if (events > 0) {
    await db.query(
      `INSERT INTO platform_data (kind, name, data, created_at, updated_at)
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
