// A canary metrics endpoint on 127.0.0.1 for plan runs (--metrics-url): answers the JSON a canary
// gate reads ({errorRate, latencyMs}); change `reading` to change what the next measurement sees.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricsEndpoint {
  url: string;
  reading: { errorRate: number; latencyMs: number };
  close(): Promise<void>;
}

export async function canaryMetrics(reading: { errorRate: number; latencyMs: number }): Promise<MetricsEndpoint> {
  const ep = { reading } as MetricsEndpoint;
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(ep.reading));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ep.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  ep.close = () => new Promise<void>((r) => server.close(() => r()));
  return ep;
}

/** The guide's rolling-migration.yaml with canary holds of one second, written to a temp file. */
export async function quickRollingPlan(): Promise<string> {
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT, tempDir } = await import('./cli.js');
  const file = join(tempDir(), 'rolling-migration.yaml');
  writeFileSync(file, readFileSync(join(ROOT, 'test/fixtures/plans/rolling-migration.yaml'), 'utf8').replace(/canaryDuration: \dh/g, 'canaryDuration: 1s'));
  return file;
}
