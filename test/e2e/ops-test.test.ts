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

    const wrong = await mcp(['test', 'smoke', '--env', 'production'], { home, env });
    expect(wrong.exitCode).toBe(3);
    expect(wrong.stdout).toMatch(/✗ Environment: the installation at .* is staging, not production/);
    expect((await mcp(['test', 'smoke', '--env', 'prod'], { home, env })).exitCode).toBe(2);
  });

  it('an unhealthy service fails the run with exit 3 and says which and why', async () => {
    const home = await opsHome({ runtime: { type: 'none' }, services: [...services(), { name: 'git-mcp', type: 'mcp', ports: ['1:3000'], healthCheck: { type: 'tcp', port: 1, timeout: '1s' } }] });
    const r = await mcp(['test', 'smoke'], { home, env });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toMatch(/✗ Services healthy \(MCP protocol for MCP servers\): unhealthy: git-mcp \(/);
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
});
