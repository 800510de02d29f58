// `mcp --version` and `--help` must not load drivers, PGlite, archive or Kubernetes libraries; a command loads
// the libraries it uses, not the schemas and parsers of others (docs/performance.md).
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MCP, MCP_MIGRATE, ROOT, tempDir } from '../helpers/cli.js';

const HEAVY = /node_modules\/(pg|pg-[a-z-]+|@electric-sql\/pglite|mongodb|bson|tar|ora|inquirer|@inquirer\/[a-z-]+|@modelcontextprotocol\/sdk|ajv|js-yaml|yaml|zod|kubernetes-models)\//;

async function imports(bin: string, args: string[], extra: Record<string, string> = {}): Promise<string[]> {
  const trace = join(tempDir(), 'imports.txt');
  const r = await execa(process.execPath, ['--import', join(ROOT, 'test/helpers/trace-imports.mjs'), bin, ...args], {
    env: { ...process.env, MCP_TRACE_IMPORTS: trace, MCP_HOME: tempDir(), ...extra },
    reject: false,
  });
  expect(r.exitCode).toBe(0);
  return readFileSync(trace, 'utf8').trim().split('\n');
}

describe('start-up path', () => {
  it.each([
    [MCP, ['--version']],
    [MCP, ['--help']],
    [MCP_MIGRATE, ['--help']],
  ])('%s %j loads no heavy library', async (bin, args) => {
    // rendering the help itself (no cache) loads the command tree, but still no heavy library
    const loaded = await imports(bin, args, { MCP_HELP_CACHE: 'off' });
    expect(loaded.length).toBeGreaterThan(0);
    if (args[0] === '--help') expect(loaded.some((u) => u.includes('node_modules/commander/'))).toBe(true); // the trace sees packages
    expect(loaded.filter((u) => HEAVY.test(u))).toEqual([]);
  });

  it.each([
    [MCP, ['--help']],
    [MCP, ['migration', 'execute', '--help']],
    [MCP_MIGRATE, ['rollback', '-h']],
  ])('%s %j is answered from the build-time help: no package, no command module is loaded', async (bin, args) => {
    const loaded = await imports(bin, args);
    expect(loaded.filter((u) => u.includes('/node_modules/') || u.includes('/dist/src/commands/'))).toEqual([]);
  });

  it('mcp backup list in a home whose config is JSON loads neither zod nor a YAML library nor a database driver', async () => {
    const home = tempDir();
    expect((await execa(process.execPath, [MCP, '--home', home, 'init', '--version', '5.0'], { reject: false })).exitCode).toBe(0);
    const loaded = await imports(MCP, ['--home', home, 'backup', 'list', '--json']);
    // the trace sees what the command does load, CommonJS included (commander is required by the CLI)
    expect(loaded.some((u) => u.includes('/dist/src/backup/store.js'))).toBe(true);
    expect(loaded.filter((u) => /node_modules\/(zod|yaml|js-yaml|pg|@electric-sql\/pglite|mongodb)\//.test(u))).toEqual([]);
  });
});
