#!/usr/bin/env node
// bench/all: every benchmark under bench/, one after another, as child processes (`node bench/X.mjs … --json`),
// and ONE table of what they measured: benchmark, measure, value, target, PASS/FAIL (and a note). Each measure
// is the bench's own: a ratio against the baseline it measures in the same run, or the absolute target it
// states where it has no ratio; the targets are read from each bench's JSON, not repeated here. A measure
// a bench reports without a target is an INFO row (it does not decide the exit code). A bench that cannot run
// on this machine (PostgreSQL down, a tool missing, a crash, a time-out) is a FAIL row with the reason.
// Quick sizes by default (the whole run in a few minutes); --full runs every bench at the sizes it defaults to.
// Usage: npm run build && node bench/all.mjs [--full] [--json] [--only a,b] [--skip a,b] [--timeout S] [--verbose]
//   --json     print the rows as JSON (stdout) instead of the table
//   --verbose  pass each bench's own output through to stderr while it runs
// Exit code: 1 if any row is FAIL, 0 otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i === -1 ? undefined : argv[i + 1];
};
const FULL = flag('--full');
const JSON_OUT = flag('--json');
const VERBOSE = flag('--verbose');
const TIMEOUT_S = Number(opt('--timeout') ?? (FULL ? 3600 : 300));
const list = (s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
const ONLY = list(opt('--only'));
const SKIP = list(opt('--skip')) ?? [];
const PG_URL = process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (s) => process.stderr.write(s + '\n');

// ---- targets, as the benches state them in their JSON: "ratio <= 1.5, peakRssMb < 200" ----
function parseTargets(text) {
  const out = {};
  for (const m of String(text).matchAll(/([A-Za-z_]\w*)\s*(?:\([^)]*\))?\s*(<=|<|>=|>)\s*(-?[\d.]+)/g)) out[m[1]] = { op: m[2], value: Number(m[3]) };
  return out;
}
function targetOf(text, key) {
  const t = parseTargets(text)[key];
  if (!t) throw new Error(`the bench's JSON states no target for ${key} (targets: ${JSON.stringify(text)})`);
  return t;
}
const meets = (v, { op, value }) => (op === '<=' ? v <= value : op === '<' ? v < value : op === '>=' ? v >= value : v > value);
const OPS = { '<=': '≤', '<': '<', '>=': '≥', '>': '>' };

/** A row judged against a target ({op, value}); unit is how the value and the target are shown. */
const row = (measure, value, unit, target, note = '') => ({
  measure,
  value,
  unit,
  target: target ? `${OPS[target.op]} ${target.value}${unit === '×' ? '×' : unit ? ` ${unit}` : ''}` : '—',
  status: target ? (typeof value === 'number' && Number.isFinite(value) && meets(value, target) ? 'PASS' : 'FAIL') : 'INFO',
  note,
});
const fail = (measure, note) => ({ measure, value: null, unit: '', target: '—', status: 'FAIL', note });

