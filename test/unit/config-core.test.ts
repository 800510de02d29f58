// Paths, parsing positions, secrets placeholders, environment overlays, load/write of a home's config.
import { describe, expect, it } from 'vitest';
import { exitCodeOf, failure } from '../helpers/errors.js';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findPath, requirePath, resolveTarget, resolveSource, versionDifference, parseConfigText, maskSecrets, fillPlaceholders, placeholderPaths,
  applyEnvOverlay, loadConfig, writeConfig, transformConfig, listHistory, GUIDE_MIGRATION_PATHS,
} from '../../src/config/index.js';
import { McpError } from '../../src/errors.js';
import { redactText } from '../../src/redact.js';

const ROOT = join(import.meta.dirname, '../..');
const fixture = (n: string) => readFileSync(join(ROOT, 'test/fixtures/config', n), 'utf8');
const v4 = () => parseConfigText(fixture('v4.yaml'), 'v4.yaml').doc;

function thrown(fn: () => unknown): McpError {
  try {
    fn();
  } catch (e) {
    return e as McpError;
  }
  throw new Error('did not throw');
}

describe('upgrade paths', () => {
  it("follows the guide's compatibility table", () => {
    for (const [from, tos] of Object.entries(GUIDE_MIGRATION_PATHS)) for (const to of tos) expect(findPath(from as '4.0', to)).toEqual([from, to]);
  });
  it('chains longer journeys hop by hop', () => {
    expect(findPath('4.2', '6.0')).toEqual(['4.2', '5.0', '6.0']);
    expect(findPath('4.0', '4.2')).toEqual(['4.0', '4.1', '4.2']);
    expect(findPath('5.2', '6.0')).toEqual(['5.2', '6.0']);
  });
  it('resolves versions as the guide writes them', () => {
    expect(resolveTarget('4.2', '5.x')).toBe('5.0');
    expect(resolveTarget('5.0', '6.0.0')).toBe('6.0');
    expect(resolveSource('4.x', '4.1')).toBe('4.1');
    expect(versionDifference('5.0.0', '5.0.1')).toBe('patch');
    expect(versionDifference('5.0', '5.1')).toBe('minor');
    expect(versionDifference('5.x', '6.0.0')).toBe('major');
  });
  it('no path: exit 3 naming the nearest valid path', () => {
    const e = thrown(() => requirePath('5.0', '4.2'));
    expect(exitCodeOf(e)).toBe(3);
    expect(e.message).toBe('no migration path from 5.0 to 4.2');
    expect(e.hint).toMatch(/nearest valid path: 5\.0 → 5\.1/);
    expect(thrown(() => requirePath('6.0', '5.0')).hint).toMatch(/newest/);
    expect(thrown(() => requirePath('4.2', '4.1')).hint).toMatch(/nearest valid path: 4\.2 → 5\.0/);
  });
});

describe('parsing', () => {
  it('reads YAML or JSON whatever the file is called', () => {
    expect(parseConfigText(fixture('v4.yaml'), 'config-v4.json').format).toBe('yaml');
    expect(parseConfigText(fixture('v5.json'), 'x.yaml').format).toBe('json');
  });
  it('malformed JSON: file:line:column', () => {
    const e = thrown(() => parseConfigText('{\n  "version": "5.0",\n  "services": [,]\n}\n', 'c.json'));
    expect(exitCodeOf(e)).toBe(2);
    expect(e.where).toBe('c.json:3:16');
  });
  it('malformed YAML: file:line:column', () => {
    const e = thrown(() => parseConfigText('version: "4.2"\nservices:\n  - name: a\n   image: b\n', 'c.yaml'));
    expect(exitCodeOf(e)).toBe(2);
    expect(e.where).toMatch(/^c\.yaml:4:\d+$/);
  });
  it('schema violation in a transform: the field path, exit 2', () => {
    const doc = { ...v4(), services: [{ name: 'filesystem-mcp', type: 'mcp', image: 'x' }] };
    const e = thrown(() => transformConfig(doc, '4.x', '5.x', { where: 'config-v4.json' }));
    expect(exitCodeOf(e)).toBe(2);
    expect(e.where).toBe('config-v4.json: services[0].name');
  });
});

