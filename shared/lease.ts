// A lease in Redis: one holder at a time for a piece of work that several processes could do (sweeping a dead
// controller's activations, re-dispatching a dead invoker's backlog, resuming a composition). A lease expires on
// its own, so a holder that dies frees it; a holder renews it while it works and gives it back when done. Renew and
// release compare the holder first, so a holder whose lease already expired never takes it from the next one.
import type { RedisClient } from './redis-connection.ts';
import { luaScript, runScript } from './redis-script.ts';

// KEYS, ARGV and results: each .lua file's header.
const RENEW = luaScript(import.meta.dirname, 'renew-lease.lua');
const RELEASE = luaScript(import.meta.dirname, 'release-lease.lua');

export interface Lease {
  readonly key: string;
  readonly holder: string;
  /** Extends the lease by its ttl; false when it was lost (expired and perhaps taken by another holder). */
  renew(): Promise<boolean>;
  /** Gives the lease back, if still held. */
  release(): Promise<void>;
}

/** Takes the lease at `key` for `ttlMs` unless another holder has it; undefined when it is taken. */
export async function tryLease(redis: RedisClient, key: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
  const taken = await redis.set(key, holder, 'PX', ttlMs, 'NX');
  if (taken !== 'OK') return undefined;
  return {
    key,
    holder,
    renew: async () => (await runScript(redis, RENEW, [key], [holder, String(ttlMs)])) === 1,
    release: async () => {
      await runScript(redis, RELEASE, [key], [holder]);
    },
  };
}

/** Runs `work` under the lease at `key` when it can be taken; resolves undefined (and runs nothing) when it cannot. */
export async function withLease<T>(redis: RedisClient, key: string, holder: string, ttlMs: number, work: (lease: Lease) => Promise<T>): Promise<T | undefined> {
  const lease = await tryLease(redis, key, holder, ttlMs);
  if (!lease) return undefined;
  try {
    return await work(lease);
  } finally {
    await lease.release().catch(() => {}); // expires on its own if Redis does not answer
  }
}
