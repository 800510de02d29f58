// Where the database is, and that a password never reaches what we print.
import { describe, expect, it } from 'vitest';
import { failureOf } from '../helpers/errors.js';
import { displayUrl, resolveTarget } from '../../src/db/url.js';
import { redactText } from '../../src/redact.js';

describe('database target', () => {
  it('defaults to embedded PGlite under <home>/state/pglite', () => {
    const t = resolveTarget('/srv/mcp', {}, undefined);
    expect(t).toMatchObject({ kind: 'pglite', dataDir: '/srv/mcp/state/pglite', source: 'default' });
  });

  it('MCP_DATABASE_URL wins over the config, and its password is not in display', () => {
    const t = resolveTarget('/h', { MCP_DATABASE_URL: 'postgres://mcp:Hunter2pw@db:5432/mcp' }, { database: { type: 'postgres', url: 'postgres://other@x/y' } });
    expect(t.kind).toBe('postgres');
    expect(t.source).toBe('env');
    expect(t.display).toBe('postgres://mcp:***@db:5432/mcp');
    expect(t.display).not.toContain('Hunter2pw');
    // registered as a secret: any text that carries it is masked
    expect(redactText('failed for Hunter2pw')).not.toContain('Hunter2pw');
  });

  it('reads database.url from the config; mongodb:// selects MongoDB', () => {
    const t = resolveTarget('/h', {}, { database: { type: 'mongo', url: 'mongodb://a:b0b0b0@m:27017/platform' } });
    expect(t).toMatchObject({ kind: 'mongo', source: 'config', display: 'mongodb://a:***@m:27017/platform' });
  });

  it('a config that names postgres without a URL is a precondition error (exit 3) naming the field', () => {
    expect(failureOf(() => resolveTarget('/h', {}, { database: { type: 'postgres' } }))).toMatchObject({ exitCode: 3, where: 'database.url' });
  });

  it('an unknown scheme is invalid input (exit 2) naming where it came from', () => {
    expect(failureOf(() => resolveTarget('/h', { MCP_DATABASE_URL: 'mysql://x@y/z' }))).toMatchObject({ exitCode: 2, where: 'MCP_DATABASE_URL' });
  });

  it('masks password-like query parameters', () => {
    expect(displayUrl('postgres://h/db?sslpassword=abc&sslmode=require')).toBe('postgres://h/db?sslpassword=***&sslmode=require');
  });
});
