// Streaming archive reader: every byte is checked before anything is acted on. One pass does it all:
// the archive's own SHA-256, decryption (GCM tag at the end), gunzip (CRC at the end), tar parsing in
// strict mode, the safety of every entry path, and the SHA-256 of every entry against the manifest.
// With `stageDir`, entries are written there as they stream; the caller swaps them in only after the
// whole read succeeded, and removes the staging directory otherwise.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, symlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { McpError, failedError, integrityError, isMcpError } from '../errors.js';
import { decryptStream, isEncryptedHeader, requirePassphrase } from './crypto.js';
import { entriesKey, MANIFEST_ENTRY, parseManifest, type Entry, type Manifest, type Sidecar } from './manifest.js';
import { checkLinkTarget, safeEntryPath } from './safety.js';

const MAX_MANIFEST = 256 * 1024 * 1024;

export interface ReadOptions {
  passphrase?: string;
  /** the sidecar manifest found beside the archive: the archive must match it */
  sidecar?: Sidecar;
  /** extract into this directory (created); without it the archive is only verified */
  stageDir?: string;
  /** which entries to extract (all are verified) */
  include?: (path: string) => boolean;
  signal?: AbortSignal;
  /** called per verified file entry, for progress */
  onFile?: (path: string, size: number) => void;
  /** entries to hand over whole as they stream (the database chunks `backup verify` checks row by row) */
  inspect?: { match: (path: string) => boolean; take: (path: string, data: Buffer) => void };
}

/** An entry handed to `inspect` is held in memory: a dump chunk is a few MB; anything this large is not ours. */
const MAX_INSPECTED = 512 * 1024 * 1024;

export interface ReadResult {
  manifest: Manifest;
  archive: { size: number; sha256: string };
  encrypted: boolean;
  extracted: string[];
}

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export async function isEncryptedArchive(file: string): Promise<boolean> {
  return isEncryptedHeader(await firstBytes(file, 8));
}

