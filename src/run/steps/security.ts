// Security steps of the guide's production-migration.yaml: configure_ssl (tls.configure: check the certificate
// and key the config names, then turn TLS on; undo: the config as it was) and security_scan (security.scan: a
// read-only audit of the home, failing on high findings; the rules are in src/security/scan.ts).
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { StepKind } from './types.js';
import { saveState, restoreState } from './snapshot.js';
import { modules } from './modules.js';
import { layout } from '../../home.js';
import { readStoredConfig } from '../../config/store.js';
import { auditConfig, countFindings, listFileModes, tlsFields, tlsKeyFile, SEVERITIES, type Finding, type Severity } from '../../security/scan.js';

/** A certificate that expires sooner than this is refused: renew it first. */
export const MIN_CERT_DAYS = 30;
const DAY = 86_400_000;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export interface TlsCheck {
  certFile: string;
  keyFile: string;
  subject: string;
  issuer: string;
  validTo: string;
  daysLeft: number;
}

async function readPem(file: string, what: string, field: string): Promise<string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new Error(`the TLS ${what} ${file} (security.tls.${field}) is not a file: point security.tls.${field} at the PEM file`);
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`the TLS ${what} ${file} (security.tls.${field}) does not exist: put the PEM ${what} there or fix security.tls.${field} (relative paths are against the home)`);
    if ((e as NodeJS.ErrnoException).code === 'EACCES') throw new Error(`the TLS ${what} ${file} (security.tls.${field}) cannot be read: let the user running mcp read it (chmod 600, owned by that user)`);
    throw e;
  }
}

/**
 * The certificate and key files exist, parse, belong together, and the certificate is valid now and for at least
 * MIN_CERT_DAYS more days. Throws one line naming the file and what to do. Never reads out the key.
 */
