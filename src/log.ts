// The structured log: one JSON line per event in <home>/logs/mcp.log, always redacted.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact, redactText } from './redact.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void;
  readonly path: string | undefined;
}

export function createLogger(logsDir: string | undefined, command: string): Logger {
  let ready = false;
  const path = logsDir ? join(logsDir, 'mcp.log') : undefined;
  return {
    path,
    log(level, event, fields = {}) {
      if (!path || !logsDir) return;
      const line = JSON.stringify(redact({ time: new Date().toISOString(), level, command, event, pid: process.pid, ...fields }));
      try {
        if (!ready) {
          mkdirSync(logsDir, { recursive: true });
          ready = true;
        }
        // appendFileSync with O_APPEND: concurrent processes interleave whole lines.
        appendFileSync(path, line + '\n');
      } catch {
        // A log that cannot be written must never fail the command it describes.
      }
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
  let ready = false;
  const path = join(dir, name);
  return {
    path,
    line(level, message) {
      const text = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${redactText(message).replace(/\s*\n\s*/g, ' ')}`;
      try {
        if (!ready) {
          mkdirSync(dir, { recursive: true });
          ready = true;
        }
        appendFileSync(path, text + '\n');
      } catch {
        // never fails the run it narrates
      }
    },
  };
}
