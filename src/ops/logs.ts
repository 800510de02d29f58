// Reading the platform's logs: the CLI's structured log (<home>/logs/mcp.log, JSON lines) and any
// other *.log beside it (JSON lines or plain text with a leading timestamp), filtered by time, level
// and service. Services' container logs come through the runtime (see sources in commands/ops/logs.ts).
import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { logsDir } from '../home.js';
import { MIGRATION_COMMAND, narratesEnd } from './migration-commands.js';

export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export interface LogEntry {
  time: string;
  level: LogLevel;
  /** `mcp` for the CLI itself, `migration` for migration runs, else the service or file name */
  service: string;
  event?: string;
  message?: string;
  command?: string;
  pid?: number;
  /** the file (or runtime source) it came from */
  source: string;
  fields?: Record<string, unknown>;
}

export interface LogFilter {
  since?: Date;
  until?: Date;
  /** minimum severity */
  level?: LogLevel;
  /** service names; empty or undefined = all */
  services?: string[];
}

// Commands that run or inspect migrations: their log lines belong to the `migration` service.
export { MIGRATION_COMMAND } from './migration-commands.js';

export function levelOf(raw: unknown): LogLevel {
  const s = String(raw ?? '').toLowerCase();
  if (s.startsWith('err') || s === 'fatal' || s === 'critical' || s === 'crit' || s === 'panic') return 'error';
  if (s.startsWith('warn')) return 'warn';
  if (s === 'debug' || s === 'trace' || s === 'verbose') return 'debug';
  return 'info';
}

export function parseLevel(raw: string): LogLevel {
  const s = raw.toLowerCase() === 'warning' ? 'warn' : raw.toLowerCase();
  if ((LEVELS as readonly string[]).includes(s)) return s as LogLevel;
  throw Object.assign(new Error(`unknown level ${raw}`), { level: raw });
}

const KNOWN_KEYS = new Set(['time', 'timestamp', 'ts', '@timestamp', 'level', 'severity', 'service', 'event', 'message', 'msg', 'command', 'pid']);

/** One JSON log line → an entry; undefined when it is not a JSON object with a time. */
export function entryFromJson(line: string, source: string, defaultService: string): LogEntry | undefined {
  let o: Record<string, unknown>;
  try {
    const v = JSON.parse(line);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    o = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const t = o.time ?? o.timestamp ?? o.ts ?? o['@timestamp'];
  const time = typeof t === 'number' ? new Date(t) : new Date(String(t ?? ''));
  if (Number.isNaN(time.getTime())) return undefined;
  const command = typeof o.command === 'string' ? o.command : undefined;
  let service = typeof o.service === 'string' && o.service ? o.service : defaultService;
  // and so do run events (run.step.end, …) that earlier versions wrote to mcp.log, whatever command ran them
  // (runs are narrated in migration.log now)
  const runEvent = typeof o.event === 'string' && o.event.startsWith('run.');
  // ... except the end (command.end, command.error) of the commands whose end migration.log has as a
  // line of its own: `mcp logs --service migration` shows a failed `db migrate` once, from migration.log
  const narratedEnd = command !== undefined && narratesEnd(command) && (o.event === 'command.end' || o.event === 'command.error');
  if (defaultService === 'mcp' && !(typeof o.service === 'string' && o.service) && ((command && MIGRATION_COMMAND.test(command) && !narratedEnd) || runEvent)) service = 'migration';
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!KNOWN_KEYS.has(k)) fields[k] = v;
  const message = typeof o.message === 'string' ? o.message : typeof o.msg === 'string' ? o.msg : undefined;
  return {
    time: time.toISOString(),
    level: levelOf(o.level ?? o.severity),
    service,
    event: typeof o.event === 'string' ? o.event : undefined,
    message,
    command,
    pid: typeof o.pid === 'number' ? o.pid : undefined,
    source,
    fields: Object.keys(fields).length ? fields : undefined,
  };
}

const TEXT_LINE = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\]?\s+(?:\[?(DEBUG|INFO|WARN(?:ING)?|ERROR|FATAL|TRACE|CRIT(?:ICAL)?)\]?:?\s+)?(.*)$/i;

/** A plain text line with a leading timestamp (`2025-07-24T10:00:00Z ERROR something`). */
export function entryFromText(line: string, source: string, service: string, prev?: Pick<LogEntry, 'time' | 'level'>): LogEntry | undefined {
  const m = line.match(TEXT_LINE);
  if (m) {
    const time = new Date(/Z|[+-]\d{2}:?\d{2}$/i.test(m[1]!) ? m[1]! : m[1]!.replace(' ', 'T') + 'Z');
    if (!Number.isNaN(time.getTime())) {
      const rest = m[3] ?? '';
      const level = m[2] ? levelOf(m[2]) : /\b(error|fatal|exception)\b/i.test(rest) ? 'error' : /\bwarn(ing)?\b/i.test(rest) ? 'warn' : 'info';
      return { time: time.toISOString(), level, service, message: rest, source };
    }
  }
  if (prev && line.trim()) {
    // continuation lines (stack traces) belong to the line before them: its time and level
    return { time: prev.time, level: prev.level, service, message: line, source };
  }
  return undefined;
}

