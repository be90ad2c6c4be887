// Where feeds are kept: one Redis hash, `ns/trigger` → the feed's registration. Every controller reads it to decide
// which feeds it consumes, so a feed created through one controller is served by all of them (Kafka splits the
// topic's partitions between their consumers, which share the feed's consumer group).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { FeedOptions } from './kafka-feed.ts';

export interface FeedRegistration extends FeedOptions {
  namespace: string;
  trigger: string;
  /** Random per registration: names the consumer group, so a re-created feed starts afresh. */
  id: string;
  /** Epoch ms of the last change. */
  updated: number;
}

export const feedKey = (f: { namespace: string; trigger: string }) => `${f.namespace}/${f.trigger}`;

/** The consumer group of a feed. */
export const feedGroupId = (f: FeedRegistration) => `isowhisk-feed-${f.id}`;

export interface FeedRegistry {
  get(namespace: string, trigger: string): Promise<FeedRegistration | undefined>;
  /** Creates only when absent; false when the trigger already has a feed. */
  create(feed: FeedRegistration): Promise<boolean>;
  put(feed: FeedRegistration): Promise<void>;
  /** The removed registration, if there was one. */
  remove(namespace: string, trigger: string): Promise<FeedRegistration | undefined>;
  all(): Promise<FeedRegistration[]>;
}

export function feedRegistry(redis: Redis, keys: RedisKeys): FeedRegistry {
  const parse = (json: string | null | undefined) => (json ? (JSON.parse(json) as FeedRegistration) : undefined);
  return {
    get: async (namespace, trigger) => parse(await redis.hget(keys.feeds(), feedKey({ namespace, trigger }))),
    create: async (feed) => (await redis.hsetnx(keys.feeds(), feedKey(feed), JSON.stringify(feed))) === 1,
    put: async (feed) => {
      await redis.hset(keys.feeds(), feedKey(feed), JSON.stringify(feed));
    },
    async remove(namespace, trigger) {
      const key = feedKey({ namespace, trigger });
      const [[, json], [, removed]] = (await redis.multi().hget(keys.feeds(), key).hdel(keys.feeds(), key).exec()) as [[null, string | null], [null, number]];
      return removed === 1 ? parse(json) : undefined;
    },
    all: async () => Object.values(await redis.hgetall(keys.feeds())).map((json) => JSON.parse(json) as FeedRegistration),
  };
}
