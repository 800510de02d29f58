// A peer that accepts a connection and closes it without a word (a half-started service, a wrong
// port): every command that speaks HTTP to it reports a failure and exits with its code. Node's own
// timeout timer does not keep a process alive, so without a deadline of ours the process would exit
// mid-await with code 13 and print nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mcp } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

let silent: Server;
let port = 0;
const sockets = new Set<import('node:net').Socket>();
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  port = (silent.address() as AddressInfo).port;
});
// a half-closed connection can outlive its client for a while: close waits for none of them
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
});

const services = () => [{ name: 'api-gateway', type: 'core', ports: [`${port}:3000`], healthCheck: { type: 'http', path: '/health' }, metrics: { port, path: '/metrics' } }];

describe('a peer that closes without answering', () => {
  it('mcp metrics reports the endpoint as unreachable and exits 0', async () => {
    const home = await opsHome({ services: services() });
    const r = await mcp(['metrics', '--timeout', '1s', '--json'], { home });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json().services[0].prometheus).toMatchObject({ ok: false });
  });

  it('mcp health marks the service unhealthy (exit 3), mcp benchmark counts the errors', async () => {
    const home = await opsHome({ services: services() });
    const h = await mcp(['health', '--timeout', '1s', '--json'], { home });
    expect(h.exitCode, h.stderr).toBe(3);
    expect(JSON.stringify(h.json())).toMatch(/api-gateway/);
    const b = await mcp(['benchmark', '--requests', '3', '--timeout', '1s', '--json'], { home });
    expect(b.exitCode, b.stderr).toBe(0);
    expect(b.json().services[0]).toMatchObject({ requests: 3, errors: 3 });
  });
});
