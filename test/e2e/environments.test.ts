// Environments are installations: the guide's dev-to-staging.sh, taken from the guide and run verbatim by
// bash from the development home, moves development's data into a separate staging home with staging's
// own secrets, and leaves the development home's config, data and database as they were.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ROOT, mcp, mcpMigrate, tempDir } from '../helpers/cli.js';
import { files, homes, productionHome, rows, tree } from '../helpers/envs.js';
import { fakeBins } from '../helpers/fakebin.js';
import { createTestDb } from '../helpers/pg.js';

describe("the guide's dev-to-staging.sh between two homes", () => {
  it('an environment this home does not know is refused, naming `mcp environments add`, and nothing changes', async () => {
    const { dev, staging } = await homes();
    const before = tree(staging);
    const r = await mcp(['restore', '--env', 'staging', '--data-only', '--latest'], { home: dev });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no staging environment is registered/);
    expect(r.stderr).toContain('mcp environments add staging --home');
    expect(tree(staging)).toEqual(before);
    // registering checks that the other home is that environment
    const wrong = await mcp(['environments', 'add', 'production', '--home', staging], { home: dev });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('is the staging environment, not production');
  }, 120_000);

  it('runs verbatim: staging gets the config with its own secret, development data and rows; development is unchanged', async () => {
    const { dev, staging, run } = await homes();
    const add = await mcp(['environments', 'add', 'staging', '--home', staging, '--json'], { home: dev });
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.json().environment).toMatchObject({ name: 'staging', home: staging });
    const list = (await mcp(['environments', 'list', '--json'], { home: dev })).json();
    expect(list.environments.map((e: { name: string; own: boolean }) => [e.name, e.own])).toEqual([['development', true], ['staging', false]]);

    const devConfig = tree(join(dev, 'config'));
    const devData = tree(join(dev, 'data'));
    const devRows = await rows(dev);
    const stagingBefore = readFileSync(join(staging, 'config', readdirSync(join(staging, 'config')).find((f) => f.startsWith('platform.'))!), 'utf8');

    // staging has no secret for the exported config's redacted token: the deploy stops before it changes anything
    const bare = await run();
    expect(bare.exitCode, bare.stderr).toBe(2);
    expect(bare.stderr).toContain('auth.tokens[0].token');
    expect(bare.stderr).toContain('MCP_SECRET_AUTH_TOKENS_0_TOKEN');
    expect(readdirSync(join(staging, 'config')).filter((f) => f.startsWith('platform.'))).toEqual(['platform.yaml']);
    expect(readFileSync(join(staging, 'config', 'platform.yaml'), 'utf8')).toBe(stagingBefore);

    // with staging's own token (a variable of the shell that deploys), the script passes end to end
    const token = 'staging-only-token-7f3a9c2e';
    const ok = await run({ MCP_SECRET_AUTH_TOKENS_0_TOKEN: token });
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Smoke tests passed');
    expect(ok.stdout + ok.stderr).not.toContain(token);

    const cfg = (await mcp(['config', 'export', '--include-secrets', '--format', 'json'], { home: staging })).json();
    expect(cfg.environment).toBe('staging');
    expect(cfg.api.host).toBe('staging-api.mcp-platform.io');
    expect(cfg.security.tls.enabled).toBe(true);
    expect(cfg.auth.tokens[0].token).toBe(token);
    // development's data files and rows, by content
    expect(tree(join(staging, 'data'))).toEqual(devData);
    expect(await rows(staging)).toEqual(devRows);
    const verify = await mcp(['data', 'verify', '--checksum', '--json'], { home: staging });
    expect(verify.exitCode, verify.stdout).toBe(0);
    // the development home: config and data byte for byte, the database by content
    expect(tree(join(dev, 'config'))).toEqual(devConfig);
    expect(tree(join(dev, 'data'))).toEqual(devData);
    expect(await rows(dev)).toEqual(devRows);
    // no file of staging holds a placeholder as a value
    for (const f of [...files(join(staging, 'config')), ...files(join(staging, 'data'))]) expect(readFileSync(f, 'utf8'), f).not.toContain('[REDACTED]');
    // the backup restored is staging's own now (listed, verifiable there)
    const listed = (await mcp(['backup', 'list', '--json'], { home: staging })).json();
    expect(listed.backups.some((b: { environment?: string; kind: string }) => b.kind !== 'safety')).toBe(true);
  }, 300_000);
});

