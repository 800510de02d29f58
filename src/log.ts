// The logs: <logs>/mcp.log, one JSON line per event of a command, and <logs>/migration.log, the runs
// narrated in text lines. Both always redacted; neither ever fails what it records.
import { accessSync, appendFileSync, constants, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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
const textLine = (level: Level, message: string) => `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${redactText(message).replace(/\s*\n\s*/g, ' ')}`;

export function createTextLog(dir: string, name: string): TextLog {
  const file = appender(dir, name);
  return {
    path: file.path,
    line(level, message) {
      file.append(textLine(level, message));
    },
  };
}

/** Where a system installation keeps its logs (the guide tails /var/log/mcp/migration.log); MCP_SYSTEM_LOG_DIR moves it. */
export const systemLogDir = (env: NodeJS.ProcessEnv): string => resolve(env.MCP_SYSTEM_LOG_DIR?.trim() || '/var/log/mcp');

function writableDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * migration.log, the runs' narration, in <logs>; and, when MCP_LOG_DIR does not already say where logs go and
 * the system log directory exists and is writable, the same lines there too, so the guide's
 * `tail -f /var/log/mcp/migration.log` works as written on an installation that has that directory.
 */
export function createNarration(logsDir: string, env: NodeJS.ProcessEnv): TextLog {
  const sys = systemLogDir(env);
  if ((env.MCP_LOG_DIR && env.MCP_LOG_DIR.trim() !== '') || resolve(logsDir) === sys || !writableDir(sys)) return createTextLog(logsDir, 'migration.log');
  const own = appender(logsDir, 'migration.log');
  const mirror = appender(sys, 'migration.log');
  return {
    path: own.path,
    line(level, message) {
      // one line, one time stamp, in both files
      const text = textLine(level, message);
      own.append(text);
      mirror.append(text);
    },
  };
}