// ---- the benches: how to run them quick and full, what they need, how their JSON maps into rows ----
const BENCHES = [
  {
    name: 'backup',
    needs: { pg: true, tools: ['psql', 'pg_dump', 'tar', '/usr/bin/time'] },
    quick: ['--data-mb', '64', '--rows', '100000'], // the quick run the bench's header gives
    full: [],
    rows: (j) => {
      const ratioT = { op: '<=', value: j.create.target }; // "each ratio at most 1.3×"
      const rssT = { op: '<', value: j.peakRssMb.target }; // "peak RSS of mcp under 200 MB"
      const size = `${j.dataMb} MB + ${j.rows} rows`;
      return [
        row('mcp backup create / tar czf + pg_dump', j.create.ratio, '×', ratioT, `${j.create.mcpS} s vs ${j.create.baselineS} s; ${size}`),
        row('mcp backup restore / tar xzf + psql', j.restore.ratio, '×', { op: '<=', value: j.restore.target }, `${j.restore.mcpS} s vs ${j.restore.baselineS} s`),
        row('peak RSS of mcp (create, restore)', Math.max(j.peakRssMb.create, j.peakRssMb.restore), 'MB', rssT, `create ${j.peakRssMb.create} MB, restore ${j.peakRssMb.restore} MB`),
        { measure: 'restored data and rows identical', value: j.restoredIdentical, unit: '', target: 'true', status: j.restoredIdentical === true ? 'PASS' : 'FAIL', note: `archive ${j.archiveMb} MB vs baseline ${j.baselineMb} MB` },
      ];
    },
  },
  {
    name: 'config',
    needs: {},
    quick: ['2000'],
    full: [],
    rows: (j) => [
      row(
        `parse + migrate 4.2 → 6.0 + write / parse + write, ${j.services} services (CPU)`,
        j.ratioCpu,
        '×',
        targetOf(j.target, 'ratioCpu'),
        `${j.migrateCpuMs} ms vs ${j.baselineCpuMs} ms cpu; ${j.ratioWall}× wall; load ${j.loadAverage}`,
      ),
      row(`the transform on 10× the services / on ${j.services}`, j.linearity, '×', targetOf(j.target, 'linearity'), `${j.transformCpuMs10x} ms vs ${j.transformCpuMs} ms cpu (linear: ≤ 11×)`),
    ],
  },
  {
    name: 'dashboard',
    needs: {},
    quick: ['100'],
    full: [],
    rows: (j) => [
      row('GET /migration/status p95 / bare node:http p95', j.statusP95Ratio, '×', targetOf(j.targets, 'statusP95Ratio'), `${j.statusP95Ms} ms vs ${j.bareP95Ms} ms; ${j.requests} requests, ${j.bodyKiB} KiB`),
      row('journal record → event on the stream, p95', j.streamP95Ms, 'ms', targetOf(j.targets, 'streamP95Ms'), `p50 ${j.streamP50Ms} ms; ${j.records} records`),
      row(`RSS with ${j.openStreams} open streams (server + client)`, j.rssMb, 'MB', null, 'no target stated'),
    ],
  },
  {
    name: 'data-migrate',
    needs: { tools: ['rsync', 'bash', 'diff', 'find'] },
    quick: ['500', '3'],
    full: [],
    rows: (j) => [row('mcp data migrate / rsync + chmod + diff (the guide)', j.ratio, '×', null, `${j.mcpMs} ms vs ${j.guideMs} ms; ${j.files} files, ${j.megabytes} MB, median of ${j.runs}; the bench states no target`)],
  },
  {
    name: 'db',
    needs: { pg: true, tools: ['psql'] },
    quick: ['--pg-rows', '100000', '--pglite-rows', '20000'],
    full: [],
    rows: (j) => {
      const out = [];
      const p = j.postgres;
      if (!p) out.push(fail('PostgreSQL: mcp db migrate / psql INSERT…SELECT', 'the bench reported no PostgreSQL result'));
      else {
        out.push(row('PostgreSQL: mcp db migrate / psql INSERT…SELECT', p.ratio, '×', targetOf(p.targets, 'ratio'), `${p.oursMs} ms vs ${p.psqlMs} ms; ${p.rows} rows`));
        out.push(row('PostgreSQL: peak RSS of mcp db migrate', p.peakRssMb, 'MB', targetOf(p.targets, 'peakRssMb')));
      }
      const l = j.pglite;
      if (!l) out.push(fail('PGlite: mcp db migrate / hand-written INSERT…SELECT', 'the bench reported no PGlite result'));
      else {
        out.push(row('PGlite: mcp db migrate / hand-written INSERT…SELECT', l.ratio, '×', targetOf(l.targets, 'ratio'), `${l.oursMs} ms vs ${l.baselineMs} ms; ${l.rows} rows`));
        out.push(row('PGlite: peak RSS of mcp db migrate / the baseline process', l.rssRatio, '×', targetOf(l.targets, 'rssRatio'), `${l.peakRssMb} MB vs ${l.baselinePeakRssMb} MB`));
      }
      return out;
    },
  },
  {
    name: 'pglite-memory',
    needs: {},
    quick: ['--rows', '100000'],
    full: [],
    rows: (j) => [
      row('PGlite: peak RSS of mcp backup create / a bare PGlite reading every table', j.create.ratio, '×', targetOf(j.targets, 'createRatio'), `${j.create.mcpMb} MB vs ${j.create.barePgliteMb} MB; example + ${j.rows} rows`),
      row('PGlite: peak RSS of mcp backup restore / a bare PGlite loading the same chunks', j.restore.ratio, '×', targetOf(j.targets, 'restoreRatio'), `${j.restore.mcpMb} MB vs ${j.restore.barePgliteMb} MB`),
    ],
  },
  {
    name: 'executor',
    needs: {},
    quick: [],
    full: [],
    rows: (j) => [
      row(`${j.noopSteps} no-op steps in 3 phases: executor overhead`, j.overheadMs, 'ms', targetOf(j.targets, 'overheadMs'), `${j.msPerStep} ms/step`),
      row(`parallel phase of ${j.parallelSteps} × 1 s steps: wall / 1 s`, j.parallelRatio, '×', targetOf(j.targets, 'parallelRatio'), `wall ${j.parallelWallMs} ms`),
    ],
  },
  {
    name: 'plan',
    needs: {},
    quick: ['--runs', '1'],
    full: [],
    rows: (j) => [
      row('plan 10,000 phases / 1,000 phases (start-up subtracted)', j.growth, '×', targetOf(j.target, 'growth'), `node -e 0 ${j.nodeMs} ms, 1k ${j.phases1kMs} ms, 10k ${j.phases10kMs} ms`),
    ],
  },
  {
    name: 'startup',
    needs: {},
    quick: ['10'],
    full: [],
    rows: (j) => j.rows.map((r) => row(`${r.case} / node -e 0`, r.ratio, '×', { op: '<=', value: j.target }, `${r.ms} ms vs ${j.nodeMs} ms, median of ${j.runs}`)),
  },
  {
    name: 'verify',
    needs: { pg: true, tools: ['psql'] },
    quick: ['--rows', '100000', '--runs', '1'],
    full: [],
    rows: (j) => [row('mcp migration verify / psql md5(string_agg)', j.ratio, '×', targetOf(j.target, 'ratio'), `${j.verifyMs} ms vs ${j.psqlMd5Ms} ms; ${j.rows} records, median of ${j.runs}`)],
  },
];

