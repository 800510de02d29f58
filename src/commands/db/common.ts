// What the `mcp db` handlers share: open the database the home points at (lock timeout and progress wired
// to the context), find the migration files, validate version flags.
import type { Ctx } from '../../cli/context.js';
import { invalidInput } from '../../errors.js';
import type { Database } from '../../db/types.js';
import { parseVersion } from '../../versions.js';
import { POSTGRES_MIGRATIONS_DIR } from '../../db/layouts.js';
import { loadSqlMigrations, type SqlMigration } from '../../db/sqlfile.js';
import { resolve } from 'node:path';

export interface DbOpts {
  lockTimeout?: string;
  migrationsDir?: string;
  dryRun?: boolean;
}

export function lockTimeoutMs(raw: unknown): number {
  const s = raw === undefined ? '30' : String(raw);
  const n = Number(s);
  if (!/^\d+(\.\d+)?$/.test(s.trim()) || !Number.isFinite(n)) {
    throw invalidInput(`--lock-timeout '${s}' is not a number of seconds`, { where: '--lock-timeout', hint: 'e.g. --lock-timeout 60 (0 = do not wait)' });
  }
  return Math.round(n * 1000);
}

export async function openForCommand(ctx: Ctx, opts: DbOpts): Promise<Database> {
  const ms = lockTimeoutMs(opts.lockTimeout);
  return ctx.deps.openDatabase({
    home: ctx.home,
    env: ctx.env,
    lockTimeoutMs: ms,
    command: `${ctx.bin} ${ctx.command}`,
    onWait: (holder) => ctx.out.progress(`waiting for the database, held by ${holder} (up to ${Math.round(ms / 1000)} s)`),
    signal: ctx.signal,
  });
}

export async function sqlMigrationsFor(opts: DbOpts): Promise<SqlMigration[]> {
  return loadSqlMigrations(opts.migrationsDir ? resolve(opts.migrationsDir) : POSTGRES_MIGRATIONS_DIR);
}

/** A version flag as the guide writes it (5.0, 6.0.0, 4.x), normalized for matching migration versions. */
export function versionFlag(raw: string | undefined, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  const v = parseVersion(raw, flag);
  return [v.major, v.minor, v.patch].filter((x) => x !== undefined).join('.');
}

export function engineOpts(ctx: Ctx, opts: DbOpts) {
  return {
    lockTimeoutMs: lockTimeoutMs(opts.lockTimeout),
    progress: (m: string) => ctx.out.progress(m),
    signal: ctx.signal,
    command: `${ctx.bin} ${ctx.command}`,
  };
}
