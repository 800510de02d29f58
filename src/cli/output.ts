// One result, two renderers: a --json document on stdout, or human text on stdout.
// Progress and logs go to stderr; a spinner only on a TTY, never with --json or --quiet.
import { redact, redactText } from '../redact.js';

export interface CommandResult {
  /** The JSON document for --json (redacted before printing). */
  data?: unknown;
  /** Human rendering for stdout; defaults to nothing (the data is for scripts). */
  text?: string | string[];
  /** Exit code for a result that is not an error but is not a success either (e.g. verify found differences: 3). */
  exitCode?: number;
  /**
   * Bytes that are the product itself (a config written to stdout for redirection), printed as is
   * in both modes. Only for content the user asked to receive verbatim; never logs or reports.
   */
  raw?: string;
}

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface Colors {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  color: boolean;
  verbose: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
}

const wrap = (on: boolean, open: number, close: number) => (s: string) => (on ? `\u001b[${open}m${s}\u001b[${close}m` : s);

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly c: Colors;
  readonly stderrIsTTY: boolean;
  /** spinners and redraws: stderr is a terminal of a usable width (not dumb, not 0 columns) */
  readonly animate: boolean;
  private readonly stdout: NodeJS.WritableStream;
  private readonly stderr: NodeJS.WritableStream;

  constructor(opts: OutputOptions) {
    const env = opts.env ?? process.env;
    this.stdout = opts.stdout ?? process.stdout;
    this.stderr = opts.stderr ?? process.stderr;
    this.json = opts.json;
    this.quiet = opts.quiet;
    this.verbose = opts.verbose;
    this.stderrIsTTY = Boolean((this.stderr as { isTTY?: boolean }).isTTY);
    // a terminal of 0 columns (a pty under `script` or automation) gets plain lines: a spinner that
    // redraws there never fits, and wrote hundreds of MB while the work waited behind it
    const columns = (this.stderr as { columns?: number }).columns ?? 0;
    this.animate = this.stderrIsTTY && columns >= 20 && env.TERM !== 'dumb';
    const color = opts.color && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb' && this.stderrIsTTY;
    this.c = {
      green: wrap(color, 32, 39),
      red: wrap(color, 31, 39),
      yellow: wrap(color, 33, 39),
      dim: wrap(color, 2, 22),
      bold: wrap(color, 1, 22),
    };
  }

  /** Progress for humans: stderr, silenced by --quiet. */
  progress(msg: string): void {
    if (!this.quiet) this.stderr.write(redactText(msg) + '\n');
  }

  /** Detail shown only with --verbose: stderr. */
  debug(msg: string): void {
    if (this.verbose) this.stderr.write(this.c.dim(redactText(msg)) + '\n');
  }

  warn(msg: string): void {
    this.stderr.write(this.c.yellow('warning: ') + redactText(msg) + '\n');
  }

  /** One NDJSON event on stdout (streaming commands with --json). */
  event(ev: Record<string, unknown>): void {
    if (this.json) this.stdout.write(JSON.stringify(redact(ev)) + '\n');
  }

  /** A spinner on a TTY; one plain line per step otherwise; nothing with --json or --quiet. */
  async spinner(text: string): Promise<Spinner> {
    if (this.json || this.quiet) return { update() {}, succeed() {}, fail() {}, stop() {} };
    if (!this.animate) {
      this.progress(text);
      return {
        update: () => {},
        succeed: (t) => t && this.progress(`✓ ${t}`),
        fail: (t) => this.stderr.write(`✗ ${redactText(t ?? text)}\n`),
        stop: () => {},
      };
    }
    const { default: ora } = await import('ora');
    const s = ora({ text: redactText(text), stream: this.stderr as NodeJS.WriteStream }).start();
    return {
      update: (t) => (s.text = redactText(t)),
      succeed: (t) => s.succeed(t && redactText(t)),
      fail: (t) => s.fail(t && redactText(t)),
      stop: () => s.stop(),
    };
  }

  render(result: CommandResult | void): void {
    if (!result) return;
    if (result.raw !== undefined) {
      this.stdout.write(result.raw.endsWith('\n') || result.raw === '' ? result.raw : result.raw + '\n');
      return;
    }
    if (this.json) {
      if (result.data !== undefined) this.stdout.write(JSON.stringify(redact(result.data), null, 2) + '\n');
      return;
    }
    if (result.text !== undefined) {
      const text = Array.isArray(result.text) ? result.text.join('\n') : result.text;
      if (text !== '') this.stdout.write(redactText(text) + (text.endsWith('\n') ? '' : '\n'));
    }
  }

  writeStderr(s: string): void {
    this.stderr.write(s);
  }
}
