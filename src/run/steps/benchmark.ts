// Benchmark steps: the guide's performance_tests (compare with a saved baseline, within 10%) and
// automated-migration.yaml's performance_baseline (after the migration: compare with the pre-migration
// baseline when there is one, then save the new one).
import type { StepKind } from './types.js';

const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : v === undefined ? d : String(v));

export const benchmarkCompare: StepKind = {
  kind: 'benchmark.compare',
  summary: "benchmarks the services as the baseline did (`baseline`, default: the newest saved) and fails unless latency and throughput are within 10% of it (the guide's success criterion; mcp benchmark)",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `compare performance with the baseline ${p.baseline ? `'${str(p.baseline)}'` : '(the newest saved)'}${p.baselineFrom ? ` of ${str(p.baselineFrom)}` : ''}`,
  async check(p, home, _env, homes) {
    const { listBaselines } = await import('../../ops/benchmark.js');
    // `baselineFrom`: the environment whose saved baseline the services are held to (a promotion's source)
    const from = p.baselineFrom !== undefined ? homes?.[str(p.baselineFrom)] : home;
    if (!from) return `the baseline is ${str(p.baselineFrom)}'s, and no home is known for it: mcp environments add ${str(p.baselineFrom)} --home DIR`;
    const where = p.baselineFrom !== undefined ? `the ${str(p.baselineFrom)} home` : 'this home';
    const have = await listBaselines(from);
    if (p.baseline !== undefined && !have.includes(str(p.baseline))) return `no benchmark baseline named '${str(p.baseline)}' in ${where}${have.length ? ` (saved: ${have.join(', ')})` : ''}; save it before the migration: mcp benchmark --save ${str(p.baseline)}`;
    if (!have.length) return `no benchmark baseline is saved in ${where} to compare with; save one before the migration: mcp benchmark --save pre-migration`;
    return undefined;
  },
  async run(ctx, p) {
    const b = await import('../../ops/benchmark.js');
    const { readPlatform } = await import('../../ops/platform.js');
    const from = p.baselineFrom !== undefined ? ctx.homeOf(str(p.baselineFrom)) : ctx.home;
    if (!from) throw new Error(`no home is known for ${str(p.baselineFrom)}, whose baseline this step compares with`);
    // the named baseline, else the newest one that measured something
    const name = p.baseline !== undefined ? str(p.baseline) : await b.newestBaseline(from);
    const baseline = name ? await b.loadBaseline(from, name) : undefined;
    if (!baseline) throw new Error(`no benchmark baseline${name ? ` '${name}'` : ' with a measured service'} to compare with; save one while the services run: mcp benchmark --save NAME`);
    const { comparable, notComparable } = b.comparableServices(baseline);
    if (!comparable.length) throw new Error(`baseline '${name}' holds no measurement to compare with (${notComparable.map((s) => `${s.service}: ${s.reason}`).join('; ')}); save a new one while the services run: mcp benchmark --save ${name}`);
    for (const s of notComparable) ctx.detail(`${s.service}: not comparable, ${s.reason}`);
    const platform = await readPlatform(ctx.home);
    const { targets } = b.benchmarkTargets(platform.services, comparable.map((s) => s.service));
    const current = await b.measure(targets, baseline.settings, { platformVersion: platform.version }, { signal: ctx.signal, onService: (s) => ctx.detail(`benchmarking ${s} (${baseline.settings.requests} requests)`) });
    const checks = b.compare(baseline, current);
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) {
      throw new Error(`performance is not within 10% of baseline '${name}': ${failed.map((c) => `${c.service} ${c.metric} ${c.current ?? 'missing'} (limit ${c.threshold})`).join(', ')}`);
    }
    return { baseline: name, services: current.services.length, checks: checks.length };
  },
};

export const benchmarkBaseline: StepKind = {
  kind: 'benchmark.baseline',
  summary: "after a migration: benchmarks the services, compares with the newest saved baseline when there is one (within 10%, as benchmark.compare) and saves the measurement as a new baseline (`name`, default post-migration-<time>) for the next comparison; with no baseline yet it only saves",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `save a performance baseline${p.name ? ` '${str(p.name)}'` : ''} (compared with the newest saved one, if any)`,
  async run(ctx, p) {
    const b = await import('../../ops/benchmark.js');
    const { readPlatform } = await import('../../ops/platform.js');
    const previous = await b.newestBaseline(ctx.home);
    const baseline = previous ? await b.loadBaseline(ctx.home, previous) : undefined;
    const platform = await readPlatform(ctx.home);
    const { targets, skipped } = b.benchmarkTargets(platform.services);
    if (!targets.length) throw new Error(`no service with an HTTP endpoint to benchmark${skipped.length ? ` (${skipped.map((s) => `${s.service}: ${s.reason}`).join('; ')})` : ''}; skip this step (--skip performance_baseline) or give the services a port`);
    const settings = baseline?.settings ?? { requests: 200, concurrency: 4, timeoutMs: 5000 } // mcp benchmark's defaults;
    const current = await b.measure(targets, settings, { platformVersion: platform.version, skipped }, { signal: ctx.signal, onService: (s) => ctx.detail(`benchmarking ${s} (${settings.requests} requests)`) });
    const measured = current.services.filter(b.isMeasurement);
    if (!measured.length) throw new Error(`no service answered the benchmark: ${current.services.map((s) => `${s.service}: ${b.notMeasuredReason(s)}`).join('; ')}`);
    let checks = 0;
    if (baseline && b.comparableServices(baseline).comparable.length) {
      const results = b.compare(baseline, current);
      checks = results.length;
      const failed = results.filter((c) => !c.ok);
      if (failed.length) throw new Error(`performance is not within 10% of baseline '${previous}': ${failed.map((c) => `${c.service} ${c.metric} ${c.current ?? 'missing'} (limit ${c.threshold})`).join(', ')}`);
    } else ctx.detail('no earlier baseline to compare with: saving the first one');
    const name = p.name !== undefined ? str(p.name) : `post-migration-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    const saved = await b.saveBaseline(ctx.home, name, { ...current, name, services: measured });
    return { baseline: name, savedTo: saved, comparedWith: baseline ? previous : null, services: measured.length, checks };
  },
};
