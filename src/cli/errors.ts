// One error type for everything a user can get wrong or the world can refuse.
// The single catch lives in bin/ (via runCli); handlers throw, they never exit.

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

export interface CliErrorOptions {
  hint?: string;
  /** file:line:column or a field path, shown before the message */
  where?: string;
  details?: unknown;
  /** details are meant for the user: printed (redacted) as `error.details` with --json */
  exposeDetails?: boolean;
  cause?: unknown;
}

export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly hint?: string;
  readonly where?: string;
  readonly details?: unknown;
  readonly exposeDetails: boolean;

  constructor(exitCode: number, code: string, message: string, opts: CliErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.hint = opts.hint;
    this.where = opts.where;
    this.details = opts.details;
    this.exposeDetails = opts.exposeDetails ?? false;
  }
}

export const usageError = (message: string, opts?: CliErrorOptions) => new CliError(ExitCode.USAGE, 'usage', message, opts);
export const invalidInput = (message: string, opts?: CliErrorOptions) => new CliError(ExitCode.USAGE, 'invalid_input', message, opts);
export const preconditionError = (message: string, opts?: CliErrorOptions) =>
  new CliError(ExitCode.PRECONDITION, 'precondition', message, opts);
export const busyError = (message: string, opts?: CliErrorOptions) => new CliError(ExitCode.BUSY, 'busy', message, opts);
export const integrityError = (message: string, opts?: CliErrorOptions) => new CliError(ExitCode.INTEGRITY, 'integrity', message, opts);
export const failedError = (message: string, opts?: CliErrorOptions) => new CliError(ExitCode.FAILED, 'failed', message, opts);

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}
