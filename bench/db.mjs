// bench/db: migrate the v4 single table to the v5 layout with `mcp db migrate --version 5.0` and compare its wall
// time with one hand-written INSERT … SELECT per v5 table of the same rows (same DDL, same indexes, one
// transaction) run through psql, on copies of the same database in the same run. Also our peak RSS.
//   PostgreSQL: 1,000,000 rows (targets: ratio ≤ 1.5×, peak RSS < 200 MB)
//   PGlite:       100,000 rows (the baseline runs the same SQL through PGlite in a node process; both include opening;
//                 targets: ratio ≤ 1.2×, peak RSS ≤ 1.1× the baseline process's)
// Usage: npm run build && node bench/db.mjs [--pg-rows N] [--pglite-rows N] [--skip-pglite] [--skip-pg] [--json]
// Needs PostgreSQL at MCP_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and psql.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mcp = join(root, 'dist/bin/mcp.js');
const preload = join(root, 'bench/rss-preload.cjs');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const PG_ROWS = arg('--pg-rows', 1_000_000);
const PGLITE_ROWS = arg('--pglite-rows', 100_000);
const ADMIN = process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const { openSql } = await import(join(root, 'dist/src/db/open.js'));
const { seedV4Example } = await import(join(root, 'dist/src/db/layouts.js'));

// The hand-written migration: the same DDL and the same lossless copy as 5.0.0_1 (read from the file, so
// both do the same work), in one INSERT … SELECT per table without batches, checks or the content snapshot;
// then 5.0.0_2 by hand. One transaction.
function section(file, marker) {
  const lines = file.split('\n');
  const start = lines.findIndex((l) => l.trim() === marker);
  if (start === -1) throw new Error(`no '${marker}' section in 5.0.0_1`);
  const end = lines.findIndex((l, i) => i > start && /^--\s*migrate:/.test(l.trim()));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}
function baselineSql() {
  const file = readFileSync(join(root, 'migrations/postgres/5.0.0_1__multi_table_layout.sql'), 'utf8').replaceAll('{{legacy_table}}', 'platform_data');
  const copy = section(file, '-- migrate:up batch size:10000 from:v4')
    .replace("WHERE r.id > COALESCE($1::bigint, '-9223372036854775808'::bigint)", '')
    .replace('LIMIT $2', '');
  return `BEGIN;
${section(file, '-- migrate:up')}
${section(file, '-- migrate:up from:v4')}
${copy}
DROP TABLE platform_data;
ALTER TABLE services ADD COLUMN IF NOT EXISTS deployment_type VARCHAR(20) DEFAULT 'docker', ADD COLUMN IF NOT EXISTS health_check_config JSONB DEFAULT '{}';
UPDATE services SET deployment_type = CASE WHEN config->>'orchestrator' = 'kubernetes' THEN 'kubernetes' ELSE 'docker' END, health_check_config = COALESCE(config->'health_check', '{}');
COMMIT;
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_services_deployment_type ON services(deployment_type);
`;
}

function timed(cmd, args, env = {}) {
  const rssFile = join(tmpdir(), `mcp-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, CI: 'true', NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${String(r.stderr).slice(-2000)}`);
  let rss;
  try {
    rss = Number(readFileSync(rssFile, 'utf8'));
    rmSync(rssFile);
  } catch {
    /* not a node process */
  }
  return { ms, rss };
}

async function admin(q) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}
const urlOf = (name) => {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
};
const mb = (b) => +(b / 1024 / 1024).toFixed(1);

const results = {};

