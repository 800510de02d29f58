#!/usr/bin/env node
// More kill -9 trials than the suite runs: node test/kill-upgrade.mjs [trials=50]   (after npm run build)
// Kills `mcp upgrade --to 6.0` of the example installation at random points, then resumes or rolls back
// (alternating) and checks the home is fully at 6.0 or byte-identical to the start.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, copyHome, MCP, trial, fingerprintHome } from './helpers/kill-trial.mjs';

const trials = Number(process.argv[2] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'mcp-kill-template-'));
const template = join(dir, 'home');
const init = await cli(MCP, ['init', '--example'], template);
if (init.exitCode !== 0) throw new Error(init.stderr);
const start = await fingerprintHome(template);
// one full upgrade, timed: kill points spread over its duration
const probeHome = copyHome(template);
const t0 = Date.now();
const probe = await cli(MCP, ['upgrade', '--to', '6.0'], probeHome.home);
if (probe.exitCode !== 0) throw new Error(`the upgrade cannot run here:\n${probe.stderr}`);
const span = Math.max(3000, 1.2 * (Date.now() - t0));
rmSync(probeHome.dir, { recursive: true, force: true });
const isTarget = async (home) => {
  try {
    return JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8')).version === '6.0';
  } catch {
    return false;
  }
};
let failures = 0;
for (let i = 0; i < trials; i++) {
  const killAfterMs = Math.floor(Math.random() * span);
  const action = i % 2 ? 'rollback' : 'resume';
  try {
    const r = await trial({ template, start, run: ['upgrade', '--to', '6.0'], killAfterMs, action, isTarget, rollbackArgs: ['--to', '4.2'] });
    console.log(`trial ${i + 1}: kill at ${killAfterMs} ms${r.killed ? '' : ' (already finished)'}, ${action} → ${r.outcome}`);
  } catch (e) {
    failures++;
    console.log(`trial ${i + 1}: FAILED: ${e.message}`);
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${trials - failures}/${trials} trials ended fully upgraded or byte-identical to the start`);
process.exitCode = failures ? 1 : 0;
