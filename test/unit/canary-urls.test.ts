// Canary measurement URLs with credentials: sent as Basic auth (fetch refuses them in the URL), and
// never shown with their user, password or query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { evaluateCanary, healthChecks } from '../../src/run/canary.js';

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    const ok = req.headers.authorization === `Basic ${Buffer.from('ops:pw-s3cret').toString('base64')}`;
    res.statusCode = ok ? 200 : 401;
    res.end(ok ? 'ok' : 'no');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('canary URLs with credentials', () => {
  it('user and password in a health URL go as Basic auth, and the check passes', async () => {
    const [h] = await healthChecks([`http://ops:pw-s3cret@127.0.0.1:${port}/health?sig=abc123`]);
    expect(h).toMatchObject({ ok: true, detail: '200' });
  });

  it('a failing one is shown as scheme, host and path; the error does not repeat the URL', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const url = `http://ops:pw-s3cret@127.0.0.1:${closed}/health?sig=abc123`;
    const ev = await evaluateCanary({ percentage: 10, durationMs: 0, healthUrls: [url] }, { automatic: true, conditions: [{ metric: 'healthCheck', text: 'healthCheck failing' }], noData: 'fail' } as never);
    const value = String(ev.checks[0]!.value);
    expect(value).toBe(`failing (http://127.0.0.1:${closed}/health unreachable (ECONNREFUSED))`);
    for (const s of ['ops', 'pw-s3cret', 'abc123']) expect(value).not.toContain(s);
  });
});
