// The local stack's Redis: Debian's redis-server on its own port and folder, with AOF on so a restart loses
// nothing. It never touches a Redis the machine may already run on 6379.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { logTail, runningPid, startDaemon, stopDaemon, waitFor } from './daemon.ts';
import type { StackLayout } from './layout.ts';
import { REDIS, requireCommands } from './prerequisites.ts';

const READY_TIMEOUT_MS = 30_000;

const daemon = (layout: StackLayout) => ({ name: 'redis', runDir: join(layout.runDir, 'redis') });

export const redisUrl = (layout: StackLayout): string => `redis://127.0.0.1:${layout.redis.port}`;

/** Answers PING within a short time, or throws. */
export async function pingRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 });
  client.on('error', () => {}); // reported through the rejected command instead
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/** Starts Redis unless it already runs; resolves with its URL once it answers PING. */
export async function startRedis(layout: StackLayout): Promise<string> {
  const spec = daemon(layout);
  const url = redisUrl(layout);
  if (runningPid(spec)) {
    await waitFor('Redis', () => pingRedis(url).then(() => true), READY_TIMEOUT_MS);
    return url;
  }
  requireCommands(REDIS);
  if (await pingRedis(url).then(() => true, () => false)) {
    throw new Error(`port ${layout.redis.port} already answers as a Redis this stack did not start; stop it or choose another port`);
  }
  mkdirSync(spec.runDir, { recursive: true });
  const conf = join(spec.runDir, 'redis.conf');
  writeFileSync(
    conf,
    [
      `port ${layout.redis.port}`,
      'bind 127.0.0.1',
      'protected-mode yes',
      `dir ${spec.runDir}`,
      'appendonly yes',
      'appendfsync everysec',
      'save ""',
      'daemonize no',
      'loglevel notice',
      '',
    ].join('\n'),
  );
  startDaemon({ ...spec, command: 'redis-server', args: [conf] });
  try {
    await waitFor('Redis', () => pingRedis(url).then(() => true), READY_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- redis log ---\n${logTail(spec)}`);
  }
  return url;
}

export async function stopRedis(layout: StackLayout): Promise<boolean> {
  return stopDaemon(daemon(layout));
}
