// The config commands as a user runs them: the guide's v4 → v5 steps, the dev-to-staging jq promotion,
// secrets kept out of every output and preserved in every file, bad input refused with nothing written.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, mcpMigrate, tempDir, ROOT, MCP } from '../helpers/cli.js';

const FIX = join(ROOT, 'test/fixtures/config');
const SECRETS_V4 = ['token123', 's3cr3t-dashboard-token', 'db-pass-4'];
const SECRETS_V5 = ['oauth-client-secret-5', 'jwt-signing-secret-5', 'db-pass-5', 'token123'];

function homeWith(fixture: string, version: string): string {
  const home = join(tempDir(), 'home');
  mkdirSync(join(home, 'config'), { recursive: true });
  mkdirSync(join(home, 'data'), { recursive: true });
  copyFileSync(join(FIX, fixture), join(home, 'config', version.startsWith('4') ? 'platform.yaml' : 'platform.json'));
  return home;
}

const noSecrets = (s: string, secrets: string[]) => {
  for (const x of secrets) expect(s).not.toContain(x);
};

describe("the guide's v4 → v5 configuration steps", () => {
  it('export --format v4 > config-v4.json; migrate; import: secrets never printed, preserved exactly, previous config kept', async () => {
    const home = homeWith('v4.yaml', '4.2');
    const dir = tempDir();
    const exp = await mcp(['config', 'export', '--format', 'v4'], { home });
    expect(exp.exitCode).toBe(0);
    noSecrets(exp.stdout, SECRETS_V4);
    expect(exp.stdout).toMatch(/^version: '4\.2'/m);
    expect(exp.stdout).toContain("token: '[REDACTED]'");
    writeFileSync(join(dir, 'config-v4.json'), exp.stdout); // YAML in a .json file, as the guide redirects it

    const mig = await mcp(['migrate', '--from', '4.x', '--to', '5.x', '--config', 'config-v4.json', '--output', 'config-v5.json', '--json'], { home, cwd: dir });
    expect(mig.exitCode).toBe(0);
    noSecrets(mig.stdout + mig.stderr, SECRETS_V4);
    const report = mig.json();
    expect(report).toMatchObject({ from: '4.2', to: '5.0', path: ['4.2', '5.0'], placeholders: { unresolved: [] } });
    expect(report.breakingChanges.map((b: { component: string }) => b.component)).toEqual(['API Auth', 'Config Format', 'Service Names', 'Database Schema', 'API Endpoints']);
    expect(report.manualActions.join('\n')).toMatch(/update client code/);
    const v5 = JSON.parse(readFileSync(join(dir, 'config-v5.json'), 'utf8'));
    expect(v5.auth.legacyApiKeys.map((k: { key: string }) => k.key)).toEqual(['token123', 's3cr3t-dashboard-token']);
    expect(v5.database.url).toBe('postgres://mcp:db-pass-4@db.acme.example:5432/mcp');
    expect(v5.services.map((s: { name: string }) => s.name)).toEqual(['postgres', 'auth-service', 'filesystem-mcp', 'git-mcp']);
    expect(v5.api.basePath).toBe('/api/v1/');

    const imp = await mcp(['config', 'import', '--file', join(dir, 'config-v5.json')], { home });
    expect(imp.exitCode).toBe(0);
    noSecrets(imp.stdout + imp.stderr, SECRETS_V4);
    expect(existsSync(join(home, 'config/platform.yaml'))).toBe(false);
    expect(JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'))).toEqual(v5);
    const hist = readdirSync(join(home, 'config/history'));
    expect(hist).toHaveLength(1);
    expect(readFileSync(join(home, 'config/history', hist[0]!), 'utf8')).toBe(readFileSync(join(FIX, 'v4.yaml'), 'utf8'));
    const val = await mcp(['config', 'validate', '--json'], { home });
    expect(val.json()).toMatchObject({ valid: true, version: '5.0', schema: 'v5', issues: [] });
  });

  it('a backup export re-imports into the same home unchanged (placeholders filled from the current config)', async () => {
    const home = homeWith('v5.json', '5.1');
    const before = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    const exp = await mcp(['config', 'export'], { home });
    noSecrets(exp.stdout, SECRETS_V5);
    const f = join(tempDir(), 'config-backup.json');
    writeFileSync(f, exp.stdout);
    const imp = await mcp(['config', 'import', '--file', f, '--json'], { home });
    expect(imp.exitCode).toBe(0);
    // the field paths it filled (names, never the values)
    const filled = imp.json().filledFromEnvironment;
    expect(Array.isArray(filled), JSON.stringify(filled)).toBe(true);
    expect(filled.length).toBeGreaterThanOrEqual(5);
    for (const p of filled) expect(p).toMatch(/^[\w.[\]-]+$/);
    expect(JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'))).toEqual(before);
  });

  it('a placeholder with nothing to fill it: import exits 2 naming the field, writes nothing', async () => {
    const home = homeWith('v5.json', '5.1');
    const before = readFileSync(join(home, 'config/platform.json'), 'utf8');
    const doc = JSON.parse(before);
    doc.auth.legacyApiKeys.push({ name: 'brand-new', key: '[REDACTED]' });
    const f = join(tempDir(), 'c.json');
    writeFileSync(f, JSON.stringify(doc));
    const r = await mcp(['config', 'import', '--file', f], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/auth\.legacyApiKeys\[1\]\.key/);
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(before);
    expect(existsSync(join(home, 'config/history'))).toBe(false);
  });

  it('--include-secrets prints them to a pipe, and is refused on a terminal', async () => {
    const home = homeWith('v5.json', '5.1');
    const r = await mcp(['config', 'export', '--include-secrets'], { home });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(FIX, 'v5.json'), 'utf8')));
    // a pseudo-terminal on stdout (util-linux script)
    const tty = await execa('script', ['-qec', `${process.execPath} ${MCP} config export --include-secrets`, '/dev/null'], { env: { ...process.env, MCP_HOME: home, NO_COLOR: '1' }, reject: false });
    expect(tty.exitCode).toBe(2);
    expect(tty.stdout).toMatch(/refusing to print secrets to a terminal/);
    noSecrets(tty.stdout, SECRETS_V5);
  });
});

