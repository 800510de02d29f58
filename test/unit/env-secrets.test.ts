// A config carried to another environment takes that environment's secrets: from its config, a variable or
// its secrets file; never a "[REDACTED]" value, and a secret it lacks is named before anything is written.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { fillFromEnvironment, secretVariable, secretsFile } from '../../src/config/env-secrets.js';

const exported = {
  version: '5.0',
  environment: 'staging',
  database: { url: 'postgres://mcp:[REDACTED]@db.internal:5432/mcp' },
  auth: { jwt: { secret: '[REDACTED]' } },
  services: [{ name: 'git-mcp', environment: { GIT_TOKEN: '[REDACTED]', LOG_LEVEL: 'info' } }],
};

describe('fillFromEnvironment', () => {
  it('fills a URL password and whole values from variables and the secrets file, keeping the rest', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(secretsFile(home), JSON.stringify({ 'auth.jwt.secret': 'file-jwt-secret-0123456789abcdef' }), { mode: 0o600 });
    const env = { [secretVariable('database.url')]: 'pw-from-variable', [secretVariable('services[0].environment.GIT_TOKEN')]: 'ghp_variable' };
    expect(secretVariable('services[0].environment.GIT_TOKEN')).toBe('MCP_SECRET_SERVICES_0_ENVIRONMENT_GIT_TOKEN');
    const r = await fillFromEnvironment(exported, { home, env, where: 'config-staging.json', environment: 'staging' });
    expect(r.doc.database.url).toBe('postgres://mcp:pw-from-variable@db.internal:5432/mcp');
    expect(r.doc.auth.jwt.secret).toBe('file-jwt-secret-0123456789abcdef');
    expect(r.doc.services[0]!.environment).toEqual({ GIT_TOKEN: 'ghp_variable', LOG_LEVEL: 'info' });
    expect(r.filled.map((f) => [f.path, f.from]).sort()).toEqual([['auth.jwt.secret', 'file'], ['database.url', 'variable'], ['services[0].environment.GIT_TOKEN', 'variable']]);
    expect(JSON.stringify(exported)).toContain('[REDACTED]'); // the input is not changed
  });

  it('names the first secret the environment lacks (exit 2) and says where to put it', async () => {
    const home = tempDir();
    const err = await fillFromEnvironment(exported, { home, env: {}, where: 'config-staging.json', environment: 'staging' }).catch((e) => e);
    expect(err.kind).toBe('invalid_input');
    expect(err.where).toBe('config-staging.json: database.url');
    expect(err.message).toContain('3 secret(s)');
    expect(err.hint).toContain('MCP_SECRET_DATABASE_URL');
  });

  it('refuses a secrets file others can read', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(secretsFile(home), '{}');
    chmodSync(secretsFile(home), 0o644);
    await expect(fillFromEnvironment(exported, { home, env: {}, where: 'f', environment: 'staging' })).rejects.toThrow(/read by others/);
  });
});
