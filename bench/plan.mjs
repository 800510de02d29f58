// bench/plan: `mcp-migrate plan --plan FILE` of a migration-plan.yaml with 1,000 and with 10,000 phases, against
// `node -e 0` in the same run. Planning must be linear: the 10,000-phase plan within 11× the 1,000-phase one
// (start-up subtracted), and within a few seconds (it took over 30 s when each phase re-scanned the file).
// Usage: npm run build && node bench/plan.mjs [--runs N] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'dist/bin/mcp-migrate.js');
const runs = process.argv.includes('--runs') ? Number(process.argv[process.argv.indexOf('--runs') + 1]) : 3;
const dir = mkdtempSync(join(tmpdir(), 'mcp-bench-plan-'));
const home = join(dir, 'home');
const init = spawnSync(process.execPath, [join(root, 'dist/bin/mcp.js'), '--home', home, 'init', '--example'], { encoding: 'utf8' });
if (init.status !== 0) throw new Error(init.stderr);

function planFile(n) {
  let s = 'version: 6.0\nmigration:\n  strategy: rolling\n  phases:\n';
  for (let i = 0; i < n; i++) s += `    - name: phase-${i}\n      services:\n        - redis\n      timeout: 5m\n`;
  const f = join(dir, `plan-${n}.yaml`);
  writeFileSync(f, s);
  return f;
}
const time = (args) => {
  const best = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1' }, maxBuffer: 256 << 20 });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}\n${r.stderr.slice(0, 2000)}`);
    best.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return Math.min(...best);
};
const node = time(['-e', '0']);
const small = time([bin, '--home', home, 'plan', '--plan', planFile(1000), '--json']);
const large = time([bin, '--home', home, 'plan', '--plan', planFile(10000), '--json']);
const r = {
  nodeMs: Math.round(node),
  phases1kMs: Math.round(small),
  phases10kMs: Math.round(large),
  growth: +((large - node) / (small - node)).toFixed(2),
  target: 'growth (10k over 1k, start-up subtracted) <= 11',
};
console.log(`node -e 0 ${r.nodeMs} ms; mcp-migrate plan: 1,000 phases ${r.phases1kMs} ms, 10,000 phases ${r.phases10kMs} ms; growth ${r.growth}× for 10× the phases (target ≤ 11×)`);
if (process.argv.includes('--json')) console.log(JSON.stringify(r));
process.exitCode = r.growth > 11 ? 1 : 0;
