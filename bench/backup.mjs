// bench/backup: `mcp backup create` and `mcp backup restore` of a data directory plus a PostgreSQL
// database, against `tar czf` + `pg_dump` and `tar xzf` + `psql` measured in the same run on the same data.
// Targets: each ratio at most 1.3×, peak RSS of mcp under 200 MB whatever the size.
// Usage: npm run build && node bench/backup.mjs [--data-mb 1024] [--rows 1000000] [--runs 3] [--json]
//   (restore: the median of --runs of each, alternating)
//   (quick run: node bench/backup.mjs --data-mb 64 --rows 100000). Needs PostgreSQL (MCP_TEST_PG_URL),
//   pg_dump, psql, tar and /usr/bin/time on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MCP = join(root, 'dist/bin/mcp.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const dataMb = arg('data-mb', 1024);
const rows = arg('rows', 1_000_000);
const runs = arg('runs', 3);
const PG = process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `mcp_bench_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(PG);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

const work = mkdtempSync(join(tmpdir(), 'mcp-bench-backup-'));
const home = join(work, 'home');
const log = (s) => process.stderr.write(s + '\n');
const psql = (sql, url = PG) => execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { stdio: ['ignore', 'ignore', 'inherit'] });

/** Wall time (s) and peak RSS (MB) of a command, via GNU time. */
function timed(bin, args, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', bin, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const lines = String(r.stderr).trim().split('\n');
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')} exited ${r.status}:\n${lines.slice(-15).join('\n')}`);
  const [s, kb] = lines[lines.length - 1].split(' ').map(Number);
  return { s, rssMb: kb / 1024 };
}
const sh = (script) => timed('sh', ['-c', script]);

function treeHash(dir) {
  const h = createHash('sha256');
  const walk = (d, rel) => {
    for (const n of readdirSync(d).sort()) {
      const a = join(d, n);
      const st = statSync(a);
      if (st.isDirectory()) walk(a, `${rel}/${n}`);
      else h.update(`${rel}/${n}\0`).update(readFileSync(a));
    }
  };
  walk(dir, '');
  return h.digest('hex');
}

try {
  log(`setting up: ${dataMb} MB of data files, ${rows} rows, in ${work}`);
  execFileSync(process.execPath, [MCP, 'init', '--version', '5.0', '--home', home], { stdio: 'ignore' });
  // half incompressible, half log-like text: what services' data directories hold
  const fileMb = 16;
  for (let i = 0; i < Math.ceil(dataMb / fileMb); i++) {
    const dir = join(home, 'data', `service-${i % 8}`);
    mkdirSync(dir, { recursive: true });
    let buf;
    if (i % 2) buf = randomBytes(fileMb * 1024 * 1024);
    else {
      const lines = [];
      let size = 0;
      while (size < fileMb * 1024 * 1024) {
        const l = `${new Date(1_700_000_000_000 + size).toISOString()} level=info req=${randomBytes(8).toString('hex')} path=/api/v1/services/${size % 977} ms=${size % 331}\n`;
        lines.push(l);
        size += l.length;
      }
      buf = Buffer.from(lines.join(''));
    }
    writeFileSync(join(dir, `blob-${i}.dat`), buf);
  }
  psql(`CREATE DATABASE ${dbName}`);
  psql(
    `CREATE TABLE services (id bigserial PRIMARY KEY, name text NOT NULL, config jsonb, created timestamptz DEFAULT now());
     INSERT INTO services (name, config) SELECT 'service-' || g, jsonb_build_object('port', 3000 + g % 1000, 'replicas', g % 5, 'tag', md5(g::text)) FROM generate_series(1, ${rows}) g;
     CREATE INDEX services_name ON services (name); ANALYZE;`,
    dbUrl,
  );
  const dataHash = treeHash(join(home, 'data'));
  // the database by content, not by count: every row's text, in id order
  const rowsHash = () => execFileSync('psql', ['-X', '-tA', dbUrl, '-c', `SELECT count(*) || ' ' || md5(string_agg(s::text, E'\\n' ORDER BY id)) FROM services s`]).toString().trim();
  const dbHash = rowsHash();
  const env = { MCP_HOME: home, MCP_DATABASE_URL: dbUrl, CI: 'true' };

  // create
  log('baseline create: tar czf + pg_dump');
  const base = join(work, 'baseline');
  mkdirSync(base);
  const bCreate = sh(`tar czf ${base}/files.tar.gz -C ${home} config data && pg_dump -f ${base}/db.sql ${dbUrl}`);
  log('mcp backup create');
  const mCreate = timed(process.execPath, [MCP, 'backup', 'create', '--full', '--name', 'bench', '-q'], env);

  // restore: wipe the data directory and the database each time
  const wipe = () => {
    rmSync(join(home, 'data'), { recursive: true, force: true });
    psql(`DROP DATABASE ${dbName} WITH (FORCE)`);
    psql(`CREATE DATABASE ${dbName}`);
  };
  // the median of --runs restores each, alternating (one run of each moves with the machine's load by ±30%)
  const bRestores = [];
  const mRestores = [];
  for (let i = 0; i < runs; i++) {
    wipe();
    log(`baseline restore ${i + 1}/${runs}: tar xzf + psql`);
    bRestores.push(sh(`tar xzf ${base}/files.tar.gz -C ${home} && psql -q -v ON_ERROR_STOP=1 -f ${base}/db.sql ${dbUrl} >/dev/null`));
    wipe();
    rmSync(join(home, 'config'), { recursive: true, force: true });
    log(`mcp backup restore ${i + 1}/${runs}`);
    mRestores.push(timed(process.execPath, [MCP, 'backup', 'restore', '--id', 'bench', '-q'], env));
  }
  const median = (xs) => [...xs].sort((a, b) => a.s - b.s)[Math.floor(xs.length / 2)];
  const bRestore = median(bRestores);
  const mRestore = { s: median(mRestores).s, rssMb: Math.max(...mRestores.map((r) => r.rssMb)) };

  const identical = treeHash(join(home, 'data')) === dataHash && rowsHash() === dbHash;
  const archive = readdirSync(join(home, 'backups')).filter((n) => n.endsWith('.tar.gz')).map((n) => statSync(join(home, 'backups', n)).size).sort((a, b) => b - a)[0];
  const r2 = (x) => Math.round(x * 100) / 100;
  const result = {
    dataMb,
    rows,
    create: { baselineS: bCreate.s, mcpS: mCreate.s, ratio: r2(mCreate.s / bCreate.s), target: 1.3 },
    restore: { baselineS: bRestore.s, mcpS: mRestore.s, ratio: r2(mRestore.s / bRestore.s), target: 1.3, runs },
    peakRssMb: { create: r2(mCreate.rssMb), restore: r2(mRestore.rssMb), target: 200 },
    archiveMb: r2(archive / 1024 / 1024),
    baselineMb: r2((statSync(join(base, 'files.tar.gz')).size + statSync(join(base, 'db.sql')).size) / 1024 / 1024),
    restoredIdentical: identical,
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
  const ok = result.create.ratio <= 1.3 && result.restore.ratio <= 1.3 && Math.max(mCreate.rssMb, mRestore.rssMb) < 200 && identical;
  log(ok ? 'within targets' : 'OUTSIDE TARGETS');
  process.exitCode = ok ? 0 : 1;
} finally {
  try {
    psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  } catch {
    /* best effort */
  }
  rmSync(work, { recursive: true, force: true });
}
