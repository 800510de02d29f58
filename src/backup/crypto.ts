// Authenticated encryption of a whole archive: AES-256-GCM, the key derived with scrypt from a passphrase
// (MCP_BACKUP_PASSPHRASE or --passphrase-file, never a flag). Layout:
//   "MCPBKENC" | version 1 | log2(N) | r | p | salt(16) | iv(12) | keycheck(16) | ciphertext | tag(16)
// The header is the GCM additional data, so it cannot be altered either. The key check makes a wrong
// passphrase fail at once with a clear message instead of after decrypting gigabytes.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual, type DecipherGCM } from 'node:crypto';

import { Transform, type TransformCallback } from 'node:stream';
import { integrityError, invalidInput, usageError } from '../errors.js';
import { registerSecret } from '../redact.js';

const MAGIC = Buffer.from('MCPBKENC');
export const HEADER_LEN = MAGIC.length + 4 + 16 + 12 + 16;
const TAG_LEN = 16;
const DEFAULT_COST = { logN: 15, r: 8, p: 1 };

export const PASSPHRASE_ENV = 'MCP_BACKUP_PASSPHRASE';

export async function resolvePassphrase(env: NodeJS.ProcessEnv, file?: string): Promise<string | undefined> {
  let value: string | undefined;
  if (file) {
    try {
      value = (await (await import('../input.js')).readInputFile(file, '--passphrase-file')).replace(/\r?\n$/, '');
    } catch (e) {
      throw invalidInput(`cannot read the passphrase file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { where: file });
    }
    if (value === '') throw invalidInput('the passphrase file is empty', { where: file });
  } else if (env[PASSPHRASE_ENV]) value = env[PASSPHRASE_ENV];
  if (value !== undefined) {
    if (value.length < 8) throw invalidInput('the passphrase is shorter than 8 characters', { where: file ?? PASSPHRASE_ENV });
    registerSecret(value);
  }
  return value;
}

export function requirePassphrase(p: string | undefined, what: string): string {
  if (p === undefined) throw usageError(`${what} needs a passphrase`, { hint: `set ${PASSPHRASE_ENV} or pass --passphrase-file FILE` });
  return p;
}

function deriveKeys(passphrase: string, salt: Buffer, cost: { logN: number; r: number; p: number }): Promise<{ key: Buffer; check: Buffer }> {
  return new Promise((resolve, reject) => {
    const N = 2 ** cost.logN;
    scrypt(passphrase, salt, 64, { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 }, (err, out) => {
      if (err) reject(err);
      else resolve({ key: out.subarray(0, 32), check: createHmac('sha256', out.subarray(32)).update('mcp-backup key check').digest().subarray(0, 16) });
    });
  });
}

export async function encryptStream(passphrase: string): Promise<Transform> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const { key, check } = await deriveKeys(passphrase, salt, DEFAULT_COST);
  const header = Buffer.concat([MAGIC, Buffer.from([1, DEFAULT_COST.logN, DEFAULT_COST.r, DEFAULT_COST.p]), salt, iv, check]);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(header);
  let started = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      if (!started) {
        started = true;
        this.push(header);
      }
      cb(null, cipher.update(chunk));
    },
    flush(cb: TransformCallback) {
      if (!started) this.push(header);
      this.push(cipher.final());
      cb(null, cipher.getAuthTag());
    },
  });
}

/** True when the file starts like an encrypted archive. */
export const isEncryptedHeader = (head: Buffer): boolean => head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC);

/**
 * Decrypt as a stream. Plaintext flows before the tag is checked (GCM cannot do otherwise), so callers
 * only ever write it to a staging area or a hash, and act on it after the stream ended without error.
 */
export function decryptStream(passphrase: string, where: string): Transform {
  let head: Buffer = Buffer.alloc(0);
  let decipher: DecipherGCM | undefined;
  let pending: Promise<void> | undefined;
  let held: Buffer = Buffer.alloc(0);
  const feed = (t: Transform, chunk: Buffer) => {
    const all = held.length ? Buffer.concat([held, chunk]) : chunk;
    const cut = Math.max(0, all.length - TAG_LEN);
    held = Buffer.from(all.subarray(cut));
    if (cut > 0) t.push(decipher!.update(all.subarray(0, cut)));
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (decipher) {
        feed(this, chunk);
        return cb();
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < HEADER_LEN) return cb();
      if (!isEncryptedHeader(head)) return cb(integrityError('not an encrypted mcp archive', { where }));
      const o = MAGIC.length;
      if (head[o] !== 1) return cb(integrityError(`encryption format version ${head[o]} is not supported`, { where }));
      const cost = { logN: head[o + 1]!, r: head[o + 2]!, p: head[o + 3]! };
      if (cost.logN < 10 || cost.logN > 22 || cost.r < 1 || cost.r > 32 || cost.p < 1 || cost.p > 16) return cb(integrityError('implausible key-derivation parameters in the header', { where }));
      const salt = head.subarray(o + 4, o + 20);
      const iv = head.subarray(o + 20, o + 32);
      const check = head.subarray(o + 32, o + 48);
      const header = Buffer.from(head.subarray(0, HEADER_LEN));
      const rest = head.subarray(HEADER_LEN);
      pending = deriveKeys(passphrase, Buffer.from(salt), cost).then(({ key, check: expected }) => {
        if (!timingSafeEqual(expected, check)) throw integrityError('wrong passphrase for this encrypted backup', { where, hint: `check ${PASSPHRASE_ENV} or --passphrase-file` });
        decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv));
        decipher.setAAD(header);
      });
      pending.then(
        () => {
          if (rest.length) feed(this, Buffer.from(rest));
          cb();
        },
        (e) => cb(e),
      );
    },
    flush(cb) {
      if (!decipher) return cb(integrityError('the encrypted archive is truncated (no complete header)', { where }));
      if (held.length < TAG_LEN) return cb(integrityError('the encrypted archive is truncated (no authentication tag)', { where }));
      try {
        decipher.setAuthTag(held);
        cb(null, decipher.final());
      } catch {
        cb(integrityError('authentication failed: the encrypted archive was altered or truncated', { where, hint: 'restore from another backup' }));
      }
    },
  });
}
