// Fetches the action an ActivationRequest names, by namespace, path and revision, from the entity store in Redis.
// Documents are cached by (namespace, path, revision): a revision never changes content, so the warm path costs no
// Redis read. A request for a revision the store no longer has runs the current document, as OpenWhisk retries
// with the latest revision.
// The cache is bounded in bytes, not entries: an action's code may be a few bytes or tens of megabytes, so a count
// says nothing about the memory one tenant's actions can hold. An entry's size is its stored JSON's length; a
// document larger than the whole bound is not cached (each activation then reads it).
import type { RedisClient } from '../shared/redis-connection.ts';
import { LRUCache } from 'lru-cache';
import type { RedisKeys } from '../shared/redis-keys.ts';
import { redisSpan } from '../shared/tracing.ts';
import type { ActionDoc } from '../shared/action-doc.ts';

/** The default bound of the cache (ISOWHISK_INVOKER_ACTION_CACHE_BYTES). */
export const DEFAULT_ACTION_CACHE_BYTES = 64 * 1024 * 1024;

interface Cached {
  doc: ActionDoc;
  /** Length of the stored JSON: the entry's size. */
  bytes: number;
}

export class ActionLoader {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;
  /** Least recently used out first; undefined when caching is off (a bound of 0). */
  readonly #cache: LRUCache<string, Cached> | undefined;

  constructor(redis: RedisClient, keys: RedisKeys, maxBytes = DEFAULT_ACTION_CACHE_BYTES) {
    this.#redis = redis;
    this.#keys = keys;
    this.#cache = maxBytes > 0 ? new LRUCache({ maxSize: maxBytes, sizeCalculation: (entry, key) => entry.bytes + key.length }) : undefined;
  }

  /** What the cache holds now: entries and their total size (for tests and metrics). */
  cacheStats(): { entries: number; bytes: number } {
    return { entries: this.#cache?.size ?? 0, bytes: this.#cache?.calculatedSize ?? 0 };
  }

  /** The action, or undefined when it does not exist (deleted since the request was accepted). */
  async load(namespace: string, path: string, revision: string): Promise<ActionDoc | undefined> {
    const cached = this.#cache?.get(`${namespace}/${path}@${revision}`);
    if (cached) return cached.doc;
    const json = await redisSpan('GET', () => this.#redis.get(this.#keys.entity(namespace, 'actions', path)));
    if (json === null) return undefined;
    const doc = JSON.parse(json) as ActionDoc;
    this.#cache?.set(`${namespace}/${path}@${doc.revision}`, { doc, bytes: json.length });
    return doc;
  }
}
