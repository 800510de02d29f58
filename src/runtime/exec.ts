// The one wrapper for child processes: argv arrays only (no shell), a timeout, a bounded stderr tail
// in errors, redacted argv echoed with --verbose, and a clear exit-3 error when the tool is missing.
import { execa } from 'execa';
import { McpError, preconditionError } from '../errors.js';
import { redactArgv, redactText } from '../redact.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  /** Called with the redacted command line before it runs (wire to out.debug for --verbose). */
  echo?: (line: string) => void;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  signal?: AbortSignal;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const INSTALL_HINTS: Record<string, string> = {
  docker: 'install Docker (with the compose plugin) and make sure `docker` is on PATH, or set the runtime to none',
  kubectl: 'install kubectl and make sure it is on PATH with a context for the target cluster',
  rsync: 'install rsync (Debian/Ubuntu: apt-get install rsync)',
  psql: 'install the PostgreSQL client (Debian/Ubuntu: apt-get install postgresql-client)',
};

export const STDERR_TAIL_BYTES = 2000;

export function tail(text: string, max = STDERR_TAIL_BYTES): string {
  const t = text.trimEnd();
  return t.length <= max ? t : '…' + t.slice(t.length - max);
}

export async function run(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const shown = [bin, ...redactArgv(args)].join(' ');
  opts.echo?.(`$ ${shown}`);
  let r;
  try {
    r = await execa(bin, args as string[], {
      cwd: opts.cwd,
      env: opts.env,
      input: opts.input,
      timeout: opts.timeoutMs,
      reject: false,
      stripFinalNewline: false,
      cancelSignal: opts.signal,
      forceKillAfterDelay: 2000,
    });
  } catch (e) {
    throw new McpError('failed', 'exec', `could not run ${bin}: ${(e as Error).message}`);
  }
  const notFound = (r as { code?: string }).code === 'ENOENT' || /ENOENT/.test(String((r as { originalMessage?: string }).originalMessage ?? ''));
  if (notFound) {
    throw preconditionError(`${bin} not found on PATH`, { hint: INSTALL_HINTS[bin] ?? `install ${bin} and make sure it is on PATH` });
  }
  const result: RunResult = {
    exitCode: r.exitCode ?? (r.timedOut ? 124 : 1),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    timedOut: Boolean(r.timedOut),
  };
  if (r.timedOut) {
    throw new McpError('failed', 'exec_timeout', `${shown} timed out after ${opts.timeoutMs} ms`, {
      details: { stderr: redactText(tail(result.stderr)) },
    });
  }
  if (r.isCanceled) {
    throw new McpError('interrupted', 'interrupted', `${shown} was interrupted`);
  }
  if (result.exitCode !== 0 && !opts.allowFailure) {
    const t = redactText(tail(result.stderr || result.stdout));
    throw new McpError('failed', 'exec_failed', `${shown} exited with ${result.exitCode}${t ? `: ${t}` : ''}`);
  }
  return result;
}

/** Is `bin` on PATH? (without running it) */
export async function which(bin: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const { access, constants } = await import('node:fs/promises');
  const { delimiter, join } = await import('node:path');
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, bin);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}
