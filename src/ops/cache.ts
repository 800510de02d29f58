// The platform cache: the Redis the config names (`cache.url`, else the `redis` service's published
// port on 127.0.0.1). Only the platform's keys are touched: `<prefix>*` (prefix `cache.prefix`,
// default `mcp:`) for --all, `<prefix><service>:*` for one service. SCAN, never KEYS (KEYS blocks a
// busy server); UNLINK in batches, counting what the server says it removed.
import type { ServiceView } from './platform.js';
import { asObject, asString } from './platform.js';
import { registerSecret } from '../redact.js';

export const DEFAULT_PREFIX = 'mcp:';

export interface CacheTarget {
  url: string;
  prefix: string;
  /** where the URL came from, for the report */
  from: 'cache.url' | 'service';
}

export function cacheTarget(doc: Record<string, unknown>, services: ServiceView[]): CacheTarget | undefined {
  const cache = asObject(doc.cache);
  const prefix = asString(cache.prefix) ?? DEFAULT_PREFIX;
  const url = asString(cache.url) ?? asString(asObject(cache.redis).url);
  if (url) {
    registerSecret(safePassword(url));
    return { url, prefix, from: 'cache.url' };
  }
  const redis = services.find((s) => s.name === 'redis') ?? services.find((s) => (s.image ?? '').split('/').pop()!.startsWith('redis'));
  if (redis) return { url: `redis://127.0.0.1:${redis.hostPort ?? 6379}`, prefix, from: 'service' };
  return undefined;
}

function safePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Escape Redis glob metacharacters so a prefix or service name matches literally. */
export function globEscape(s: string): string {
  return s.replace(/[\\*?[\]^]/g, (c) => `\\${c}`);
}

export function patternFor(prefix: string, service?: string): string {
  return service ? `${globEscape(prefix)}${globEscape(service)}:*` : `${globEscape(prefix)}*`;
}

export interface ClearResult {
  pattern: string;
  matched: number;
  removed: number;
  dryRun: boolean;
}

export interface RedisLike {
  scan(cursor: string, ...args: Array<string | number>): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  del(...keys: string[]): Promise<number>;
  quit(): Promise<unknown>;
  disconnect(): void;
}

export async function connectRedis(url: string, timeoutMs = 3000): Promise<RedisLike> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    // one attempt: an unreachable cache is reported, not retried forever
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client as unknown as RedisLike;
}

/** Remove every key matching `pattern`, SCAN cursor by cursor; `onProgress` gets the running count. */
export async function clearPattern(client: RedisLike, pattern: string, opts: { dryRun?: boolean; batch?: number; onProgress?: (removed: number) => void } = {}): Promise<ClearResult> {
  const batch = opts.batch ?? 500;
  let cursor = '0';
  let matched = 0;
  let removed = 0;
  let useUnlink = true;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
    cursor = next;
    if (!keys.length) continue;
    matched += keys.length;
    if (opts.dryRun) continue;
    try {
      removed += useUnlink ? await client.unlink(...keys) : await client.del(...keys);
    } catch (e) {
      // Redis before 4.0 has no UNLINK
      if (!useUnlink || !/unknown command/i.test((e as Error).message)) throw e;
      useUnlink = false;
      removed += await client.del(...keys);
    }
    opts.onProgress?.(removed);
  } while (cursor !== '0');
  // SCAN may return a key twice across cursors; in a dry run `matched` is an upper bound
  return { pattern, matched, removed, dryRun: Boolean(opts.dryRun) };
}
