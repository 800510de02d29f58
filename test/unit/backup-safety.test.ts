// Entry paths and link targets an archive may hold; the encryption stream. (COPY text is checked in
// test/unit/copy-chunk.test.ts; PostgreSQL and PGlite write it themselves.)
import { describe, expect, it } from 'vitest';
import { exitCodeOf, failure } from '../helpers/errors.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { checkLinkTarget, safeEntryPath } from '../../src/backup/safety.js';
import { decryptStream, encryptStream } from '../../src/backup/crypto.js';
import { parseManifest } from '../../src/backup/manifest.js';

const code = (f: () => unknown) => {
  try {
    f();
    return 0;
  } catch (e) {
    return exitCodeOf(e);
  }
};

describe('archive entry paths', () => {
  it.each(['data/a.txt', 'data', 'config/platform.json', 'state/versions/5.0.json', 'db/t0001/c000001.copy', 'manifest.json', 'data/dir/'])('accepts %s', (p) => {
    expect(code(() => safeEntryPath(p))).toBe(0);
  });
  it.each(['../x', 'data/../../x', '/etc/passwd', 'C:/x', 'data\\..\\x', 'data//a', 'data/./a', '', 'elsewhere/a', 'state/pglite/base', 'data/\0'])('refuses %j with exit 5', (p) => {
    expect(code(() => safeEntryPath(p))).toBe(5);
  });
  it('links stay inside their part', () => {
    expect(code(() => checkLinkTarget('data/a/l', '../b'))).toBe(0);
    expect(code(() => checkLinkTarget('data/a/l', '../../config/platform.json'))).toBe(5);
    expect(code(() => checkLinkTarget('data/l', '/etc/passwd'))).toBe(5);
    expect(code(() => checkLinkTarget('data/l', '..'))).toBe(5);
  });
});

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(stream, new Writable({ write: (c, _e, cb) => (parts.push(c), cb()) }));
  return Buffer.concat(parts);
}

describe('AES-256-GCM archive encryption', () => {
  const plain = Buffer.from('x'.repeat(100_000) + 'tail');
  it('decrypts what it encrypted; a wrong passphrase and a flipped bit are exit 5', async () => {
    const sealed = await collect(Readable.from([plain.subarray(0, 70_000), plain.subarray(70_000)]).pipe(await encryptStream('correct horse battery')));
    expect(sealed.includes(Buffer.from('xxxxxxxx'))).toBe(false);
    expect((await collect(Readable.from([sealed]).pipe(decryptStream('correct horse battery', 'a')))).equals(plain)).toBe(true);
    expect(await failure(collect(Readable.from([sealed]).pipe(decryptStream('wrong horse battery', 'a'))))).toMatchObject({ exitCode: 5, message: /wrong passphrase/ });
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 100]! ^= 1;
    expect(await failure(collect(Readable.from([flipped]).pipe(decryptStream('correct horse battery', 'a'))))).toMatchObject({ exitCode: 5 });
    expect(await failure(collect(Readable.from([sealed.subarray(0, sealed.length - 10)]).pipe(decryptStream('correct horse battery', 'a'))))).toMatchObject({ exitCode: 5 });
  });
});

describe('manifest', () => {
  it('refuses duplicates, bad checksums and chunks that are not entries', () => {
    const base = { format: 'mcp-backup', formatVersion: 1, id: 'x', createdAt: 'now', scope: 'full', database: null };
    const f = { path: 'data/a', type: 'file', size: 1, sha256: 'a'.repeat(64), mode: 420 };
    expect(code(() => parseManifest(JSON.stringify({ ...base, entries: [f] }), 'm'))).toBe(0);
    expect(code(() => parseManifest(JSON.stringify({ ...base, entries: [f, f] }), 'm'))).toBe(5);
    expect(code(() => parseManifest(JSON.stringify({ ...base, entries: [{ ...f, sha256: 'nope' }] }), 'm'))).toBe(5);
    expect(code(() => parseManifest(JSON.stringify({ ...base, entries: [f], database: { tables: [{ name: 't', rows: 1, chunks: ['db/x'] }] } }), 'm'))).toBe(5);
    expect(code(() => parseManifest('{', 'm'))).toBe(5);
    expect(code(() => parseManifest(JSON.stringify({ ...base, formatVersion: 2, entries: [] }), 'm'))).toBe(5);
  });
});
