// `mcp logs` and `mcp logs export`: the platform's logs filtered by time, level and service.
import { resolve } from 'node:path';
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { invalidInput } from '../../errors.js';
import { writeFileAtomic } from '../../fsutil.js';
import { redact } from '../../redact.js';
import { followFile, formatEntry, isViewerNoise, logFiles, matches, mergeByTime, parseLevel, parseLine, readLogFile, LEVELS, type LogEntry, type LogFilter } from '../../ops/logs.js';
import { parseInstant } from '../../ops/time.js';
import type { PlatformServices } from '../../runtime/services.js';

export interface LogsOptions {
  since?: string;
  until?: string;
  level?: string;
  service?: string[];
  all?: boolean;
  follow?: boolean;
  limit?: string;
}

function levelFlag(raw: string | undefined) {
  if (raw === undefined) return undefined;
  try {
    return parseLevel(raw);
  } catch {
    throw invalidInput(`--level '${raw}' is not a log level`, { hint: `use one of ${LEVELS.join(', ')} (each shows that level and above)` });
  }
}

function servicesFlag(raw: string[] | string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  return list.length && !list.includes('all') ? list : undefined;
}

/**
 * The CLI's logs, plus the services' own logs through the runtime when asked for them: with --all, or
 * with --service naming configured services. (Plain `mcp logs` reads only files: fast, no docker.)
 */
async function collect(ctx: Ctx, filter: LogFilter, opts: { all?: boolean } = {}): Promise<{ entries: LogEntry[]; sources: string[]; warnings: string[]; services?: { platform: PlatformServices; names: string[] } }> {
  const files = await logFiles(ctx.home, ctx.env);
  const lists = await Promise.all(files.map((f) => readLogFile(f, filter)));
  const sources = files.map((f) => f.path);
  const warnings: string[] = [];
  let services: { platform: PlatformServices; names: string[] } | undefined;
  const { loadPlatform } = await import('../../runtime/index.js');
  // no config (or an unreadable one): only the CLI's own logs
  const platform = await loadPlatform(ctx.home).catch(() => undefined);
  if (platform) {
    const configured = platform.services.map((s) => s.name);
    const names = opts.all ? configured : (filter.services ?? []).filter((n) => configured.includes(n));
    if (names.length && platform.runtime.type !== 'none') {
      const { serviceLogs } = await import('../../ops/service-logs.js');
      const src = await serviceLogs(platform, ctx.home, ctx.env, names, filter, ctx.signal);
      sources.push(...src.commands);
      lists.push(src.entries);
      services = { platform, names };
      if (src.error) warnings.push(`the services' logs from ${src.runtime} are missing: ${src.error}`);
    }
  }
  const entries = mergeByTime(lists).filter((e) => !isViewerNoise(e));
  for (const w of warnings) ctx.out.warn(w);
  return { entries, sources, warnings, services };
}

export const logsHandler: Handler<LogsOptions> = async (ctx, opts) => {
  const now = new Date();
  const filter: LogFilter = {
    since: opts.since ? parseInstant(opts.since, '--since', now) : undefined,
    until: opts.until ? parseInstant(opts.until, '--until', now) : undefined,
    level: levelFlag(opts.level),
    services: opts.all ? undefined : servicesFlag(opts.service),
  };
  if (filter.since && filter.until && filter.since > filter.until) throw invalidInput('--since is after --until', { hint: 'swap them' });
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw invalidInput(`--limit '${opts.limit}' is not a positive whole number`);

  const { entries: all, sources, warnings, services } = await collect(ctx, filter, { all: opts.all });
  const entries = limit ? all.slice(-limit) : all;

  if (!opts.follow) {
    const counts = Object.fromEntries(LEVELS.map((l) => [l, entries.filter((e) => e.level === l).length]));
    return {
      data: { filter: filterDoc(filter), sources, warnings, count: entries.length, counts, entries },
      text: entries.length ? entries.map(formatEntry) : [`no log entries match (${describe(filter)})`],
    };
  }

  // --follow: what matched so far, then every new matching line until ^C. NDJSON with --json.
  const emit = (e: LogEntry) => {
    if (ctx.global.json) ctx.out.event({ type: 'log', ...e });
    else ctx.out.render({ text: formatEntry(e) });
  };
  entries.forEach(emit);
  ctx.out.progress(`following ${sources.length ? sources.join(', ') : 'the logs'} (Ctrl-C to stop)`);
  const files = await logFiles(ctx.home, ctx.env);
  const followFilter: LogFilter = { ...filter, until: undefined };
  const following: Array<Promise<void>> = [];
  if (services) {
    // the services' own new lines too, through their runtime
    const { followServiceLogs } = await import('../../ops/service-logs.js');
    following.push(followServiceLogs(services.platform, ctx.home, ctx.env, services.names, (e) => matches(e, followFilter) && emit(e), ctx.signal).catch((e: Error) => ctx.out.warn(`following the services' logs stopped: ${e.message}`)));
  }
  await Promise.all([
    ...following,
    ...files.map((f) => {
      let prev: LogEntry | undefined;
      return followFile(f.path, (line) => {
        const e = parseLine(line, f.path, f.service, prev);
        if (!e) return;
        prev = e;
        if (isViewerNoise(e)) return;
        if (matches(e, followFilter)) emit(e);
      }, ctx.signal);
    }),
  ]);
  return { exitCode: 0 };
};

function filterDoc(f: LogFilter) {
  return { since: f.since?.toISOString(), until: f.until?.toISOString(), level: f.level, services: f.services ?? 'all' };
}

function describe(f: LogFilter): string {
  const parts = [
    f.since ? `since ${f.since.toISOString()}` : '',
    f.until ? `until ${f.until.toISOString()}` : '',
    f.level ? `level ≥ ${f.level}` : '',
    f.services ? `service ${f.services.join(',')}` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no filter';
}

export interface ExportOptions {
  service?: string[];
  from?: string;
  to?: string;
  level?: string;
  output?: string;
}

export const EXPORT_FORMAT = 'mcp-logs-export/1';

export const logsExportHandler: Handler<ExportOptions> = async (ctx, opts) => {
  const now = new Date();
  const filter: LogFilter = {
    since: opts.from ? parseInstant(opts.from, '--from', now) : undefined,
    until: opts.to ? parseInstant(opts.to, '--to', now) : undefined,
    level: levelFlag(opts.level),
    services: servicesFlag(opts.service),
  };
  if (filter.since && filter.until && filter.since > filter.until) {
    throw invalidInput(`--from ${filter.since.toISOString()} is after --to ${filter.until.toISOString()}`, { hint: 'swap them' });
  }
  const { entries, sources, warnings } = await collect(ctx, filter, { all: !filter.services });
  const doc = redact({
    format: EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    home: ctx.home,
    filter: { service: filter.services ?? 'all', from: filter.since?.toISOString(), to: filter.until?.toISOString(), level: filter.level },
    sources,
    warnings,
    count: entries.length,
    counts: Object.fromEntries(LEVELS.map((l) => [l, entries.filter((e) => e.level === l).length])),
    entries,
  });
  if (!opts.output) return { raw: JSON.stringify(doc, null, 2) + '\n' };
  const out = resolve(opts.output);
  await writeFileAtomic(out, JSON.stringify(doc, null, 2) + '\n');
  ctx.log.log('info', 'logs.export', { output: out, count: entries.length });
  return {
    data: { output: out, count: entries.length, counts: doc.counts, filter: doc.filter },
    text: `Exported ${entries.length} log entr${entries.length === 1 ? 'y' : 'ies'} to ${out}`,
  };
};
