// The dashboard's bearer token: 32 random bytes, base64url. Compared in constant time: both sides are
// hashed first, so the comparison runs on equal-length buffers and leaks neither content nor length.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `presented` is exactly `expected`; constant time in the content of both. */
export function tokenEquals(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented)) && expected.length > 0;
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerOf(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return m ? m[1] : undefined;
}

/** Does this Authorization header carry the expected token? */
export function authorized(expected: string, header: string | string[] | undefined): boolean {
  const t = bearerOf(header);
  return t !== undefined && tokenEquals(expected, t);
}