// ---- what this machine has ----
const redact = (url) => {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
};
let pgState; // undefined until checked, then null (up) or the reason it is not
async function pgDown() {
  if (pgState !== undefined) return pgState;
  try {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
      await c.query('SELECT 1');
    } finally {
      await c.end();
    }
    pgState = null;
  } catch (e) {
    pgState = `PostgreSQL at ${redact(PG_URL)} unreachable: ${(e?.message || String(e) || e?.code || 'error').split('\n')[0]}`;
  }
  return pgState;
}
const hasTool = (t) => (t.startsWith('/') ? existsSync(t) : spawnSync('sh', ['-c', `command -v '${t}'`], { stdio: 'ignore' }).status === 0);
async function cannotRun(b) {
  if (!existsSync(join(root, 'dist/bin/mcp.js'))) return 'no build: dist/bin/mcp.js is missing (npm run build)';
  const missing = (b.needs.tools ?? []).filter((t) => !hasTool(t));
  if (missing.length) return `not on PATH: ${missing.join(', ')}`;
  if (b.needs.pg) return pgDown();
  return null;
}

// ---- running one bench ----
let current; // the running child, so Ctrl-C takes its process group down too
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}
process.on('SIGINT', () => {
  if (current) killGroup(current, 'SIGTERM');
  process.exit(130);
});

function runBench(file, args) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    // its own process group: a time-out ends its children (psql, tar, mcp) as well
    const child = spawn(process.execPath, [file, ...args], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    current = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (VERBOSE) process.stderr.write(d);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (VERBOSE) process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, TIMEOUT_S * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      current = undefined;
      resolve({ code: null, signal: null, stdout, stderr: stderr + String(e), timedOut, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      resolve({ code, signal, stdout, stderr, timedOut, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
    });
  });
}
/** The last line of stdout that parses as a JSON object. */
function lastJson(stdout) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i].startsWith('{')) continue;
    try {
      const v = JSON.parse(lines[i]);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}
/** One line saying why a bench produced no result: its error message if it threw one. */
function reasonOf(r) {
  if (r.timedOut) return `timed out after ${TIMEOUT_S} s (--timeout)`;
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const err = lines.find((l) => /^(\w+)?(Error|Exception)\b(\s*\[[\w-]+\])?:/.test(l) || /^error:/i.test(l));
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  const what = err ?? lines.filter((l) => !l.startsWith('at ')).at(-1) ?? 'no output';
  return `${how}, no JSON result: ${what.length > 200 ? what.slice(0, 197) + '…' : what}`;
}

