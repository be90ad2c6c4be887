// The one home of activation records in Redis. Writers: the invoker (every completed activation) and the
// controller (whisk-internal-error records for activations that never complete). Readers: the activations API
// and the blocking-invoke path.
//
// Layout (keys from shared/redis-keys.ts):
//   keys.activation(id)                       record JSON (stored form, `response.statusCode`), EX ttl
//   keys.activationsByNamespace(ns)           sorted set of ids scored by `start`, ns = the INVOKING namespace
//   keys.activationsByName(ns, filterName)    the same per `name`, `pkg/name` or `binding/name` (see activationFilterName)
// The indexes expire with the newest record written to them, and entries older than a put's retention are
// trimmed on that put; ids whose record already expired are dropped when a read meets them. Retention is meant to
// be one configured value (OpenWhisk's default is 7 days).
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.ts';
import { type ActivationRecord, activationFilterName } from './activation-record.ts';

export const DEFAULT_ACTIVATION_TTL_SECONDS = 7 * 24 * 3600;

export interface ActivationQuery {
  /** `name` or `pkg/name` (see activationFilterName). */
  name?: string;
  /** Inclusive lower bound on `start`, epoch ms. */
  since?: number;
  /** Inclusive upper bound on `start`, epoch ms. */
  upto?: number;
  skip: number;
  limit: number;
}

export interface ActivationStore {
  /** Stores a record (stored form) for `ttlSeconds` and indexes it for listing. */
  putRecord(record: ActivationRecord, ttlSeconds: number): Promise<void>;
  /** The record, whatever its namespace; callers check `record.namespace`. */
  getRecord(activationId: string): Promise<ActivationRecord | undefined>;
  /** Records of the invoking namespace, newest `start` first. */
  list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]>;
  count(namespace: string, query: Omit<ActivationQuery, 'limit'>): Promise<number>;
}

export function activationStore(redis: Redis, keys: RedisKeys): ActivationStore {
  const indexKey = (namespace: string, name: string | undefined) =>
    name === undefined ? keys.activationsByNamespace(namespace) : keys.activationsByName(namespace, name);
  const bounds = (q: { since?: number; upto?: number }) =>
    [q.upto === undefined ? '+inf' : String(q.upto), q.since === undefined ? '-inf' : String(q.since)] as const;

  return {
    async putRecord(record, ttlSeconds) {
      const ttl = Math.max(1, Math.ceil(ttlSeconds));
      const cutoff = Date.now() - ttl * 1000;
      const tx = redis.multi().set(keys.activation(record.activationId), JSON.stringify(record), 'EX', ttl);
      for (const index of [keys.activationsByNamespace(record.namespace), keys.activationsByName(record.namespace, activationFilterName(record))]) {
        tx.zadd(index, record.start, record.activationId).zremrangebyscore(index, '-inf', `(${cutoff}`).expire(index, ttl);
      }
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (failed) throw failed[0];
    },

    async getRecord(activationId) {
      const json = await redis.get(keys.activation(activationId));
      return json === null ? undefined : (JSON.parse(json) as ActivationRecord);
    },

    async list(namespace, query) {
      const index = indexKey(namespace, query.name);
      const [max, min] = bounds(query);
      const ids = await redis.zrevrangebyscore(index, max, min, 'LIMIT', query.skip, query.limit);
      if (ids.length === 0) return [];
      const docs = await redis.mget(ids.map((id) => keys.activation(id)));
      const expired = ids.filter((_, i) => docs[i] === null);
      if (expired.length > 0) await redis.zrem(index, ...expired);
      return docs.flatMap((json) => (json === null ? [] : [JSON.parse(json) as ActivationRecord]));
    },

    async count(namespace, query) {
      const [max, min] = bounds(query);
      const n = await redis.zcount(indexKey(namespace, query.name), min, max);
      return Math.max(0, n - query.skip);
    },
  };
}
