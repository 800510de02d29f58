// The structured log: one JSON line per event in <home>/logs/mcp.log, always redacted.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from './redact.js';

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
