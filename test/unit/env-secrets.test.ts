// A config carried to another environment takes that environment's secrets: from its config, a variable or
// its secrets file; never a "[REDACTED]" value, and a secret it lacks is named before anything is written.
import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { environmentSecretVariable, fillFromEnvironment, secretVariable, secretsFile } from '../../src/config/env-secrets.js';

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

  it("another home's secrets file beats the deploying shell's plain variable; a variable naming the environment beats both", async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(secretsFile(home), JSON.stringify({ 'auth.jwt.secret': 'staging-file-secret', 'database.url': 'staging-file-pw' }), { mode: 0o600 });
    const env = { [secretVariable('auth.jwt.secret')]: 'dev-shell-secret', [secretVariable('database.url')]: 'dev-shell-pw', [environmentSecretVariable('staging', 'database.url')]: 'staging-named-pw', [secretVariable('services[0].environment.GIT_TOKEN')]: 'ghp_shell' };
    expect(environmentSecretVariable('staging', 'database.url')).toBe('MCP_STAGING_SECRET_DATABASE_URL');
    const other = await fillFromEnvironment(exported, { home, env, where: 'f', environment: 'staging', own: false });
    expect(other.doc.auth.jwt.secret).toBe('staging-file-secret');
    expect(other.doc.database.url).toBe('postgres://mcp:staging-named-pw@db.internal:5432/mcp');
    expect(other.doc.services[0]!.environment.GIT_TOKEN).toBe('ghp_shell'); // in neither: the shell's
    // in its own home the shell's variable overrides the file, as variables do
    const own = await fillFromEnvironment(exported, { home, env, where: 'f', environment: 'staging', own: true });
    expect(own.doc.auth.jwt.secret).toBe('dev-shell-secret');
    expect(own.doc.database.url).toBe('postgres://mcp:staging-named-pw@db.internal:5432/mcp');
  });

  it('refuses a secrets file others can read', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(secretsFile(home), '{}');
    chmodSync(secretsFile(home), 0o644);
    await expect(fillFromEnvironment(exported, { home, env: {}, where: 'f', environment: 'staging' })).rejects.toThrow(/read by others/);
  });
});
