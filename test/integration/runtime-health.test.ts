// Health checks against real listeners and processes: HTTP status codes, commands, MCP servers that
// misbehave (not MCP, not there, too slow).
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { checkService } from '../../src/health/checks.js';
import { servicesOf } from '../../src/runtime/services.js';
import { FIXTURE, closedPort, startHttpFixture } from '../fixtures/mcp-server-launch.js';

const svc = (s: Record<string, unknown>) => servicesOf({ version: '5.0', services: [{ name: 'svc', ...s }] }).services[0]!;
// generous by default: the machine running the suite may be loaded; the timeout tests pass their own
const check = (s: Record<string, unknown>, timeoutMs = 30_000) => checkService(svc(s), { env: process.env, timeoutMs });

describe('health checks', () => {
  it('http: 2xx healthy, 500 unhealthy with the status, refused connection unhealthy', async () => {
    const srv = createServer((req, res) => res.writeHead(req.url === '/health' ? 204 : 500).end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    try {
      expect(await check({ ports: [`${port}:80`], healthCheck: { type: 'http', path: '/health' } })).toMatchObject({ healthy: true, detail: 'HTTP 204' });
      expect(await check({ healthCheck: { type: 'http', url: `http://127.0.0.1:${port}/boom` } })).toMatchObject({ healthy: false, detail: 'HTTP 500 Internal Server Error' });
    } finally {
      srv.close();
    }
    const dead = await closedPort();
    const r = await check({ ports: [`${dead}:80`], healthCheck: { type: 'http' } });
    expect(r.healthy).toBe(false);
    expect(r.detail).toMatch(/ECONNREFUSED/);
    expect(r.target).toBe(`http://127.0.0.1:${dead}/health`);
  });

  it('command: exit 0 healthy, other exits unhealthy with the output; argv or shell string', async () => {
    expect(await check({ healthCheck: { type: 'command', command: ['true'] } })).toMatchObject({ healthy: true, detail: 'exit 0' });
    expect(await check({ healthCheck: { type: 'command', command: 'echo not ready; exit 4' } })).toMatchObject({ healthy: false, detail: 'exit 4: not ready' });
    expect(await check({ healthCheck: { type: 'command', command: ['no-such-probe-binary'] } })).toMatchObject({ healthy: false, detail: expect.stringMatching(/no-such-probe-binary not found on PATH/) });
  });

  it('mcp: a process that is not an MCP server is unhealthy within the timeout', async () => {
    const started = Date.now();
    const r = await check({ type: 'mcp', transport: 'stdio', healthCheck: { type: 'mcp', command: ['sleep', '30'] } }, 800);
    expect(r).toMatchObject({ healthy: false, detail: 'timed out after 800 ms' });
    expect(Date.now() - started).toBeLessThan(20_000); // not the 30 s of sleep
    const crash = await check({ type: 'mcp', transport: 'stdio', healthCheck: { type: 'mcp', command: ['sh', '-c', 'exit 1'] } }, 3000);
    expect(crash.healthy).toBe(false);
  });

  it('mcp: an HTTP endpoint that is not MCP is unhealthy; the real server lists its tools over both transports', async () => {
    const fx = await startHttpFixture({ tools: ['alpha', 'beta'] });
    const notMcp = await check({ type: 'mcp', ports: [`${fx.port}:1`], healthCheck: { type: 'mcp', path: '/health' } }, 3000);
    expect(notMcp.healthy).toBe(false);
    const http = await check({ type: 'mcp', ports: [`${fx.port}:1`] });
    expect(http).toMatchObject({ healthy: true, tools: ['alpha', 'beta'], server: { name: 'fixture-filesystem' } });
    expect(http.server!.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const stdio = await check({ type: 'mcp', transport: 'stdio', command: [process.execPath, FIXTURE, '--stdio', '--tools', 'gamma'] });
    expect(stdio).toMatchObject({ healthy: true, check: 'mcp', tools: ['gamma'] });
    await fx.stop();
  });

  it('on kubernetes a service is reached at <name>.<namespace>.svc on its container port, unless the check says where', async () => {
    const s = svc({ ports: ['3001:3000'], healthCheck: { type: 'http', path: '/healthz' } });
    const r = await checkService(s, { env: process.env, timeoutMs: 1500, reach: { kind: 'kubernetes', namespace: 'mcp-platform' } });
    expect(r.target).toBe('http://svc.mcp-platform.svc:3000/healthz');
    expect(r.healthy).toBe(false);
    const fx = await startHttpFixture();
    const pinned = await checkService(svc({ ports: ['3001:3000'], healthCheck: { type: 'tcp', host: '127.0.0.1', port: fx.port } }), { env: process.env, reach: { kind: 'kubernetes', namespace: 'x' } });
    expect(pinned).toMatchObject({ healthy: true, target: `127.0.0.1:${fx.port}` });
    await fx.stop();
  });
});