export async function readArchive(file: string, opts: ReadOptions = {}): Promise<ReadResult> {
  const where = file;
  const encrypted = await isEncryptedArchive(file);
  const passphrase = encrypted ? requirePassphrase(opts.passphrase, 'this backup is encrypted; reading it') : undefined;

  const rawHash = createHash('sha256');
  let rawSize = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _e, cb) {
      rawSize += chunk.length;
      rawHash.update(chunk);
      cb(null, chunk);
    },
  });

  const seen = new Map<string, Entry>();
  const linkPaths = new Set<string>();
  const deferredLinks: { path: string; target: string }[] = [];
  const dirModes: { abs: string; mode: number; mtime?: Date }[] = [];
  const extracted: string[] = [];
  let manifestText: Buffer | undefined;
  let failure: unknown;

  const parser = new Parser({ strict: true });
  let chain: Promise<void> = Promise.resolve();
  const source = createReadStream(file, { highWaterMark: 1024 * 1024 });
  let current: ReadEntry | undefined;
  const fail = (e: unknown) => {
    if (!failure) failure = e;
    source.destroy(e as Error);
    // stop the entry being written so nothing lands in the staging directory after we return
    current?.destroy();
  };

  const stagePath = (p: string) => join(opts.stageDir!, ...p.split('/'));
  const wanted = (p: string) => opts.stageDir !== undefined && p !== MANIFEST_ENTRY && (opts.include ? opts.include(p) : true);

  const handleEntry = async (entry: ReadEntry): Promise<void> => {
    const path = safeEntryPath(entry.path);
    const ewhere = `archive entry ${JSON.stringify(path)}`;
    if (manifestText) throw integrityError('an entry after the manifest', { where: ewhere, hint: 'the archive was altered after it was written' });
    if (seen.has(path)) throw integrityError('duplicate entry in the archive: refusing to restore', { where: ewhere });
    for (let up = dirname(path); up !== '.'; up = dirname(up)) {
      if (linkPaths.has(up)) throw integrityError(`entry below the link ${up}: refusing to restore`, { where: ewhere });
      const parent = seen.get(up);
      if (parent && parent.type !== 'dir') throw integrityError(`entry below the file ${up}`, { where: ewhere });
    }
    const type = entry.type;
    if (type === 'Directory') {
      seen.set(path, { path, type: 'dir', mode: (entry.mode ?? 0o755) & 0o777 });
      if (wanted(path)) {
        await mkdir(stagePath(path), { recursive: true, mode: 0o700 });
        dirModes.push({ abs: stagePath(path), mode: (entry.mode ?? 0o755) & 0o777, mtime: entry.mtime });
      }
      entry.resume();
      return;
    }
    if (type === 'SymbolicLink') {
      const target = entry.linkpath ?? '';
      checkLinkTarget(path, target);
      seen.set(path, { path, type: 'symlink', target });
      linkPaths.add(path);
      if (wanted(path)) deferredLinks.push({ path, target });
      entry.resume();
      return;
    }
    if (type !== 'File' && type !== 'OldFile' && type !== 'ContiguousFile') {
      throw integrityError(`entry of type ${type} (only files, directories and relative links are allowed): refusing to restore`, { where: ewhere });
    }
    const h = createHash('sha256');
    let size = 0;
    if (path === MANIFEST_ENTRY) {
      const parts: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_MANIFEST) throw integrityError('the manifest is implausibly large', { where: ewhere });
        parts.push(chunk);
      }
      manifestText = Buffer.concat(parts);
      return;
    }
    const mode = (entry.mode ?? 0o644) & 0o777;
    if (wanted(path)) {
      size = await extractFile(entry, stagePath(path), mode, h);
      extracted.push(path);
    } else size = await hashEntry(entry, h, opts.inspect?.match(path) ? (data: Buffer) => opts.inspect!.take(path, data) : undefined, ewhere);
    seen.set(path, { path, type: 'file', size, mode, sha256: h.digest('hex') });
    opts.onFile?.(path, size);
  };

  parser.on('entry', (entry: ReadEntry) => {
    chain = chain.then(() => ((current = entry), failure ? (entry.resume(), undefined) : handleEntry(entry))).catch((e) => {
      entry.resume();
      fail(e);
    });
  });
  parser.on('error', (e: Error) => fail(integrityError(`the archive is corrupted (tar: ${e.message})`, { where })));
  const parsed = new Promise<void>((resolve) => parser.on('end', () => resolve()));

  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _e, cb) {
      if (failure) return cb(failure as Error);
      if (parser.write(chunk)) cb();
      else parser.once('drain', () => cb());
    },
    final(cb) {
      parser.end();
      parsed.then(() => chain).then(() => cb(failure as Error | undefined), (e) => cb(e));
    },
  });
  const abort = () => fail(new McpError('interrupted', 'interrupted', 'interrupted'));
  opts.signal?.addEventListener('abort', abort, { once: true });

  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const stages = [source, tap, ...(passphrase !== undefined ? [decryptStream(passphrase, where)] : []), gunzip, sink];
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
  } catch (e) {
    fail(e);
    await chain.catch(() => undefined);
    throw toIntegrity(failure ?? e, where);
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
  if (failure) throw toIntegrity(failure, where);

  if (!manifestText) throw integrityError('the archive has no manifest (truncated or not written by mcp backup create)', { where });
  const manifest = parseManifest(manifestText.toString('utf8'), `${where}: ${MANIFEST_ENTRY}`);
  compare(manifest, seen, where);
  const archive = { size: rawSize, sha256: rawHash.digest('hex') };
  if (opts.sidecar) matchSidecar(opts.sidecar, manifest, archive, where);
  // Links last: nothing can be written through a link, and they only point inside their own part.
  for (const l of deferredLinks) await symlink(l.target, stagePath(l.path));
  for (const d of dirModes.reverse()) {
    await chmod(d.abs, 0o700);
    if (d.mtime) await utimes(d.abs, d.mtime, d.mtime).catch(() => undefined);
  }
  return { manifest, archive, encrypted, extracted };
}