describe('secrets', () => {
  it('export masks every secret, keeps the shape, and import puts them back exactly', () => {
    const doc = v4();
    const masked = maskSecrets(doc);
    const text = JSON.stringify(masked);
    for (const s of ['token123', 's3cr3t-dashboard-token', 'db-pass-4']) expect(text).not.toContain(s);
    expect((masked.database as Record<string, unknown>).url).toBe('postgres://mcp:[REDACTED]@db.acme.example:5432/mcp');
    expect(placeholderPaths(masked)).toEqual(expect.arrayContaining(['auth.tokens[0].token', 'database.url', 'services[0].environment.POSTGRES_PASSWORD']));
    const back = fillPlaceholders(masked, doc);
    expect(back.unresolved).toEqual([]);
    expect(back.doc).toEqual(doc);
  });
  it('matches named things by name (a reordered export still gets the right secrets)', () => {
    const doc = v4();
    const masked = maskSecrets(doc) as Record<string, any>;
    masked.auth.tokens.reverse();
    const back = fillPlaceholders(masked, doc).doc as Record<string, any>;
    expect(back.auth.tokens.map((t: { name: string; token: string }) => [t.name, t.token])).toEqual([
      ['dashboard', 's3cr3t-dashboard-token'],
      ['ci', 'token123'],
    ]);
  });
  it('a placeholder with no current value stays unresolved', () => {
    const masked = maskSecrets(v4()) as Record<string, any>;
    masked.auth.tokens.push({ name: 'new', token: '[REDACTED]' });
    expect(fillPlaceholders(masked, v4()).unresolved).toEqual(['auth.tokens[2].token']);
  });
  it('placeholders survive a transform and are filled from the current config transformed the same way', () => {
    const cur = v4();
    const exported = maskSecrets(cur);
    const migrated = transformConfig(exported, '4.x', '5.x').config;
    const truth = transformConfig(cur, '4.x', '5.x').config;
    const back = fillPlaceholders(migrated, truth);
    expect(back.unresolved).toEqual([]);
    expect(back.doc).toEqual(truth);
  });
});

describe('environment overlays', () => {
  it('staging: name and TLS, then the config’s own overlay', () => {
    const { doc, changes } = applyEnvOverlay({ ...v4(), environment: 'development', security: { tls: { enabled: false } } }, 'staging');
    expect(doc.environment).toBe('staging');
    expect((doc.security as any).tls.enabled).toBe(true);
    expect((doc.api as any).host).toBe('staging-api.acme.example');
    expect(changes.length).toBeGreaterThan(1);
  });
  it('production fills missing limits; development leaves TLS alone', () => {
    const v5 = JSON.parse(fixture('v5.json'));
    const prod = applyEnvOverlay(v5, 'production').doc as any;
    for (const s of prod.services) expect(s.maxCpu && s.maxMemory).toBeTruthy();
    const { environments: _e, ...plain } = v5;
    const dev = applyEnvOverlay({ ...plain, security: { tls: { enabled: true } } }, 'development').doc as any;
    expect(dev.security.tls.enabled).toBe(true);
    expect(dev.environment).toBe('development');
    // the config's own overlay wins over the built-in rules
    expect((applyEnvOverlay(v5, 'development').doc as any).security.tls.enabled).toBe(false);
    expect((applyEnvOverlay(v5, 'development').doc as any).api.host).toBe('localhost');
  });
  it('refuses an unknown environment with exit 2', () => {
    expect(exitCodeOf(thrown(() => applyEnvOverlay(v4(), 'qa')))).toBe(2);
  });
});

describe('loadConfig / writeConfig', () => {
  const home = () => {
    const h = mkdtempSync(join(tmpdir(), 'mcp-cfg-'));
    mkdirSync(join(h, 'config'), { recursive: true });
    return h;
  };

  it('loads and validates, registering secrets for masking', async () => {
    const h = home();
    writeFileSync(join(h, 'config/platform.yaml'), fixture('v4.yaml'));
    const c = await loadConfig(h);
    expect(c).toMatchObject({ version: '4.2', generation: 4, format: 'yaml', path: join(h, 'config/platform.yaml') });
    expect(redactText('token is s3cr3t-dashboard-token here')).not.toContain('s3cr3t');
  });

  it('writes atomically, keeps the previous file under history/, preserves secrets exactly, and switches file on a generation change', async () => {
    const h = home();
    writeFileSync(join(h, 'config/platform.yaml'), fixture('v4.yaml'));
    const next = transformConfig((await loadConfig(h)).doc, '4.x', '5.x').config;
    const w = await writeConfig(h, next);
    expect(w.path).toBe(join(h, 'config/platform.json'));
    expect(w.removed).toBe(join(h, 'config/platform.yaml'));
    expect(existsSync(join(h, 'config/platform.yaml'))).toBe(false);
    expect(readFileSync(w.previous!, 'utf8')).toBe(fixture('v4.yaml'));
    expect(await listHistory(h)).toEqual([w.previous]);
    const again = await loadConfig(h);
    expect(again.doc).toEqual(next);
    expect(JSON.stringify(again.doc)).toContain('s3cr3t-dashboard-token');
    expect(statSync(w.path).mode & 0o077).toBe(0);
    expect(readdirSync(join(h, 'config')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses invalid docs and placeholders, writing nothing', async () => {
    const h = home();
    writeFileSync(join(h, 'config/platform.json'), fixture('v5.json'));
    const before = readFileSync(join(h, 'config/platform.json'), 'utf8');
    expect(await failure(writeConfig(h, { version: '5.0', environment: 'x', services: [] }))).toMatchObject({ exitCode: 2, where: 'config: environment' });
    expect(await failure(writeConfig(h, maskSecrets(JSON.parse(before))))).toMatchObject({ exitCode: 2 });
    expect(readFileSync(join(h, 'config/platform.json'), 'utf8')).toBe(before);
    expect(existsSync(join(h, 'config/history'))).toBe(false);
  });
});