describe("dev-to-staging.sh's jq promotion", () => {
  it.each([
    ['v5.json', '5.1'],
    ['v6.json', '6.0'],
    ['v4.yaml', '4.2'],
  ])('export --env development | jq … passes config validate --file (%s)', async (fixture, version) => {
    const home = homeWith(fixture, version);
    const dir = tempDir();
    const exp = await mcp(['config', 'export', '--env', 'development'], { home });
    expect(exp.exitCode).toBe(0);
    writeFileSync(join(dir, 'config-dev.json'), exp.stdout);
    expect(JSON.parse(exp.stdout).environment).toBe('development');
    const jq = await execa('bash', ['-c', `jq '.environment = "staging" | \n    .api.host = "staging-api.mcp-platform.io" |\n    .security.tls.enabled = true' config-dev.json > config-staging.json`], { cwd: dir });
    expect(jq.exitCode).toBe(0);
    const v = await mcp(['config', 'validate', '--file', 'config-staging.json', '--json'], { home, cwd: dir });
    expect(v.exitCode).toBe(0);
    expect(v.json()).toMatchObject({ valid: true, issues: [] });
    const staged = JSON.parse(readFileSync(join(dir, 'config-staging.json'), 'utf8'));
    expect(staged).toMatchObject({ environment: 'staging', api: { host: 'staging-api.mcp-platform.io' }, security: { tls: { enabled: true } } });
  });
});

