// A canary metrics endpoint on 127.0.0.1 for plan runs: `url` (--metrics-url) answers the JSON a canary
// gate reads ({errorRate, latencyMs}), `healthUrl` (--health-url) answers 200; change `reading` to change
// what the next measurement sees.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsEndpoint {
  url: string;
  healthUrl: string;
  reading: { errorRate: number; latencyMs: number };
  close(): Promise<void>;
}

export async function canaryMetrics(reading: { errorRate: number; latencyMs: number }): Promise<MetricsEndpoint> {
  const ep = { reading } as MetricsEndpoint;
  const server = createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(ep.reading));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ep.url = `${base}/metrics`;
  ep.healthUrl = `${base}/health`;
  ep.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return ep;
}

/** The guide's rolling-migration.yaml with its canary holds cut to `seconds`, written to a temp file. */
export async function quickRollingPlan(seconds = 1): Promise<string> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT, tempDir } = await import('./cli.js');
  const file = join(tempDir(), 'rolling-migration.yaml');
  writeFileSync(file, readFileSync(join(ROOT, 'test/fixtures/plans/rolling-migration.yaml'), 'utf8').replace(/canaryDuration: \S+/g, `canaryDuration: ${seconds}s`));
  return file;
}
