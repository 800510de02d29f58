// What an archive may contain. Checked for every entry before a single byte of it is written anywhere.
import { posix } from 'node:path';
import { integrityError } from '../errors.js';
import { DB_ROOT, MANIFEST_ENTRY, PART_ROOT } from './manifest.js';

const ROOTS = [...Object.values(PART_ROOT), DB_ROOT];

/** Normalise an archive path (strip one trailing slash) or refuse it: absolute, `..`, empty segments, NUL, backslashes. */
export function safeEntryPath(raw: string): string {
  const where = `archive entry ${JSON.stringify(raw)}`;
  const p = raw.endsWith('/') ? raw.slice(0, -1) : raw;
  if (p === '' || p.includes('\0')) throw integrityError('empty or NUL path in the archive', { where });
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || p.includes('\\')) throw integrityError('absolute path in the archive: refusing to restore', { where });
  const parts = p.split('/');
  if (parts.some((s) => s === '..')) throw integrityError('path traversal (..) in the archive: refusing to restore', { where });
  if (parts.some((s) => s === '' || s === '.')) throw integrityError('non-canonical path in the archive', { where });
  if (p !== MANIFEST_ENTRY && !ROOTS.some((r) => p === r || p.startsWith(r + '/'))) {
    throw integrityError(`unexpected top-level path (allowed: ${ROOTS.join(', ')}, ${MANIFEST_ENTRY})`, { where });
  }
  return p;
}

/** A symbolic link must be relative and stay inside its part's root (data/ links point into data/). */
export function checkLinkTarget(entryPath: string, target: string): void {
  const where = `archive entry ${JSON.stringify(entryPath)}`;
  if (target === '' || target.startsWith('/') || target.includes('\0') || target.includes('\\')) {
    throw integrityError(`link to ${JSON.stringify(target)} points outside the backup: refusing to restore`, { where });
  }
  const root = ROOTS.find((r) => entryPath.startsWith(r + '/'));
  if (!root) throw integrityError('a link outside the backed-up directories', { where });
  const resolved = posix.normalize(posix.join(posix.dirname(entryPath), target));
  if (!(resolved === root || resolved.startsWith(root + '/'))) {
    throw integrityError(`link to ${JSON.stringify(target)} escapes ${root}/: refusing to restore`, { where });
  }
}
