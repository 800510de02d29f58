// Exit codes: the one place an error's kind (src/errors.ts) becomes the number a script sees. The single catch
// lives in bin/ (via runCli); handlers throw, they never exit.
import { McpError, type ErrorKind } from '../errors.js';

export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  PRECONDITION: 3,
  BUSY: 4,
  INTEGRITY: 5,
  INTERRUPTED: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_DOCS: ReadonlyArray<{ code: number; name: string; meaning: string }> = [
  { code: 0, name: 'ok', meaning: 'success' },
  { code: 1, name: 'failed', meaning: 'the operation failed (a step, a statement or a tool returned an error)' },
  { code: 2, name: 'usage', meaning: 'usage or invalid input: bad flag or command, malformed file, schema violation, a prompt needed without a TTY (pass --yes)' },
  { code: 3, name: 'precondition', meaning: 'precondition not met or verification failed: no upgrade path, unhealthy service, verify found differences, missing tool (docker, kubectl, rsync)' },
  { code: 4, name: 'busy', meaning: 'another run holds the lock; the message names the holder' },
  { code: 5, name: 'integrity', meaning: 'integrity: checksum mismatch, corrupted or unsafe archive, stale plan, wrong passphrase' },
  { code: 130, name: 'interrupted', meaning: 'interrupted (SIGINT/SIGTERM); state is left resumable (see `mcp migration resume`)' },
];

const BY_KIND: Record<ErrorKind, number> = {
  failed: ExitCode.FAILED,
  usage: ExitCode.USAGE,
  invalid_input: ExitCode.USAGE,
  precondition: ExitCode.PRECONDITION,
  busy: ExitCode.BUSY,
  integrity: ExitCode.INTEGRITY,
  interrupted: ExitCode.INTERRUPTED,
};

export const exitCodeOfKind = (kind: ErrorKind): number => BY_KIND[kind];
/** The exit code of any thrown value: an McpError's kind, else 1 (failed). */
export const exitCodeOf = (e: unknown): number => (e instanceof McpError ? BY_KIND[e.kind] : ExitCode.FAILED);