describe('mcp environments add | list | remove', () => {
  it('registers another home of that environment, lists it, forgets it (dry run first); refuses what is not one', async () => {
    const root = tempDir('mcp-envs-reg-');
    const dev = join(root, 'dev');
    const staging = join(root, 'staging');
    const prod = join(root, 'prod');
    expect((await mcp(['init', '--version', '4.2'], { home: dev })).exitCode).toBe(0);
    expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home: staging })).exitCode).toBe(0);
    expect((await mcp(['init', '--version', '4.2', '--env', 'production'], { home: prod })).exitCode).toBe(0);

    const add = await mcp(['environments', 'add', 'staging', '--home', staging, '--json'], { home: dev });
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.json()).toMatchObject({ ok: true, environment: { name: 'staging', home: staging }, replaced: null });
    // --home after `add` is the other home, not this one: the registry is written in dev
    expect(JSON.parse(readFileSync(join(dev, 'state/environments.json'), 'utf8')).environments.staging.home).toBe(staging);

    // a home of another environment, this home's own name, no home at all: refused, nothing written
    const before = readFileSync(join(dev, 'state/environments.json'), 'utf8');
    const wrong = await mcp(['environments', 'add', 'staging', '--home', prod], { home: dev });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/is the production environment, not staging/);
    expect((await mcp(['environments', 'add', 'development', '--home', staging], { home: dev })).exitCode).toBe(2);
    const none = await mcp(['environments', 'add', 'production', '--home', join(root, 'nowhere')], { home: dev });
    expect(none.exitCode).toBe(3);
    expect(none.stderr).toMatch(/is not a platform home/);
    expect((await mcp(['environments', 'add', 'qa', '--home', staging], { home: dev })).exitCode).toBe(2);
    expect(readFileSync(join(dev, 'state/environments.json'), 'utf8')).toBe(before);

    // only data moves into another environment: a whole restore there (its config replaced by ours) is refused
    const whole = await mcp(['restore', '--env', 'staging', '--latest'], { home: dev });
    expect(whole.exitCode).toBe(2);
    expect(whole.stderr).toMatch(/mcp restore --env staging --data-only --latest/);

    const list = await mcp(['environments', 'list', '--json'], { home: dev });
    expect(list.json()).toMatchObject({ own: 'development', environments: [{ name: 'development', home: dev, own: true }, { name: 'staging', home: staging, own: false }] });

    const dry = await mcp(['environments', 'remove', 'staging', '--dry-run', '--json'], { home: dev });
    expect(dry.json()).toEqual({ dryRun: true, removed: { name: 'staging', home: staging } });
    expect(readFileSync(join(dev, 'state/environments.json'), 'utf8')).toBe(before);
    expect((await mcp(['environments', 'remove', 'development', '--dry-run'], { home: dev })).exitCode).toBe(3);
    expect((await mcp(['environments', 'remove', 'staging'], { home: dev })).exitCode).toBe(0);
    expect((await mcp(['environments', 'list', '--json'], { home: dev })).json().environments).toEqual([{ name: 'development', home: dev, own: true }]);
    expect((await mcp(['environments', 'remove', 'staging'], { home: dev })).exitCode).toBe(3);
    // the other home is never touched by any of it
    expect(readdirSync(join(staging, 'state'))).not.toContain('environments.json');
  }, 120_000);
});

