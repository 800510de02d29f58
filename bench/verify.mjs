// bench/verify: verification by content of 1,000,000 migrated records — `mcp migration verify --version 5.0`
// (every record against the snapshot taken before `mcp db migrate`, plus the config, migrations and services
// checks) — against the cheapest hash of the same records there is: `SELECT md5(string_agg(...))` over the
// same records SELECT, in psql, in the same run. Target: ratio ≤ 1.5×.
// Usage: npm run build && node bench/verify.mjs [--rows N] [--runs K] [--json]
// Needs PostgreSQL at MCP_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and psql.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mcp = join(root, 'dist/bin/mcp.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const ROWS = arg('--rows', 1_000_000);
const RUNS = arg('--runs', 3);
const ADMIN = process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { openSql } = await import(join(root, 'dist/src/db/open.js'));
const { seedV4Example, legacyVars, parseLegacyTable, POSTGRES_MIGRATIONS_DIR } = await import(join(root, 'dist/src/db/layouts.js'));
const { loadSqlMigrations, expandTemplate } = await import(join(root, 'dist/src/db/sqlfile.js'));
const { sqlMigrate } = await import(join(root, 'dist/src/db/sql-engine.js'));

const admin = async (q) => {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
};
const urlOf = (name) => {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
};
function timed(cmd, args, env = {}) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env, CI: 'true', NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const name = `mcp_bench_verify_${Date.now().toString(36)}`;
await admin(`CREATE DATABASE ${name}`);
try {
  const url = urlOf(name);
  const t0 = Date.now();
  const db = await openSql({ home: tmpdir(), env: { MCP_DATABASE_URL: url } });
  await seedV4Example(db, { rows: ROWS });
  const migs = await loadSqlMigrations(POSTGRES_MIGRATIONS_DIR);
  await sqlMigrate(db, migs, { lockTimeoutMs: 10_000, progress: () => undefined, target: '5.0' });
  await db.exec('VACUUM ANALYZE');
  await db.close();
  console.error(`seeded ${ROWS} v4 rows and migrated them to 5.0 (snapshot taken) in ${Date.now() - t0} ms`);

  // a 5.0 home pointing at that database (runtime none: the services check costs nothing)
  const home = mkdtempSync(join(tmpdir(), 'mcp-bench-verify-'));
  const init = timed(process.execPath, [mcp, '--home', home, 'init', '--version', '5.0'], { MCP_DATABASE_URL: url });
  if (init.status !== 0) throw new Error(`mcp init failed: ${init.stderr}`);
  mkdirSync(join(home, 'logs'), { recursive: true });

  const m501 = migs.find((m) => m.name === 'multi_table_layout');
  const records = expandTemplate(m501.variants.v4.records.sql, legacyVars(parseLegacyTable(undefined)));
  const hashSql = `SELECT md5(string_agg(concat_ws('|', r.id, r.kind, r.name, r.data::text, r.created_at::text, r.updated_at::text), ',')) FROM (${records}) r`;
  const sqlFile = join(home, 'hash.sql');
  writeFileSync(sqlFile, hashSql + ';\n');

  const base = [];
  const ours = [];
  for (let i = 0; i < RUNS; i++) {
    const b = timed('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', sqlFile]);
    if (b.status !== 0) throw new Error(`psql failed: ${b.stderr}`);
    base.push(b.ms);
    const o = timed(process.execPath, [mcp, '--home', home, 'migration', 'verify', '--version', '5.0', '--json'], { MCP_DATABASE_URL: url });
    const data = JSON.parse(o.stdout).checks.find((c) => c.name === 'data');
    if (data?.status !== 'passed') throw new Error(`verify's data check did not pass: ${JSON.stringify(data)}\n${o.stderr}`);
    ours.push(o.ms);
  }
  const r = { rows: ROWS, runs: RUNS, verifyMs: Math.round(median(ours)), psqlMd5Ms: Math.round(median(base)), ratio: +(median(ours) / median(base)).toFixed(2), target: 'ratio <= 1.5' };
  console.log(`${r.rows} records: mcp migration verify ${r.verifyMs} ms, psql md5(string_agg) ${r.psqlMd5Ms} ms, ratio ${r.ratio}× (target ≤ 1.5×; median of ${RUNS})`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r));
  process.exitCode = r.ratio > 1.5 ? 1 : 0;
} finally {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
}
