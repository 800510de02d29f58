// Upgrade paths: the guide's compatibility table (validate-migration.py's migration_paths) plus the
// last minor of each generation to the next major (4.2 → 5.0, 5.2 → 6.0), so 4.2 → 5.0 → 6.0 chains.
import { preconditionError } from '../errors.js';
import { KNOWN_VERSIONS, parseVersion, resolveKnown, type KnownVersion } from '../versions.js';

/** The guide's table, verbatim. */
export const GUIDE_MIGRATION_PATHS: Readonly<Record<string, readonly KnownVersion[]>> = {
  '4.0': ['4.1', '5.0'],
  '4.1': ['4.2', '5.0'],
  '5.0': ['5.1', '6.0'],
  '5.1': ['5.2', '6.0'],
};

/** Every hop the transformer registry implements. */
export const EDGES: Readonly<Record<KnownVersion, readonly KnownVersion[]>> = {
  '4.0': GUIDE_MIGRATION_PATHS['4.0']!,
  '4.1': GUIDE_MIGRATION_PATHS['4.1']!,
  '4.2': ['5.0'],
  '5.0': GUIDE_MIGRATION_PATHS['5.0']!,
  '5.1': GUIDE_MIGRATION_PATHS['5.1']!,
  '5.2': ['6.0'],
  '6.0': [],
};

/** Shortest chain of hops from → to (inclusive), or undefined. from === to is the empty journey [from]. */
export function findPath(from: KnownVersion, to: KnownVersion): KnownVersion[] | undefined {
  const prev = new Map<KnownVersion, KnownVersion | null>([[from, null]]);
  const queue: KnownVersion[] = [from];
  while (queue.length) {
    const cur = queue.shift()!;
    if (cur === to) {
      const path: KnownVersion[] = [];
      for (let v: KnownVersion | null = cur; v; v = prev.get(v) ?? null) path.unshift(v);
      return path;
    }
    for (const next of EDGES[cur]) if (!prev.has(next)) {
      prev.set(next, cur);
      queue.push(next);
    }
  }
  return undefined;
}

export function reachableFrom(from: KnownVersion): KnownVersion[] {
  return KNOWN_VERSIONS.filter((v) => v !== from && findPath(from, v));
}

/**
 * The target a user means: `5.x` is the minor of 5 reached in the fewest hops (5.0 from any 4.x),
 * `6.0.0` is 6.0.
 */
export function resolveTarget(from: KnownVersion, raw: string, field = '--to'): KnownVersion {
  const spec = parseVersion(raw, field);
  if (spec.minor !== undefined) return resolveKnown(raw, field);
  const candidates = KNOWN_VERSIONS.filter((k) => Number(k.split('.')[0]) === spec.major);
  if (!candidates.length) resolveKnown(raw, field); // throws "not a version this CLI knows"
  let best: KnownVersion | undefined;
  let bestLen = Infinity;
  for (const c of candidates) {
    const p = findPath(from, c);
    if (p && p.length < bestLen) {
      best = c;
      bestLen = p.length;
    }
  }
  return best ?? candidates[0]!;
}

/** The source a user means: `4.x` is what the config says when it is a 4, else the newest 4 minor. */
export function resolveSource(raw: string, docVersion: string | undefined, field = '--from'): KnownVersion {
  const spec = parseVersion(raw, field);
  if (docVersion) {
    const d = resolveKnown(docVersion, 'version');
    const dm = Number(d.split('.')[0]);
    const dn = Number(d.split('.')[1]);
    if (dm === spec.major && (spec.minor === undefined || spec.minor === dn)) return d;
  }
  return resolveKnown(raw, field);
}

/** The path, or exit 3 naming the nearest journey that does exist. */
export function requirePath(from: KnownVersion, to: KnownVersion): KnownVersion[] {
  const p = findPath(from, to);
  if (p) return p;
  const reach = reachableFrom(from);
  const idx = (v: KnownVersion) => KNOWN_VERSIONS.indexOf(v);
  const nearest = reach.sort((a, b) => Math.abs(idx(a) - idx(to)) - Math.abs(idx(b) - idx(to)) || idx(a) - idx(b))[0];
  const downgrade = idx(to) < idx(from);
  const hint = nearest
    ? `nearest valid path: ${findPath(from, nearest)!.join(' → ')}${downgrade ? ' (downgrades are not transforms: restore the backup taken before the upgrade)' : ''}`
    : `${from} is the newest version: nothing to migrate to${downgrade ? ' (to go back, restore the backup taken before the upgrade)' : ''}`;
  throw preconditionError(`no migration path from ${from} to ${to}`, { hint, details: { from, to, nearest: nearest ? findPath(from, nearest) : null } });
}

export type MigrationType = 'none' | 'patch' | 'minor' | 'major' | 'environment' | 'platform';

/** The guide's "Migration Types" table. */
export const MIGRATION_TYPES: Readonly<Record<Exclude<MigrationType, 'none'>, { description: string; downtime: string; risk: 'low' | 'medium' | 'high' }>> = {
  patch: { description: 'Bug fixes (e.g., 5.0.0 → 5.0.1)', downtime: 'None', risk: 'low' },
  minor: { description: 'New features (e.g., 5.0.0 → 5.1.0)', downtime: 'Minimal', risk: 'low' },
  major: { description: 'Breaking changes (e.g., 5.0.0 → 6.0.0)', downtime: 'Required', risk: 'medium' },
  environment: { description: 'Dev → Staging → Production', downtime: 'Varies', risk: 'medium' },
  platform: { description: 'Docker → Kubernetes', downtime: 'Required', risk: 'high' },
};

/** patch / minor / major from two versions as written (`5.0.0` → `5.0.1` is a patch). */
export function versionDifference(fromRaw: string, toRaw: string): 'none' | 'patch' | 'minor' | 'major' {
  const a = parseVersion(fromRaw);
  const b = parseVersion(toRaw);
  if (a.major !== b.major) return 'major';
  if ((a.minor ?? 0) !== (b.minor ?? 0)) return 'minor';
  if ((a.patch ?? 0) !== (b.patch ?? 0)) return 'patch';
  return 'none';
}
