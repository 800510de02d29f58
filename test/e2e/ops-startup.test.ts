// The ops commands' libraries (Redis client, SMTP) load only when a command needs them.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, ROOT, tempDir } from '../helpers/cli.js';

describe('ops start-up path', () => {
  it.each([[['--help']], [['logs', '--help']], [['benchmark', '--help']]])('mcp %j loads neither ioredis nor nodemailer', async (args) => {
    const trace = join(tempDir(), 'imports.txt');
    const r = await execa(process.execPath, ['--import', join(ROOT, 'test/helpers/trace-imports.mjs'), MCP, ...args], {
      // the command tree itself (not the build-time help, which loads no package at all)
      env: { ...process.env, MCP_TRACE_IMPORTS: trace, MCP_HOME: tempDir(), MCP_HELP_CACHE: 'off' },
      reject: false,
    });
    expect(r.exitCode).toBe(0);
    const loaded = readFileSync(trace, 'utf8').trim().split('\n');
    expect(loaded.some((u) => u.includes('node_modules/commander/'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(ioredis|@ioredis|nodemailer)\//.test(u))).toEqual([]);
  });
});
