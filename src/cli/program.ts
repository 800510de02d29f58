// The commander tree, shared by `mcp` and `mcp-migrate`. Command modules are thin: they declare
// flags and examples, and load their handler lazily so `mcp --version` and `--help` stay fast.
import { Command, CommanderError, Option } from 'commander';
import { McpError, isMcpError, usageError } from '../errors.js';
import { ExitCode, exitCodeOf } from './errors.js';
import { createCtx, type Ctx, type Streams } from './context.js';
import type { CommandResult } from './output.js';
import { redact, redactArgv, redactText } from '../redact.js';
import { packageVersion } from '../paths.js';
import { createNarration } from '../log.js';
import { logsDir } from '../home.js';
import { formatDuration } from '../duration.js';
import { narratesEnd } from '../ops/migration-commands.js';

export interface App {
  bin: 'mcp' | 'mcp-migrate';
  streams: Streams;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  argv: string[];
  exitCode: number;
}

export type Handler<O = Record<string, any>> = (ctx: Ctx, opts: O, args: string[]) => Promise<CommandResult | void>;
export type Register = (parent: Command, app: App) => void;

const examples = new WeakMap<Command, string[]>();
export const examplesOf = (cmd: Command): string[] => examples.get(cmd) ?? [];

/** commander option parser for a repeatable flag: `--exclude a --exclude b` → ['a', 'b']. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--home <dir>', 'platform home (default: $MCP_HOME, else ~/.mcp-platform)'))
    .addOption(new Option('--json', 'print the result as a JSON document on stdout'))
    .addOption(new Option('-y, --yes', 'answer yes to confirmations (for what cannot be undone)'))
    .addOption(new Option('--verbose', 'more detail on stderr, stack traces on errors'))
    .addOption(new Option('-q, --quiet', 'no progress on stderr'))
    .addOption(new Option('--no-color', 'no colours (NO_COLOR is honoured too)'));
}

function setExamples(cmd: Command, bin: string, list: string[]): void {
  examples.set(cmd, list);
  if (list.length) cmd.addHelpText('after', `\nExamples:\n${list.map((e) => `  $ ${/\bmcp(-migrate)?\b/.test(e) ? e : `${bin} ${e}`}`).join('\n')}\n`);
}

/**
 * A command group (`mcp db`, `mcp migration`): holds subcommands, no action of its own. Several modules
 * add leaves to the same group (`mcp migration check` and `mcp migration execute`): the first call
 * creates it, later calls return it.
 */
export function group(parent: Command, name: string, description: string, ex: string[] = []): Command {
  const existing = parent.commands.find((c) => c.name() === name);
  if (existing) return existing;
  const cmd = parent.command(name).description(description);
  addGlobalOptions(cmd);
  setExamples(cmd, 'mcp', ex);
  return cmd;
}

export interface LeafSpec {
  /** commander's name with arguments, e.g. 'restore [version]' */
  name: string;
  description: string;
  examples: string[];
  aliases?: string[];
}

/** A command that does something. Declare its options on the returned Command, then call `.action(...)` via `handle`. */
export function leaf(parent: Command, spec: LeafSpec): Command {
  const cmd = parent.command(spec.name).description(spec.description);
  for (const a of spec.aliases ?? []) cmd.alias(a);
  addGlobalOptions(cmd);
  setExamples(cmd, 'mcp', spec.examples);
  return cmd;
}

/** Wire a lazily loaded handler: build the context, log, run, render, record the exit code. */
export function handle<O>(cmd: Command, app: App, load: () => Promise<Handler<O>>): Command {
  return cmd.action(async () => {
    const ctx = createCtx(app.bin, cmd, app.streams, app.env, app.signal);
    const started = Date.now();
    ctx.log.log('info', 'command.start', { argv: redactArgv(app.argv) });
    // A migration command that changes something and is no executor run (those narrate every event)
    // leaves its end in migration.log too, for `grep -i error migration.log`.
    const narration = narratesEnd(ctx.command) ? createNarration(logsDir(ctx.home, ctx.env), ctx.env) : undefined;
    const what = `${app.bin} ${ctx.command}`;
    try {
      const opts = cmd.opts() as O & Record<string, unknown>;
      // an interrupted restore is settled and dead processes' leftovers go, before anything else reads the home
      await (await import('./home-guard.js')).guardHome(ctx, opts);
      const handler = await load();
      const result = await handler(ctx, opts, cmd.args);
      ctx.out.render(result);
      app.exitCode = (result && result.exitCode) ?? ExitCode.OK;
      ctx.log.log(app.exitCode === 0 ? 'info' : 'warn', 'command.end', { exitCode: app.exitCode, ms: Date.now() - started });
      if (app.exitCode === 0) narration?.line('info', `${what} done in ${formatDuration(Date.now() - started)}`);
      else {
        const first = [result?.text ?? []].flat().find((l) => l.trim());
        narration?.line('error', `${what} failed (exit ${app.exitCode})${first ? `: ${first.trim()}` : ''}`);
      }
    } catch (e) {
      const err = toCliError(e);
      ctx.log.log('error', 'command.error', { exitCode: exitCodeOf(err), code: err.code, message: err.message, where: err.where, ms: Date.now() - started });
      // every command ends in the log, failed ones too (a script greps for its end)
      ctx.log.log('warn', 'command.end', { exitCode: exitCodeOf(err), ms: Date.now() - started });
      narration?.line('error', `${what} failed (exit ${exitCodeOf(err)}): ${err.where ? `${err.where}: ` : ''}${err.message}`);
      throw e;
    }
  });
}