if (!process.argv.includes('--skip-pg')) {
  const tag = `mcp_bench_${Date.now().toString(36)}`;
  const [seedDb, oursDb, baseDb] = [`${tag}_seed`, `${tag}_ours`, `${tag}_base`];
  try {
    await admin(`CREATE DATABASE ${seedDb}`);
    const t0 = Date.now();
    const db = await openSql({ home: tmpdir(), env: { MCP_DATABASE_URL: urlOf(seedDb) } });
    await seedV4Example(db, { rows: PG_ROWS });
    await db.exec('VACUUM ANALYZE platform_data');
    await db.close();
    console.error(`seeded ${PG_ROWS} v4 rows in ${Date.now() - t0} ms`);
    await admin(`CREATE DATABASE ${oursDb} TEMPLATE ${seedDb}`);
    await admin(`CREATE DATABASE ${baseDb} TEMPLATE ${seedDb}`);
    const sqlFile = join(mkdtempSync(join(tmpdir(), 'mcp-bench-')), 'baseline.sql');
    writeFileSync(sqlFile, baselineSql());
    // baseline first, then ours: the same machine state for both (each on its own copy)
    const base = timed('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(baseDb), '-f', sqlFile]);
    const ours = timed(process.execPath, ['-r', preload, mcp, 'db', 'migrate', '--version', '5.0', '--quiet'], { MCP_DATABASE_URL: urlOf(oursDb), MCP_HOME: mkdtempSync(join(tmpdir(), 'mcp-bench-home-')) });
    // same result
    const check = async (name) => {
      const c = new pg.Client({ connectionString: urlOf(name) });
      await c.connect();
      const r = await c.query(`SELECT (SELECT count(*) FROM audit_events)::int AS e, (SELECT count(*) FROM services)::int AS s, (SELECT md5(string_agg(id || action || details::text, ',' ORDER BY id)) FROM audit_events WHERE id % 1000 = 0) AS h`);
      await c.end();
      return r.rows[0];
    };
    const [a, b] = [await check(oursDb), await check(baseDb)];
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`results differ: ours ${JSON.stringify(a)} baseline ${JSON.stringify(b)}`);
    results.postgres = { rows: PG_ROWS, oursMs: Math.round(ours.ms), psqlMs: Math.round(base.ms), ratio: +(ours.ms / base.ms).toFixed(2), peakRssMb: mb(ours.rss), targets: 'ratio <= 1.5, peakRssMb < 200' };
    const r = results.postgres;
    console.log(`PostgreSQL ${r.rows} rows: mcp db migrate ${r.oursMs} ms, psql INSERT…SELECT ${r.psqlMs} ms, ratio ${r.ratio}× (target ≤ 1.5×), peak RSS ${r.peakRssMb} MB (target < 200)`);
  } finally {
    for (const d of [oursDb, baseDb, seedDb]) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`).catch(() => undefined);
  }
}

if (!process.argv.includes('--skip-pglite')) {
  const seedHome = mkdtempSync(join(tmpdir(), 'mcp-bench-pglite-'));
  try {
    const t0 = Date.now();
    const db = await openSql({ home: seedHome, env: {} });
    await seedV4Example(db, { rows: PGLITE_ROWS });
    await db.close();
    console.error(`seeded ${PGLITE_ROWS} v4 rows in PGlite in ${Date.now() - t0} ms`);
    const oursHome = mkdtempSync(join(tmpdir(), 'mcp-bench-pglite-ours-'));
    const baseHome = mkdtempSync(join(tmpdir(), 'mcp-bench-pglite-base-'));
    cpSync(join(seedHome, 'state'), join(oursHome, 'state'), { recursive: true });
    cpSync(join(seedHome, 'state'), join(baseHome, 'state'), { recursive: true });
    const script = join(baseHome, 'baseline.mjs');
    writeFileSync(
      script,
      `import { PGlite } from ${JSON.stringify(join(root, 'node_modules/@electric-sql/pglite/dist/index.js'))};\n` +
        `const db = await PGlite.create(${JSON.stringify(join(baseHome, 'state/pglite'))});\n` +
        // PGlite runs a multi-statement exec as one implicit transaction: CONCURRENTLY goes on its own
        baselineSql()
          .split(/(?<=COMMIT;\n)/)
          .map((part) => `await db.exec(${JSON.stringify(part)});\n`)
          .join('') +
        'await db.close();\n',
    );
    const base = timed(process.execPath, ['-r', preload, script]);
    const ours = timed(process.execPath, ['-r', preload, mcp, 'db', 'migrate', '--version', '5.0', '--quiet'], { MCP_HOME: oursHome, MCP_DATABASE_URL: '' });
    results.pglite = {
      rows: PGLITE_ROWS,
      oursMs: Math.round(ours.ms),
      baselineMs: Math.round(base.ms),
      ratio: +(ours.ms / base.ms).toFixed(2),
      peakRssMb: mb(ours.rss),
      baselinePeakRssMb: mb(base.rss),
      rssRatio: +(ours.rss / base.rss).toFixed(2),
      // issue 20's targets for the embedded database
      targets: 'ratio <= 1.2, rssRatio <= 1.1',
    };
    rmSync(oursHome, { recursive: true, force: true });
    rmSync(baseHome, { recursive: true, force: true });
  } finally {
    rmSync(seedHome, { recursive: true, force: true });
  }
}

if (results.pglite) {
  const r = results.pglite;
  console.log(`PGlite ${r.rows} rows: mcp db migrate ${r.oursMs} ms, hand-written INSERT…SELECT ${r.baselineMs} ms, ratio ${r.ratio}× (target ≤ 1.2×), peak RSS ${r.peakRssMb} MB (baseline process ${r.baselinePeakRssMb} MB: ${r.rssRatio}×, target ≤ 1.1×)`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
process.exitCode = results.postgres && (results.postgres.ratio > 1.5 || results.postgres.peakRssMb >= 200) ? 1 : 0;
