// The one place a process opens a Redis connection. By ISOWHISK_REDIS_MODE (shared/config.ts) it is a plain
// connection to ISOWHISK_REDIS_URL, a connection to the master the Sentinels name (ioredis follows a failover on
// its own), or a Redis Cluster client that routes each command to the node of its key's slot. Call sites pass the
// options they need (offline queue, retries, timeouts) in the standalone form; the cluster form gets them where
// ioredis' Cluster reads them.
//
// Cluster serves a command, a MULTI or a Lua script only when all its keys share one hash slot: the keys used
// together carry one hash tag (shared/redis-keys.ts, docs/architecture.md's Redis key table).
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { CommonConfig, RedisMode } from './config.ts';

/** A connection of any mode. Both share every command, MULTI, pipelines and EVALSHA; nothing mode-specific is called on it. */
export type RedisClient = Redis | Cluster;

/** Where the platform's Redis is and how to reach it. */
export type RedisTarget =
  | { mode: 'standalone'; url: string; password?: string }
  | { mode: 'sentinel'; sentinels: readonly string[]; name: string; password?: string }
  | { mode: 'cluster'; nodes: readonly string[]; password?: string };

/** The options a call site may set; `retryStrategy` reconnects (Cluster: the cluster's connection as a whole). */
export type ConnectionOptions = Pick<
  RedisOptions,
  'lazyConnect' | 'enableOfflineQueue' | 'enableAutoPipelining' | 'maxRetriesPerRequest' | 'commandTimeout' | 'connectTimeout' | 'retryStrategy'
>;

/** The target a process's configuration names. */
export function redisTarget(config: Pick<CommonConfig, 'redisMode' | 'redisUrl' | 'redisSentinels' | 'redisSentinelName' | 'redisClusterNodes' | 'redisPassword'>): RedisTarget {
  const password = config.redisPassword === '' ? {} : { password: config.redisPassword };
  const mode: RedisMode = config.redisMode;
  switch (mode) {
    case 'standalone':
      return { mode, url: config.redisUrl, ...password };
    case 'sentinel':
      return { mode, sentinels: config.redisSentinels, name: config.redisSentinelName, ...password };
    case 'cluster':
      return { mode, nodes: config.redisClusterNodes, ...password };
  }
}

/** A short description for logs and error messages (no password). */
export function describeTarget(target: RedisTarget): string {
  switch (target.mode) {
    case 'standalone':
      return redactUrl(target.url);
    case 'sentinel':
      return `master ${target.name} of the Sentinels ${target.sentinels.join(',')}`;
    case 'cluster':
      return `the Redis Cluster of ${target.nodes.join(',')}`;
  }
}

/** Opens a connection to `target` with the call site's options. */
export function connectRedis(target: RedisTarget, options: ConnectionOptions = {}): RedisClient {
  const password = target.password === undefined ? {} : { password: target.password };
  switch (target.mode) {
    case 'standalone':
      return new Redis(target.url, { ...options, ...password });
    case 'sentinel':
      // The Sentinels are asked for the master at every (re)connection. A failover must move every connection at
      // once, the blocking completion reader too: the failover detector reconnects when the Sentinels announce a new
      // master, and a write that still reaches the demoted one (READONLY, not executed) reconnects and is sent again.
      return new Redis({
        ...options,
        ...password,
        sentinels: target.sentinels.map(hostPort),
        name: target.name,
        failoverDetector: true,
        reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
      });
    case 'cluster': {
      const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy, ...perNode } = options;
      const clusterOptions: ClusterOptions = {
        redisOptions: { ...perNode, ...password },
        // node addresses are used as the cluster announces them (CLUSTER SLOTS), not resolved again
        ...(lazyConnect === undefined ? {} : { lazyConnect }),
        ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
        ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
        ...(retryStrategy === undefined ? {} : { clusterRetryStrategy: retryStrategy === null ? null : (times: number) => retryStrategy(times) }),
      };
      return new Cluster(target.nodes.map(hostPort), clusterOptions);
    }
  }
}

/** Resolves once the connection is ready to serve commands. */
export async function whenReady(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}

function hostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(colon + 1)) };
}

function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = '***';
  return parsed.toString();
}
