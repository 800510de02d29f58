// Walking a data tree without following symbolic links, rsync-style exclude patterns, content checksums,
// and the comparison that proves a copy identical (listing every difference).
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface Entry {
  rel: string;
  kind: EntryKind;
  size: number;
  mode: number;
  /** symlink target as written */
  link?: string;
}

/**
 * An rsync exclude pattern: without a slash it matches the last path component at any depth (`*.log`);
 * with a leading slash it is anchored at the transfer root; with an inner slash it matches the end of the
 * path; a trailing slash matches directories only. `*` stops at slashes, `**` does not, `?` is one character.
 */
export function excludeMatcher(patterns: string[]): (rel: string, isDir: boolean) => boolean {
  const compiled = patterns.filter((p) => p !== '').map((raw) => {
    let p = raw;
    const dirOnly = p.endsWith('/');
    if (dirOnly) p = p.replace(/\/+$/, '');
    const anchored = p.startsWith('/');
    if (anchored) p = p.replace(/^\/+/, '');
    const hasSlash = p.includes('/');
    const body = globToRegex(p);
    const re = anchored ? new RegExp(`^${body}$`) : hasSlash ? new RegExp(`(^|/)${body}$`) : new RegExp(`^${body}$`);
    return { re, dirOnly, basenameOnly: !anchored && !hasSlash };
  });
  return (rel, isDir) =>
    compiled.some((c) => {
      if (c.dirOnly && !isDir) return false;
      const subject = c.basenameOnly ? rel.slice(rel.lastIndexOf('/') + 1) : rel;
      return c.re.test(subject);
    });
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        const cls = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${cls}]`;
        i = end;
      }
    } else out += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return out;
}

/** Every entry under root (relative paths, sorted), never following symlinks; excluded entries and their subtrees are left out. */
export async function walk(root: string, exclude: (rel: string, isDir: boolean) => boolean = () => false, skip: (rel: string) => boolean = () => false): Promise<Entry[]> {
  const out: Entry[] = [];
  const visit = async (rel: string) => {
    const names = (await readdir(rel ? join(root, rel) : root)).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, r));
      const kind: EntryKind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      if (skip(r) || exclude(r, kind === 'dir')) continue;
      const e: Entry = { rel: r, kind, size: st.size, mode: st.mode & 0o7777 };
      if (kind === 'symlink') e.link = await readlink(join(root, r));
      out.push(e);
      if (kind === 'dir') await visit(r);
    }
  };
  await visit('');
  return out;
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')));
  });
}

export interface Difference {
  path: string;
  kind: 'missing' | 'extra' | 'content' | 'type' | 'link';
  detail: string;
}

export interface CompareResult {
  identical: boolean;
  files: number;
  bytes: number;
  directories: number;
  symlinks: number;
  differences: Difference[];
}

/**
 * Compare two trees by content: every file's SHA-256, every symlink's target, every directory's presence.
 * Directories that exist only in the target (e.g. the created services/ configs/ backups/ logs/) are not
 * differences; files and links that exist only there are.
 */
export async function compareTrees(
  source: string,
  target: string,
  exclude: (rel: string, isDir: boolean) => boolean,
  skipTarget: (rel: string) => boolean = () => false,
  concurrency = 4,
): Promise<CompareResult> {
  const [a, b] = await Promise.all([walk(source, exclude), walk(target, exclude, skipTarget)]);
  const bm = new Map(b.map((e) => [e.rel, e]));
  const differences: Difference[] = [];
  const toHash: Array<{ rel: string }> = [];
  let files = 0;
  let bytes = 0;
  let directories = 0;
  let symlinks = 0;
  for (const e of a) {
    const t = bm.get(e.rel);
    bm.delete(e.rel);
    if (e.kind === 'file') {
      files++;
      bytes += e.size;
    } else if (e.kind === 'dir') directories++;
    else if (e.kind === 'symlink') symlinks++;
    if (!t) {
      differences.push({ path: e.rel, kind: 'missing', detail: `${e.kind} missing in target` });
      continue;
    }
    if (t.kind !== e.kind) {
      differences.push({ path: e.rel, kind: 'type', detail: `${e.kind} in source, ${t.kind} in target` });
      continue;
    }
    if (e.kind === 'symlink' && e.link !== t.link) differences.push({ path: e.rel, kind: 'link', detail: `link to ${e.link} in source, to ${t.link} in target` });
    if (e.kind === 'file') {
      if (e.size !== t.size) differences.push({ path: e.rel, kind: 'content', detail: `${e.size} bytes in source, ${t.size} in target` });
      else toHash.push({ rel: e.rel });
    }
  }
  for (const t of bm.values()) if (t.kind !== 'dir') differences.push({ path: t.rel, kind: 'extra', detail: `${t.kind} only in target` });
  let next = 0;
  const worker = async () => {
    while (next < toHash.length) {
      const { rel } = toHash[next++]!;
      const [x, y] = await Promise.all([sha256File(join(source, rel)), sha256File(join(target, rel))]);
      if (x !== y) differences.push({ path: rel, kind: 'content', detail: `sha256 ${x.slice(0, 12)}… in source, ${y.slice(0, 12)}… in target` });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, toHash.length)) }, worker));
  differences.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { identical: differences.length === 0, files, bytes, directories, symlinks, differences };
}