describe('bad input: exit 2 with where, nothing written', () => {
  it('malformed YAML in a .json file: file:line:column, no output file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config-v4.json'), 'version: "4.2"\nservices:\n  - name: a\n   image: b\n');
    const r = await mcp(['migrate', '--from', '4.x', '--to', '5.x', '--config', 'config-v4.json', '--output', 'config-v5.json'], { home: tempDir(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^mcp: error: config-v4\.json:4:\d+: malformed YAML/);
    expect(existsSync(join(dir, 'config-v5.json'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['config-v4.json']);
  });

  it('malformed JSON: file:line:column', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), '{\n  "version": "5.0",\n  "services": [,]\n}\n');
    const r = await mcp(['config', 'validate', '--file', 'c.json'], { home: tempDir(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("mcp: error: c.json:3:16: malformed JSON: Unexpected token ','");
  });

  it('a schema violation: the field path; validate lists every issue', async () => {
    const dir = tempDir();
    const doc = JSON.parse(readFileSync(join(FIX, 'v5.json'), 'utf8'));
    doc.services[2].name = 'filesystem_mcp';
    doc.services[1].maxMemory = 'lots';
    writeFileSync(join(dir, 'c.json'), JSON.stringify(doc, null, 2));
    const r = await mcp(['migrate', '--to', '6.0', '--config', 'c.json', '--output', 'o.json'], { home: tempDir(), cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^mcp: error: c\.json: services\[1\]\.maxMemory: /);
    expect(existsSync(join(dir, 'o.json'))).toBe(false);
    const v = await mcp(['config', 'validate', '--file', 'c.json', '--json'], { home: tempDir(), cwd: dir });
    expect(v.exitCode).toBe(2);
    expect(v.json().issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['services[1].maxMemory', 'services[2].name']));
    noSecrets(v.stdout, SECRETS_V5);
  });

  it('no path: exit 3 naming the nearest valid path, no output file', async () => {
    const dir = tempDir();
    copyFileSync(join(FIX, 'v5.json'), join(dir, 'c.json'));
    const r = await mcp(['migrate', '--from', '5.x', '--to', '4.2', '--config', 'c.json', '--output', 'o.json'], { home: tempDir(), cwd: dir });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no migration path from 5\.1 to 4\.2\nhint: nearest valid path: 5\.1 → 5\.2/);
    expect(existsSync(join(dir, 'o.json'))).toBe(false);
  });
});

