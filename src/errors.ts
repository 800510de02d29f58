// The error every layer throws: what went wrong, of which kind, where, and what to do. Kinds, not exit codes:
// the engines (db, backup, run, …) say what happened; only the CLI (src/cli/errors.ts) maps a kind to the
// documented exit code and renders it, once.
export type ErrorKind =
  /** the operation failed: a step, a statement or a tool returned an error */
  | 'failed'
  /** a bad flag or command, a prompt needed without a terminal */
  | 'usage'
  /** a malformed file, a schema violation */
  | 'invalid_input'
  /** a precondition not met, a verification that found differences, a missing tool */
  | 'precondition'
  /** another run holds the lock */
  | 'busy'
  /** a checksum mismatch, a damaged or unsafe archive, a stale plan, a wrong passphrase */
  | 'integrity'
  /** SIGINT/SIGTERM: state left resumable */
  | 'interrupted';

export interface ErrorOptions {
  hint?: string;
  /** file:line:column or a field path, shown before the message */
  where?: string;
  details?: unknown;
  /** details are meant for the user: printed (redacted) as `error.details` with --json */
  exposeDetails?: boolean;
  cause?: unknown;
}

export class McpError extends Error {
  readonly kind: ErrorKind;
  /** a finer name for scripts (`--json` error.code): precondition, verification, db_unreachable, … */
  readonly code: string;
  readonly hint?: string;
  readonly where?: string;
  readonly details?: unknown;
  readonly exposeDetails: boolean;

  constructor(kind: ErrorKind, code: string, message: string, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'McpError';
    this.kind = kind;
    this.code = code;
    this.hint = opts.hint;
    this.where = opts.where;
    this.details = opts.details;
    this.exposeDetails = opts.exposeDetails ?? false;
  }
}

export const usageError = (message: string, opts?: ErrorOptions) => new McpError('usage', 'usage', message, opts);
export const invalidInput = (message: string, opts?: ErrorOptions) => new McpError('invalid_input', 'invalid_input', message, opts);
export const preconditionError = (message: string, opts?: ErrorOptions) => new McpError('precondition', 'precondition', message, opts);
export const verificationError = (message: string, opts?: ErrorOptions) => new McpError('precondition', 'verification', message, opts);
export const busyError = (message: string, opts?: ErrorOptions) => new McpError('busy', 'busy', message, opts);
export const integrityError = (message: string, opts?: ErrorOptions) => new McpError('integrity', 'integrity', message, opts);
export const failedError = (message: string, opts?: ErrorOptions) => new McpError('failed', 'failed', message, opts);
export const interruptedError = (message: string, opts?: ErrorOptions) => new McpError('interrupted', 'interrupted', message, opts);

export function isMcpError(e: unknown): e is McpError {
  return e instanceof McpError;
}
