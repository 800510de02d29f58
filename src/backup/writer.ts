// Streaming archive writer: tar (headers encoded by the `tar` package) → gzip → optional AES-256-GCM →
// a temp file. Every entry is hashed while it streams, so memory stays flat whatever the data size.
// The archive only gets its final name from the caller, after it is complete and synced.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, open, readdir, readlink, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zc, type ZlibOptions } from 'node:zlib';
import { Header, Pax } from 'tar';
import { failedError } from '../errors.js';
import { encryptStream } from './crypto.js';
import { checkLinkTarget } from './safety.js';
import { MANIFEST_ENTRY, type Entry, type Manifest } from './manifest.js';

const BLOCK = 512;
const ZERO = Buffer.alloc(BLOCK * 2);
const READ_CHUNK = 1024 * 1024;
// gzip level 3: close to level 6 in size on real data at about twice the speed; MCP_BACKUP_GZIP_LEVEL=1..9 overrides
const GZIP_LEVEL = ((l) => (Number.isInteger(l) && l >= 1 && l <= 9 ? l : 3))(Number(process.env.MCP_BACKUP_GZIP_LEVEL));

export interface WrittenArchive {
  size: number;
  sha256: string;
}

export class ArchiveWriter {
  readonly entries: Entry[] = [];
  readonly skipped: { path: string; reason: string }[] = [];
  private readonly gz: ReturnType<typeof createGzip>;
  private readonly done: Promise<void>;
  private failure: unknown;
  private bytes = 0;
  private readonly hash = createHash('sha256');

  private constructor(
    readonly tmpPath: string,
    encrypt: Transform | undefined,
    private readonly signal?: AbortSignal,
  ) {
    // a deep write buffer lets reading and hashing run while zlib compresses on the thread pool
    this.gz = createGzip({ level: GZIP_LEVEL, memLevel: 8, chunkSize: 256 * 1024, flush: zc.Z_NO_FLUSH, writableHighWaterMark: 4 * 1024 * 1024 } as ZlibOptions);
    const tap = new Transform({
      transform: (chunk: Buffer, _e, cb) => {
        this.bytes += chunk.length;
        this.hash.update(chunk);
        cb(null, chunk);
      },
    });
    const out = createWriteStream(tmpPath, { flags: 'wx', mode: 0o600 });
    const stages: (Transform | Writable)[] = [this.gz, ...(encrypt ? [encrypt] : []), tap, out];
    this.done = (pipeline as (...s: unknown[]) => Promise<void>)(...stages);
    this.done.catch((e) => (this.failure = e));
  }

  static async open(tmpPath: string, opts: { passphrase?: string; signal?: AbortSignal } = {}): Promise<ArchiveWriter> {
    const enc = opts.passphrase !== undefined ? await encryptStream(opts.passphrase) : undefined;
    return new ArchiveWriter(tmpPath, enc, opts.signal);
  }

