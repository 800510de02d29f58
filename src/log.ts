// The logs: <logs>/mcp.log, one JSON line per event of a command, and <logs>/migration.log, the runs
// narrated in text lines. Both always redacted; neither ever fails what it records.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact, redactText } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void;
  readonly path: string | undefined;
}

/** Append whole lines to dir/name (O_APPEND: concurrent processes interleave whole lines), creating dir once. */
function appender(dir: string, name: string): { path: string; append(line: string): void } {
  let ready = false;
  const path = join(dir, name);
  return {
    path,
    append(line) {
      try {
        if (!ready) {
          mkdirSync(dir, { recursive: true });
          ready = true;
        }
        appendFileSync(path, line + '\n');
      } catch {
        // A log that cannot be written must never fail the command it describes.
      }
    },
  };
}

export function createLogger(logsDir: string | undefined, command: string): Logger {
  const file = logsDir ? appender(logsDir, 'mcp.log') : undefined;
  return {
    path: file?.path,
    log(level, event, fields = {}) {
      file?.append(JSON.stringify(redact({ time: new Date().toISOString(), level, command, event, pid: process.pid, ...fields })));
    },
  };
}

export const nullLogger: Logger = { path: undefined, log() {} };

export interface TextLog {
  line(level: Level, message: string): void;
  readonly path: string;
}

/**
 * A log for people: `TIME LEVEL message` lines appended to <dir>/<name>, one event a line, redacted —
 * for `tail -f` and `grep -i error`. `mcp logs` reads it back (the level and time are parsed).
 */
export function createTextLog(dir: string, name: string): TextLog {
  const file = appender(dir, name);
  return {
    path: file.path,
    line(level, message) {
      file.append(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${redactText(message).replace(/\s*\n\s*/g, ' ')}`);
    },
  };
}