/** Write one file entry into the staging directory as it streams, hashing it; its size. */
async function extractFile(entry: ReadEntry, abs: string, mode: number, h: ReturnType<typeof createHash>): Promise<number> {
  let size = 0;
  await mkdir(dirname(abs), { recursive: true, mode: 0o700 });
  const fh = await open(abs, 'wx', 0o600);
  try {
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      size += chunk.length;
      h.update(chunk);
      await fh.write(chunk);
    }
    // restored under the home: owner-only, whatever the archived mode (the owner's bits are kept)
    await fh.chmod(mode & 0o700);
  } finally {
    await fh.close();
  }
  if (entry.mtime) await utimes(abs, entry.mtime, entry.mtime).catch(() => undefined);
  return size;
}

/** Hash an entry that is not extracted; hand it whole to `take` when asked (bounded); its size. */
async function hashEntry(entry: ReadEntry, h: ReturnType<typeof createHash>, take: ((data: Buffer) => void) | undefined, where: string): Promise<number> {
  let size = 0;
  const keep: Buffer[] = [];
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    size += chunk.length;
    h.update(chunk);
    if (take) {
      if (size > MAX_INSPECTED) throw integrityError('a database chunk is implausibly large', { where });
      keep.push(chunk);
    }
  }
  take?.(Buffer.concat(keep));
  return size;
}

/** The archive read is the one its sidecar describes: size, SHA-256, id and entries. */
function matchSidecar(sc: Sidecar, manifest: Manifest, archive: { size: number; sha256: string }, where: string): void {
  if (sc.archive.size !== archive.size || sc.archive.sha256 !== archive.sha256) {
    throw integrityError(`the archive does not match its manifest: ${archive.size} bytes, SHA-256 ${archive.sha256.slice(0, 12)}…, expected ${sc.archive.size} bytes, ${sc.archive.sha256.slice(0, 12)}…`, { where, hint: 'the archive was altered or replaced; restore from another backup' });
  }
  if (sc.id !== manifest.id || (sc.entries && entriesKey(sc.entries) !== entriesKey(manifest.entries))) {
    throw integrityError('the manifest beside the archive differs from the one inside it', { where });
  }
}

function compare(manifest: Manifest, seen: Map<string, Entry>, where: string): void {
  const listed = new Set<string>();
  for (const e of manifest.entries) {
    listed.add(e.path);
    const got = seen.get(e.path);
    const ewhere = `${where}: ${e.path}`;
    if (!got) throw integrityError('listed in the manifest but missing from the archive', { where: ewhere });
    if (got.type !== e.type) throw integrityError(`is a ${got.type} in the archive, a ${e.type} in the manifest`, { where: ewhere });
    if (e.type === 'file' && got.type === 'file') {
      if (got.size !== e.size) throw integrityError(`size ${got.size} does not match the manifest (${e.size})`, { where: ewhere });
      if (got.sha256 !== e.sha256) throw integrityError(`SHA-256 mismatch: ${got.sha256.slice(0, 16)}… in the archive, ${e.sha256.slice(0, 16)}… in the manifest`, { where: ewhere });
    }
    if (e.type === 'symlink' && got.type === 'symlink' && got.target !== e.target) throw integrityError('link target does not match the manifest', { where: ewhere });
  }
  for (const p of seen.keys()) if (!listed.has(p)) throw integrityError('in the archive but not in its manifest', { where: `${where}: ${p}` });
}

function toIntegrity(e: unknown, where: string): McpError {
  if (isMcpError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code?.startsWith?.('Z_') || /unexpected end of file|incorrect header check|invalid|checksum/i.test(err?.message ?? '')) {
    return integrityError(`the archive is corrupted or truncated (gzip: ${err.message})`, { where, hint: 'restore from another backup' });
  }
  if (err?.code === 'ENOSPC') return failedError('no space left while staging the restore', { where, hint: 'free disk space; nothing was changed' });
  return failedError(`cannot read the archive: ${err?.message ?? String(e)}`, { where });
}
