// `mcp cache clear [--all | --service NAME] [--dry-run]`: the platform's Redis keys and the CLI's own caches.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Handler } from '../../cli/program.js';
import { invalidInput, preconditionError, usageError } from '../../errors.js';
import { layout } from '../../home.js';
import { redactText } from '../../redact.js';
import { cacheTarget, clearPattern, connectRedis, patternFor, type ClearResult } from '../../ops/cache.js';
import { readPlatform } from '../../ops/platform.js';

export interface CacheClearOptions {
  all?: boolean;
  service?: string;
  dryRun?: boolean;
}

/** The CLI's own caches: <home>/state/cache (derived data only, safe to drop). */
export const cliCacheDir = (home: string) => join(layout(home).state, 'cache');

async function clearCliCache(home: string, dryRun: boolean): Promise<{ dir: string; removed: number }> {
  const dir = cliCacheDir(home);
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return { dir, removed: 0 };
  }
  if (!dryRun) for (const n of names) await rm(join(dir, n), { recursive: true, force: true });
  return { dir, removed: names.length };
}

export const cacheClearHandler: Handler<CacheClearOptions> = async (ctx, opts) => {
  if (opts.all && opts.service) throw usageError('--all and --service exclude each other', { hint: 'clear everything with --all, or one service with --service NAME' });
  if (!opts.all && !opts.service) throw usageError('say what to clear: --all or --service NAME', { hint: 'mcp cache clear --all' });
  const dryRun = Boolean(opts.dryRun);
  const platform = await readPlatform(ctx.home);
  if (opts.service && platform.services.length && !platform.services.some((s) => s.name === opts.service)) {
    throw invalidInput(`--service '${opts.service}' is not a service of this platform`, {
      hint: `services: ${platform.services.map((s) => s.name).join(', ')}`,
    });
  }
  const target = cacheTarget(platform.doc, platform.services);
  let redis: (ClearResult & { url: string; from: string }) | { configured: false } = { configured: false };
  if (target) {
    let client;
    try {
      client = await connectRedis(target.url);
    } catch (e) {
      throw preconditionError(`cannot reach the cache at ${redactText(target.url)}: ${(e as Error).message}`, {
        hint: target.from === 'service' ? 'start it (mcp start redis) or set cache.url in the config' : 'check cache.url in the config and that Redis is running',
      });
    }
    try {
      const pattern = patternFor(target.prefix, opts.service);
      ctx.out.debug(`SCAN MATCH ${pattern} on ${redactText(target.url)}`);
      const r = await clearPattern(client, pattern, { dryRun });
      redis = { ...r, url: redactText(target.url), from: target.from };
    } finally {
      await client.quit().catch(() => client.disconnect());
    }
  }
  const cli = opts.all ? await clearCliCache(ctx.home, dryRun) : undefined;
  ctx.log.log('info', 'cache.clear', { scope: opts.service ?? 'all', dryRun, redis, cli });
  const text: string[] = [];
  const verb = dryRun ? 'would remove' : 'removed';
  if ('pattern' in redis) text.push(`Redis ${redis.url}: ${verb} ${dryRun ? redis.matched : redis.removed} key(s) matching ${redis.pattern}`);
  else text.push('Redis: no cache in the config (cache.url or a redis service); nothing to clear there');
  if (cli) text.push(`CLI cache ${cli.dir}: ${verb} ${cli.removed} entr${cli.removed === 1 ? 'y' : 'ies'}`);
  return { data: { scope: opts.service ? { service: opts.service } : 'all', dryRun, redis, cli: cli ?? null }, text };
};
