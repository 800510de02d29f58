// The services' own logs, through the runtime the config names: `docker compose logs --timestamps`
// for docker, `kubectl logs --timestamps` per deployment for kubernetes; nothing for `none` (the
// services run elsewhere). Each line becomes a LogEntry like those of the CLI's own log.
import { existsSync } from 'node:fs';
import { run } from '../runtime/exec.js';
import { colorAlias, colorComposePath, composeFilePath, projectName, servingColor } from '../runtime/docker.js';
import { DEFAULT_NAMESPACE } from '../runtime/kubernetes.js';
import type { PlatformServices } from '../runtime/services.js';
import { entryFromText, type LogEntry, type LogFilter, matches } from './logs.js';

export interface ServiceLogSource {
  runtime: string;
  services: string[];
  entries: LogEntry[];
  /** when the runtime could not be asked: why (the rest of the logs are still shown) */
  error?: string;
  commands: string[];
}

/**
 * `filesystem-mcp-1  | 2025-07-24T10:00:00.123456789Z message` → service and line. Terminal escapes are dropped
 * first: compose under podman starts each line with an erase-line sequence (ESC [2K) even with --no-color.
 */
export function parseComposeLine(raw: string, known: string[]): { service: string; rest: string } | undefined {
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  const m = line.match(/^(\S+?)\s*\|\s?(.*)$/);
  if (!m) return undefined;
  const prefix = m[1]!;
  const service = known.find((k) => prefix === k || new RegExp(`^(?:[a-z0-9_-]+[-_])?${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[-_]\\d+$`).test(prefix)) ?? prefix.replace(/[-_]\d+$/, '');
  return { service, rest: m[2]! };
}

/**
 * docker: the compose projects `names` run in, each with the names compose knows them by there: the platform's
 * own, and after a blue/green switch the serving color's for its services (`green-filesystem-mcp`).
 */
async function composeGroups(platform: PlatformServices, home: string, names: string[]) {
  const c = await servingColor(platform, home);
  const routed = c ? names.filter((n) => c.services.includes(n)) : [];
  const main = names.filter((n) => !routed.includes(n));
  const file = composeFilePath(home);
  const groups = main.length ? [{ head: ['compose', '-p', projectName(platform, home), ...(existsSync(file) ? ['-f', file] : [])], keys: main, nameOf: (k: string) => k }] : [];
  if (c && routed.length) {
    const keys = routed.map((n) => colorAlias(c.color, n));
    groups.push({ head: ['compose', '-p', c.project, '-f', colorComposePath(home, c.color)], keys, nameOf: (k: string) => routed[keys.indexOf(k)] ?? k });
  }
  return groups;
}

export async function serviceLogs(platform: PlatformServices, home: string, env: NodeJS.ProcessEnv, names: string[], filter: LogFilter, signal?: AbortSignal): Promise<ServiceLogSource> {
  const runtime = platform.runtime.type;
  const out: ServiceLogSource = { runtime, services: names, entries: [], commands: [] };
  if (runtime === 'none' || !names.length) return out;
  const since = filter.since?.toISOString();
  const until = filter.until?.toISOString();
  try {
    if (runtime === 'docker') {
      for (const g of await composeGroups(platform, home, names)) {
        const argv = [...g.head, 'logs', '--no-color', '--timestamps', ...(since ? ['--since', since] : []), ...(until ? ['--until', until] : []), ...g.keys];
        out.commands.push(['docker', ...argv].join(' '));
        const r = await run('docker', argv, { env, signal, timeoutMs: 60_000, cwd: home });
        let prev: LogEntry | undefined;
        for (const line of r.stdout.split('\n')) {
          const p = parseComposeLine(line, g.keys);
          if (!p) continue;
          const service = g.nameOf(p.service);
          const e = entryFromText(p.rest, `docker:${service}`, service, prev?.service === service ? prev : undefined);
          if (!e) continue;
          prev = e;
          if (matches(e, filter)) out.entries.push(e);
        }
      }
    } else {
      const ns = platform.runtime.namespace ?? DEFAULT_NAMESPACE;
      const scope = [`--namespace=${ns}`, ...(platform.runtime.context ? [`--context=${platform.runtime.context}`] : [])];
      for (const name of names) {
        const argv = [...scope, 'logs', `deployment/${name}`, '--timestamps', '--all-containers=true', '--prefix=false', ...(since ? [`--since-time=${since}`] : [])];
        out.commands.push(['kubectl', ...argv].join(' '));
        const r = await run('kubectl', argv, { env, signal, timeoutMs: 60_000, allowFailure: true });
        if (r.exitCode !== 0) {
          out.error = [out.error, `${name}: ${r.stderr.trim().split('\n').pop()}`].filter(Boolean).join('; ');
          continue;
        }
        let prev: LogEntry | undefined;
        for (const line of r.stdout.split('\n')) {
          const e = entryFromText(line, `kubernetes:${name}`, name, prev);
          if (!e) continue;
          prev = e;
          if (matches(e, filter)) out.entries.push(e);
        }
      }
    }
  } catch (e) {
    const err = e as Error & { hint?: string };
    out.error = `${err.message}${err.hint ? ` (${err.hint})` : ''}`;
  }
  return out;
}

/**
 * --follow for the services' own logs: `docker compose logs --follow` (from now on) or `kubectl logs -f` per
 * Deployment, each new line handed to `onEntry` as it comes, until `signal` stops it. Without this, `mcp logs
 * --follow --service NAME` showed the containers' past lines and then only the CLI's own.
 */
export async function followServiceLogs(platform: PlatformServices, home: string, env: NodeJS.ProcessEnv, names: string[], onEntry: (e: LogEntry) => void, signal: AbortSignal): Promise<void> {
  const runtime = platform.runtime.type;
  if (runtime === 'none' || !names.length) return;
  const { execa } = await import('execa');
  const { createInterface } = await import('node:readline');
  const since = new Date().toISOString();
  const follow = async (bin: string, argv: string[], parse: (line: string, prev?: LogEntry) => LogEntry | undefined) => {
    const child = execa(bin, argv, { env, cwd: home, cancelSignal: signal, reject: false, stdin: 'ignore', stderr: 'ignore', buffer: false });
    let prev: LogEntry | undefined;
    for await (const line of createInterface({ input: child.stdout! })) {
      const e = parse(line, prev);
      if (!e) continue;
      prev = e;
      onEntry(e);
    }
    await child;
  };
  if (runtime === 'docker') {
    const groups = await composeGroups(platform, home, names);
    await Promise.all(
      groups.map((g) =>
        follow('docker', [...g.head, 'logs', '--follow', '--no-color', '--timestamps', '--since', since, ...g.keys], (line, prev) => {
          const p = parseComposeLine(line, g.keys);
          const service = p ? g.nameOf(p.service) : undefined;
          return p && service ? entryFromText(p.rest, `docker:${service}`, service, prev?.service === service ? prev : undefined) : undefined;
        }),
      ),
    );
    return;
  }
  const ns = platform.runtime.namespace ?? DEFAULT_NAMESPACE;
  const scope = [`--namespace=${ns}`, ...(platform.runtime.context ? [`--context=${platform.runtime.context}`] : [])];
  await Promise.all(names.map((name) => follow('kubectl', [...scope, 'logs', '-f', `deployment/${name}`, '--timestamps', '--all-containers=true', '--prefix=false', `--since-time=${since}`], (line, prev) => entryFromText(line, `kubernetes:${name}`, name, prev))));
}
