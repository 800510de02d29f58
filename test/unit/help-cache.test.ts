// `--help` is answered from dist/help-cache.json before the CLI loads (src/cli/fast-path.ts): it must be exactly
// what the CLI itself prints, for every command of both binaries, and anything not in it falls through.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHelp } from '../../src/cli/help-cache.js';
import { helpKey } from '../../src/cli/fast-path.js';
import { MCP_DESCRIPTION, MCP_REGISTERS } from '../../src/cli/mcp.js';
import { MIGRATE_DESCRIPTION, MIGRATE_REGISTERS } from '../../src/cli/mcp-migrate.js';
import { mcp, mcpMigrate, ROOT } from '../helpers/cli.js';

describe('help cache', () => {
  it('dist/help-cache.json holds the help of every command as the current source renders it (npm run build)', async () => {
    const cache = JSON.parse(readFileSync(join(ROOT, 'dist/help-cache.json'), 'utf8'));
    const fresh = { mcp: await renderHelp('mcp', MCP_DESCRIPTION, MCP_REGISTERS), 'mcp-migrate': await renderHelp('mcp-migrate', MIGRATE_DESCRIPTION, MIGRATE_REGISTERS) };
    expect(Object.keys(fresh.mcp).length).toBeGreaterThan(60);
    expect(cache).toEqual(fresh);
    expect(fresh.mcp['db status']).toMatch(/^Usage: mcp db status \[options\]/);
    expect(fresh.mcp['']).toMatch(/^Usage: mcp \[options\] \[command\]/);
  });

  it('the binary prints the same help with and without the cache, exit 0; what the cache lacks falls through', async () => {
    for (const args of [['--help'], ['db', '--help'], ['backup', 'restore', '-h'], ['environments', 'add', '--help']]) {
      const cached = await mcp(args);
      const live = await mcp(args, { env: { MCP_HELP_CACHE: 'off' } });
      expect(cached.exitCode, args.join(' ')).toBe(0);
      expect(live.exitCode).toBe(0);
      expect(cached.stdout).toBe(live.stdout);
      expect(cached.stdout).toContain('Usage: mcp');
    }
    const m = await mcpMigrate(['execute', '--help']);
    expect(m.exitCode).toBe(0);
    expect(m.stdout).toBe((await mcpMigrate(['execute', '--help'], { env: { MCP_HELP_CACHE: 'off' } })).stdout);
    // words the cache does not hold (an argument, no such command) fall through to the CLI, which answers as always
    for (const args of [['nosuch', '--help'], ['stop', 'filesystem-mcp', '--help']]) {
      const through = await mcp(args);
      const live = await mcp(args, { env: { MCP_HELP_CACHE: 'off' } });
      expect([through.exitCode, through.stdout, through.stderr]).toEqual([live.exitCode, live.stdout, live.stderr]);
    }
  });

  it('only an argv of command words then --help/-h is a cache key', () => {
    expect(helpKey(['--help'])).toBe('');
    expect(helpKey(['db', 'status', '-h'])).toBe('db status');
    expect(helpKey(['db', 'status'])).toBeUndefined();
    expect(helpKey(['--json', '--help'])).toBeUndefined();
    expect(helpKey(['stop', 'My_Service', '--help'])).toBeUndefined();
    expect(helpKey([])).toBeUndefined();
  });
});
