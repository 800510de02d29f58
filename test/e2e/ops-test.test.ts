// `mcp test smoke`: real health checks against a local HTTP service and the embedded database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mcp } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 404;
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

// the server's own database, read-only (SELECT version()): faster than a fresh embedded one
const env = { MCP_DATABASE_URL: process.env.MCP_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' };
const services = () => [{ name: 'api-gateway', type: 'core', ports: [`${port}:3000`], healthCheck: { type: 'http', path: '/health', timeout: '2s' } }];

describe('mcp test smoke', () => {
  it('passes when every service is healthy and the database answers; --env checks the environment', async () => {
    const home = await opsHome({ environment: 'staging', runtime: { type: 'none' }, services: services() });
    const r = await mcp(['test', 'smoke', '--env', 'staging', '--json'], { home, env });
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = r.json();
    expect(doc).toMatchObject({ suite: 'smoke', ok: true, environment: 'staging' });
    expect(doc.checks.map((c: any) => [c.id, c.status])).toEqual([['environment', 'pass'], ['health', 'pass'], ['database', 'pass']]);
    expect(doc.checks[1].detail).toBe('1 service(s) healthy');
    expect(doc.checks[2].detail).toMatch(/^postgres .* answered in \d+ ms$/);

    // another environment is another home: unregistered, it is a usage error naming how to register it
    const wrong = await mcp(['test', 'smoke', '--env', 'production'], { home, env });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/no production environment is registered/);
    expect(wrong.stderr).toMatch(/mcp environments add production --home DIR/);
    expect((await mcp(['test', 'smoke', '--env', 'prod'], { home, env })).exitCode).toBe(2);
  });

  it('an unhealthy service fails the run with exit 3 and says which and why', async () => {
    const home = await opsHome({ runtime: { type: 'none' }, services: [...services(), { name: 'git-mcp', type: 'mcp', ports: ['1:3000'], healthCheck: { type: 'command', command: 'echo disk full >&2; exit 1', timeout: '1s' } }] });
    const r = await mcp(['test', 'smoke'], { home, env });
    expect(r.exitCode).toBe(3);
    // runtime none: the check got an answer, and it is bad (no answer would be "external")
    expect(r.stdout).toMatch(/✗ Services healthy \(MCP protocol for MCP servers\): unhealthy: git-mcp \(exit 1: disk full\)/);
    expect(r.stdout).toMatch(/1 of 2 check\(s\) FAILED: health \(exit 3\)/);
  });
});

describe('mcp test all / mcp migration test', () => {
  it('adds services verify and data verification against the newest backup; a changed file fails with exit 3 naming it', async () => {
    const { createTestDb } = await import('../helpers/pg.js');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const db = await createTestDb('mcp_ops_test');
    try {
      const home = await opsHome({ runtime: { type: 'none' }, database: { type: 'postgres' }, services: services() });
      const denv = { MCP_DATABASE_URL: db.url };
      writeFileSync(join(home, 'data', 'notes.txt'), 'hello\n');
      const b = await mcp(['backup', 'create', '--name', 'pre-test'], { home, env: denv });
      expect(b.exitCode, b.stderr).toBe(0);
      const r = await mcp(['test', 'all', '--json'], { home, env: denv });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.json().checks.map((c: any) => [c.id, c.status])).toEqual([['health', 'pass'], ['database', 'pass'], ['db-status', 'pass'], ['services', 'pass'], ['data', 'pass']]);
      expect(r.json().checks[2].detail).toMatch(/^current .*, nothing failed/);
      expect(r.json().checks[4].detail).toMatch(/^data matches backup .*: 1 file\(s\) by SHA-256/);

      writeFileSync(join(home, 'data', 'notes.txt'), 'changed\n');
      const m = await mcp(['migration', 'test', '--comprehensive'], { home, env: denv });
      expect(m.exitCode).toBe(3);
      expect(m.stdout).toMatch(/✗ Data integrity verified: data differs from backup .*: changed: data\/notes\.txt/);
      expect(m.stdout).toMatch(/- Performance within 10% of baseline: no baseline saved yet\n {4}hint: save one on a healthy installation: mcp benchmark --save baseline/);
      expect(m.stdout).toMatch(/✓ No critical errors in logs/);
    } finally {
      await db.drop();
    }
  });

  it('after mcp upgrade the newest backup is the pre-upgrade one (5.0): files compared by SHA-256, rows not (the layout changed); the data check passes', async () => {
    const { tempDir } = await import('../helpers/cli.js');
    const { appendFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const home = tempDir('mcp-ops-upgraded-');
    expect((await mcp(['init', '--example'], { home })).exitCode).toBe(0);
    const up = await mcp(['upgrade', '--to', '6.0'], { home, timeoutMs: 180_000 });
    expect(up.exitCode, up.stdout + up.stderr).toBe(0);

    const v = await mcp(['data', 'verify', '--checksum', '--json'], { home });
    expect(v.exitCode, v.stdout).toBe(0);
    const doc = v.json();
    expect(doc).toMatchObject({ ok: true, backupPlatformVersion: '5.0', installedVersion: '6.0', tables: [], changed: [], missing: [], extra: [] });
    expect(doc.checked).toBeGreaterThan(0);
    expect(doc.database).toEqual({
      compared: false,
      reason: `backup ${doc.backup} is from 5.0, the installation is 6.0: the database layout changed; mcp migration verify --version 6.0 checks the rows`,
    });
    const text = await mcp(['data', 'verify', '--checksum'], { home });
    expect(text.stdout).toMatch(/^Data matches backup .* \(v5-final-backup\): \d+ files checked by SHA-256, database rows not compared\n {2}database rows not compared: backup .* is from 5\.0, the installation is 6\.0/);

    const t = await mcp(['test', 'all', '--comprehensive', '--json'], { home, timeoutMs: 120_000 });
    const data = t.json().checks.find((c: any) => c.id === 'data');
    expect(data.status, JSON.stringify(data)).toBe('pass');
    expect(data.detail).toMatch(/database rows not compared \(backup .* is from 5\.0, the installation is 6\.0/);

    // the files are still compared across versions
    const file = readdirSync(join(home, 'data'), { recursive: true, withFileTypes: true }).find((e) => e.isFile())!;
    appendFileSync(join(file.parentPath, file.name), 'edited\n');
    const changed = await mcp(['data', 'verify', '--checksum', '--json'], { home });
    expect(changed.exitCode).toBe(3);
    expect(changed.json().changed).toHaveLength(1);

    // a backup of the installed version: rows are counted again
    expect((await mcp(['backup', 'create', '--name', 'post-upgrade'], { home })).exitCode).toBe(0);
    const same = await mcp(['data', 'verify', '--checksum', '--json'], { home });
    expect(same.exitCode, same.stdout).toBe(0);
    expect(same.json().database).toEqual({ compared: true });
    expect(same.json().tables.length).toBeGreaterThan(0);
  }, 300_000);
});
