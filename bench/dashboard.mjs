#!/usr/bin/env node
// The dashboard under a watching operator: (1) GET /migration/status of a 300-step run — latency
// percentiles against a bare node:http server answering the same bytes, measured in the same run;
// target p95 ≤ 5× the bare server's (the work is a journal replay per request). (2) how long a journal
// record takes to reach a browser on the event stream (fs.watch, 500 ms poll as the fallback);
// target p95 < 250 ms. (3) the server's RSS with 20 open streams.
// Run after `npm run build`: node bench/dashboard.mjs [requests=300] [--json]
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p) => import(pathToFileURL(join(import.meta.dirname, '..', 'dist', 'src', p)).href);
const { executePlan } = await dist('run/executor.js');
const { makePlan, PLAN_API_VERSION } = await dist('run/plan.js');
const { defaultRegistry } = await dist('run/steps/index.js');
const { Journal, latestRun } = await dist('run/journal.js');
const { startDashboard } = await dist('dashboard/server.js');

const N = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 300);
const home = mkdtempSync(join(tmpdir(), 'mcp-bench-dash-'));
mkdirSync(join(home, 'state'), { recursive: true });
const phases = [0, 1, 2].map((p) => ({ name: `phase-${p}`, steps: Array.from({ length: 100 }, (_, i) => ({ id: `p${p}-s${i}`, kind: 'noop', title: `no-op ${p}.${i}`, params: {} })) }));
await executePlan(makePlan({ apiVersion: PLAN_API_VERSION, name: 'bench', kind: 'custom', phases }), { home, env: {}, registry: defaultRegistry() });
const runId = latestRun(home);

const token = 'bench-token-0123456789abcdef';
const dash = await startDashboard({ home, token, host: '127.0.0.1', port: 0, env: {} });
const auth = { authorization: `Bearer ${token}` };
const body = await (await fetch(`${dash.url}migration/status`, { headers: auth })).text();
const bare = createServer((_q, s) => {
  s.setHeader('content-type', 'application/json');
  s.end(body);
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${bare.address().port}/`;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
async function timed(url, headers) {
  const out = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    out.push(performance.now() - t);
  }
  return out;
}
await timed(bareUrl, {}); // warm both
await timed(`${dash.url}migration/status`, auth);
const b = await timed(bareUrl, {});
const d = await timed(`${dash.url}migration/status`, auth);
const ratio = pct(d, 95) / pct(b, 95);
console.log(`GET /migration/status (300 steps, ${(body.length / 1024).toFixed(0)} KiB), ${N} requests: p50 ${pct(d, 50).toFixed(2)} ms, p95 ${pct(d, 95).toFixed(2)} ms`);
console.log(`  bare node:http with the same body: p50 ${pct(b, 50).toFixed(2)} ms, p95 ${pct(b, 95).toFixed(2)} ms; ratio p50 ${(pct(d, 50) / pct(b, 50)).toFixed(1)}×, p95 ${ratio.toFixed(2)}× (target p95 ≤ 5×) ${ratio <= 5 ? 'OK' : 'OVER'}`);

// (2) journal record → event on the stream
const ac = new AbortController();
const res = await fetch(`${dash.url}migration/events`, { headers: auth, signal: ac.signal });
const reader = res.body.getReader();
const dec = new TextDecoder();
let buf = '';
const nextEvent = async () => {
  for (;;) {
    const i = buf.indexOf('\n\n');
    if (i >= 0) {
      const ev = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (ev.startsWith('event: status')) return ev;
      continue;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += dec.decode(value, { stream: true });
  }
};
await nextEvent(); // the first document
const lat = [];
const j = Journal.open(home, runId);
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  j.append('step.log', { step: 'p0-s0', message: `bench line ${i}` }, { sync: false });
  await nextEvent();
  lat.push(performance.now() - t);
  await new Promise((r) => setTimeout(r, 50));
}
j.close();
ac.abort();
const p95 = pct(lat, 95);
console.log(`journal record → event on the stream, 20 records: p50 ${pct(lat, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target < 250 ms) ${p95 < 250 ? 'OK' : 'OVER'}`);

// (3) memory with 20 watchers open
const streams = await Promise.all(Array.from({ length: 20 }, async () => {
  const c = new AbortController();
  const r = await fetch(`${dash.url}migration/events`, { headers: auth, signal: c.signal });
  const rd = r.body.getReader();
  await rd.read();
  return c;
}));
await new Promise((r) => setTimeout(r, 1500));
const rssMb = Math.round(process.memoryUsage().rss / 1048576);
console.log(`RSS of this process (server + benchmark client) with 20 open streams: ${rssMb} MB`);
for (const c of streams) c.abort();
await dash.close();
await new Promise((r) => bare.close(r));
rmSync(home, { recursive: true, force: true });
if (process.argv.includes('--json')) {
  const r2 = (x) => +x.toFixed(2);
  const result = { requests: N, bodyKiB: Math.round(body.length / 1024), statusP50Ms: r2(pct(d, 50)), statusP95Ms: r2(pct(d, 95)), bareP50Ms: r2(pct(b, 50)), bareP95Ms: r2(pct(b, 95)), statusP95Ratio: r2(ratio), records: lat.length, streamP50Ms: +pct(lat, 50).toFixed(1), streamP95Ms: +p95.toFixed(1), openStreams: streams.length, rssMb, targets: 'statusP95Ratio <= 5, streamP95Ms < 250' };
  console.log(JSON.stringify(result));
}
process.exit(0);
