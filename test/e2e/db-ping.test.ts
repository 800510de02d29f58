// `mcp db ping` as a user runs it: the embedded default, a PostgreSQL URL with a password, a busy database.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { mcp, tempDir } from '../helpers/cli.js';
import { PG_URL } from '../helpers/pg.js';

describe('mcp db ping', { timeout: 120_000 }, () => {
  it('reaches the embedded database of a fresh home with no setup', async () => {
    const home = tempDir();
    const r = await mcp(['db', 'ping', '--json'], { home, env: { MCP_DATABASE_URL: undefined } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, kind: 'pglite', database: `pglite:${home}/state/pglite`, source: 'default' });
  });

  it('reaches PostgreSQL from MCP_DATABASE_URL and never prints its password', async () => {
    const u = new URL(PG_URL);
    u.password = 'Sup3rSecretPw';
    const r = await mcp(['db', 'ping'], { home: tempDir(), env: { MCP_DATABASE_URL: u.toString() } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok: postgres postgres:\/\/.*PostgreSQL \d+/);
    expect(r.stdout + r.stderr).not.toContain('Sup3rSecretPw');
  });

  it('an unreachable server is exit 3 with the redacted URL and a hint', async () => {
    const r = await mcp(['db', 'ping'], { home: tempDir(), env: { MCP_DATABASE_URL: 'postgres://mcp:Sup3rSecretPw@127.0.0.1:1/mcp' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cannot open postgres:\/\/mcp:.*@127\.0\.0\.1:1\/mcp/);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stdout + r.stderr).not.toContain('Sup3rSecretPw');
  });

  it('the embedded database held by another live process: exit 4 naming its pid', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'state'), { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(home, 'state', 'pglite.lock'), JSON.stringify({ pid: holder.pid, host: hostname(), started: new Date().toISOString(), command: 'mcp db migrate', token: 't' }));
      const r = await mcp(['db', 'ping', '--lock-timeout', '1'], { home, env: { MCP_DATABASE_URL: undefined } });
      expect(r.exitCode).toBe(4);
      expect(r.stderr).toContain(`pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
