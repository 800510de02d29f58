// argv → options: the global options wherever they stand, and the prompt gate.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { createProgram, findCommand, runCli, type App } from '../../src/cli/program.js';
import { canPromptIn, globalsOf } from '../../src/cli/context.js';
import { registerInit } from '../../src/commands/init/register.js';

function parse(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const s = new PassThrough();
  const app: App = { bin: 'mcp', argv, env, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: s, stderr: s } };
  const program = createProgram(app, 'test', [registerInit]);
  const init = findCommand(program, ['init'])! as Command;
  init.action(() => undefined); // parse only
  program.parse(argv, { from: 'user' });
  return { globals: globalsOf(init, env), opts: init.opts() };
}

describe('argv → options', () => {
  it.each([
    [['init'], { json: false, yes: false, verbose: false, quiet: false, color: true, home: undefined }],
    [['--json', 'init'], { json: true }],
    [['init', '--json'], { json: true }],
    [['--home', '/a', 'init', '--home', '/b'], { home: '/b' }],
    [['--home', '/a', 'init'], { home: '/a' }],
    [['init', '-y', '-q', '--verbose'], { yes: true, quiet: true, verbose: true }],
    [['init', '--no-color'], { color: false }],
  ] as const)('%j', (argv, expected) => {
    expect(parse([...argv]).globals).toMatchObject(expected);
  });

  it('NO_COLOR turns colour off', () => {
    expect(parse(['init'], { NO_COLOR: '1' }).globals.color).toBe(false);
  });

  it('a leaf --version is the command option, not the program version', () => {
    expect(parse(['init', '--version', '4.2']).opts.version).toBe('4.2');
  });

  it('prompts only with two TTYs outside CI', () => {
    expect(canPromptIn({ stdin: { isTTY: true }, stdout: Object.assign(new PassThrough(), { isTTY: true }), stderr: new PassThrough() }, {})).toBe(true);
    expect(canPromptIn({ stdin: { isTTY: true }, stdout: Object.assign(new PassThrough(), { isTTY: true }), stderr: new PassThrough() }, { CI: 'true' })).toBe(false);
    expect(canPromptIn({ stdin: {}, stdout: Object.assign(new PassThrough(), { isTTY: true }), stderr: new PassThrough() }, {})).toBe(false);
  });

  it('an unknown command is a usage error (2) with one error line and a hint', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += d));
    const app: App = { bin: 'mcp', argv: ['bogus'], env: {}, signal: new AbortController().signal, exitCode: 0, streams: { stdin: {}, stdout: out, stderr: out } };
    const code = await runCli(app, createProgram(app, 'test', [registerInit]));
    expect(code).toBe(2);
    expect(text.trim().split('\n')).toEqual(["mcp: error: unknown command 'bogus'", "hint: run 'mcp --help' to see the commands"]);
  });
});
