#!/usr/bin/env node
// bench/config.mjs: a 10,000-service v4 config migrated to v6 (4.2 → 5.0 → 6.0), against the baseline
// of parsing and writing the same file with no transform, measured in the same run.
// Targets (issue 20): parse + migrate + write ≤ 2× parse + write (CPU), and the transform linear: on a
// config ten times the size (parsed once, in memory) it takes at most 11× the CPU it takes on this one.
// Run after `npm run build`: node bench/config.mjs [services] [--json]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import yaml from 'js-yaml';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

const ROOT = new URL('..', import.meta.url).pathname;
const { parseConfigText, serialize, transformConfig } = await import(join(ROOT, 'dist/src/config/index.js'));
const N = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 10_000);
const RUNS = 5;

function v4Config(n) {
  const services = [{ name: 'postgres', type: 'infrastructure', image: 'postgres:15', ports: ['5432:5432'], environment: { POSTGRES_PASSWORD: 'bench-pass' }, health_check: { type: 'tcp', port: 5432 } }];
  for (let i = 1; i < n; i++) {
    services.push({
      name: `svc_${i}_mcp`,
      type: i % 10 === 0 ? 'core' : 'mcp',
      image: `mcp/svc-${i}:4.2`,
      ports: [`${10000 + (i % 50000)}:3000`],
      environment: { ROOT: '/data', UPSTREAM: `http://svc_${Math.max(1, i - 1)}_mcp:3000`, API_TOKEN: `tok-${i}` },
      volumes: [`./data/svc_${i}:/data`],
      transport: i % 3 === 0 ? 'stdio' : 'http',
      ...(i % 3 === 0 ? {} : { health_check: { type: 'http', path: '/health', port: 3000, timeout: '5s' } }),
      depends_on: i > 1 ? [`svc_${i - 1}_mcp`] : ['postgres'],
      instances: 1 + (i % 3),
      ...(i % 2 ? { max_cpu: '250m', max_memory: '256Mi' } : {}),
      ...(i % 7 === 0 ? { x_custom_label: `team-${i % 5}` } : {}),
    });
  }
  return {
    version: '4.2',
    environment: 'production',
    api: { host: 'api.example', port: 8080, base_path: '/api/' },
    auth: { type: 'bearer', tokens: [{ name: 'ci', token: 'token123' }] },
    database: { type: 'postgres', url: 'postgres://mcp:bench-pass@db:5432/mcp', table: 'mcp_data' },
    runtime: { type: 'docker' },
    services,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'mcp-bench-config-'));
const input = join(dir, 'config-v4.yaml');
writeFileSync(input, yaml.dump(v4Config(N), { lineWidth: -1 }));
const sizeMiB = (readFileSync(input).length / 1024 / 1024).toFixed(1);

function baseline() {
  const { doc } = parseConfigText(readFileSync(input, 'utf8'), input);
  writeFileSync(join(dir, 'baseline.json'), serialize(doc, 'json'));
}
let report;
function migrate() {
  const { doc } = parseConfigText(readFileSync(input, 'utf8'), input);
  report = transformConfig(doc, '4.x', '6.0');
  writeFileSync(join(dir, 'config-v6.json'), serialize(report.config, 'json'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// wall time and CPU time (user + system) of this process: on a shared, loaded machine the CPU time is
// the figure that does not depend on the neighbours; both are printed.
function time(fn) {
  fn(); // warm-up
  const wall = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const base = time(baseline);
const mig = time(migrate);
// linearity: the transform alone (no parse, no write) on N and on 10 N services, each on a fresh copy
// a full collection before each timed run: the garbage of building the input is not the transform's
v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
function transformCpu(n) {
  const doc = v4Config(n);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const copy = structuredClone(doc);
    gc();
    const c = process.cpuUsage();
    transformConfig(copy, '4.x', '6.0');
    const d = process.cpuUsage(c);
    runs.push((d.user + d.system) / 1000);
  }
  return median(runs);
}
transformCpu(Math.min(N, 1000)); // warm-up
const small = transformCpu(N);
const large = transformCpu(N * 10);
const linearity = large / small;
// the CLI end to end, once (includes Node start-up and module loading)
const t0 = performance.now();
execFileSync(process.execPath, [join(ROOT, 'dist/bin/mcp.js'), 'migrate', '--from', '4.x', '--to', '6.0', '--config', input, '--output', join(dir, 'cli-v6.json'), '--quiet'], { env: { ...process.env, MCP_HOME: join(dir, 'home') }, stdio: ['ignore', 'ignore', 'inherit'] });
const cli = performance.now() - t0;
const out = JSON.parse(readFileSync(join(dir, 'config-v6.json'), 'utf8'));
if (out.services.length !== N || out.version !== '6.0') throw new Error('bench: the migrated config is not what was expected');
const load = (await import('node:os')).loadavg()[0];

const ms = (x) => `${x.toFixed(0).padStart(5)} ms`;
console.log(`config bench: ${N} services, v4 YAML ${sizeMiB} MiB, path ${report.path.join(' → ')}, median of ${RUNS}, load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs`);
console.log(`                                              wall       cpu`);
console.log(`  parse + write, no transform (baseline):  ${ms(base.wall)}  ${ms(base.cpu)}`);
console.log(`  parse + migrate 4.2 → 6.0 + write:       ${ms(mig.wall)}  ${ms(mig.cpu)}   ratio ${(mig.wall / base.wall).toFixed(2)}× wall, ${(mig.cpu / base.cpu).toFixed(2)}× cpu`);
console.log(`  the migration alone (minus the baseline): ${ms(mig.wall - base.wall)}  ${ms(mig.cpu - base.cpu)}`);
console.log(`  mcp migrate end to end (one run, wall):  ${ms(cli)}`);
const ratioCpu = mig.cpu / base.cpu;
const ok = ratioCpu <= 2 && linearity <= 11;
console.log(`  the transform alone, ${N} vs ${N * 10} services (cpu):  ${ms(small)}  ${ms(large)}   ${linearity.toFixed(2)}× for 10× the services`);
console.log(`  targets: ratio ≤ 2× cpu: ${ratioCpu <= 2 ? 'PASS' : 'FAIL'}; linear (≤ 11× for 10× the services): ${linearity <= 11 ? 'PASS' : 'FAIL'}`);
if (process.argv.includes('--json')) {
  const r0 = (x) => Math.round(x);
  const result = { services: N, sizeMiB: +sizeMiB, runs: RUNS, baselineWallMs: r0(base.wall), baselineCpuMs: r0(base.cpu), migrateWallMs: r0(mig.wall), migrateCpuMs: r0(mig.cpu), ratioWall: +(mig.wall / base.wall).toFixed(2), ratioCpu: +(mig.cpu / base.cpu).toFixed(2), cliMs: r0(cli), transformCpuMs: r0(small), transformCpuMs10x: r0(large), linearity: +linearity.toFixed(2), loadAverage: +load.toFixed(1), target: 'ratioCpu <= 2, linearity <= 11', ok };
  console.log(JSON.stringify(result));
}
if (process.env.BENCH_KEEP) writeFileSync(process.env.BENCH_KEEP, readFileSync(input));
rmSync(dir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
