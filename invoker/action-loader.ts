// Fetches the action an ActivationRequest names, by namespace, path and revision, from the entity store in Redis.
// Documents are cached by (namespace, path, revision): a revision never changes content, so the warm path costs no
// Redis read. A request for a revision the store no longer has runs the current document, as OpenWhisk retries
// with the latest revision.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../shared/redis-keys.ts';
import { redisSpan } from '../shared/tracing.ts';
import type { ActionDoc } from '../controller/entities/action.ts';

export class ActionLoader {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #maxEntries: number;
  /** Insertion-ordered, so the oldest entry is the first to go (an LRU with `touch` on hit). */
  readonly #cache = new Map<string, ActionDoc>();

  constructor(redis: Redis, keys: RedisKeys, maxEntries = 1000) {
    this.#redis = redis;
    this.#keys = keys;
    this.#maxEntries = maxEntries;
  }

  /** The action, or undefined when it does not exist (deleted since the request was accepted). */
  async load(namespace: string, path: string, revision: string): Promise<ActionDoc | undefined> {
    const cacheKey = `${namespace}/${path}@${revision}`;
    const cached = this.#cache.get(cacheKey);
    if (cached) {
      this.#cache.delete(cacheKey);
      this.#cache.set(cacheKey, cached);
      return cached;
    }
    const json = await redisSpan('GET', () => this.#redis.get(this.#keys.entity(namespace, 'actions', path)));
    if (json === null) return undefined;
    const doc = JSON.parse(json) as ActionDoc;
    this.#cache.set(`${namespace}/${path}@${doc.revision}`, doc);
    while (this.#cache.size > this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    return doc;
  }
}
