// Identifiers: activation ids (OpenWhisk's form: a v4 UUID without dashes, 32 lowercase hex characters),
// transaction ids (32 alphanumeric characters), and API keys (`uuid:key` with a 64-character key).
import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newActivationId(): string {
  return randomUUID().replaceAll('-', '');
}

export function isActivationId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id);
}

/** Random alphanumeric string; rejection sampling keeps every character equally likely. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUMERIC[byte % 62];
    }
  }
  return out;
}

/** 32 alphanumeric characters, as OpenWhisk's; hex from `randomUUID`, which draws from a cached entropy pool. */
export function newTransactionId(): string {
  return randomUUID().replaceAll('-', '');
}

export interface ApiKey {
  uuid: string;
  key: string;
}

export function newApiKey(): ApiKey {
  return { uuid: randomUUID(), key: randomAlphanumeric(64) };
}

export function formatApiKey(k: ApiKey): string {
  return `${k.uuid}:${k.key}`;
}

/** Parses `uuid:key`; undefined when it is not of that form (OpenWhisk requires a 64-character key). */
export function parseApiKey(text: string): ApiKey | undefined {
  const i = text.indexOf(':');
  if (i <= 0) return undefined;
  const uuid = text.slice(0, i);
  const key = text.slice(i + 1);
  return key.length === 64 ? { uuid, key } : undefined;
}
