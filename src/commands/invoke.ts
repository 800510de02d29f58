// Orchestration calls other modules through their command handlers: the same code path, flags and
// results a user gets from the command itself (`mcp db ping`, `mcp backup create`…), run in-process
// with progress silenced and the result's `data` returned instead of printed.
import { PassThrough } from 'node:stream';
import type { Ctx } from '../cli/context.js';
import type { Handler } from '../cli/program.js';
import { Output } from '../cli/output.js';
import { isMcpError, usageError } from '../errors.js';
import { ExitCode, exitCodeOf } from '../cli/errors.js';
import { redactText } from '../redact.js';

export interface Invocation<D = any> {
  /** the command as a user would type it, for reports */
  command: string;
  ok: boolean;
  exitCode: number;
  data?: D;
  raw?: string;
  text?: string;
  error?: { code: string; message: string; hint?: string; where?: string };
  ms: number;
}

/** A context for a nested call: same home, env, log and signal; quiet output; never prompts. */
export function subContext(ctx: Ctx, command: string): Ctx {
  const sink = new PassThrough();
  sink.resume();
  const out = new Output({ json: true, quiet: true, verbose: false, color: false, stdout: sink, stderr: sink, env: ctx.env });
  return {
    ...ctx,
    command,
    global: { ...ctx.global, json: true, quiet: true, yes: false },
    out,
    canPrompt: false,
    async confirm(question: string) {
      throw usageError(`${question} (asked inside ${command}; not confirmed)`);
    },
  };
}

export async function invoke<O, D = any>(ctx: Ctx, command: string, load: () => Promise<Handler<O>>, opts: O, args: string[] = []): Promise<Invocation<D>> {
  const started = performance.now();
  const sub = subContext(ctx, command);
  try {
    const handler = await load();
    const r = await handler(sub, opts, args);
    const exitCode = (r && r.exitCode) ?? ExitCode.OK;
    const text = r?.text === undefined ? undefined : Array.isArray(r.text) ? r.text.join('\n') : r.text;
    return { command, ok: exitCode === 0, exitCode, data: r?.data as D, raw: r?.raw, text, ms: Math.round(performance.now() - started) };
  } catch (e) {
    const ms = Math.round(performance.now() - started);
    if (isMcpError(e)) {
      return { command, ok: false, exitCode: exitCodeOf(e), error: { code: e.code, message: redactText(e.message), hint: e.hint && redactText(e.hint), where: e.where }, ms };
    }
    return { command, ok: false, exitCode: ExitCode.FAILED, error: { code: 'internal', message: redactText((e as Error)?.message ?? String(e)) }, ms };
  }
}

/** One line for a failed invocation: "mcp db ping: exit 3: cannot connect … (hint: …)". */
export function failureLine(i: Invocation): string {
  if (i.ok) return `${i.command}: ok`;
  const why = i.error ? `${i.error.where ? `${i.error.where}: ` : ''}${i.error.message}` : i.text?.split('\n').slice(-1)[0] ?? 'failed';
  return `${i.command}: exit ${i.exitCode}: ${why}${i.error?.hint ? ` (hint: ${i.error.hint})` : ''}`;
}
