// bench/startup: median wall time of `mcp --version` (and `mcp --help`) over `node -e 0`,
// alternating runs so both see the same machine. Target: --version at most 1.5× node -e 0.
// Usage: npm run build && node bench/startup.mjs [runs=30]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mcp = join(root, 'dist/bin/mcp.js');
const runs = Math.max(20, Number(process.argv[2] ?? 30));

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

const cases = { baseline: ['-e', '0'], version: [mcp, '--version'], help: [mcp, '--help'] };
const samples = { baseline: [], version: [], help: [] };
for (const k of Object.keys(cases)) time(cases[k]); // warm the file cache
for (let i = 0; i < runs; i++) for (const k of Object.keys(cases)) samples[k].push(time(cases[k]));

const base = median(samples.baseline);
const result = {
  runs,
  nodeMs: +base.toFixed(1),
  versionMs: +median(samples.version).toFixed(1),
  helpMs: +median(samples.help).toFixed(1),
  versionRatio: +(median(samples.version) / base).toFixed(2),
  helpRatio: +(median(samples.help) / base).toFixed(2),
  target: 'versionRatio <= 1.5',
};
console.log(`node -e 0       ${result.nodeMs} ms (median of ${runs})`);
console.log(`mcp --version   ${result.versionMs} ms  ratio ${result.versionRatio}× (target ≤ 1.5×)`);
console.log(`mcp --help      ${result.helpMs} ms  ratio ${result.helpRatio}×`);
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
process.exitCode = result.versionRatio <= 1.5 ? 0 : 1;
