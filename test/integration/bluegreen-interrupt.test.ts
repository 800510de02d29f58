// An interrupt (Ctrl-C, SIGTERM) while the new color is being health-checked is said as an interrupt (exit 130),
// not as "the green deployment is not healthy": the probe was cut short and says nothing about green's health.
// Nothing is recorded for the color, and traffic stays where it was.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mcp, tempDir } from '../helpers/cli.js';
import { deployIdle } from '../../src/bluegreen/ops.js';
import { isMcpError } from '../../src/errors.js';

describe('blue/green deploy interrupted during its health check', () => {
  it('throws an interrupted error, records no color, leaves the traffic file alone', async () => {
    const home = join(tempDir(), 'production');
    expect((await mcp(['init', '--version', '4.2', '--env', 'production'], { home })).exitCode).toBe(0);
    writeFileSync(
      join(home, 'config', 'platform.yaml'),
      `version: '4.2'
environment: production
platform:
  name: mcp-production
database:
  type: pglite
runtime:
  type: none
services:
  - name: traefik
    type: infrastructure
    image: traefik:2.11
    volumes:
      - ./traefik:/etc/traefik:ro
  - name: filesystem_mcp
    type: mcp
    image: mcp/filesystem-server:4.2
    ports:
      - '127.0.0.1:9:9'
`,
      { mode: 0o600 },
    );
    mkdirSync(join(home, 'traefik', 'dynamic'), { recursive: true });
    writeFileSync(join(home, 'traefik', 'traefik.yml'), 'providers:\n  file:\n    directory: /etc/traefik/dynamic\n');
    const ac = new AbortController();
    ac.abort();
    const err = await deployIdle({ home, env: { ...process.env, MCP_HOME: home }, signal: ac.signal, detail: () => undefined }, { runId: 'run-1', timeoutSeconds: 5 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isMcpError(err) && err.kind).toBe('interrupted');
    expect((err as Error).message).toMatch(/^interrupted while the green deployment was health-checked; traffic stays on blue/);
    expect(existsSync(join(home, 'state', 'bluegreen.json'))).toBe(false);
    expect(existsSync(join(home, 'traefik', 'dynamic', 'mcp-traffic.yml'))).toBe(false);
  });
});