describe("the guide's production-migration.yaml from the staging home", () => {
  const PLAN = join(ROOT, 'test/fixtures/plans/production-migration.yaml');
  /** `migration execute --json` prints events, one per line: the last is the result */
  const result = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);
  // these tests look at the promotion up to the package; blue/green (which restores it and needs production's
  // services running) has its own, test/e2e/blue-green.test.ts; performance_tests needs running services for its baseline
  const SKIP = ['--skip', 'deploy_blue_environment,switch_traffic,monitor_metrics,functional_tests,performance_tests'];

  it('three homes: dev-to-staging.sh from development, then production-migration.yaml from staging; development and staging unchanged, the package holds development\'s data', async () => {
    const { root, dev, staging, run } = await homes();
    const prod = join(root, 'production');
    await productionHome(prod);
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    const devConfig = tree(join(dev, 'config'));
    const devData = tree(join(dev, 'data'));
    const devRows = await rows(dev);
    const toStaging = await run({ MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN: 'staging-token-3homes-0001' });
    expect(toStaging.exitCode, toStaging.stdout + toStaging.stderr).toBe(0);
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    const stagingConfig = tree(join(staging, 'config'));
    const stagingData = tree(join(staging, 'data'));
    const pass = 'production-passphrase-3homes-77';
    const promo = await mcp(['migration', 'execute', '--plan', PLAN, ...SKIP, '--json'], { home: staging, env: { MCP_PRODUCTION_BACKUP_PASSPHRASE: pass } });
    expect(promo.exitCode, promo.stdout + promo.stderr).toBe(0);
    // development and staging: config and data byte for byte (staging's as dev-to-staging.sh left it), rows by content
    expect(tree(join(dev, 'config'))).toEqual(devConfig);
    expect(tree(join(dev, 'data'))).toEqual(devData);
    expect(await rows(dev)).toEqual(devRows);
    expect(tree(join(staging, 'config'))).toEqual(stagingConfig);
    expect(tree(join(staging, 'data'))).toEqual(stagingData);
    expect(await rows(staging)).toEqual(devRows);
    // production: its own environment and host; the package it received holds development's data files
    const cfg = (await mcp(['config', 'export', '--include-secrets', '--format', 'json'], { home: prod })).json();
    expect([cfg.environment, cfg.api.host, cfg.security.tls.enabled]).toEqual(['production', 'api.mcp-platform.io', true]);
    const [pkg] = (await mcp(['backup', 'list', '--json'], { home: prod })).json().backups;
    const manifest = JSON.parse(readFileSync(join(prod, 'backups', `${pkg.id}.manifest.json`), 'utf8'));
    const inPackage = Object.fromEntries(manifest.entries.filter((e: { type: string; path: string }) => e.type === 'file' && e.path.startsWith('data/')).map((e: { path: string; sha256: string }) => [e.path.slice('data/'.length), e.sha256]));
    expect(inPackage).toEqual(devData);
    for (const home of [dev, staging, prod]) for (const f of [...files(join(home, 'config')), ...files(join(home, 'data'))]) expect(readFileSync(f, 'utf8'), f).not.toContain('[REDACTED]');
  }, 420_000);

  it('with no production registered it is refused before anything changes, naming `mcp environments add production`', async () => {
    const home = join(tempDir('mcp-envs-prod-'), 'staging');
    expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home })).exitCode).toBe(0);
    const before = tree(home);
    for (const dry of [['--dry-run'], []]) {
      const r = await mcp(['migration', 'execute', '--plan', PLAN, ...SKIP, ...dry, '--json'], { home });
      expect(r.exitCode, r.stdout).toBe(3);
      expect(r.json().error.message).toMatch(/step data-sync\.transform-for-production \(config\.overlay\): it acts on the production environment, which this home does not know: mcp environments add production --home DIR/);
    }
    const after = tree(home);
    for (const k of Object.keys({ ...before, ...after }).filter((f) => !f.startsWith('logs/'))) expect(after[k], k).toBe(before[k]);
  }, 60_000);

  it("a step on production never reaches staging's database: MCP_DATABASE_URL names the home the plan runs in", async () => {
    const db = await createTestDb('mcp_env_promo');
    try {
      const root = tempDir('mcp-envs-dburl-');
      const staging = join(root, 'staging');
      const prod = join(root, 'production');
      const env = { MCP_DATABASE_URL: db.url };
      expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home: staging, env })).exitCode).toBe(0);
      expect((await mcp(['init', '--version', '4.2', '--env', 'production'], { home: prod })).exitCode).toBe(0);
      expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
      const others = ['verify_backups', 'export_staging_data', 'transform_for_production', 'encrypt_sensitive_data', 'update_endpoints', 'configure_ssl', 'set_production_limits', 'deploy_blue_environment', 'run_health_checks', 'switch_traffic', 'monitor_metrics', 'functional_tests', 'performance_tests', 'security_scan'];
      const r = await mcp(['migration', 'execute', '--plan', PLAN, '--skip', others.join(','), '--json'], { home: staging, env });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const cap = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'step.end' && e.step === 'pre-flight.check-target-capacity');
      expect(cap.result.database).toBe(`pglite:${join(prod, 'state', 'pglite')}`);
      expect(r.stdout).not.toContain(db.url);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("functional_tests runs `mcp test all --comprehensive` on production and fails the run naming the check that failed", async () => {
    const root = tempDir('mcp-envs-functional-');
    const staging = join(root, 'staging');
    const prod = join(root, 'production');
    expect((await mcp(['init', '--version', '4.2', '--env', 'staging'], { home: staging })).exitCode).toBe(0);
    expect((await mcp(['init', '--version', '4.2', '--env', 'production'], { home: prod })).exitCode).toBe(0);
    const pc = join(prod, 'config', 'platform.yaml');
    writeFileSync(pc, readFileSync(pc, 'utf8').replace(/runtime:\n {2}type: docker/, 'runtime:\n  type: none'), { mode: 0o600 });
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    const others = ['validate_source', 'check_target_capacity', 'verify_backups', 'export_staging_data', 'transform_for_production', 'encrypt_sensitive_data', 'update_endpoints', 'configure_ssl', 'set_production_limits', 'deploy_blue_environment', 'run_health_checks', 'switch_traffic', 'monitor_metrics', 'performance_tests', 'security_scan'];
    const run = () => mcp(['migration', 'execute', '--plan', PLAN, '--skip', others.join(','), '--json'], { home: staging });
    // production holds no backup of its data: its data check fails, and so does the step
    const bad = await run();
    expect(bad.exitCode, bad.stdout).toBe(1);
    expect(result(bad.stdout).error).toMatch(/mcp test all on .*production failed \(exit 3\): Data integrity verified: .*no backup holding data/);
    // with one, every check of the suite passes (or is skipped: no baseline) and the run completes
    expect((await mcp(['backup', 'create'], { home: prod })).exitCode).toBe(0);
    const good = await run();
    expect(good.exitCode, good.stdout).toBe(0);
    const end = good.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'step.end' && e.step === 'validation.functional-tests');
    expect(end.result).toMatchObject({ checks: 7, passed: 6, skipped: 1 });
  }, 120_000);

  it("acts on the production home: its own config gets the overlay and TLS, the export arrives encrypted for it; staging is not relabelled; a failure and a rollback put production back", async () => {
    const root = tempDir('mcp-envs-promo-');
    const staging = join(root, 'staging');
    const prod = join(root, 'production');
    expect((await mcp(['init', '--example'], { home: staging })).exitCode).toBe(0);
    const sc = join(staging, 'config', 'platform.yaml');
    writeFileSync(sc, readFileSync(sc, 'utf8').replace(/^environment: development$/m, 'environment: staging'));
    const pc = await productionHome(prod);
    expect((await mcp(['environments', 'add', 'production', '--home', prod], { home: staging })).exitCode).toBe(0);
    const prodConfig = readFileSync(pc);
    const stagingConfig = tree(join(staging, 'config'));
    const stagingData = tree(join(staging, 'data'));
    const stagingRows = await rows(staging);

    // 0. production is busy (another run holds its lock): the run does not start, in either home
    const lock = join(prod, 'state', 'executor.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), runId: 'other-run', command: 'mcp upgrade', since: new Date().toISOString() }));
    const r0 = await mcp(['migration', 'execute', '--plan', PLAN, ...SKIP], { home: staging });
    expect(r0.exitCode, r0.stderr).toBe(4);
    expect(r0.stderr).toContain('other-run');
    rmSync(lock);
    expect(readdirSync(join(staging, 'backups')).filter((f) => !f.startsWith('.'))).toEqual([]);

    // 1. production has no backup passphrase of its own: encrypt_sensitive_data fails, the run rolls back,
    //    and production's config is as it was (the overlay undone in its home)
    const r1 = await mcp(['migration', 'execute', '--plan', PLAN, ...SKIP, '--json'], { home: staging });
    expect(r1.exitCode, r1.stdout).toBe(1);
    const o1 = result(r1.stdout);
    expect(o1.status).toBe('rolled-back');
    expect(JSON.stringify(o1)).toContain('MCP_PRODUCTION_BACKUP_PASSPHRASE');
    expect(readFileSync(pc)).toEqual(prodConfig);
    expect(readdirSync(join(prod, 'backups')).filter((f) => !f.startsWith('.'))).toEqual([]);

    // 2. with production's passphrase in its own secrets file: every step passes
    const pass = 'production-only-passphrase-8c1d';
    writeFileSync(join(prod, 'config', 'secrets.json'), JSON.stringify({ 'backup.passphrase': pass }), { mode: 0o600 });
    const prodConfig2 = readFileSync(pc);
    const r2 = await mcp(['migration', 'execute', '--plan', PLAN, ...SKIP, '--json'], { home: staging });
    expect(r2.exitCode, r2.stdout + r2.stderr).toBe(0);
    const o2 = result(r2.stdout);
    expect(o2.status).toBe('completed');
    const events = r2.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const snap = events.find((e) => e.type === 'step.end' && e.step === 'pre-flight.verify-backups');
    // the first run made the snapshot (there was none), this one verified it again
    expect(snap.result).toMatchObject({ name: 'staging-snapshot-20250724', created: false });
    const first = r1.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'step.end' && e.step === 'pre-flight.verify-backups');
    expect(first.result).toMatchObject({ name: 'staging-snapshot-20250724', created: true, id: snap.result.id });
    expect(events.filter((e) => e.type === 'step.end').map((e) => e.step)).toEqual(o2.steps.map((x: { id: string }) => x.id));
    expect(r2.stdout + r2.stderr).not.toContain(pass);

    // production: its own host, environment production, TLS on with its files; nothing of staging's
    const cfg = (await mcp(['config', 'export', '--include-secrets', '--format', 'json'], { home: prod })).json();
    expect(cfg.environment).toBe('production');
    expect(cfg.api.host).toBe('api.mcp-platform.io');
    expect(cfg.security.tls).toMatchObject({ enabled: true, cert_file: 'tls/cert.pem', key_file: 'tls/key.pem' });
    for (const f of files(join(prod, 'config'))) expect(readFileSync(f, 'utf8'), f).not.toContain('[REDACTED]');
    // the export, encrypted for production: listed there, verifies with production's passphrase only
    const listed = (await mcp(['backup', 'list', '--json'], { home: prod })).json().backups;
    expect(listed).toHaveLength(1);
    expect(listed[0].encrypted ?? listed[0].encryption).toBeTruthy();
    const ok = await mcp(['backup', 'verify', '--id', listed[0].id], { home: prod, env: { MCP_BACKUP_PASSPHRASE: pass } });
    expect(ok.exitCode, ok.stderr).toBe(0);
    const wrong = await mcp(['backup', 'verify', '--id', listed[0].id], { home: prod, env: { MCP_BACKUP_PASSPHRASE: 'not-it-0000000000' } });
    expect(wrong.exitCode).not.toBe(0);
    // the package holds staging's data files, by content
    const manifest = JSON.parse(readFileSync(join(prod, 'backups', `${listed[0].id}.manifest.json`), 'utf8'));
    const inPackage = Object.fromEntries(manifest.entries.filter((e: { type: string; path: string }) => e.type === 'file' && e.path.startsWith('data/')).map((e: { path: string; sha256: string }) => [e.path.slice('data/'.length), e.sha256]));
    expect(inPackage).toEqual(stagingData);

    // the package is not production's own data backup: nothing takes it for one until it is restored there
    const dv = await mcp(['data', 'verify', '--checksum'], { home: prod, env: { MCP_BACKUP_PASSPHRASE: pass } });
    expect(dv.exitCode).toBe(3);
    expect(dv.stderr).toContain('no backup holding data');
    expect((await mcp(['restore', '--latest', '--data-only', '--dry-run'], { home: prod, env: { MCP_BACKUP_PASSPHRASE: pass } })).stderr).toContain('no backup holding data');
    // nothing of production's (its secrets file, its config) was copied into the staging home
    for (const f of files(staging)) expect(readFileSync(f).includes(pass), f).toBe(false);

    // staging: never relabelled; config and data byte for byte, database by content
    expect(tree(join(staging, 'config'))).toEqual(stagingConfig);
    expect(tree(join(staging, 'data'))).toEqual(stagingData);
    expect(await rows(staging)).toEqual(stagingRows);

    // 3. `mcp-migrate rollback`: back to its rollback point (the export): production's config and backups as they were
    const rb = await mcpMigrate(['rollback', '--json'], { home: staging });
    expect(rb.exitCode, rb.stdout + rb.stderr).toBe(0);
    expect(readFileSync(pc)).toEqual(prodConfig2);
    expect((await mcp(['backup', 'list', '--json'], { home: prod })).json().backups).toEqual([]);
    expect(tree(join(staging, 'config'))).toEqual(stagingConfig);
  }, 300_000);
});

