// Where feeds are kept: one Redis hash, `ns/trigger` → the feed's registration. Every controller reads it to decide
// which feeds it consumes, so a feed created through one controller is served by all of them (Kafka splits the
// topic's partitions between their consumers, which share the feed's consumer group).
//
// Beside it, kept in the same Lua scripts so every controller sees one answer: each namespace's set of feeds (its
// feed limit counts them) and, for each topic of the platform's Kafka, the set of feeds reading it. A topic belongs
// to the namespace whose feeds read it, until the last of them is removed (docs/tenant-isolation.md).
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import type { FeedOptions, SaslMechanism } from './kafka-feed.ts';

/** The user's own cluster as stored: the login sealed (shared/secret-box.ts), never in clear. */
export interface StoredCluster {
  brokers: string[];
  tls: boolean;
  saslMechanism?: SaslMechanism;
  /** `{username, password}` as JSON, sealed for this feed's key. */
  sealedLogin?: string;
}

export interface FeedRegistration extends FeedOptions {
  namespace: string;
  trigger: string;
  /** Random per registration: names the consumer group, so a re-created feed starts afresh. */
  id: string;
  /** Epoch ms of the last change. */
  updated: number;
  /** The user's own cluster; absent when the feed reads a topic of the platform's Kafka. */
  cluster?: StoredCluster;
}

export const feedKey = (f: { namespace: string; trigger: string }) => `${f.namespace}/${f.trigger}`;

/** The consumer group of a feed. */
export const feedGroupId = (f: FeedRegistration) => `isowhisk-feed-${f.id}`;

/** 'exists': the trigger has a feed; 'limit': the namespace has all the feeds it may; 'taken': another namespace reads the topic. */
export type CreateOutcome = 'created' | 'exists' | 'limit' | 'taken';
/** 'changed': the registration changed (or went) since it was read. */
export type UpdateOutcome = 'updated' | 'changed' | 'taken';

export interface FeedRegistry {
  get(namespace: string, trigger: string): Promise<FeedRegistration | undefined>;
  /** Registers a new feed if the trigger has none, the namespace has fewer than `limit` and the topic is free to it. */
  create(feed: FeedRegistration, limit: number): Promise<CreateOutcome>;
  /** Replaces `previous` (as read) by `feed`, taking `feed`'s topic as `create` does when it changed. */
  update(previous: FeedRegistration, feed: FeedRegistration): Promise<UpdateOutcome>;
  /** The removed registration, if there was one. */
  remove(namespace: string, trigger: string): Promise<FeedRegistration | undefined>;
  all(): Promise<FeedRegistration[]>;
  /** How many feeds the namespace has. */
  count(namespace: string): Promise<number>;
  /** Whether a feed of another namespace reads this topic of the platform's Kafka. */
  takenByOther(topic: string, namespace: string): Promise<boolean>;
}

// KEYS, ARGV and results: each .lua file's header.
const REGISTER = luaScript(import.meta.dirname, 'register-feed.lua');
const REPLACE = luaScript(import.meta.dirname, 'replace-feed.lua');
const REMOVE = luaScript(import.meta.dirname, 'remove-feed.lua');

export function feedRegistry(redis: RedisClient, keys: RedisKeys): FeedRegistry {
  const parse = (json: string | null | undefined) => (json ? (JSON.parse(json) as FeedRegistration) : undefined);
  /** The topic's key when the feed reads the platform's Kafka (feeds on users' clusters own nothing there). */
  const topicKeys = (feed: FeedRegistration) => (feed.cluster ? [] : [keys.feedTopic(feed.topic)]);
  return {
    get: async (namespace, trigger) => parse(await redis.hget(keys.feeds(), feedKey({ namespace, trigger }))),
    async create(feed, limit) {
      const keyList = [keys.feeds(), keys.namespaceFeeds(feed.namespace), ...topicKeys(feed)];
      return (await runScript(redis, REGISTER, keyList, [feedKey(feed), JSON.stringify(feed), feed.trigger, feed.namespace, String(limit)])) as CreateOutcome;
    },
    async update(previous, feed) {
      const moved = !feed.cluster && feed.topic !== previous.topic ? [keys.feedTopic(previous.topic), keys.feedTopic(feed.topic)] : [];
      const args = [feedKey(feed), JSON.stringify(previous), JSON.stringify(feed), feed.namespace];
      return (await runScript(redis, REPLACE, [keys.feeds(), ...moved], args)) as UpdateOutcome;
    },
    async remove(namespace, trigger) {
      const key = feedKey({ namespace, trigger });
      // read, then remove only what was read: the topic to release is in the registration
      for (;;) {
        const json = await redis.hget(keys.feeds(), key);
        const feed = parse(json);
        if (!json || !feed) return undefined;
        const keyList = [keys.feeds(), keys.namespaceFeeds(namespace), ...topicKeys(feed)];
        if ((await runScript(redis, REMOVE, keyList, [key, json, trigger])) === 1) return feed;
      }
    },
    all: async () => Object.values(await redis.hgetall(keys.feeds())).map((json) => JSON.parse(json) as FeedRegistration),
    count: (namespace) => redis.scard(keys.namespaceFeeds(namespace)),
    async takenByOther(topic, namespace) {
      const reader = await redis.srandmember(keys.feedTopic(topic));
      return reader !== null && !reader.startsWith(`${namespace}/`);
    },
  };
}
