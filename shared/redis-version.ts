// The oldest Redis the platform runs on: claims are taken with `SET key value NX GET` (controller/durability/
// claims.ts), which Redis answers only from 7.0 on. Checked once at start-up, so an older server is a clear
// configuration error rather than failed invokes later.
import type { RedisClient } from './redis-connection.ts';

export const MIN_REDIS_MAJOR = 7;

/** The server's `redis_version` from INFO, e.g. "7.0.15". */
export async function redisVersion(redis: RedisClient): Promise<string> {
  const info = await redis.info('server');
  return /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
}

/** Resolves undefined when the server is new enough, else the sentence to exit with. */
export async function tooOldRedis(redis: RedisClient): Promise<string | undefined> {
  const version = await redisVersion(redis);
  const major = Number(version.split('.')[0]);
  if (Number.isFinite(major) && major >= MIN_REDIS_MAJOR) return undefined;
  return `Redis ${version} is too old: Isowhisk needs Redis ${MIN_REDIS_MAJOR} or newer (SET ... NX GET).`;
}
