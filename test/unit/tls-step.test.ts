// tls.configure (the guide's configure_ssl): real certificates made with openssl in a temp home; every failing
// check names the file and leaves the config byte-for-byte as it was; undo restores it byte-for-byte.
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { tlsConfigure, checkTlsFiles } from '../../src/run/steps/security.js';
import type { StepContext } from '../../src/run/steps/types.js';
import { defaultRegistry } from '../../src/run/steps/index.js';
import { executePlan } from '../../src/run/executor.js';
import { makePlan, PLAN_API_VERSION } from '../../src/run/plan.js';
import { parsePlanText } from '../../src/run/plan-files.js';

let certs: string;

function openssl(args: string[]) {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A self-signed EC certificate and its key, valid `days` days. */
function makeCert(dir: string, name: string, days: number) {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', String(days), '-subj', `/CN=${name}.mcp.test`]);
}

beforeAll(() => {
  certs = tempDir('mcp-tls-certs-');
  makeCert(certs, 'good', 365);
  makeCert(certs, 'soon', 10);
  makeCert(certs, 'other', 365);
  writeFileSync(join(certs, 'garbage.crt'), 'not a certificate\n');
});

// hand-written, deliberately not in writeConfig's formatting (4-space indent, key order), so a re-serialized
// file would differ from the original
const configText = (tls: Record<string, unknown>) =>
  JSON.stringify(
    {
      version: '5.0',
      environment: 'production',
      security: { tls },
      services: [{ name: 'api-gateway', type: 'core', image: 'mcp/gateway:5.0.1', ports: ['127.0.0.1:8080:8080'] }],
    },
    null,
    4,
  ) + '\n';

function home(tls: Record<string, unknown>, files: Array<[string, string]> = [['good.crt', 'tls/cert.pem'], ['good.key', 'tls/key.pem']]) {
  const h = tempDir('mcp-tls-home-');
  mkdirSync(join(h, 'config'), { recursive: true });
  mkdirSync(join(h, 'tls'), { recursive: true });
  for (const [from, to] of files) writeFileSync(join(h, to), readFileSync(join(certs, from)), { mode: 0o600 });
  writeFileSync(join(h, 'config', 'platform.json'), configText(tls), { mode: 0o600 });
  return h;
}

function ctx(h: string, step = 'configuration.configure-ssl'): StepContext {
  return { home: h, runHome: h, homeOf: () => undefined, resultOf: () => undefined, runId: 'r1', stepId: step, dir: join(h, 'state', 'runs', 'r1', 'steps', step), signal: new AbortController().signal, env: {}, plan: undefined as never, dryRun: false, detail: () => undefined };
}

const snapshot = (h: string) => ({ files: readdirSync(join(h, 'config')).sort(), text: readFileSync(join(h, 'config', 'platform.json')) });
const TLS = { enabled: false, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' };

describe('tls.configure', () => {
  it('a good certificate and key: TLS on, paths kept relative; undo restores the config byte-for-byte', async () => {
    const h = home(TLS);
    const before = snapshot(h);
    const r = (await tlsConfigure.run(ctx(h), {})) as Record<string, any>;
    expect(r).toMatchObject({ enabled: true, changed: true, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' });
    expect(r.daysLeft).toBeGreaterThanOrEqual(363);
    expect(r.subject).toContain('good.mcp.test');
    const after = JSON.parse(readFileSync(join(h, 'config', 'platform.json'), 'utf8'));
    expect(after.security.tls).toEqual({ enabled: true, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' });
    await tlsConfigure.undo!(ctx(h), {}, r);
    expect(snapshot(h)).toEqual(before);
    // undo is idempotent, and the step runs again after its own undo
    await tlsConfigure.undo!(ctx(h), {}, r);
    expect(snapshot(h)).toEqual(before);
    await tlsConfigure.run(ctx(h), {});
    expect(JSON.parse(readFileSync(join(h, 'config', 'platform.json'), 'utf8')).security.tls.enabled).toBe(true);
  });

  it('params certFile/keyFile name the files (absolute paths too) and are written into the config', async () => {
    const h = home({ enabled: false }, []);
    const r = (await tlsConfigure.run(ctx(h), { certFile: join(certs, 'good.crt'), keyFile: join(certs, 'good.key') })) as Record<string, any>;
    expect(r.changed).toBe(true);
    expect(JSON.parse(readFileSync(join(h, 'config', 'platform.json'), 'utf8')).security.tls).toEqual({ enabled: true, certFile: join(certs, 'good.crt'), keyFile: join(certs, 'good.key') });
    expect(await tlsConfigure.check!({ certFile: 3 }, h, {})).toMatch(/params.certFile/);
  });

  it('already on with the same files: checked, nothing written', async () => {
    const h = home({ ...TLS, enabled: true });
    const before = snapshot(h);
    const r = (await tlsConfigure.run(ctx(h), {})) as Record<string, any>;
    expect(r.changed).toBe(false);
    expect(snapshot(h)).toEqual(before);
  });

  it('a v4 YAML config: cert_file/key_file, its comments kept; undo byte-for-byte', async () => {
    const h = home({}, [['good.crt', 'tls/cert.pem'], ['good.key', 'tls/key.pem']]);
    const yaml = ['# the v4 platform', 'version: "4.2"', 'security:', '  tls:', '    enabled: false   # turned on by configure_ssl', '    cert_file: tls/cert.pem', '    key_file: tls/key.pem', 'services:', '  - name: api_gateway', '    type: core', '    image: mcp/gateway:4.2.0', ''].join('\n');
    rmSync(join(h, 'config', 'platform.json'));
    writeFileSync(join(h, 'config', 'platform.yaml'), yaml, { mode: 0o600 });
    const before = readFileSync(join(h, 'config', 'platform.yaml'));
    const r = await tlsConfigure.run(ctx(h), {});
    expect(r).toMatchObject({ changed: true, certFile: 'tls/cert.pem', keyFile: 'tls/key.pem' });
    const after = readFileSync(join(h, 'config', 'platform.yaml'), 'utf8');
    expect(after).toMatch(/enabled: true/);
    expect(after).toContain('# the v4 platform');
    await tlsConfigure.undo!(ctx(h), {}, r as Record<string, unknown>);
    expect(readFileSync(join(h, 'config', 'platform.yaml'))).toEqual(before);
    expect(readdirSync(join(h, 'config'))).toEqual(['platform.yaml']);
  });

  const failures: Array<[string, Record<string, unknown>, Array<[string, string]>, RegExp]> = [
    ['no cert/key fields', { enabled: false }, [], /does not set security\.tls\.certFile and security\.tls\.keyFile/],
    ['a missing certificate file', TLS, [['good.key', 'tls/key.pem']], /certificate .*tls\/cert\.pem \(security\.tls\.certFile\) does not exist/],
    ['a missing key file', TLS, [['good.crt', 'tls/cert.pem']], /key .*tls\/key\.pem \(security\.tls\.keyFile\) does not exist/],
    ['a certificate that is not one', TLS, [['garbage.crt', 'tls/cert.pem'], ['good.key', 'tls/key.pem']], /tls\/cert\.pem .* is not a PEM X\.509 certificate/],
    ['a key that is not one', TLS, [['good.crt', 'tls/cert.pem'], ['good.crt', 'tls/key.pem']], /tls\/key\.pem .* is not a PEM private key/],
    ['a key of another certificate', TLS, [['good.crt', 'tls/cert.pem'], ['other.key', 'tls/key.pem']], /tls\/key\.pem .* does not match the certificate .*tls\/cert\.pem/],
    ['a certificate that expires in 10 days', TLS, [['soon.crt', 'tls/cert.pem'], ['soon.key', 'tls/key.pem']], /tls\/cert\.pem expires on \d{4}-\d\d-\d\d, in (9|10) day\(s\) \(less than 30\): renew it/],
  ];
  for (const [name, tls, files, message] of failures) {
    it(`fails on ${name}, one line naming the file, the config untouched`, async () => {
      const h = home(tls, files);
      const before = snapshot(h);
      const err = (await tlsConfigure.run(ctx(h), {}).catch((e) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
      // no PEM content (a base64 body line) ever reaches the message
      expect(err.message).not.toMatch(/[A-Za-z0-9+/]{40,}/);
      expect(snapshot(h)).toEqual(before);
      // the executor undoes a failed step (result undefined): still byte-for-byte
      await tlsConfigure.undo!(ctx(h), {}, undefined);
      expect(snapshot(h)).toEqual(before);
    });
  }

  it('checkTlsFiles: 30 days is measured from now (a 365-day certificate fails a year on)', async () => {
    const ok = await checkTlsFiles(join(certs, 'good.crt'), join(certs, 'good.key'), { cert: 'certFile', key: 'keyFile' });
    expect(ok.daysLeft).toBeGreaterThan(300);
    const later = Date.now() + 340 * 86_400_000;
    await expect(checkTlsFiles(join(certs, 'good.crt'), join(certs, 'good.key'), { cert: 'certFile', key: 'keyFile' }, later)).rejects.toThrow(/less than 30/);
    const past = Date.now() + 400 * 86_400_000;
    await expect(checkTlsFiles(join(certs, 'good.crt'), join(certs, 'good.key'), { cert: 'certFile', key: 'keyFile' }, past)).rejects.toThrow(/expired on/);
  });
});

describe('tls.configure in a run', () => {
  const plan = (steps: Array<{ id: string; kind: string; params?: Record<string, unknown> }>) =>
    makePlan({ apiVersion: PLAN_API_VERSION, name: 'tls', kind: 'custom', phases: [{ name: 'configuration', steps: steps.map((s) => ({ title: s.id, params: {}, ...s })) }], rollback: { automatic: true, conditions: [], noData: 'fail' } });

  it('a failing check fails the run and the config is byte-for-byte as before', async () => {
    const h = home(TLS, [['soon.crt', 'tls/cert.pem'], ['soon.key', 'tls/key.pem']]);
    const before = snapshot(h);
    const out = await executePlan(plan([{ id: 'ssl', kind: 'tls.configure' }]), { home: h, env: {}, registry: defaultRegistry() });
    expect(out.status).not.toBe('completed');
    expect(out.error).toMatch(/ssl .*expires on/);
    expect(snapshot(h)).toEqual(before);
  });

  it('a later step failing rolls TLS back: the config byte-for-byte as before', async () => {
    const h = home(TLS);
    const before = snapshot(h);
    const out = await executePlan(plan([{ id: 'ssl', kind: 'tls.configure' }, { id: 'v', kind: 'check.version', params: { expect: '9.x' } }]), { home: h, env: {}, registry: defaultRegistry() });
    expect(out.steps.find((s) => s.id === 'ssl')!.status).toBe('undone');
    expect(snapshot(h)).toEqual(before);
    expect(existsSync(join(h, 'config', 'history'))).toBe(false);
  });
});

describe('production-migration.yaml', () => {
  it('configure_ssl is tls.configure and security_scan is security.scan', async () => {
    const text = ['migration:', '  name: p', '  source: { environment: staging }', '  target: { environment: production }', '  steps:', '    - name: configuration', '      actions: [configure_ssl]', '    - name: validation', '      actions: [security_scan]', ''].join('\n');
    const { plan } = await parsePlanText(text, 'production-migration.yaml');
    expect(plan.phases.flatMap((p) => p.steps.map((s) => [s.id, s.kind]))).toEqual([
      ['configuration.configure-ssl', 'tls.configure'],
      ['validation.security-scan', 'security.scan'],
    ]);
  });
});
