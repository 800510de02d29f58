// `mcp cache clear` against the Redis on 127.0.0.1:6379 (started by .ci/run). Every test uses its own
// key prefix and removes what it wrote.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { mcp } from '../helpers/cli.js';
import { opsHome } from '../helpers/ops-home.js';

const URL = process.env.MCP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const run = randomBytes(4).toString('hex');
const prefix = `mcp-test-${run}:`;
const outside = `other-test-${run}:`;
let redis: Redis;

const services = [{ name: 'git-mcp', type: 'mcp' }, { name: 'filesystem-mcp', type: 'mcp' }];

async function seed() {
  const p = redis.pipeline();
  for (let i = 0; i < 700; i++) p.set(`${prefix}git-mcp:repo:${i}`, 'x');
  for (let i = 0; i < 600; i++) p.set(`${prefix}filesystem-mcp:stat:${i}`, 'x');
  p.set(`${prefix}session:1`, 'x');
  p.set(`${outside}keep`, 'x');
  p.set(`${prefix.slice(0, -1)}`, 'x'); // the prefix without its colon is not under it
  await p.exec();
}
const count = async (pattern: string) => {
  let cursor = '0';
  let n = 0;
  do {
    const [c, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = c;
    n += keys.length;
  } while (cursor !== '0');
  return n;
};

beforeAll(async () => {
  redis = new Redis(URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});
afterAll(async () => {
  for (const p of [`${prefix}*`, `${outside}*`, prefix.slice(0, -1)]) {
    let cursor = '0';
    do {
      const [c, keys] = await redis.scan(cursor, 'MATCH', p, 'COUNT', 1000);
      cursor = c;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  }
  await redis.quit();
});

describe('mcp cache clear', () => {
  it('--service removes only that service\'s keys under the platform prefix, and counts them', async () => {
    await seed();
    const home = await opsHome({ cache: { url: URL, prefix }, services });
    const r = await mcp(['cache', 'clear', '--service', 'git-mcp', '--json'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.json()).toMatchObject({ scope: { service: 'git-mcp' }, dryRun: false, redis: { removed: 700, pattern: `${prefix}git-mcp:*`, from: 'cache.url' }, cli: null });
    expect(await count(`${prefix}git-mcp:*`)).toBe(0);
    expect(await count(`${prefix}filesystem-mcp:*`)).toBe(600);
    expect(await redis.exists(`${outside}keep`)).toBe(1);
  });

  it('--all --dry-run counts and removes nothing; --all removes every platform key and the CLI cache', async () => {
    await seed();
    const home = await opsHome({ cache: { url: URL, prefix }, services });
    mkdirSync(join(home, 'state/cache'), { recursive: true });
    writeFileSync(join(home, 'state/cache/versions.json'), '{}');
    writeFileSync(join(home, 'state/cache/schemas.json'), '{}');

    const dry = await mcp(['cache', 'clear', '--all', '--dry-run', '--json'], { home });
    expect(dry.exitCode).toBe(0);
    expect(dry.json().redis).toMatchObject({ dryRun: true, removed: 0 });
    expect(dry.json().redis.matched).toBeGreaterThanOrEqual(1301);
    expect(await count(`${prefix}*`)).toBe(1301);
    expect(readdirSync(join(home, 'state/cache'))).toHaveLength(2);

    const r = await mcp(['cache', 'clear', '--all'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`removed 1301 key(s) matching ${prefix}*`);
    expect(r.stdout).toContain('removed 2 entries');
    expect(await count(`${prefix}*`)).toBe(0);
    expect(await redis.exists(`${outside}keep`)).toBe(1);
    expect(await redis.exists(prefix.slice(0, -1))).toBe(1);
    expect(readdirSync(join(home, 'state/cache'))).toEqual([]);
  });

  it('finds Redis through the redis service when cache.url is not set', async () => {
    await redis.set(`mcp:ops-e2e-${run}:k`, 'x');
    const port = Number(new globalThis.URL(URL).port || 6379);
    const home = await opsHome({ services: [{ name: 'redis', image: 'redis:7-alpine', ports: [`${port}:6379`] }, { name: `ops-e2e-${run}` }] });
    const r = await mcp(['cache', 'clear', '--service', `ops-e2e-${run}`, '--json'], { home });
    expect(r.exitCode).toBe(0);
    expect(r.json().redis).toMatchObject({ from: 'service', removed: 1, url: `redis://127.0.0.1:${port}` });
  });

  it('usage: neither or both of --all/--service, or an unknown service, exit 2', async () => {
    const home = await opsHome({ cache: { url: URL, prefix }, services });
    expect((await mcp(['cache', 'clear'], { home })).stderr).toMatch(/say what to clear: --all or --service NAME/);
    expect((await mcp(['cache', 'clear', '--all', '--service', 'git-mcp'], { home })).exitCode).toBe(2);
    const r = await mcp(['cache', 'clear', '--service', 'nope'], { home });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/hint: services: git-mcp, filesystem-mcp/);
  });

  it('an unreachable cache: exit 3 naming it, no password shown', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const home = await opsHome({ cache: { url: `redis://:sup3rsecret@127.0.0.1:${port}/0` } });
    const r = await mcp(['cache', 'clear', '--all'], { home });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/cannot reach the cache at redis:\/\/:\[REDACTED\]@127\.0\.0\.1/);
    expect(r.stderr + r.stdout).not.toContain('sup3rsecret');
    expect(existsSync(join(home, 'logs/mcp.log'))).toBe(true);
  });
});
