#!/usr/bin/env node
// More kill -9 trials of a restore than the suite runs: node test/kill-restore.mjs [trials=100]   (after npm run build)
// Kills `mcp backup restore` of a 4.2 backup into a 6.0 home at random points; the next command settles it;
// the home must then be wholly 4.2 or wholly 6.0 with nothing of the restore left behind.
import { rmSync } from 'node:fs';
import { restoreTemplate, restoreTrial } from './helpers/kill-restore.mjs';

const trials = Number(process.argv[2] ?? 100);
const template = await restoreTemplate();
console.log(`a complete restore takes about ${Math.round(template.span / 1.3)} ms; killing at random points within ${template.span} ms`);
let failures = 0;
const outcomes = {};
for (let i = 0; i < trials; i++) {
  const killAfterMs = Math.floor(Math.random() * template.span);
  try {
    const r = await restoreTrial({ template, killAfterMs });
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    console.log(`trial ${i + 1}: kill at ${killAfterMs} ms${r.killed ? '' : ' (already finished)'} → ${r.outcome}${r.said ? `; ${r.said}` : ''}`);
  } catch (e) {
    failures++;
    console.log(`trial ${i + 1}: FAILED: ${e.message}`);
  }
}
rmSync(template.dir, { recursive: true, force: true });
console.log(`${trials - failures}/${trials} trials ended wholly 4.2 or wholly 6.0 (${Object.entries(outcomes).map(([k, v]) => `${v} ${k}`).join(', ')})`);
process.exitCode = failures ? 1 : 0;
