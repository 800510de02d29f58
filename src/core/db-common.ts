// What the `mcp db` handlers share: open the database the home points at, with the lock timeout and
// progress wired to the context.
import type { Ctx } from '../cli/context.js';
import { invalidInput } from '../cli/errors.js';
import { openDatabase } from '../db/open.js';
import type { Database } from '../db/types.js';

export function lockTimeoutMs(raw: unknown): number {
  const s = raw === undefined ? '30' : String(raw);
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s.trim()) || !Number.isFinite(n)) {
    throw invalidInput(`--lock-timeout '${s}' is not a number of seconds`, { where: '--lock-timeout', hint: 'e.g. --lock-timeout 60 (0 = do not wait)' });
  }
  return Math.round(n * 1000);
}

export async function openForCommand(ctx: Ctx, opts: { lockTimeout?: string }): Promise<Database> {
  return openDatabase({
    home: ctx.home,
    env: ctx.env,
    lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
    command: `${ctx.bin} ${ctx.command}`,
    onWait: (holder) => ctx.out.progress(`waiting for the database, held by ${holder} (up to ${opts.lockTimeout ?? 30} s)`),
    signal: ctx.signal,
  });
}
