// How API keys are kept in Redis: never in plain text, as `sha256$<salt>$<digest>` with a random 16-byte salt
// per key (digest = SHA-256(salt || key), both base64url).
//
// Why a fast hash and not scrypt/bcrypt: slow KDFs exist to protect low-entropy, human-chosen passwords from
// offline guessing. Our keys are 64 characters drawn uniformly from 62 (≈381 bits), so guessing is hopeless at
// any hash speed, and a leaked Redis dump reveals nothing usable. A slow KDF would only add milliseconds to every
// authenticated request (the p50 budget for a warm invoke is 3 ms) or force a plaintext-keyed cache. The salt
// makes equal keys hash differently and rules out precomputation; SHA-256 costs about a microsecond. An HMAC
// with a server-side pepper would add little over this and needs a secret shared by every controller.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const SCHEME = 'sha256';

function digest(salt: Buffer, key: string): Buffer {
  return createHash('sha256').update(salt).update(key, 'utf8').digest();
}

export function hashKey(key: string, salt: Buffer = randomBytes(16)): string {
  return `${SCHEME}$${salt.toString('base64url')}$${digest(salt, key).toString('base64url')}`;
}

/** Constant-time check of a presented key against a stored hash. */
export function verifyKey(key: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== SCHEME || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = digest(Buffer.from(salt, 'base64url'), key);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Constant-time equality of two keys (a presented one and one that already matched its stored hash). */
export function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
