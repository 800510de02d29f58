// For the dashboard tests: a running `mcp dashboard` (the built binary), a canary metrics endpoint,
// and a slow but real migration of the example installation (rolling-migration.yaml with short
// canary holds) that takes long enough to watch, pause and resume.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { MCP, ROOT } from './cli.js';
import { canaryMetrics, quickRollingPlan } from './canary-metrics.js';

/** rolling-migration.yaml (the guide's) with its canary holds cut to `seconds`. */
export const slowPlan = (seconds: number): Promise<string> => quickRollingPlan(seconds);

export interface RunningDashboard {
  base: string;
  port: number;
  token: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

export async function startDashboardBin(home: string, env: Record<string, string> = {}): Promise<RunningDashboard> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true' };
  delete childEnv.MCP_DASHBOARD_TOKEN;
  const child = spawn(process.execPath, [MCP, '--home', home, 'dashboard', '--port', '0', '--json'], {
    cwd: ROOT,
    env: { ...childEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('\n') || !err.includes('Ctrl-C')) {
    if (child.exitCode !== null) throw new Error(`mcp dashboard exited ${child.exitCode}:\n${err}`);
    if (Date.now() > deadline) throw new Error(`mcp dashboard did not start:\n${out}\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const { port } = JSON.parse(out.split('\n')[0]!) as { port: number };
  const token = env.MCP_DASHBOARD_TOKEN ?? /#token=([A-Za-z0-9_-]+)/.exec(err)?.[1] ?? '';
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    token,
    child,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A canary metrics endpoint with healthy numbers and a 200 health check (test/helpers/canary-metrics.ts). */
export async function startMetrics(): Promise<{ metricsUrl: string; healthUrl: string; close(): Promise<void> }> {
  const ep = await canaryMetrics({ errorRate: 0.001, latencyMs: 42 });
  return { metricsUrl: ep.url, healthUrl: ep.healthUrl, close: ep.close };
}

/** `mcp migration execute` of that plan, in the background. */
export function startMigration(home: string, plan: string, m: { metricsUrl: string; healthUrl: string }): ResultPromise {
  return execa(process.execPath, [MCP, '--home', home, 'migration', 'execute', '--plan', plan, '--metrics-url', m.metricsUrl, '--health-url', m.healthUrl], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    reject: false,
    timeout: 120_000,
  });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The record types of a run's journal, in order. */
export function journalTypes(home: string, runId: string): string[] {
  return readFileSync(join(home, 'state/runs', runId, 'journal.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { type: string }).type);
}