export async function checkTlsFiles(certFile: string, keyFile: string, fields: { cert: string; key: string }, now = Date.now()): Promise<TlsCheck> {
  const certPem = await readPem(certFile, 'certificate', fields.cert);
  const keyPem = await readPem(keyFile, 'key', fields.key);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new Error(`the TLS certificate ${certFile} (security.tls.${fields.cert}) is not a PEM X.509 certificate: give the certificate file (-----BEGIN CERTIFICATE-----), not a key or a CSR`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (e) {
    // the error text of an encrypted key asks for a passphrase; never echo the file's content
    const encrypted = /passphrase|encrypted|bad decrypt/i.test((e as Error).message ?? '');
    throw new Error(encrypted
      ? `the TLS key ${keyFile} (security.tls.${fields.key}) is encrypted: the platform needs it unencrypted (openssl pkey -in ${keyFile} -out ${keyFile}.plain), owner-only`
      : `the TLS key ${keyFile} (security.tls.${fields.key}) is not a PEM private key: give the private key file (-----BEGIN PRIVATE KEY-----)`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw new Error(`the TLS key ${keyFile} (security.tls.${fields.key}) does not match the certificate ${certFile}: give the key the certificate was issued for`);
  }
  const validTo = Date.parse(cert.validTo);
  const validFrom = Date.parse(cert.validFrom);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  if (Number.isFinite(validFrom) && validFrom > now) {
    throw new Error(`the TLS certificate ${certFile} is not valid before ${iso(validFrom)}: use a certificate that is valid now`);
  }
  const daysLeft = Math.floor((validTo - now) / DAY);
  if (!Number.isFinite(validTo) || validTo <= now) {
    throw new Error(`the TLS certificate ${certFile} expired${Number.isFinite(validTo) ? ` on ${iso(validTo)}` : ''}: renew it, then run again`);
  }
  if (validTo - now < MIN_CERT_DAYS * DAY) {
    throw new Error(`the TLS certificate ${certFile} expires on ${iso(validTo)}, in ${daysLeft} day(s) (less than ${MIN_CERT_DAYS}): renew it before turning TLS on, then run again`);
  }
  return { certFile, keyFile, subject: cert.subject.replace(/\n/g, ', '), issuer: cert.issuer.replace(/\n/g, ', '), validTo: new Date(validTo).toISOString(), daysLeft };
}

export const tlsConfigure: StepKind = {
  kind: 'tls.configure',
  summary: `turns TLS on (security.tls.enabled: true) after checking the certificate and key files the config names (\`certFile\`/\`keyFile\` params set them; relative to the home): they parse, the key matches the certificate, and it is valid for ${MIN_CERT_DAYS} days more. A failed check changes nothing; undo: the config as it was`,
  needs: 'config',
  rollbackPoint: false,
  mutates: true,
  describe: (p) => `check the TLS certificate${str(p.certFile) ? ` ${str(p.certFile)}` : ''} and key and turn TLS on`,
  async check(p) {
    for (const k of ['certFile', 'keyFile']) if (p[k] !== undefined && !str(p[k])) return `params.${k} must be a file path`;
    return undefined;
  },
  async run(ctx, p) {
    const cfg = await readStoredConfig(ctx.home);
    const fields = tlsFields(cfg.version);
    const doc = structuredClone(cfg.doc) as Record<string, any>;
    const tls = (doc.security?.tls && typeof doc.security.tls === 'object' ? doc.security.tls : {}) as Record<string, unknown>;
    const certName = str(p.certFile) ?? str(tls[fields.cert]);
    const keyName = str(p.keyFile) ?? str(tls[fields.key]);
    if (!certName || !keyName) {
      const missing = [!certName && `security.tls.${fields.cert}`, !keyName && `security.tls.${fields.key}`].filter(Boolean).join(' and ');
      throw new Error(`${cfg.path} does not set ${missing}: set the certificate and key files (PEM, relative to the home) before configure_ssl, e.g. in the step's params certFile/keyFile`);
    }
    const abs = (f: string) => (isAbsolute(f) ? f : resolve(ctx.home, f));
    // every check before anything changes: a failing one leaves the home exactly as it was
    const checked = await checkTlsFiles(abs(certName), abs(keyName), fields);
    ctx.detail(`certificate ${checked.certFile}: ${checked.subject}, valid until ${checked.validTo} (${checked.daysLeft} days)`);
    const next = { ...tls, enabled: true, [fields.cert]: certName, [fields.key]: keyName };
    const unchanged = tls.enabled === true && tls[fields.cert] === certName && tls[fields.key] === keyName;
    if (!unchanged) {
      doc.security = { ...(doc.security && typeof doc.security === 'object' ? doc.security : {}), tls: next };
      // the whole config directory, as config.set does: writeConfig also keeps the previous file in config/history/
      await saveState(ctx.dir, 'config', [layout(ctx.home).config]);
      try {
        const config = await modules.config();
        await config.writeConfig(ctx.home, doc, { where: `step ${ctx.stepId}`, source: cfg.text });
      } catch (e) {
        await restoreState(ctx.dir, 'config');
        throw e;
      }
    }
    return { enabled: true, changed: !unchanged, certFile: certName, keyFile: keyName, subject: checked.subject, validTo: checked.validTo, daysLeft: checked.daysLeft };
  },
  async undo(ctx) {
    await restoreState(ctx.dir, 'config');
  },
};

const failLevel = (v: unknown): Severity => (SEVERITIES.includes(v as Severity) ? (v as Severity) : 'high');

/** The findings of a home: its config, the modes of its config/ and state/ files, and the TLS key file. */
export async function scanHome(home: string): Promise<{ config: string; findings: Finding[] }> {
  const cfg = await readStoredConfig(home);
  const files = await listFileModes(home);
  const key = tlsKeyFile(cfg.doc, home);
  if (key && !files.some((f) => f.path === key)) {
    const st = await stat(resolve(home, key)).catch(() => undefined);
    if (st?.isFile()) files.push({ path: key, mode: st.mode });
  }
  return { config: cfg.path, findings: auditConfig(cfg.doc, { home, files, secretFiles: key ? [key] : [] }) };
}

export const securityScan: StepKind = {
  kind: 'security.scan',
  summary: "audits the home (read-only): TLS off, empty/short/default secrets, secrets in plain fields (services' environment), config/ and state/ files readable by group or others, unpinned or :latest images, privileged containers, host paths outside the home, ports published on all interfaces. Fails on a `failOn` finding (default high); the result lists every finding and the counts",
  rollbackPoint: false,
  mutates: false,
  describe: (p) => `audit the installation's security (fails on ${failLevel(p.failOn)} findings${failLevel(p.failOn) === 'high' ? '' : ' or worse'})`,
  async check(p) {
    return p.failOn === undefined || SEVERITIES.includes(p.failOn as Severity) ? undefined : `params.failOn must be one of ${SEVERITIES.join(', ')}`;
  },
  async run(ctx, p) {
    const { findings } = await scanHome(ctx.home);
    const counts = countFindings(findings);
    for (const f of findings) ctx.detail(`${f.severity} ${f.id} ${f.path}: ${f.message}`);
    const limit = SEVERITIES.indexOf(failLevel(p.failOn));
    const failing = findings.filter((f) => SEVERITIES.indexOf(f.severity) <= limit);
    if (failing.length) {
      const list = failing.map((f) => `[${f.severity}] ${f.id} at ${f.path}: ${f.message}`).join('; ');
      throw new Error(`security scan: ${failing.length} finding(s) at ${failLevel(p.failOn)}${limit > 0 ? ' or worse' : ''} (high ${counts.high}, medium ${counts.medium}, low ${counts.low}): ${list}`);
    }
    return { findings, counts };
  },
};
