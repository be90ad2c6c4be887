// A controller and an invoker whose Redis is a Sentinel set or a Cluster (test/support/redis-topologies.ts), on the
// shared test stack's Kafka: topics under a prefix of their own and ids the shared stack never uses, so neither
// platform sees the other's requests, pings or consumer groups. Plain daemons (no supervisor): a crash is a failure.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import openwhisk from 'openwhisk';
import { logTail, runningPid, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { PROJECT_ROOT, type StackLayout } from '../../deploy/local/layout.ts';
import { UNTHROTTLED_ENV, apiHost, platformEnv } from '../../deploy/local/stack.ts';
import { createNamespace } from '../../shared/identities.ts';
import { type RedisTarget, connectRedis, whenReady } from '../../shared/redis-connection.ts';
import { redisKeysFor } from '../../shared/redis-keys.ts';
import type { Client } from './platform.ts';
import { testKafka } from './stack.ts';

export interface ModePlatform {
  apiHost: string;
  /** A namespace made for the suite, and a client with its key. */
  namespace: string;
  ow: Client;
  /** The last lines of the controller's and the invoker's logs, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

export interface ModePlatformOptions {
  layout: StackLayout;
  target: RedisTarget;
  /** ISOWHISK_REDIS_* of the target. */
  redisEnv: Record<string, string>;
  /** Kafka topic prefix of this platform. */
  topicPrefix: string;
  /** The controller's id, or `auto`. */
  controllerId: string;
  invokerId: number;
}

const READY_MS = 90_000;

export async function startModePlatform(o: ModePlatformOptions): Promise<ModePlatform> {
  const brokers = await testKafka();
  const controller = { name: 'controller', runDir: join(o.layout.runDir, 'controller') };
  const invoker = { name: `invoker${o.invokerId}`, runDir: join(o.layout.runDir, `invoker${o.invokerId}`) };
  const env = {
    ...platformEnv(o.layout, brokers, 'redis://127.0.0.1:1'), // the URL is unused in these modes
    ...UNTHROTTLED_ENV,
    ...o.redisEnv,
    ISOWHISK_TOPIC_PREFIX: o.topicPrefix,
    ISOWHISK_INVOKER_STEM_CELLS: '0',
    OTEL_SDK_DISABLED: 'true',
  };
  const node = (spec: { name: string; runDir: string }, entry: string, extra: Record<string, string>) =>
    startDaemon({ ...spec, command: process.execPath, args: ['--no-node-snapshot', join(PROJECT_ROOT, entry)], env: { ...env, ...extra }, cwd: PROJECT_ROOT });
  const logs = () => [controller, invoker].map((s) => `--- ${s.name} log ---\n${logTail(s, 15)}`).join('\n');
  const stop = async () => void (await Promise.all([stopDaemon(invoker, 10_000), stopDaemon(controller, 10_000)]));

  const host = apiHost(o.layout);
  try {
    const redis = connectRedis(o.target);
    redis.on('error', () => {}); // a failing command reports it
    let apiKey: string;
    const namespace = `modes-${o.topicPrefix.replace(/[^a-z0-9]/g, '')}-${Date.now().toString(36)}`;
    try {
      await whenReady(redis);
      apiKey = await createNamespace(redis, redisKeysFor(o.target.mode), namespace);
    } finally {
      redis.disconnect();
    }
    for (const spec of [controller, invoker]) rmSync(spec.runDir, { recursive: true, force: true }); // logs of this run only
    node(controller, 'controller/main.ts', { ISOWHISK_CONTROLLER_ID: o.controllerId });
    node(invoker, 'invoker/main.ts', { ISOWHISK_INVOKER_ID: String(o.invokerId) });
    const outcome = await waitFor(
      `invoker${o.invokerId} up at the controller`,
      async () => {
        if (!runningPid(controller) || !runningPid(invoker)) return 'exited';
        const res = await fetch(`${host}/invokers`);
        if (!res.ok) return undefined;
        return ((await res.json()) as Record<string, string>)[`invoker${o.invokerId}`] === 'up' ? 'up' : undefined;
      },
      READY_MS,
      200,
    );
    if (outcome === 'exited') throw new Error('the controller or the invoker exited while starting');
    return { apiHost: host, namespace, ow: openwhisk({ apihost: host, api_key: apiKey }), logs, stop };
  } catch (err) {
    const message = `${(err as Error).message}\n${logs()}`;
    await stop();
    throw new Error(message);
  }
}