describe('deploy and restore into another home leave it whole', () => {
  /** everything of a home but its logs, by content */
  const homeState = (home: string) => Object.fromEntries(Object.entries(tree(home)).filter(([f]) => !f.startsWith('logs/')));

  it('a config naming no environment, a home that is busy, a failed compose up: each leaves staging as it was', async () => {
    const { root, dev, staging } = await homes();
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    const exported = (await mcp(['config', 'export', '--env', 'development', '--format', 'json'], { home: dev })).json();
    const cfg = join(root, 'config-staging.json');
    const unnamed = join(root, 'config-unnamed.json');
    writeFileSync(cfg, JSON.stringify({ ...exported, environment: 'staging' }));
    const { environment: _e, ...rest } = exported;
    writeFileSync(unnamed, JSON.stringify(rest));
    const env = { MCP_STAGING_SECRET_AUTH_TOKENS_0_TOKEN: 'staging-token-55aa' };
    const before = homeState(staging);

    // 1. no environment in the config: it would make the staging home 'development'
    const r1 = await mcp(['deploy', '--env', 'staging', '--config', unnamed, '--runtime', 'none'], { home: dev, env });
    expect(r1.exitCode, r1.stderr).toBe(2);
    expect(r1.stderr).toContain(`${unnamed}: environment`);
    expect(r1.stderr).toContain('"environment": "staging"');
    expect(homeState(staging)).toEqual(before);

    // 2. the staging home is busy (a migration holds its lock): exit 4 naming the holder, nothing written
    const lock = join(staging, 'state', 'executor.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), runId: 'run-x', command: 'migration execute', since: new Date().toISOString() }));
    const r2 = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--runtime', 'none'], { home: dev, env });
    expect(r2.exitCode, r2.stderr).toBe(4);
    expect(r2.stderr).toContain('migration execute');
    const r2b = await mcp(['config', 'import', '--env', 'staging', '--file', cfg], { home: dev, env });
    expect(r2b.exitCode, r2b.stderr).toBe(4);
    rmSync(lock);
    expect(homeState(staging)).toEqual(before);

    // 3. docker compose up fails: the previous config, its history and the compose file are put back
    const fb = fakeBins(root, { docker: [{ args: ['compose'], exitCode: 1, stderr: 'Error response from daemon: pull access denied\n' }] });
    const r3 = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--runtime', 'docker'], { home: dev, env: { ...fb.env, ...env } });
    expect(r3.exitCode, r3.stderr).not.toBe(0);
    // compose up failed; what it may have started is stopped again (staging had no compose file before)
    expect(fb.calls('docker').map((c) => c.argv.slice(5, 7).join(' '))).toEqual(['up -d', 'stop -t']);
    expect(r3.stderr).toContain("the staging home's previous config is back in place");
    expect(homeState(staging)).toEqual(before);
    expect(r3.stdout + r3.stderr).not.toContain('staging-token-55aa');

    // with the same config and runtime none it installs, and staging stays staging
    const ok = await mcp(['deploy', '--env', 'staging', '--config', cfg, '--runtime', 'none', '--json'], { home: dev, env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect((await mcp(['environments', 'list', '--json'], { home: staging })).json().own).toBe('staging');
  }, 240_000);

  it("a data-only restore whose v4 table is not the one staging's config reads is refused, and staging is unchanged", async () => {
    const { dev, staging } = await homes();
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    expect((await mcp(['backup', 'create', '--data-only'], { home: dev })).exitCode).toBe(0);
    // development's rows are in platform_data; staging (init --version 4.2) reads mcp_data
    const before = homeState(staging);
    const r = await mcp(['restore', '--env', 'staging', '--data-only', '--latest'], { home: dev });
    expect(r.exitCode, r.stderr).toBe(3);
    expect(r.stderr).toContain('holds no table mcp_data');
    expect(r.stderr).toContain('platform.yaml: database.table');
    // checked before the backup is copied there: nothing arrived
    expect(homeState(staging)).toEqual(before);
    expect(await rows(dev)).not.toEqual([]);
  }, 120_000);

  it('restore --resume --env staging settles the staging home, not this one', async () => {
    const { dev, staging } = await homes();
    expect((await mcp(['environments', 'add', 'staging', '--home', staging], { home: dev })).exitCode).toBe(0);
    const r = await mcp(['restore', '--resume', '--env', 'staging'], { home: dev });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain(`No interrupted restore in ${staging}`);
  }, 120_000);
});
