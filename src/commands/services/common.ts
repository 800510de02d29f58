// What the service handlers share: the platform's services, the runtime it asks for, bounded parallelism.
import type { Ctx } from '../../cli/context.js';
import { loadPlatform, type Runtime } from '../../runtime/index.js';
import { parseDuration, type PlatformServices } from '../../runtime/services.js';

export async function platformAndRuntime(ctx: Ctx): Promise<{ platform: PlatformServices & { configPath: string }; runtime: Runtime }> {
  const platform = await loadPlatform(ctx.home);
  const runtime = await ctx.deps.runtimeFor(platform, {
    home: ctx.home,
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    echo: (l) => ctx.out.debug(l),
  });
  return { platform, runtime };
}

/** --timeout as given on the command line (500ms, 5s, 2m; a bare number is seconds). */
export const timeoutOption = (v: string | undefined): number | undefined => (v === undefined ? undefined : parseDuration(v, '--timeout'));

/** Map with at most `limit` promises in flight, results in input order. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Plain text table: columns padded to the widest cell. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}
