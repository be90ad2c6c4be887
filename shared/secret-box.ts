// Secrets kept at rest in Redis (a feed's broker credentials) are sealed with AES-256-GCM under the deployment's
// key (ISOWHISK_SECRETS_KEY): whoever reads Redis, or a copy of it, without the key learns nothing of them, and a
// sealed value bound to one owner (`context`) does not open for another.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const VERSION = 'v1';

export interface SecretBox {
  /** `plaintext` sealed for `context` (authenticated, not encrypted): `v1.<iv>.<tag>.<ciphertext>`, base64. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; throws when the value was not sealed with this key for this context, or was altered. */
  open(sealed: string, context: string): string;
}

/** Reads a key given as base64 of 32 bytes (`openssl rand -base64 32`); undefined when it is not one. */
export function parseSecretsKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

/** A fresh random key, base64-encoded, as `parseSecretsKey` reads it. */
export function newSecretsKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new RangeError(`a secrets key has ${KEY_BYTES} bytes, got ${key.length}`);
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), data].map((part) => (typeof part === 'string' ? part : part.toString('base64'))).join('.');
    },
    open(sealed, context) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || data === undefined) throw new Error('not a sealed secret');
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64')).setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
