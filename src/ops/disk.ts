// Free space on the filesystems a migration writes to: the home (backups, state) and the mounts the
// guide's checklist looks at (`df -h | grep -E "/$|/var|/opt"`), each filesystem once.
import { stat, statfs } from 'node:fs/promises';
import { invalidInput } from '../errors.js';

export interface DiskReport {
  path: string;
  /** why it is checked: home, backups, / , /var, /opt */
  role: string;
  totalBytes: number;
  freeBytes: number;
  usedPercent: number;
  /** the migration writes here: below the minimum fails the check */
  required: boolean;
  ok: boolean;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1000 ** 4, tib: 1024 ** 4 };

export function parseSize(raw: string, flag: string): number {
  const m = String(raw).trim().match(/^(\d+(?:\.\d+)?)\s*([a-z]*)$/i);
  const unit = (m?.[2] || 'b').toLowerCase();
  if (!m || !(unit in UNITS)) throw invalidInput(`${flag} '${raw}' is not a size`, { hint: 'e.g. 500MiB, 1GiB, 2G' });
  return Math.round(Number(m[1]) * UNITS[unit]!);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 10 || i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Report each distinct filesystem among `paths` (missing paths are skipped). */
export async function diskReports(paths: Array<{ path: string; role: string; required: boolean }>, minFreeBytes: number, maxUsedPercent = 95): Promise<DiskReport[]> {
  const seen = new Map<number, DiskReport>();
  for (const p of paths) {
    let dev: number;
    try {
      dev = (await stat(p.path)).dev;
    } catch {
      continue;
    }
    const prev = seen.get(dev);
    if (prev) {
      // the same filesystem: it is required if any of its roles is
      if (p.required && !prev.required) {
        prev.required = true;
        prev.ok = prev.freeBytes >= minFreeBytes && prev.usedPercent < maxUsedPercent;
      }
      prev.role += `, ${p.role}`;
      continue;
    }
    const s = await statfs(p.path);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    // as df computes Use%: used / (used + available to unprivileged users)
    const usedBytes = total - s.bfree * s.bsize;
    const used = usedBytes + free > 0 ? Math.round((usedBytes / (usedBytes + free)) * 1000) / 10 : 0;
    const ok = !p.required || (free >= minFreeBytes && used < maxUsedPercent);
    seen.set(dev, { path: p.path, role: p.role, totalBytes: total, freeBytes: free, usedPercent: used, required: p.required, ok });
  }
  return [...seen.values()];
}
