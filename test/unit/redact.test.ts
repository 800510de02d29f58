import { describe, expect, it } from 'vitest';
import { redact, redactArgv, redactText, registerSecret, REDACTED, isSecretKey } from '../../src/redact.js';

describe('redaction', () => {
  it('masks the password of a connection string and keeps the rest', () => {
    expect(redactText('connecting to postgres://mcp:s3cr3t@db:5432/mcp failed')).toBe(`connecting to postgres://mcp:${REDACTED}@db:5432/mcp failed`);
    expect(redactText('mongodb+srv://u:p%40ss@cluster0/x')).not.toContain('p%40ss');
  });

  it('masks bearer tokens, JWTs, key=value secrets and PEM private keys in text', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiIs.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl';
    const text = `Authorization: Bearer token123456 and ${jwt} password=hunter22 -----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----`;
    const out = redactText(text);
    for (const secret of ['token123456', jwt, 'hunter22', 'abc']) expect(out).not.toContain(secret);
  });

  it('masks assignments to names ending in a secret word (access_token=, client_secret=, DB_PASSWORD=)', () => {
    const t = redactText('health http://m/health?access_token=abcdef123&x=1 failed; client_secret=s3cr3t-v4lue DB_PASSWORD=pw9');
    for (const v of ['abcdef123', 's3cr3t-v4lue', 'pw9']) expect(t).not.toContain(v);
    expect(t).toContain('x=1');
    // field paths and counts are not secrets
    for (const keep of ['max_tokens: 5, tokens 7', 'services[0].environment.API_TOKEN: expected string, received object', 'envFromSecret: web-env', 'password_policy: strict', '"token_count": 12']) {
      expect(redactText(keep)).toBe(keep);
    }
  });

  it('masks JSON members with secret names, also escaped inside a quoted JSON string (kubectl error output)', () => {
    const raw = '{"data":{"API_TOKEN":"dG9rLXN1cGVy"},"metadata":{"annotations":{"last-applied":"{\\"data\\":{\\"DB_PASSWORD\\":\\"cHctaW4tanNvbg==\\"},\\"kind\\":\\"Secret\\"}"}}}';
    const t = redactText(raw);
    expect(t).not.toContain('dG9rLXN1cGVy');
    expect(t).not.toContain('cHctaW4tanNvbg==');
    expect(t).toContain('\\"kind\\":\\"Secret\\"');
  });

  it('masks secret-named keys at any depth and leaves public ones', () => {
    const out = redact({ db: { url: 'postgres://a:b@h/d', password: 'pw1234' }, auth: { apiKey: 'k-123456', keyRotation: { interval: '30d' }, tokens: ['t1', 't2'] }, name: 'monkey' });
    expect(out.db.password).toBe(REDACTED);
    expect(out.db.url).toBe(`postgres://a:${REDACTED}@h/d`);
    expect(out.auth.apiKey).toBe(REDACTED);
    expect(out.auth.keyRotation).toEqual({ interval: '30d' });
    expect(out.auth.tokens).toBe(REDACTED);
    expect(out.name).toBe('monkey');
  });

  it('classifies keys', () => {
    for (const k of ['password', 'pass', 'smtp_pass', 'DB_PASSWORD', 'clientSecret', 'api_key', 'signingKey', 'token', 'key', 'passphrase']) expect(isSecretKey(k), k).toBe(true);
    for (const k of ['name', 'monkey', 'hotkey', 'keyRotation', 'host', 'keys', 'passed', 'passthrough', 'compass']) expect(isSecretKey(k), k).toBe(false);
  });

  it('masks registered secret values anywhere', () => {
    registerSecret('correct-horse-battery');
    expect(redactText('error near correct-horse-battery!')).toBe(`error near ${REDACTED}!`);
  });

  it('masks argv values of secret flags and secret env assignments', () => {
    expect(redactArgv(['run', '--password', 'x1', '--token=abc', '-e', 'API_KEY=zzz', '-e', 'MODE=prod'])).toEqual([
      'run', '--password', REDACTED, `--token=${REDACTED}`, '-e', `API_KEY=${REDACTED}`, '-e', 'MODE=prod',
    ]);
  });
});
