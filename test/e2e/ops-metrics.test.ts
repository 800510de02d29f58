// `mcp metrics` over a home with recorded health checks and commands, and a live /metrics endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

let server: Server;
let port = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end('# TYPE mcp_tool_calls_total counter\nmcp_tool_calls_total{tool="read_file"} 41\nmcp_tool_calls_total{tool="write_file"} 1\n');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('mcp metrics', () => {
  it('health-check history, command durations and the Prometheus endpoint, per service', async () => {
    const home = await opsHome({
      services: [
        { name: 'filesystem-mcp', type: 'mcp', ports: [`${port}:3000`], healthCheck: { type: 'mcp', path: '/mcp' } },
        { name: 'git-mcp', type: 'mcp', ports: [`${port}:3000`], metrics: { path: '/custom-metrics' } },
      ],
    });
    const log = (o: object) => appendFileSync(join(home, 'logs/mcp.log'), JSON.stringify({ pid: 1, ...o }) + '\n');
    log({ time: ago(2 * 3_600_000), level: 'info', command: 'health', event: 'health.checked', services: [{ name: 'filesystem-mcp', healthy: false, ms: 999 }] });
    for (const [i, ms] of [[50, 10], [40, 20], [30, 30]] as const) {
      log({ time: ago(i * 60_000), level: 'info', command: 'health', event: 'health.checked', services: [{ name: 'filesystem-mcp', check: 'mcp', healthy: i !== 40, ms, detail: i === 40 ? 'connection refused' : 'ok' }] });
      log({ time: ago(i * 60_000), level: 'info', command: 'health', event: 'command.end', exitCode: i === 40 ? 3 : 0, ms: ms * 10 });
    }
    const r = await mcp(['metrics', '--service', 'all', '--duration', '1h', '--json'], { home });
    expect(r.exitCode).toBe(0);
    const doc = r.json();
    const fs = doc.services.find((s: any) => s.service === 'filesystem-mcp');
    expect(fs.health).toMatchObject({ checks: 3, healthy: 2, unhealthy: 1, availability: 66.67, latencyMs: { p50: 20, p95: 30, max: 30 }, last: { healthy: true } });
    expect(fs.prometheus).toMatchObject({ url: `http://127.0.0.1:${port}/metrics`, ok: true, families: 1, samples: 2, summary: { mcp_tool_calls_total: '42 (2 series)' } });
    const git = doc.services.find((s: any) => s.service === 'git-mcp');
    expect(git.health.checks).toBe(0);
    expect(git.prometheus).toMatchObject({ ok: false, error: 'HTTP 404' });
    expect(doc.commands.find((c: any) => c.command === 'health')).toMatchObject({ runs: 3, failed: 1, durationMs: { p50: 200, p95: 300 } });

    const t = await mcp(['metrics', '--service', 'filesystem-mcp'], { home });
    expect(t.stdout).toMatch(/health: 3 check\(s\), 2 healthy \(66\.67%\), latency p50 20 ms, p95 30 ms; last healthy/);
    expect(t.stdout).toMatch(/mcp_tool_calls_total: 42 \(2 series\)/);
  });

  it('bad flags: exit 2', async () => {
    const home = await opsHome({ services: [{ name: 'a' }] });
    expect((await mcp(['metrics', '--service', 'b'], { home })).exitCode).toBe(2);
    expect((await mcp(['metrics', '--duration', 'forever'], { home })).exitCode).toBe(2);
  });
});
