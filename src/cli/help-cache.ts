// `mcp --help` and `mcp <command> --help` without building the command tree: the build renders every help
// text once (dist/help-cache.json, from the same tree `mcp` parses with) and bin/ prints the one asked for.
// Help is wrapped at 80 columns whatever the terminal (program.ts), so one rendering is right everywhere.
// MCP_HELP_CACHE=off skips it (test/unit/help-cache.test.ts compares both ways).
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { createProgram, type App, type Register } from './program.js';

export type HelpCache = Record<'mcp' | 'mcp-migrate', Record<string, string>>;

/** Every command path of a tree ('' for the binary itself, 'db', 'db status', …). */
function paths(root: Command): string[] {
  const out = [''];
  const walk = (c: Command, p: string[]) => {
    for (const k of c.commands as Command[]) {
      const q = [...p, k.name()];
      out.push(q.join(' '));
      walk(k, q);
    }
  };
  walk(root, []);
  return out;
}

/** What `bin [path…] --help` prints on stdout, for every path, rendered by the real parser. */
export async function renderHelp(bin: App['bin'], description: string, registers: Register[]): Promise<Record<string, string>> {
  const make = () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString('utf8')));
    const app: App = { bin, argv: [], env: {}, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: out, stderr: new PassThrough() } };
    return { program: createProgram(app, description, registers), read: () => text };
  };
  const result: Record<string, string> = {};
  for (const path of paths(make().program)) {
    const { program, read } = make();
    const argv = [...(path ? path.split(' ') : []), '--help'];
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (e) {
      if ((e as { code?: string }).code !== 'commander.helpDisplayed') throw e;
    }
    result[path] = read();
  }
  return result;
}