describe('migration check, requirements, validate', () => {
  it('mcp migration check --target-version 6.0.0: path, breaking changes, type, downtime from the measured data', async () => {
    const home = homeWith('v4.yaml', '4.2');
    // an embedded database and 3 MiB of service data to measure
    const cfg = readFileSync(join(home, 'config/platform.yaml'), 'utf8').replace(/database:\n {2}type: postgres\n {2}url: .*\n/, 'database:\n  type: pglite\n');
    writeFileSync(join(home, 'config/platform.yaml'), cfg);
    mkdirSync(join(home, 'data/filesystem'), { recursive: true });
    writeFileSync(join(home, 'data/filesystem/blob'), Buffer.alloc(3 * 1024 * 1024));
    const r = await mcp(['migration', 'check', '--target-version', '6.0.0', '--json'], { home });
    expect(r.exitCode).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ from: '4.2', to: '6.0', compatible: true, path: ['4.2', '5.0', '6.0'], migrationType: { type: 'platform', risk: 'high', downtime: 'Required', all: ['major', 'platform'] } });
    expect(j.hops.map((h: { breakingChanges: unknown[] }) => h.breakingChanges.length)).toEqual([5, 5]);
    expect(j.dataSize.dataDir).toBe(3 * 1024 * 1024);
    expect(j.dataSize.databaseKind).toBe('pglite');
    // two major hops and the platform move: 3 × 30 min plus 60 s/GiB for each
    const gib = (3 * 1024 * 1024) / 1024 ** 3;
    expect(j.estimate.seconds).toBe(Math.round(3 * 1800 + 3 * gib * 60));
    expect(j.estimate.confidence).toBe('medium');
    const t = await mcp(['migration', 'check', '--target-version', '6.0.0'], { home });
    expect(t.stdout).toMatch(/Networking\s+Bridge\s+Service mesh\s+Configure mesh/);
    expect(t.stdout).toMatch(/API Endpoints\s+\/api\/\s+\/api\/v1\/\s+Update API calls/);
  });

  it('mcp-migrate check --from 4.0 --to 5.0, and a refused journey exits 3 with the nearest path', async () => {
    const ok = await mcpMigrate(['check', '--from', '4.0', '--to', '5.0', '--data-size', '10GiB', '--json'], { home: tempDir() });
    expect(ok.exitCode).toBe(0);
    expect(ok.json()).toMatchObject({ path: ['4.0', '5.0'], migrationType: { type: 'major', risk: 'medium' }, estimate: { seconds: 1800 + 600 } });
    const patch = await mcpMigrate(['check', '--from', '5.0.0', '--to', '5.0.1', '--json'], { home: tempDir() });
    expect(patch.json()).toMatchObject({ migrationType: { type: 'patch', downtime: 'None' }, estimate: { seconds: 0, confidence: 'high' } });
    const no = await mcpMigrate(['check', '--from', '6.0', '--to', '5.0'], { home: tempDir() });
    expect(no.exitCode).toBe(3);
    expect(no.stdout).toMatch(/No migration path from 6\.0 to 5\.0/);
  });

  it('requirements: each check pass/fail; a missing tool fails with exit 3', async () => {
    const home = homeWith('v5.json', '5.1');
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    cfg.database = { type: 'pglite' };
    writeFileSync(join(home, 'config/platform.json'), JSON.stringify(cfg));
    const bin = tempDir();
    for (const t of ['docker', 'rsync']) {
      writeFileSync(join(bin, t), '#!/bin/sh\nexit 97\n');
      chmodSync(join(bin, t), 0o755);
    }
    const PATH = bin; // the binary runs from process.execPath; nothing else on PATH
    const r = await mcp(['migration', 'requirements', '--target', '6.0', '--json'], { home, env: { PATH } });
    expect(r.exitCode).toBe(3);
    const checks = Object.fromEntries(r.json().checks.map((c: { name: string; status: string }) => [c.name, c.status]));
    expect(checks).toMatchObject({ config: 'pass', path: 'pass', node: 'pass', 'tool:docker': 'pass', 'tool:kubectl': 'fail', 'tool:rsync': 'pass', disk: 'pass', database: 'pass' });
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nexit 97\n');
    chmodSync(join(bin, 'kubectl'), 0o755);
    const ok = await mcp(['migration', 'requirements', '--target', '6.0'], { home, env: { PATH } });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/✓ tool:kubectl/);
  });

  it('requirements report an unreachable database as failed, without its password', async () => {
    const home = homeWith('v5.json', '5.1');
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    cfg.database = { type: 'postgres', url: 'postgres://mcp:hunter2-secret@127.0.0.1:1/mcp' };
    writeFileSync(join(home, 'config/platform.json'), JSON.stringify(cfg));
    const r = await mcp(['migration', 'requirements', '--target', '6.0', '--json'], { home });
    expect(r.exitCode).toBe(3);
    expect(r.json().checks.find((c: { name: string }) => c.name === 'database').status).toBe('fail');
    expect(r.stdout).not.toContain('hunter2-secret');
  });

  it('migration validate --source: matches the installation or exits 3', async () => {
    const home = homeWith('v5.json', '5.1');
    const cfg = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    cfg.database = { type: 'pglite' };
    writeFileSync(join(home, 'config/platform.json'), JSON.stringify(cfg));
    const ok = await mcp(['migration', 'validate', '--source', '5.x', '--json'], { home });
    expect(ok.exitCode).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, version: '5.1' });
    const no = await mcp(['migration', 'validate', '--source', '4.x'], { home });
    expect(no.exitCode).toBe(3);
    expect(no.stdout).toMatch(/✗ version\s+the installation is at 5\.1, not 4\.x/);
  });
});