export function parseLine(line: string, source: string, service: string, prev?: Pick<LogEntry, 'time' | 'level'>): LogEntry | undefined {
  if (!line.trim()) return undefined;
  if (line.trimStart().startsWith('{')) {
    const e = entryFromJson(line, source, service);
    if (e) return e;
  }
  return entryFromText(line, source, service, prev);
}

export function matches(e: LogEntry, f: LogFilter): boolean {
  const t = Date.parse(e.time);
  if (f.since && t < f.since.getTime()) return false;
  if (f.until && t > f.until.getTime()) return false;
  if (f.level && LEVELS.indexOf(e.level) < LEVELS.indexOf(f.level)) return false;
  if (f.services && f.services.length && !f.services.includes(e.service)) return false;
  return true;
}

export interface LogFile {
  path: string;
  /** the service its lines belong to when they do not say: `mcp` for mcp.log, else the file's base name */
  service: string;
}

/**
 * The log files of a home (or MCP_LOG_DIR): mcp.log first (the commands), then every other *.log, such as
 * migration.log (the executor's narration of runs, one text line per event; their structured record is
 * the run journal).
 */
export async function logFiles(home: string, env: NodeJS.ProcessEnv = process.env): Promise<LogFile[]> {
  const dir = logsDir(home, env);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = names.filter((n) => n.endsWith('.log')).sort((a, b) => (a === 'mcp.log' ? -1 : b === 'mcp.log' ? 1 : a.localeCompare(b)));
  return files.map((n) => ({ path: join(dir, n), service: n === 'mcp.log' ? 'mcp' : basename(n, '.log') }));
}

/** Every matching entry of one file, streamed line by line (a log can be large). */
export async function readLogFile(file: LogFile, filter: LogFilter): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  // A file whose lines all fall outside the window is skipped quickly by its mtime.
  try {
    const st = await stat(file.path);
    if (filter.since && st.mtimeMs < filter.since.getTime()) return out;
  } catch {
    return out;
  }
  const rl = createInterface({ input: createReadStream(file.path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let prev: LogEntry | undefined;
  for await (const line of rl) {
    const e = parseLine(line, file.path, file.service, prev);
    if (!e) continue;
    prev = e;
    if (matches(e, filter)) out.push(e);
  }
  return out;
}

/** Entries of all sources merged in time order (stable for equal times). */
export function mergeByTime(lists: LogEntry[][]): LogEntry[] {
  const all = lists.flatMap((l, i) => l.map((e, j) => ({ e, i, j })));
  all.sort((a, b) => Date.parse(a.e.time) - Date.parse(b.e.time) || a.i - b.i || a.j - b.j);
  return all.map((x) => x.e);
}

/**
 * Lines the log viewer itself wrote (`mcp logs` start and end) are not news to its reader; its
 * warnings and errors are kept.
 */
export function isViewerNoise(e: LogEntry, pid = process.pid): boolean {
  if (!e.source.endsWith('mcp.log')) return false;
  if (e.pid === pid) return true;
  return (e.command === 'logs' || e.command?.startsWith('logs ') === true) && (e.level === 'info' || e.level === 'debug') && /^command\.(start|end)$/.test(e.event ?? '');
}

export function formatEntry(e: LogEntry): string {
  const kv = Object.entries(e.fields ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'string' ? (/\s/.test(v) ? JSON.stringify(v) : v) : JSON.stringify(v)}`)
    .join(' ');
  const what = [e.event, e.message].filter(Boolean).join(' ');
  return [e.time, e.level.toUpperCase().padEnd(5), e.service, e.command ? `[${e.command}]` : '', what, kv].filter((s) => s !== '').join(' ');
}

/**
 * Follow one file from its current end: calls `onLine` for every complete line appended, polling its size
 * (fs.watch misses appends on some filesystems). A file that shrinks (rotated, truncated) is read from 0.
 */
export async function followFile(path: string, onLine: (line: string) => void, signal: AbortSignal, intervalMs = 250): Promise<void> {
  let pos = 0;
  try {
    pos = (await stat(path)).size;
  } catch {
    pos = 0;
  }
  let partial = '';
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    if (signal.aborted) break;
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      continue;
    }
    if (size < pos) {
      pos = 0;
      partial = '';
    }
    if (size === pos) continue;
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(size - pos);
      await fh.read(buf, 0, buf.length, pos);
      pos = size;
      const text = partial + buf.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    } finally {
      await fh.close();
    }
  }
}
