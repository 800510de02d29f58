// security.scan (the guide's security_scan): the audit rules over hand-written configs and file modes, and the
// step over a temp home: high findings fail it, every finding is in the result, no secret value in any message.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { auditConfig, countFindings, hostPathOf, imageRef, listFileModes, publishedOnAllInterfaces, scanFileModes, scanSecrets, scanServices, scanTls, secretWeakness, type Finding } from '../../src/security/scan.js';
import { securityScan } from '../../src/run/steps/security.js';
import type { StepContext } from '../../src/run/steps/types.js';

// every secret value the configs below hold: none may appear in a finding or an error
const SECRETS = ['changeme', 'Adm1n', 'pl41n-DB-pass-value-0001', 'urlpw-1234', 'short-token', 'xK9#mQ2$vL7@pR4!wZ8^', 'Zq8-redis-Secret-Long-Value'];

const weakDoc = (): Record<string, any> => ({
  version: '5.0',
  environment: 'production',
  security: { tls: { enabled: false } },
  auth: { type: 'jwt', jwt: { algorithm: 'HS256', secret: 'changeme', accessTokenTtl: '15m' }, legacyApiKeys: [{ name: 'ci', key: 'short-token' }] },
  oauth: { clientId: 'mcp-cli', clientSecret: 'xK9#mQ2$vL7@pR4!wZ8^', tokenUrl: 'https://id.example/token' },
  database: { type: 'postgres', url: 'postgres://mcp:urlpw-1234@db:5432/mcp' },
  services: [
    {
      name: 'postgres',
      type: 'infrastructure',
      image: 'postgres',
      ports: ['5432:5432'],
      environment: { POSTGRES_PASSWORD: 'pl41n-DB-pass-value-0001', POSTGRES_USER: 'mcp', PGDATA: '/var/lib/postgresql/data' },
      volumes: ['./data/postgres:/var/lib/postgresql/data'],
    },
    {
      name: 'redis',
      type: 'infrastructure',
      image: 'redis:latest',
      ports: ['0.0.0.0:6379:6379'],
      environment: { REDIS_PASSWORD: 'Zq8-redis-Secret-Long-Value', ADMIN_PASS: 'Adm1n' },
      volumes: ['/srv/shared/redis:/data', 'redis-data:/data2'],
      privileged: true,
    },
    {
      name: 'api-gateway',
      type: 'core',
      image: 'mcp/gateway:5.0.1',
      ports: ['127.0.0.1:8080:8080'],
      environment: { LOG_LEVEL: 'info', DATABASE_URL: 'postgres://app:urlpw-1234@db/mcp', JWT_SECRET: '${JWT_SECRET}' },
      volumes: ['/var/run/docker.sock:/var/run/docker.sock'],
    },
    { name: 'pinned', type: 'core', image: 'registry.local:5000/mcp/x@sha256:0123abcd', ports: ['3000'] },
  ],
});

