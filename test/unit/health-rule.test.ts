// "Healthy" by one rule (src/health/rule.ts), the probe's answer told from no answer, and the port a
// check reaches: the container's port through the mapping that publishes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkService, hostPortFor, type CheckResult } from '../../src/health/checks.js';
import { judge } from '../../src/health/rule.js';
import { validateConfig } from '../../src/config/validate.js';
import type { ServiceSpec } from '../../src/runtime/services.js';
import { closedPort } from '../fixtures/mcp-server-launch.js';

const spec = (over: Partial<ServiceSpec>): ServiceSpec => ({ name: 'svc', type: 'core', ports: [], environment: {}, volumes: [], dependsOn: [], replicas: 1, ...over });
const result = (over: Partial<CheckResult>): CheckResult => ({ name: 'svc', check: 'http', healthy: false, ms: 1, detail: 'x', ...over });

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 500;
    res.end(req.url === '/health' ? 'ok' : 'boom');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the rule', () => {
  it('a managed runtime: not running is unhealthy whatever the probe says; running needs the probe to pass', () => {
    for (const state of ['stopped', 'missing', 'starting'] as const) {
      expect(judge('docker', result({ healthy: true }), { name: 'svc', state })).toMatchObject({ healthy: false, detail: expect.stringContaining(state) });
    }
    expect(judge('kubernetes', result({ healthy: true }), { name: 'svc', state: 'running' }).healthy).toBe(true);
    // no answer from a service the runtime runs: unhealthy (it should answer)
    expect(judge('docker', result({ reached: false }), { name: 'svc', state: 'running' })).toMatchObject({ healthy: false });
    expect(judge('docker', result({ skipped: true, healthy: true, check: 'none' }), { name: 'svc', state: 'running' }).healthy).toBe(true);
  });

  it('runtime none: no answer is external (not a failure unless strict); a bad answer is unhealthy', () => {
    expect(judge('none', result({ reached: false, detail: 'ECONNREFUSED' }), { name: 'svc', state: 'external' })).toMatchObject({ healthy: true, external: true, detail: expect.stringMatching(/^external, not reachable from here: ECONNREFUSED/) });
    expect(judge('none', result({ reached: false }), undefined, { strict: true })).toMatchObject({ healthy: false, external: true });
    expect(judge('none', result({ reached: true, detail: 'HTTP 500' }))).toMatchObject({ healthy: false, detail: 'HTTP 500' });
    expect(judge('none', result({ healthy: true })).healthy).toBe(true);
  });
});

describe('probes', () => {
  it('tells an answer from no answer', async () => {
    const dead = await closedPort();
    const none = await checkService(spec({ ports: [`${dead}:80`], healthCheck: { type: 'http', path: '/health' } }), { env: process.env });
    expect(none).toMatchObject({ healthy: false, reached: false });
    const bad = await checkService(spec({ ports: [`${port}:80`], healthCheck: { type: 'http', path: '/broken' } }), { env: process.env });
    expect(bad).toMatchObject({ healthy: false, reached: true });
    const tcp = await checkService(spec({ ports: [`${dead}:80`], healthCheck: { type: 'tcp' } }), { env: process.env });
    expect(tcp).toMatchObject({ healthy: false, reached: false });
  });

  it('healthCheck.port is the container port: probed on the host port that publishes it, each service its own', async () => {
    expect(hostPortFor(spec({ ports: ['3001:3000'] }), 3000)).toBe(3001);
    expect(hostPortFor(spec({ ports: ['127.0.0.1:3002:3000/tcp'] }), 3000)).toBe(3002);
    expect(hostPortFor(spec({ ports: ['3001:3000'] }), 3001)).toBe(3001); // not a container port: as is
    const a = await checkService(spec({ name: 'a', ports: [`${port}:3000`], healthCheck: { type: 'http', path: '/health', port: 3000 } }), { env: process.env });
    const b = await checkService(spec({ name: 'b', ports: [`${port + 0}:3000`, '9:9'], healthCheck: { type: 'http', path: '/health', port: 3000 } }), { env: process.env });
    expect(a).toMatchObject({ healthy: true, target: `http://127.0.0.1:${port}/health` });
    expect(b.target).toBe(`http://127.0.0.1:${port}/health`);
  });

  it('an MCP server with no port and no health check has nothing to probe: skipped, not unhealthy', async () => {
    expect(await checkService(spec({ type: 'mcp' }), { env: process.env })).toMatchObject({ skipped: true, healthy: true });
  });
});

describe('config validation', () => {
  it('a network health check with no port to probe is refused, with the field path; a stdio MCP check is not', () => {
    const doc = (svc: Record<string, unknown>) => ({ version: '5.0', environment: 'production', services: [{ name: 'auth-service', type: 'core', image: 'a:1', ...svc }] });
    const v = validateConfig(doc({ healthCheck: { type: 'http', path: '/health' } }));
    expect(v.ok).toBe(false);
    expect(v.issues).toEqual([expect.objectContaining({ path: 'services[0].healthCheck', message: expect.stringMatching(/needs a port to probe/) })]);
    expect(validateConfig(doc({ healthCheck: { type: 'http', path: '/health', port: 8080 } })).ok).toBe(true);
    expect(validateConfig(doc({ ports: ['8080:8080'], healthCheck: { type: 'tcp' } })).ok).toBe(true);
    expect(validateConfig(doc({ type: 'mcp', transport: 'stdio', healthCheck: { type: 'mcp', command: 'srv --stdio' } })).ok).toBe(true);
    // v4 spells it health_check
    const v4 = validateConfig({ version: '4.2', environment: 'production', services: [{ name: 'auth_service', type: 'core', image: 'a:1', health_check: { type: 'tcp' } }] });
    expect(v4.issues.map((i) => i.path)).toEqual(['services[0].health_check']);
  });
});