// ---- the run ----
const chosen = BENCHES.filter((b) => (!ONLY || ONLY.includes(b.name)) && !SKIP.includes(b.name));
const unknown = [...(ONLY ?? []), ...SKIP].filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length) {
  log(`bench/all: no such bench: ${unknown.join(', ')} (have: ${BENCHES.map((b) => b.name).join(', ')})`);
  process.exit(2);
}
const started = Date.now();
const rows = [];
const timings = [];
log(`bench/all: ${chosen.length} benches, ${FULL ? 'full sizes (each bench\'s defaults)' : 'quick sizes (--full for each bench\'s defaults)'}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
for (const [i, b] of chosen.entries()) {
  const file = join(here, `${b.name}.mjs`);
  const args = [...(FULL ? b.full : b.quick), '--json'];
  const cmd = `node bench/${b.name}.mjs ${args.join(' ')}`;
  const add = (rs, seconds) => {
    for (const r of rs) rows.push({ bench: b.name, ...r });
    timings.push({ bench: b.name, seconds: +seconds.toFixed(1) });
  };
  if (!existsSync(file)) {
    add([fail('(bench did not run)', `bench/${b.name}.mjs does not exist`)], 0);
    continue;
  }
  const why = await cannotRun(b);
  if (why) {
    log(`[${i + 1}/${chosen.length}] ${b.name}: cannot run: ${why}`);
    add([fail('(bench did not run)', why)], 0);
    continue;
  }
  log(`[${i + 1}/${chosen.length}] ${cmd}`);
  const r = await runBench(file, args);
  const json = r.timedOut ? undefined : lastJson(r.stdout);
  let rs;
  if (!json) rs = [fail('(no result)', reasonOf(r))];
  else {
    try {
      rs = b.rows(json);
      if (!rs.length) rs = [fail('(no result)', 'the bench\'s JSON held no measures')];
    } catch (e) {
      rs = [fail('(unreadable result)', `${e.message}: ${JSON.stringify(json).slice(0, 120)}`)];
    }
  }
  const bad = rs.filter((x) => x.status === 'FAIL').length;
  log(`    ${r.seconds.toFixed(1)} s, exit ${r.code ?? r.signal}${bad ? `, ${bad} FAIL` : ''}`);
  add(rs, r.seconds);
}
const totalS = (Date.now() - started) / 1000;
const failed = rows.filter((r) => r.status === 'FAIL');

const fmt = (r) => {
  if (r.value === null || r.value === undefined) return '—';
  if (typeof r.value !== 'number') return String(r.value);
  const n = Number.isInteger(r.value) ? String(r.value) : r.unit === '×' ? r.value.toFixed(2) : String(+r.value.toFixed(1));
  return r.unit === '×' ? `${n}×` : r.unit ? `${n} ${r.unit}` : n;
};
if (JSON_OUT) {
  console.log(JSON.stringify({ mode: FULL ? 'full' : 'quick', seconds: +totalS.toFixed(1), load: +loadavg()[0].toFixed(1), cpus: cpus().length, ok: failed.length === 0, timings, rows }, null, 2));
} else {
  const head = ['benchmark', 'measure', 'value', 'target', 'result', 'note'];
  const cells = rows.map((r) => [r.bench, r.measure, fmt(r), r.target, r.status, r.note ?? '']);
  const w = head.map((h, c) => Math.max(h.length, ...cells.map((x) => x[c].length)));
  w[5] = 0; // the note column is last: no padding
  const line = (x) => x.map((s, c) => (c === 2 ? s.padStart(w[c]) : s.padEnd(w[c]))).join('  ').trimEnd();
  console.log(line(head));
  console.log(line(w.map((n, c) => '-'.repeat(c === 5 ? 4 : n))));
  for (const x of cells) console.log(line(x));
  console.log('');
  console.log(`${rows.length} row${rows.length === 1 ? "" : "s"}: ${rows.filter((r) => r.status === 'PASS').length} PASS, ${failed.length} FAIL, ${rows.filter((r) => r.status === 'INFO').length} INFO (no target stated); ${FULL ? 'full' : 'quick'} sizes; ${totalS.toFixed(0)} s in all (${timings.map((t) => `${t.bench} ${t.seconds.toFixed(0)} s`).join(', ')}); load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs`);
}
process.exitCode = failed.length ? 1 : 0;
