// What dead processes leave in a home: partial archives of a killed `backup create` (backups/.<id>.<pid>.partial),
// staging directories of a killed restore (.mcp-restore-<pid>-<hex>), scratch directories of `backup create
// --verify` (state/.verify-<id>-<pid>-<hex>), directories a restore moved aside (.<name>.mcp-old-<pid>-<hex>)
// and temp files of atomic writes (.<file>.<pid>.<hex>.tmp). Each name carries its writer's pid; one whose
// writer is gone is removed by the next command (sweepLeftovers). What an interrupted restore's journal still
// refers to is left to its recovery.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { layout } from '../home.js';
import { isPidAlive } from './store.js';

export interface Leftover {
  path: string;
  kind: 'partial archive' | 'restore staging' | 'verify scratch' | 'moved-aside directory' | 'temp file';
  /** the writer's pid, when the name carries one */
  pid?: number;
  /** its writer is still running */
  alive: boolean;
  bytes?: number;
}

const PATTERNS: { kind: Leftover['kind']; re: RegExp; where: 'home' | 'state' | 'backups' | 'config' }[] = [
  { kind: 'partial archive', re: /^\.bk-.+\.(\d+)\.partial$/, where: 'backups' },
  { kind: 'restore staging', re: /^\.mcp-restore-(?:(\d+)-)?[0-9a-f]+$/, where: 'home' },
  { kind: 'verify scratch', re: /^\.verify-.+?-(?:(\d+)-)?[0-9a-f]{6}$/, where: 'state' },
  { kind: 'moved-aside directory', re: /^\..+\.mcp-old-(?:(\d+)-)?[0-9a-f]{6}$/, where: 'home' },
  { kind: 'moved-aside directory', re: /^\..+\.mcp-old-(?:(\d+)-)?[0-9a-f]{6}$/, where: 'state' },
  { kind: 'temp file', re: /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/, where: 'state' },
  { kind: 'temp file', re: /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/, where: 'config' },
  { kind: 'temp file', re: /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/, where: 'backups' },
];

export async function findLeftovers(home: string, referenced: ReadonlySet<string> = new Set()): Promise<Leftover[]> {
  const l = layout(home);
  const dirs = { home, state: l.state, backups: l.backups, config: l.config };
  const out: Leftover[] = [];
  const listed = new Map<string, string[]>();
  for (const p of PATTERNS) {
    const dir = dirs[p.where];
    if (!listed.has(dir)) listed.set(dir, await readdir(dir).catch(() => []));
    for (const name of listed.get(dir)!) {
      const m = name.match(p.re);
      if (!m) continue;
      const path = join(dir, name);
      if (referenced.has(path)) continue;
      const pid = m[1] ? Number(m[1]) : undefined;
      // a name without a pid (an older mcp wrote it) has no writer to wait for
      const alive = pid !== undefined && (pid === process.pid || isPidAlive(pid));
      out.push({ path, kind: p.kind, pid, alive, bytes: await stat(path).then((s) => (s.isFile() ? s.size : undefined), () => undefined) });
    }
  }
  return out;
}

/** Remove the leftovers of dead processes; returns what was removed. */
export async function sweepLeftovers(home: string, referenced: ReadonlySet<string> = new Set()): Promise<Leftover[]> {
  const dead = (await findLeftovers(home, referenced)).filter((x) => !x.alive);
  for (const x of dead) await rm(x.path, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
  return dead;
}
