// Run the built binaries the way a user does, and make throw-away platform homes.
import { execa } from 'execa';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';
import { commandPath, contractProblems } from './json-contract.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MCP = join(ROOT, 'dist/bin/mcp.js');
export const MCP_MIGRATE = join(ROOT, 'dist/bin/mcp-migrate.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

export interface RunOpts {
  home?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  timeoutMs?: number;
  bin?: 'mcp' | 'mcp-migrate';
}

export async function runBin(args: string[], opts: RunOpts = {}): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', CI: 'true', ...opts.env };
  if (opts.home) env.MCP_HOME = opts.home;
  const r = await execa(process.execPath, [opts.bin === 'mcp-migrate' ? MCP_MIGRATE : MCP, ...args], {
    env,
    extendEnv: false,
    reject: false,
    input: opts.input ?? '',
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeoutMs ?? 60_000,
    stripFinalNewline: false,
  });
  const stdout = String(r.stdout);
  const exitCode = r.exitCode ?? -1;
  // every --json run keeps the published contract (docs/json.md); MCP_CONTRACT_SAMPLES=FILE records runs instead
  if (args.includes('--json')) {
    const bin = opts.bin ?? 'mcp';
    const samples = process.env.MCP_CONTRACT_SAMPLES;
    if (samples) appendFileSync(samples, JSON.stringify({ bin, path: commandPath(bin, args), args, exitCode, stdout }) + '\n');
    else {
      const problems = contractProblems(bin, args, exitCode, stdout);
      if (problems.length) throw new Error(`the --json contract is broken:\n  ${problems.join('\n  ')}\nstdout:\n${stdout.slice(0, 2000)}`);
    }
  }
  return {
    exitCode,
    stdout,
    stderr: String(r.stderr),
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`stdout is not JSON (exit ${r.exitCode}):\n${stdout}\nstderr:\n${r.stderr}`);
      }
    },
  };
}

export const mcp = (args: string[], opts: RunOpts = {}) => runBin(args, { ...opts, bin: 'mcp' });
export const mcpMigrate = (args: string[], opts: RunOpts = {}) => runBin(args, { ...opts, bin: 'mcp-migrate' });

const made: string[] = [];
/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'mcp-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
