#!/usr/bin/env node
// Executor overhead: (1) a 300-step, 3-phase plan of no-op steps — the whole run is overhead (journal
// writes with fsync, replay, lock, events); target < 1 s. (2) one parallel phase of 20 steps that each
// wait 1 s — wall time over the 1 s one step takes alone; target ≤ 1.1.
// Run after `npm run build`: node bench/executor.mjs [--json]
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(join(import.meta.dirname, '..', 'dist', 'src', p)).href);
const { executePlan } = await dist('run/executor.js');
const { makePlan, PLAN_API_VERSION } = await dist('run/plan.js');
const { defaultRegistry } = await dist('run/steps/index.js');

const registry = defaultRegistry();
const home = () => {
  const h = mkdtempSync(join(tmpdir(), 'mcp-bench-exec-'));
  mkdirSync(join(h, 'state'), { recursive: true });
  return h;
};

// (1) 300 no-op steps in 3 phases
const phases = [0, 1, 2].map((p) => ({ name: `phase-${p}`, steps: Array.from({ length: 100 }, (_, i) => ({ id: `p${p}-s${i}`, kind: 'noop', title: `no-op ${p}.${i}`, params: {} })) }));
const h1 = home();
const t0 = performance.now();
const r1 = await executePlan(makePlan({ apiVersion: PLAN_API_VERSION, name: 'bench-noop', kind: 'custom', phases }), { home: h1, env: process.env, registry });
const overhead = performance.now() - t0;
if (r1.status !== 'completed') throw new Error(`no-op run ended ${r1.status}`);
rmSync(h1, { recursive: true, force: true });
console.log(`300 no-op steps in 3 phases: executor overhead ${(overhead / 1000).toFixed(3)} s (${(overhead / 300).toFixed(2)} ms/step; target < 1 s) ${overhead < 1000 ? 'OK' : 'OVER'}`);

// (2) 20 one-second steps in one parallel phase
const h2 = home();
const steps = Array.from({ length: 20 }, (_, i) => ({ id: `w${i}`, kind: 'wait', title: `wait ${i}`, params: { ms: 1000 } }));
const t1 = performance.now();
const r2 = await executePlan(makePlan({ apiVersion: PLAN_API_VERSION, name: 'bench-parallel', kind: 'custom', phases: [{ name: 'parallel', parallel: true, maxParallel: 20, steps }] }), { home: h2, env: process.env, registry });
const wall = performance.now() - t1;
if (r2.status !== 'completed') throw new Error(`parallel run ended ${r2.status}`);
rmSync(h2, { recursive: true, force: true });
const ratio = wall / 1000;
console.log(`parallel phase of 20 × 1 s steps: wall ${(wall / 1000).toFixed(3)} s, wall/1 s = ${ratio.toFixed(3)} (target ≤ 1.1) ${ratio <= 1.1 ? 'OK' : 'OVER'}`);
if (process.argv.includes('--json')) {
  const result = { noopSteps: 300, overheadMs: Math.round(overhead), msPerStep: +(overhead / 300).toFixed(2), parallelSteps: steps.length, parallelWallMs: Math.round(wall), parallelRatio: +ratio.toFixed(3), targets: 'overheadMs < 1000, parallelRatio <= 1.1' };
  console.log(JSON.stringify(result));
}
