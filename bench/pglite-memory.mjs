// bench/pglite-memory: peak RSS of `mcp backup create` and `mcp backup restore` on the embedded database
// (PGlite, the zero-setup default) against a bare PGlite in a node process doing the same reads or writes, on
// copies of the same data directory, in the same run. PGlite's WebAssembly memory starts at 128 MB and only
// grows; what counts is what mcp adds on top of it. Target (issue 20): each ratio at most 1.1×.
//   create:  mcp backup create --data-only      vs  PGlite.create(copy) + a cursor over every table (rows dropped)
//   restore: mcp backup restore --id X --data-only  vs  PGlite.create(copy) + in one transaction: TRUNCATE every
//            table, COPY FROM each of the archive's chunks (the same rows, the same writes)
// (`db migrate` on PGlite: bench/db.mjs.)
// Usage: npm run build && node bench/pglite-memory.mjs [--rows 200000] [--json]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mcp = join(root, 'dist/bin/mcp.js');
const preload = join(root, 'bench/rss-preload.cjs');
const PGLITE = JSON.stringify(join(root, 'node_modules/@electric-sql/pglite/dist/index.js'));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const ROWS = arg('--rows', 200_000);
const TARGET = 1.1;
const log = (s) => process.stderr.write(s + '\n');
const mb = (b) => +(b / 1024 / 1024).toFixed(1);
const { openSql } = await import(join(root, 'dist/src/db/open.js'));
const { seedV4Example } = await import(join(root, 'dist/src/db/layouts.js'));

/** Run a node process with the RSS preload; its peak RSS in bytes. */
function peak(args, env = {}) {
  const rssFile = join(tmpdir(), `mcp-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const r = spawnSync(process.execPath, ['-r', preload, ...args], { env: { ...process.env, ...env, BENCH_RSS_FILE: rssFile, CI: 'true', NO_COLOR: '1', MCP_DATABASE_URL: '' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}:\n${String(r.stderr).slice(-2000)}`);
  const rss = Number(readFileSync(rssFile, 'utf8'));
  rmSync(rssFile, { force: true });
  return { rss, stdout: r.stdout };
}

const work = mkdtempSync(join(tmpdir(), 'mcp-bench-pglite-mem-'));
try {
  // the example installation (4.2, PGlite) with ROWS more v4 rows
  const seed = join(work, 'seed');
  const init = spawnSync(process.execPath, [mcp, '--home', seed, 'init', '--example'], { encoding: 'utf8', env: { ...process.env, MCP_DATABASE_URL: '' } });
  if (init.status !== 0) throw new Error(`mcp init --example failed: ${init.stderr}`);
  const t0 = Date.now();
  const db = await openSql({ home: seed, env: {} });
  await seedV4Example(db, { rows: ROWS });
  const tables = (await db.query(`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)).rows.map((r) => r.t);
  await db.close();
  log(`seeded ${ROWS} v4 rows into the example's PGlite in ${Date.now() - t0} ms (${tables.length} tables)`);
  const copyHome = (name) => {
    const h = join(work, name);
    cpSync(seed, h, { recursive: true });
    return h;
  };

  // ---- create
  const bareCreate = join(work, 'bare-create.mjs');
  const bcHome = copyHome('bare-create');
  writeFileSync(
    bareCreate,
    `import { PGlite } from ${PGLITE};
const db = await PGlite.create(${JSON.stringify(join(bcHome, 'state/pglite'))});
let rows = 0;
await db.transaction(async (tx) => {
  for (const t of ${JSON.stringify(tables)}) {
    await tx.exec('DECLARE c NO SCROLL CURSOR FOR SELECT * FROM ' + t);
    for (;;) { const r = await tx.query('FETCH FORWARD 1000 FROM c'); rows += r.rows.length; if (r.rows.length < 1000) break; }
    await tx.exec('CLOSE c');
  }
});
await db.close();
console.log(rows);
`,
  );
  const base1 = peak([bareCreate]);
  const oursHome = copyHome('ours');
  const ours1 = peak([mcp, '--home', oursHome, 'backup', 'create', '--data-only', '--name', 'bench', '--quiet']);
  log(`backup create: mcp ${mb(ours1.rss)} MB, bare PGlite reading every table ${mb(base1.rss)} MB (${base1.stdout.trim()} rows)`);

  // ---- restore: the chunks of the archive just made, loaded by each
  const backups = join(oursHome, 'backups');
  const archive = join(backups, readdirSync(backups).find((n) => n.endsWith('.tar.gz')));
  const chunksDir = join(work, 'chunks');
  mkdirSync(chunksDir);
  const x = spawnSync('tar', ['xzf', archive, '-C', chunksDir, 'manifest.json', 'db']);
  if (x.status !== 0) throw new Error(`tar xzf failed: ${x.stderr}`);
  const manifest = JSON.parse(readFileSync(join(chunksDir, 'manifest.json'), 'utf8'));
  const dumped = manifest.database.tables.map((t) => ({ name: t.name, chunks: t.chunks.map((c) => join(chunksDir, c)) }));
  const brHome = copyHome('bare-restore');
  const bareRestore = join(work, 'bare-restore.mjs');
  writeFileSync(
    bareRestore,
    `import { PGlite } from ${PGLITE};
import { readFileSync } from 'node:fs';
const db = await PGlite.create(${JSON.stringify(join(brHome, 'state/pglite'))});
const q = (n) => n.split('.').map((p) => '"' + p.replace(/"/g, '""') + '"').join('.');
await db.transaction(async (tx) => {
  for (const t of ${JSON.stringify(dumped)}) {
    await tx.exec('TRUNCATE ' + q(t.name) + ' CASCADE');
    for (const c of t.chunks) await tx.query("COPY " + q(t.name) + " FROM '/dev/blob'", [], { blob: new Blob([readFileSync(c)]) });
  }
});
await db.close();
`,
  );
  const base2 = peak([bareRestore]);
  const ours2 = peak([mcp, '--home', oursHome, 'backup', 'restore', '--id', 'bench', '--data-only', '--quiet']);
  log(`backup restore: mcp ${mb(ours2.rss)} MB, bare PGlite loading the same chunks ${mb(base2.rss)} MB`);

  const result = {
    rows: ROWS,
    create: { mcpMb: mb(ours1.rss), barePgliteMb: mb(base1.rss), ratio: +(ours1.rss / base1.rss).toFixed(2) },
    restore: { mcpMb: mb(ours2.rss), barePgliteMb: mb(base2.rss), ratio: +(ours2.rss / base2.rss).toFixed(2) },
    targets: `createRatio <= ${TARGET}, restoreRatio <= ${TARGET}`,
  };
  console.log(`PGlite, example + ${ROWS} rows: backup create ${result.create.ratio}× a bare PGlite's peak RSS (${result.create.mcpMb} vs ${result.create.barePgliteMb} MB), restore ${result.restore.ratio}× (${result.restore.mcpMb} vs ${result.restore.barePgliteMb} MB); target ≤ ${TARGET}×`);
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  process.exitCode = result.create.ratio <= TARGET && result.restore.ratio <= TARGET ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