const cleanDoc = (): Record<string, any> => ({
  version: '5.0',
  environment: 'production',
  security: { tls: { enabled: true, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' } },
  auth: { type: 'jwt', jwt: { algorithm: 'HS256', secret: 'f3a9c1d27be84e06a5b2c9d0e1f2a3b4', accessTokenTtl: '15m' } },
  database: { type: 'pglite' },
  services: [
    { name: 'api-gateway', type: 'core', image: 'mcp/gateway:5.0.1', ports: ['127.0.0.1:8080:8080'], environment: { LOG_LEVEL: 'info' }, volumes: ['./data/gw:/data'] },
    { name: 'web', type: 'core', image: 'mcp/web:5.0.1', ports: ['443:8443'] },
  ],
});

const HOME = '/opt/mcp-home';
const ids = (fs: Finding[]) => fs.map((f) => `${f.severity} ${f.id} ${f.path}`).sort();

function noSecretIn(text: string) {
  for (const s of SECRETS) expect(text, `secret value ${s} leaked`).not.toContain(s);
}

describe('security audit rules', () => {
  it('secrets: default and empty are high, short is medium, references are not judged', () => {
    expect(['changeme', 'CHANGE_ME', 'password', 'secret', 'admin', 'changeme-in-production', 'aaaaaaaaaaaaaaaaaaaa'].map(secretWeakness)).toEqual(Array(7).fill('default'));
    expect(secretWeakness('')).toBe('empty');
    expect(secretWeakness('Adm1n-x')).toBe('short');
    expect(secretWeakness('f3a9c1d27be84e06a5b2c9d0e1f2a3b4')).toBeUndefined();
    expect(secretWeakness('${JWT_SECRET}')).toBeUndefined();
    expect(secretWeakness('[REDACTED]')).toBeUndefined();
  });

  it('secrets in a config: fields, URLs and services\' environment', () => {
    expect(ids(scanSecrets(weakDoc()))).toEqual([
      'high secret-default auth.jwt.secret',
      'medium secret-in-plain-field services[0].environment.POSTGRES_PASSWORD',
      'medium secret-in-plain-field services[1].environment.ADMIN_PASS',
      'medium secret-in-plain-field services[1].environment.REDIS_PASSWORD',
      'medium secret-in-plain-field services[2].environment.DATABASE_URL',
      'medium secret-weak auth.legacyApiKeys[0].key',
      'medium secret-weak database.url',
      'medium secret-weak services[1].environment.ADMIN_PASS',
      'medium secret-weak services[2].environment.DATABASE_URL',
    ].sort());
  });

  it("an empty password variable is high; a default password inside a service's URL variable is high too", () => {
    const doc = {
      version: '5.0',
      services: [
        { name: 'postgres', environment: { POSTGRES_PASSWORD: '', LOG_LEVEL: '' } },
        { name: 'app', environment: { DATABASE_URL: 'postgres://mcp:postgres@db:5432/mcp', CACHE_URL: 'redis://:Zq8v2Lk9Xw4Rt6Yp1Mn3@cache:6379' } },
      ],
    };
    expect(ids(scanSecrets(doc))).toEqual([
      'high secret-empty services[0].environment.POSTGRES_PASSWORD',
      'high secret-default services[1].environment.DATABASE_URL',
      'medium secret-in-plain-field services[1].environment.DATABASE_URL',
      'medium secret-in-plain-field services[1].environment.CACHE_URL',
    ].sort());
    for (const f of scanSecrets(doc)) expect(f.message).not.toContain('Zq8v2Lk9Xw4Rt6Yp1Mn3');
  });

  it('TLS off is high; TLS on without files is medium; on with files is clean', () => {
    expect(ids(scanTls(weakDoc()))).toEqual(['high tls-off security.tls.enabled']);
    expect(ids(scanTls({ version: '5.0', services: [] }))).toEqual(['high tls-off security.tls.enabled']);
    expect(ids(scanTls({ version: '5.0', security: { tls: { enabled: true } } }))).toEqual(['medium tls-no-files security.tls']);
    expect(scanTls({ version: '4.2', security: { tls: { enabled: true, cert_file: 'c', key_file: 'k' } } })).toEqual([]);
    expect(scanTls(cleanDoc())).toEqual([]);
  });

  it('services: unpinned and :latest images, privileged, host paths outside the home, the Docker socket, ports on all interfaces', () => {
    expect(ids(scanServices(weakDoc(), HOME))).toEqual([
      'high docker-socket services[2].volumes[0]',
      'high privileged services[1].privileged',
      'low port-all-interfaces services[0].ports[0]',
      'low port-all-interfaces services[1].ports[0]',
      'low port-all-interfaces services[3].ports[0]',
      'medium host-path-volume services[1].volumes[0]',
      'medium image-latest services[1].image',
      'medium image-unpinned services[0].image',
    ].sort());
    const port = scanServices(weakDoc(), HOME).find((f) => f.path === 'services[0].ports[0]')!;
    expect(port.message).toContain('"127.0.0.1:5432:5432"');
  });

  it('image references, host paths and port bindings', () => {
    expect(imageRef('registry.local:5000/mcp/x')).toEqual({ tag: undefined, digest: undefined });
    expect(imageRef('registry.local:5000/mcp/x:1.2')).toEqual({ tag: '1.2', digest: undefined });
    expect(imageRef('x@sha256:ab')).toEqual({ tag: undefined, digest: 'sha256:ab' });
    expect(hostPathOf('./data/x:/data', HOME)).toBe('/opt/mcp-home/data/x');
    expect(hostPathOf('../elsewhere:/data', HOME)).toBe('/opt/elsewhere');
    expect(hostPathOf('named:/data', HOME)).toBeUndefined();
    expect(['3000:3000', '0.0.0.0:3000:3000', '3000', '53:53/udp'].map(publishedOnAllInterfaces)).toEqual([true, true, true, true]);
    expect(['127.0.0.1:3000:3000', '10.0.0.5:3000:3000'].map(publishedOnAllInterfaces)).toEqual([false, false]);
    expect(ids(scanServices({ services: [{ name: 'a', image: 'a:1', volumes: ['../outside:/x', './data/in:/y'] }] }, HOME))).toEqual(['medium host-path-volume services[0].volumes[0]']);
  });

  it('file modes: secret files readable by group/others are high, one per file; the rest medium, one per directory', () => {
    const fs = scanFileModes([
      { path: 'config/platform.json', mode: 0o100644 },
      { path: 'config/secrets.json', mode: 0o100640 },
      { path: 'config/history/2025-platform.json', mode: 0o100604 },
      { path: 'config/notes.txt', mode: 0o100600 },
      { path: 'state/runs/r1/journal.jsonl', mode: 0o100644 },
      { path: 'state/runs/r1/control', mode: 0o100644 },
      { path: 'state/pglite/base', mode: 0o100600 },
      { path: 'tls/key.pem', mode: 0o100644 },
    ], ['tls/key.pem']);
    expect(ids(fs)).toEqual([
      'high file-readable config/history/2025-platform.json',
      'high file-readable config/platform.json',
      'high file-readable config/secrets.json',
      'high file-readable tls/key.pem',
      'medium file-readable state/runs/r1',
    ].sort());
    expect(fs.find((f) => f.path === 'config/secrets.json')!.message).toMatch(/readable by its group \(mode 640\): chmod 600 config\/secrets.json/);
    expect(fs.find((f) => f.path === 'state/runs/r1')!.message).toMatch(/^2 file\(s\) under state\/runs\/r1/);
  });

  it('the whole audit: high first, counts, and no secret value in any message', () => {
    const all = auditConfig(weakDoc(), { home: HOME, files: [{ path: 'config/platform.json', mode: 0o100644 }] });
    expect(all[0]!.severity).toBe('high');
    const order = all.map((f) => ['high', 'medium', 'low'].indexOf(f.severity));
    expect(order).toEqual([...order].sort());
    expect(countFindings(all)).toEqual({ high: 5, medium: 11, low: 3, total: 19 });
    noSecretIn(JSON.stringify(all));
    const clean = auditConfig(cleanDoc(), { home: HOME, files: [{ path: 'config/platform.json', mode: 0o100600 }] });
    expect(ids(clean)).toEqual(['low port-all-interfaces services[1].ports[0]']);
  });
});

function home(doc: Record<string, any>, mode = 0o600) {
  const h = tempDir('mcp-scan-home-');
  mkdirSync(join(h, 'config'), { recursive: true });
  mkdirSync(join(h, 'state', 'runs'), { recursive: true });
  mkdirSync(join(h, 'tls'), { recursive: true });
  writeFileSync(join(h, 'config', 'platform.json'), JSON.stringify(doc, null, 2));
  chmodSync(join(h, 'config', 'platform.json'), mode);
  writeFileSync(join(h, 'state', 'runs', 'journal.jsonl'), '{}\n');
  chmodSync(join(h, 'state', 'runs', 'journal.jsonl'), 0o600);
  writeFileSync(join(h, 'tls', 'key.pem'), 'key');
  chmodSync(join(h, 'tls', 'key.pem'), 0o600);
  return h;
}

const ctx = (h: string, log: string[] = []): StepContext => ({ home: h, runHome: h, homeOf: () => undefined, resultOf: () => undefined, runId: 'r1', stepId: 'validation.security-scan', dir: join(h, 'state', 'runs', 'r1', 'steps', 's'), signal: new AbortController().signal, env: {}, plan: undefined as never, dryRun: false, detail: (m) => log.push(m) });

describe('security.scan step', () => {
  it('is a read-only check', () => {
    expect(securityScan.mutates).toBe(false);
    expect(securityScan.undo).toBeUndefined();
  });

  it('high findings fail it; the message lists them with the counts and holds no secret value', async () => {
    const h = home(weakDoc(), 0o644);
    const log: string[] = [];
    const err = (await securityScan.run(ctx(h, log), {}).catch((e) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/^security scan: 5 finding\(s\) at high \(high 5, medium 11, low 3\): /);
    for (const id of ['tls-off', 'secret-default', 'privileged', 'docker-socket', 'file-readable']) expect(err.message).toContain(`] ${id} at `);
    expect(err.message).toContain('config/platform.json holds secrets and is readable by others (mode 644)');
    expect(err.message).not.toContain('[medium]');
    noSecretIn(err.message);
    noSecretIn(log.join('\n'));
    expect(log).toHaveLength(19);
  });

  it('a home without high findings passes, and the result carries every finding and the counts', async () => {
    const h = home(cleanDoc());
    const r = (await securityScan.run(ctx(h), {})) as { findings: Finding[]; counts: Record<string, number> };
    expect(r.counts).toEqual({ high: 0, medium: 0, low: 1, total: 1 });
    expect(r.findings.map((f) => f.id)).toEqual(['port-all-interfaces']);
    // failOn: low makes the same home fail
    await expect(securityScan.run(ctx(h), { failOn: 'low' })).rejects.toThrow(/1 finding\(s\) at low or worse/);
    expect(await securityScan.check!({ failOn: 'bad' }, h, {})).toMatch(/failOn/);
  });

  it('the TLS key file named by the config is checked, inside or outside config/ and state/', async () => {
    const h = home(cleanDoc());
    chmodSync(join(h, 'tls', 'key.pem'), 0o640);
    const err = (await securityScan.run(ctx(h), {}).catch((e) => e)) as Error;
    expect(err.message).toMatch(/\[high\] file-readable at tls\/key.pem: tls\/key.pem holds secrets and is readable by its group \(mode 640\)/);
  });

  it('listFileModes: regular files under config/ and state/, relative to the home', async () => {
    const h = home(cleanDoc());
    const files = await listFileModes(h);
    expect(files.map((f) => f.path).sort()).toEqual(['config/platform.json', 'state/runs/journal.jsonl']);
    expect(files.every((f) => (f.mode & 0o777) === 0o600)).toBe(true);
  });
});
