// What every handler receives: resolved global options, the home, output, log, and the prompt gate.
import type { Command } from 'commander';
import { envForOtherHome, logsDir, resolveHome } from '../home.js';
import { createLogger, type Logger } from '../log.js';
import { Output } from './output.js';
import { usageError } from '../errors.js';

export interface GlobalOptions {
  home?: string;
  json: boolean;
  yes: boolean;
  verbose: boolean;
  quiet: boolean;
  color: boolean;
}

export interface Ctx {
  /** 'mcp' or 'mcp-migrate' */
  bin: string;
  /** the command path, e.g. 'db migrate' */
  command: string;
  home: string;
  global: GlobalOptions;
  out: Output;
  log: Logger;
  env: NodeJS.ProcessEnv;
  /** true when we may ask the user: stdin and stdout are TTYs and this is not CI */
  canPrompt: boolean;
  /** Aborted on SIGINT/SIGTERM; long operations stop at a safe point and leave state resumable. */
  signal: AbortSignal;
  /**
   * Ask before something that cannot be undone. --yes answers yes; without a TTY this fails fast
   * with exit 2 naming --yes. Resolves when confirmed, throws when declined.
   */
  confirm(question: string): Promise<void>;
  /** what handlers reach the world through; tests hand in fakes (test/helpers/ctx.ts) */
  deps: Deps;
}

/**
 * The handlers' way to the database, the runtime and the clock: injected, so a handler is tested in-process
 * with a fake runtime or a scratch database instead of module state. The defaults load the real modules lazily
 * (`mcp --help` loads none of them).
 */
export interface Deps {
  openDatabase(opts: import('../db/open.js').OpenOptions): Promise<import('../db/types.js').Database>;
  runtimeFor(platform: import('../runtime/services.js').PlatformServices, opts: import('../runtime/types.js').RuntimeEnv): Promise<import('../runtime/types.js').Runtime>;
  now(): Date;
}

export const defaultDeps: Deps = {
  openDatabase: async (o) => (await import('../db/open.js')).openDatabase(o),
  runtimeFor: async (p, o) => (await import('../runtime/index.js')).runtimeFor(p, o),
  now: () => new Date(),
};

/**
 * What the engines (backup, run, db) take instead of a CLI context: the home, the environment, the signal, the
 * command as typed, and where progress, warnings and log records go.
 */
export interface EngineEnv {
  home: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  command: string;
  progress(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void;
}

export function engineEnv(ctx: Ctx): EngineEnv {
  return {
    home: ctx.home,
    env: ctx.env,
    signal: ctx.signal,
    command: `${ctx.bin} ${ctx.command}`,
    progress: (m) => ctx.out.progress(m),
    warn: (m) => ctx.out.warn(m),
    debug: (m) => ctx.out.debug(m),
    log: (level, event, fields) => ctx.log.log(level, event, fields),
  };
}

export interface Streams {
  stdin: { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export const GLOBAL_KEYS = ['home', 'json', 'yes', 'verbose', 'quiet', 'color'] as const;

/** Commands whose own `--home DIR` is an argument (`mcp environments add staging --home DIR`), not the global option. */
export const HOME_IS_ARGUMENT = new WeakSet<Command>();

/**
 * Global options may stand before the subcommand (`mcp --json db status`) or after it
 * (`mcp db status --json`): the value given on the command line nearest the leaf wins.
 */
export function globalsOf(cmd: Command, env: NodeJS.ProcessEnv): GlobalOptions {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.push(c);
  const pick = (key: string): unknown => {
    for (const c of chain) {
      if (key === 'home' && HOME_IS_ARGUMENT.has(c)) continue;
      const src = c.getOptionValueSource(key);
      if (src === 'cli' || src === 'env') return c.getOptionValue(key);
    }
    return undefined;
  };
  return {
    home: pick('home') as string | undefined,
    json: pick('json') === true,
    yes: pick('yes') === true,
    verbose: pick('verbose') === true,
    quiet: pick('quiet') === true,
    color: pick('color') !== false && !(env.NO_COLOR !== undefined && env.NO_COLOR !== ''),
  };
}

export function canPromptIn(streams: Streams, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return Boolean(streams.stdin.isTTY && streams.stdout.isTTY) && !ci;
}

export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The same command acting on another home (an environment's): its own log, the same output and signal. */
export function ctxForHome(ctx: Ctx, home: string): Ctx {
  // what names this home in the environment (its database, its home, its logs) must not reach the other one
  const env = envForOtherHome(ctx.env);
  return { ...ctx, home, env, log: createLogger(logsDir(home, env), ctx.command) };
}

export function createCtx(bin: string, cmd: Command, streams: Streams, env: NodeJS.ProcessEnv, signal: AbortSignal): Ctx {
  const global = globalsOf(cmd, env);
  const home = resolveHome(global.home, env);
  const out = new Output({ json: global.json, quiet: global.quiet, verbose: global.verbose, color: global.color, stdout: streams.stdout, stderr: streams.stderr, env });
  const command = commandPath(cmd);
  const log: Logger = createLogger(logsDir(home, env), command);
  const canPrompt = canPromptIn(streams, env);
  return {
    bin,
    command,
    home,
    global,
    out,
    log,
    env,
    canPrompt,
    signal,
    deps: defaultDeps,
    async confirm(question: string) {
      if (global.yes) return;
      if (!canPrompt) {
        throw usageError(`${question.replace(/\?$/, '')}: confirmation needed and there is no terminal to ask`, {
          hint: 'pass --yes to confirm non-interactively',
        });
      }
      const { default: inquirer } = await import('inquirer');
      const { ok } = await inquirer.prompt<{ ok: boolean }>([{ type: 'confirm', name: 'ok', message: question, default: false }]);
      if (!ok) throw usageError('declined at the prompt; nothing was changed');
    },
  };
}