describe('config optimize', () => {
  it('finds problems; --auto applies the safe ones, keeps the previous config, preserves secrets', async () => {
    const home = homeWith('v5.json', '5.1');
    const r = await mcp(['config', 'optimize', '--json'], { home });
    expect(r.exitCode).toBe(0);
    const ids = r.json().findings.map((f: { id: string }) => f.id);
    expect(ids).toEqual(expect.arrayContaining(['missing-limits', 'single-replica-production', 'static-api-keys']));
    noSecrets(r.stdout, SECRETS_V5);
    const dry = await mcp(['config', 'optimize', '--auto', '--dry-run'], { home });
    expect(dry.stdout).toMatch(/would apply/);
    expect(readFileSync(join(home, 'config/platform.json'), 'utf8')).toBe(readFileSync(join(FIX, 'v5.json'), 'utf8'));
    const auto = await mcp(['config', 'optimize', '--auto', '--json'], { home });
    const findings = auto.json().findings as { id: string; path: string; safe: boolean; applied?: boolean; fix: string }[];
    // safe by construction only: the health check timeout is what the probe uses anyway
    expect(findings.filter((f) => f.applied).map((f) => [f.id, f.path])).toEqual([
      ['health-check-timeout', 'services[0].healthCheck.timeout'],
      ['health-check-timeout', 'services[1].healthCheck.timeout'],
    ]);
    // a second replica of a stdio server, or a limit nobody measured, is a suggestion: never applied
    const replica = findings.find((f) => f.id === 'single-replica-production' && f.path === 'services[3].instances')!;
    expect(replica).toMatchObject({ safe: false });
    expect(replica.fix).toMatch(/stdio/);
    expect(findings.find((f) => f.id === 'missing-limits')).toMatchObject({ safe: false });
    const after = JSON.parse(readFileSync(join(home, 'config/platform.json'), 'utf8'));
    const before = JSON.parse(readFileSync(join(FIX, 'v5.json'), 'utf8'));
    const git = after.services.find((s: { name: string }) => s.name === 'git-mcp');
    expect(git).toEqual(before.services.find((s: { name: string }) => s.name === 'git-mcp'));
    expect(after.services[1].healthCheck).toEqual({ ...before.services[1].healthCheck, timeout: '5s' });
    expect(after.services.map((x: { healthCheck?: unknown }) => ({ ...x, healthCheck: undefined }))).toEqual(before.services.map((x: { healthCheck?: unknown }) => ({ ...x, healthCheck: undefined })));
    expect({ ...after, services: undefined }).toEqual({ ...before, services: undefined });
    expect(after.oauth.clientSecret).toBe('oauth-client-secret-5');
    expect(readdirSync(join(home, 'config/history'))).toHaveLength(1);
    const again = await mcp(['config', 'optimize', '--json'], { home });
    expect(again.json().findings.filter((f: { safe: boolean }) => f.safe)).toEqual([]);
  });

  it('import keeps a v4 YAML as written: comments and anchors, and with --env only the values the overlay changed', async () => {
    const home = join(tempDir(), 'home');
    expect((await mcp(['init', '--version', '4.2'], { home })).exitCode).toBe(0);
    const own = readFileSync(join(FIX, 'v4.yaml'), 'utf8').replace('services:\n', 'x-common: &common\n  restart: always\nservices:\n') + '# end of file\n';
    const file = join(tempDir(), 'mine.yaml');
    writeFileSync(file, own.replace('version: "4.2"', 'version: 4.2'));
    const r = await mcp(['config', 'import', '--file', file], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(home, 'config/platform.yaml'), 'utf8')).toBe(own.replace('version: "4.2"', 'version: 4.2'));
    const s = await mcp(['config', 'import', '--file', file, '--env', 'staging'], { home });
    expect(s.exitCode, s.stderr).toBe(0);
    const staged = readFileSync(join(home, 'config/platform.yaml'), 'utf8');
    expect(staged).toContain('# A complete v4.2 platform config');
    expect(staged).toContain('x-common: &common');
    expect(staged).toContain('# end of file');
    expect(staged).toMatch(/^environment: staging$/m);
    expect((await mcp(['config', 'validate', '--json'], { home })).exitCode).toBe(0);
  });
});