export function toCliError(e: unknown): McpError {
  if (isMcpError(e)) return e;
  if (e instanceof CommanderError) return usageError(e.message.replace(/^error: /, ''));
  const err = e as Error;
  return new McpError('failed', 'internal', err?.message ?? String(e), { cause: e });
}

export function createProgram(app: App, description: string, registers: Register[]): Command {
  const program = new Command(app.bin);
  program
    .description(description)
    .version(packageVersion, '-V, --version', 'print the version')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.streams.stdout.write(s),
      writeErr: (s) => app.streams.stderr.write(s),
      // help wraps at 80 columns on every terminal (and a 0-column pty): one text, rendered once at build
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      outputError: () => {
        /* printed once, by runCli, as one line plus a hint */
      },
    });
  addGlobalOptions(program);
  for (const register of registers) register(program, app);
  // exitOverride and output settings are inherited by commands created after them; apply to all.
  const globalFlags = new Set(['--home', '--json', '--yes', '--verbose', '--quiet', '--no-color']);
  const walk = (c: Command) => {
    // a command's own options first in its help, the global ones after
    (c.options as Option[]).sort((a, b) => Number(globalFlags.has(a.long ?? '')) - Number(globalFlags.has(b.long ?? '')));
    c.exitOverride();
    c.configureOutput(program.configureOutput());
    c.showSuggestionAfterError(true);
    c.commands.forEach(walk);
  };
  program.commands.forEach(walk);
  return program;
}

export function findCommand(root: Command, path: string[]): Command | undefined {
  let cur: Command | undefined = root;
  for (const name of path) {
    cur = cur?.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!cur) return undefined;
  }
  return cur;
}

/** Parse and run; returns the exit code. Never throws, never exits. */
export async function runCli(app: App, program: Command): Promise<number> {
  const verbose = app.argv.includes('--verbose');
  const json = app.argv.includes('--json');
  try {
    await program.parseAsync(app.argv, { from: 'user' });
    return app.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.OK;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return ExitCode.USAGE;
    }
    const err = toCliError(e);
    const where = err.where ? `${err.where}: ` : '';
    app.streams.stderr.write(`${app.bin}: error: ${where}${redactText(err.message)}\n`);
    const hint = err.hint ?? (e instanceof CommanderError ? usageHint(app, e) : undefined);
    if (hint) app.streams.stderr.write(`hint: ${redactText(hint)}\n`);
    if (err.code === 'internal' && !verbose) app.streams.stderr.write(`hint: run again with --verbose for the stack trace\n`);
    if (verbose && (err.cause ?? e) instanceof Error) {
      const stack = ((err.cause ?? e) as Error).stack;
      if (stack) app.streams.stderr.write(redactText(stack) + '\n');
    }
    if (json) {
      const doc = { error: { code: err.code, message: redactText(err.message), where: err.where, hint: hint && redactText(hint), exitCode: exitCodeOf(err), details: err.exposeDetails ? redact(err.details) : undefined } };
      app.streams.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    }
    return exitCodeOf(err);
  }
}

function usageHint(app: App, e: CommanderError): string {
  const words = app.argv.filter((a) => !a.startsWith('-'));
  if (e.code === 'commander.unknownCommand') return `run '${app.bin} --help' to see the commands`;
  const path = words.slice(0, 2).join(' ');
  return `run '${app.bin} ${path ? path + ' ' : ''}--help' for usage`;
}
