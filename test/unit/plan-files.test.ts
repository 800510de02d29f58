// The guide's four plan files, verbatim (test/fixtures/plans), read into plans; errors with file:line.
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../helpers/errors.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parsePlanText, readPlanFile, lineOf } from '../../src/run/plan-files.js';
import { parseDuration } from '../../src/run/plan.js';
import { ROOT } from '../helpers/cli.js';

const fx = (n: string) => join(ROOT, 'test/fixtures/plans', n);

describe('plan files from the guide', () => {
  it('migration-plan.yaml: three phases, timeouts, the last one parallel, one step per service', async () => {
    const { plan, format } = await readPlanFile(fx('migration-plan.yaml'));
    expect(format).toBe('migration-plan');
    expect(plan.to).toBe('6.0');
    expect(plan.phases.map((p) => [p.name, p.timeoutMs, p.parallel, p.steps.map((s) => s.params.service)])).toEqual([
      ['infrastructure', 30 * 60_000, false, ['traefik', 'redis', 'postgres']],
      ['core-services', 45 * 60_000, false, ['auth-service', 'config-service', 'registry-service']],
      ['mcp-services', 60 * 60_000, true, ['filesystem-mcp', 'git-mcp', 'browser-mcp']],
    ]);
    expect(plan.phases[2]!.steps[1]!.source).toBe('migration-plan.yaml:23');
  });

  it('rolling-migration.yaml: canary groups and automatic rollback conditions', async () => {
    const { plan } = await readPlanFile(fx('rolling-migration.yaml'));
    expect(plan.phases.map((p) => [p.name, p.canary?.percentage, p.canary?.durationMs, p.parallel])).toEqual([
      ['infrastructure', undefined, undefined, false],
      ['core', 10, 3_600_000, false],
      ['mcp-services', 20, 7_200_000, true],
    ]);
    expect(plan.rollback.automatic).toBe(true);
    expect(plan.rollback.conditions).toEqual([
      { metric: 'errorRate', op: '>', threshold: 0.05, text: 'errorRate > 5%' },
      { metric: 'latency', op: '>', threshold: 500, text: 'latency > 500ms' },
      { metric: 'healthCheck', text: 'healthCheck failing' },
    ]);
    expect(plan.rollback.noData).toBe('fail');
  });

  it('production-migration.yaml: every action maps to a step on the home it acts on, blue/green included', async () => {
    const { plan } = await readPlanFile(fx('production-migration.yaml'), { monitorWindowMs: 60_000 });
    expect(plan.environment).toEqual({ source: 'staging', target: 'production' });
    const steps = plan.phases.flatMap((p) => p.steps);
    expect(steps.map((s) => [s.kind, s.environment])).toEqual([
      ['config.validate', 'staging'],
      ['check.capacity', 'production'],
      ['backup.snapshot', 'staging'],
      ['backup.create', 'staging'],
      ['config.overlay', 'production'],
      ['backup.ship', 'production'],
      ['config.endpoints', 'production'],
      ['tls.configure', 'production'],
      ['config.limits', 'production'],
      ['bluegreen.deploy', 'production'],
      ['health.check', 'production'],
      ['traffic.switch', 'production'],
      ['traffic.monitor', 'production'],
      ['test.suite', 'production'],
      ['benchmark.compare', 'production'],
      ['security.scan', 'production'],
    ]);
    const by = Object.fromEntries(steps.map((s) => [s.kind, s.params]));
    expect(by['backup.snapshot']).toEqual({ name: 'staging-snapshot-20250724' });
    expect(by['backup.ship']).toEqual({ from: 'data-sync.export-staging-data', sourceEnvironment: 'staging' });
    expect(by['config.overlay']).toEqual({ environment: 'production' });
    expect(by['benchmark.compare']).toEqual({ baselineFrom: 'staging' });
    // the new color runs on the package encrypt_sensitive_data put there; the switch and the gates follow it
    expect(by['bluegreen.deploy']).toEqual({ from: 'data-sync.encrypt-sensitive-data' });
    expect(by['traffic.switch']).toEqual({ deploy: 'deployment.deploy-blue-environment' });
    expect(by['traffic.monitor']).toEqual({ switch: 'deployment.switch-traffic', windowMs: 60_000 });
    const skip = ['deploy_blue_environment', 'switch_traffic', 'monitor_metrics'];
    const skipped = await readPlanFile(fx('production-migration.yaml'), { skip });
    expect(skipped.plan.notes).toContain('switch_traffic left out by --skip');
    // encrypting needs the export before it
    const text = readFileSync(fx('production-migration.yaml'), 'utf8').replace('        - export_staging_data\n', '');
    const e2 = await parsePlanText(text, 'production-migration.yaml', { skip }).catch((e) => e);
    expect(exitCodeOf(e2)).toBe(2);
    expect(e2.message).toContain('list export_staging_data before it');
  });

  it('automated-migration.yaml: needs a target version; maps the sequence; keeps the notifications; performance_baseline saves a baseline after the migration', async () => {
    const e2 = await readPlanFile(fx('automated-migration.yaml'), { skip: ['notifications'] }).catch((e) => e);
    expect(exitCodeOf(e2)).toBe(2);
    expect(e2.message).toMatch(/needs a target version/);
    const { plan } = await readPlanFile(fx('automated-migration.yaml'), { skip: ['performance_baseline', 'slack', 'email'], to: '5.0', from: '4.2' });
    expect(plan.phases.map((p) => p.name)).toEqual(['pre-checks', 'migration', 'post-checks']);
    expect(plan.phases[1]!.steps.map((s) => s.kind)).toEqual(['services.stop', 'backup.create', 'version.record', 'db.migrate', 'config.transform', 'services.start']);
    expect(plan.notifications.map((n) => n.channel)).toEqual(['slack', 'email']);
    const full = (await readPlanFile(fx('automated-migration.yaml'), { to: '5.0', from: '4.2' })).plan;
    expect(full.phases[2]!.steps.map((s) => s.kind)).toEqual(['health.check', 'verify', 'benchmark.baseline']);
  });

  it('errors name file:line and what to write', async () => {
    const text = readFileSync(fx('migration-plan.yaml'), 'utf8').replace('timeout: 45m', 'timeout: soon');
    const e = await parsePlanText(text, 'plan.yaml').catch((x) => x);
    expect(exitCodeOf(e)).toBe(2);
    expect(e.where).toBe('plan.yaml:18');
    expect(e.message).toMatch(/migration.phases.1.timeout: a duration such as 30m/);
    const bad = await parsePlanText('migration:\n  phases:\n    - name: x\n      services: [a]\n  oops: [\n', 'bad.yaml').catch((x) => x);
    expect(exitCodeOf(bad)).toBe(2);
    expect(bad.where).toMatch(/^bad.yaml:\d+:\d+$/);
    const cond = await parsePlanText(readFileSync(fx('rolling-migration.yaml'), 'utf8').replace('"> 500ms"', '"slow"'), 'r.yaml').catch((x) => x);
    expect(cond.where).toBe('r.yaml:26');
    expect(cond.message).toMatch(/latency: "slow"/);
  });

  it('durations and line lookup', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(lineOf('a:\n  b:\n    - x\n    - y\n', ['a', 'b', 1])).toBe(4);
  });
});
