// bench/startup: median wall time of `mcp --version`, `mcp --help` and every `mcp <group> --help` (and
// mcp-migrate's) over `node -e 0`, alternating runs so all see the same machine. Target: each ≤ 1.3× node -e 0
// (issue 20: help is answered from the help the build rendered, without loading the command tree).
// Usage: npm run build && node bench/startup.mjs [runs=20] [--json]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bins = { mcp: join(root, 'dist/bin/mcp.js'), 'mcp-migrate': join(root, 'dist/bin/mcp-migrate.js') };
const runs = Math.max(10, Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 20));
const TARGET = 1.3;

function time(args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// the groups: the top-level commands that have subcommands, read from the build's help cache
const cache = JSON.parse(readFileSync(join(root, 'dist/help-cache.json'), 'utf8'));
const groups = Object.keys(cache.mcp).filter((k) => k && !k.includes(' ') && Object.keys(cache.mcp).some((o) => o.startsWith(k + ' ')));
const cases = {
  'node -e 0': ['-e', '0'],
  'mcp --version': [bins.mcp, '--version'],
  'mcp --help': [bins.mcp, '--help'],
  ...Object.fromEntries(groups.map((g) => [`mcp ${g} --help`, [bins.mcp, g, '--help']])),
  'mcp-migrate --help': [bins['mcp-migrate'], '--help'],
  'mcp-migrate execute --help': [bins['mcp-migrate'], 'execute', '--help'],
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const k of Object.keys(cases)) time(cases[k]); // warm the file cache
for (let i = 0; i < runs; i++) for (const k of Object.keys(cases)) samples[k].push(time(cases[k]));

const base = median(samples['node -e 0']);
const rows = Object.keys(cases).slice(1).map((k) => ({ case: k, ms: +median(samples[k]).toFixed(1), ratio: +(median(samples[k]) / base).toFixed(2) }));
const worst = rows.reduce((a, b) => (b.ratio > a.ratio ? b : a));
console.log(`node -e 0 ${base.toFixed(1)} ms (median of ${runs})`);
for (const r of rows) console.log(`${r.case.padEnd(30)} ${String(r.ms).padStart(6)} ms  ${r.ratio.toFixed(2)}×  ${r.ratio <= TARGET ? 'PASS' : 'FAIL'} (≤ ${TARGET}×)`);
const result = { runs, nodeMs: +base.toFixed(1), target: TARGET, worst: worst.case, worstRatio: worst.ratio, ok: worst.ratio <= TARGET, rows };
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
process.exitCode = result.ok ? 0 : 1;
