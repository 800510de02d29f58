// Platform versions as the guide writes them: `4.x`, `5.0`, `6.0.0`.
import { invalidInput } from './errors.js';

export const KNOWN_VERSIONS = ['4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0'] as const;
export type KnownVersion = (typeof KNOWN_VERSIONS)[number];

export interface VersionSpec {
  major: number;
  /** undefined for `4.x` (any minor) */
  minor?: number;
  patch?: number;
  raw: string;
}

export function parseVersion(raw: string, field = 'version'): VersionSpec {
  const s = String(raw).trim().replace(/^v/i, '');
  const m = s.match(/^(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?$/i);
  if (!m) throw invalidInput(`${field} '${raw}' is not a platform version`, { hint: 'write it as the guide does: 4.x, 5.0 or 6.0.0' });
  const major = Number(m[1]);
  const minor = m[2] === undefined || /x|\*/i.test(m[2]) ? undefined : Number(m[2]);
  const patch = m[3] === undefined || /x|\*/i.test(m[3]) ? undefined : Number(m[3]);
  return { major, minor, patch, raw };
}

/** Two installed versions are the same platform release when their major and minor agree (6, 6.0 and 6.0.0 are one). */
export function sameRelease(a: string, b: string): boolean {
  const mm = (v: string) => v.trim().replace(/^v/i, '').split('.').slice(0, 2).map((x) => Number(x) || 0).join('.');
  return mm(a) === mm(b);
}

/** The `major.minor` form of a version, or undefined for `4.x`. */
export function minorOf(v: VersionSpec): string | undefined {
  return v.minor === undefined ? undefined : `${v.major}.${v.minor}`;
}

/** Resolve to a known platform minor version; `4.x` means the newest 4 minor unless `prefer` says otherwise. */
export function resolveKnown(raw: string, field = 'version', prefer: 'newest' | 'oldest' = 'newest'): KnownVersion {
  const v = parseVersion(raw, field);
  const candidates = KNOWN_VERSIONS.filter((k) => Number(k.split('.')[0]) === v.major && (v.minor === undefined || Number(k.split('.')[1]) === v.minor));
  if (candidates.length === 0) {
    throw invalidInput(`${field} '${raw}' is not a platform version this CLI knows`, { hint: `known versions: ${KNOWN_VERSIONS.join(', ')}` });
  }
  return prefer === 'newest' ? candidates[candidates.length - 1]! : candidates[0]!;
}

export const majorOf = (v: string): number => Number(v.split('.')[0]);