  private async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.signal?.aborted) throw failedError('interrupted');
    if (!this.gz.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.gz.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          this.gz.off('drain', onDrain);
          reject(this.failure ?? new Error('archive stream closed'));
        };
        this.gz.once('drain', onDrain);
        this.gz.once('close', onClose);
      });
    }
  }

  private async header(h: { path: string; type: 'File' | 'Directory' | 'SymbolicLink'; size?: number; mode: number; mtime?: Date; linkpath?: string }): Promise<void> {
    const data = { path: h.path + (h.type === 'Directory' ? '/' : ''), type: h.type, size: h.size ?? 0, mode: h.mode & 0o7777, mtime: h.mtime ?? new Date(0), uid: 0, gid: 0, uname: '', gname: '', linkpath: h.linkpath };
    const header = new Header(data);
    if (header.encode()) await this.write(new Pax({ path: data.path, linkpath: h.linkpath, size: data.size, mtime: data.mtime }).encode());
    await this.write(header.block!);
  }

  private async pad(size: number): Promise<void> {
    const rem = size % BLOCK;
    if (rem) await this.write(Buffer.alloc(BLOCK - rem));
  }

  async addDir(path: string, mode = 0o755, mtime?: Date): Promise<void> {
    await this.header({ path, type: 'Directory', mode, mtime });
    this.entries.push({ path, type: 'dir', mode: mode & 0o7777 });
  }

  async addSymlink(path: string, target: string, mtime?: Date): Promise<void> {
    await this.header({ path, type: 'SymbolicLink', mode: 0o777, mtime, linkpath: target });
    this.entries.push({ path, type: 'symlink', target });
  }

  async addBuffer(path: string, buf: Buffer, mode = 0o600): Promise<void> {
    await this.header({ path, type: 'File', size: buf.length, mode, mtime: new Date() });
    await this.write(buf);
    await this.pad(buf.length);
    this.entries.push({ path, type: 'file', size: buf.length, mode, sha256: createHash('sha256').update(buf).digest('hex') });
  }

  /** Exactly the bytes the file had when opened: a file that shrinks while read fails the backup. */
  async addFile(path: string, abs: string): Promise<void> {
    const fh = await open(abs, 'r');
    try {
      const st = await fh.stat();
      await this.header({ path, type: 'File', size: st.size, mode: st.mode, mtime: st.mtime });
      const h = createHash('sha256');
      let got = 0;
      if (st.size > 0) {
        const rs = fh.createReadStream({ start: 0, end: st.size - 1, highWaterMark: READ_CHUNK, autoClose: false });
        for await (const chunk of rs as AsyncIterable<Buffer>) {
          got += chunk.length;
          h.update(chunk);
          await this.write(chunk);
        }
      }
      if (got !== st.size) throw failedError(`${abs} changed size while it was read (${st.size} → ${got} bytes)`, { hint: 'stop the services that write it (mcp stop --all) and run the backup again' });
      await this.pad(st.size);
      this.entries.push({ path, type: 'file', size: st.size, mode: st.mode & 0o7777, sha256: h.digest('hex') });
    } finally {
      await fh.close();
    }
  }

  /** A directory tree under an archive prefix, in sorted order. Links that leave the tree and special files are skipped and reported. */
  async addTree(absRoot: string, prefix: string): Promise<void> {
    const st = await lstat(absRoot);
    await this.addDir(prefix, st.mode, st.mtime);
    const walk = async (absDir: string, rel: string): Promise<void> => {
      const names = (await readdir(absDir)).sort();
      for (const name of names) {
        const abs = join(absDir, name);
        const path = posix.join(rel, name);
        const s = await lstat(abs);
        if (s.isDirectory()) {
          await this.addDir(path, s.mode, s.mtime);
          await walk(abs, path);
        } else if (s.isFile()) {
          await this.addFile(path, abs);
        } else if (s.isSymbolicLink()) {
          const target = await readlink(abs);
          try {
            checkLinkTarget(path, target);
            await this.addSymlink(path, target, s.mtime);
          } catch {
            this.skipped.push({ path, reason: `symbolic link to ${target} leaves ${prefix}/` });
          }
        } else this.skipped.push({ path, reason: 'not a regular file, directory or link' });
      }
    };
    await walk(absRoot, prefix);
  }

  /** Append the manifest, close the tar and the stream, fsync. The caller then renames the temp file. */
  async finish(manifest: Omit<Manifest, 'entries' | 'skipped' | 'totals'>): Promise<{ manifest: Manifest; archive: WrittenArchive }> {
    const files = this.entries.filter((e) => e.type === 'file');
    const full: Manifest = {
      ...manifest,
      entries: this.entries,
      skipped: this.skipped,
      totals: { files: files.length, bytes: files.reduce((n, e) => n + (e.type === 'file' ? e.size : 0), 0) },
    };
    const text = Buffer.from(JSON.stringify(full, null, 2) + '\n');
    await this.header({ path: MANIFEST_ENTRY, type: 'File', size: text.length, mode: 0o600, mtime: new Date(manifest.createdAt) });
    await this.write(text);
    await this.pad(text.length);
    await this.write(ZERO);
    this.gz.end();
    await this.done;
    const fh = await open(this.tmpPath, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { manifest: full, archive: { size: this.bytes, sha256: this.hash.digest('hex') } };
  }

  async abort(): Promise<void> {
    this.gz.destroy();
    await this.done.catch(() => undefined);
    await rm(this.tmpPath, { force: true });
  }
}

export const nullSink = () => new PassThrough();
