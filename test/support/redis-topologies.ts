// Redis as deployments run it beside the test stack's single server: a Sentinel set (one master, one replica, one
// sentinel) and a Redis Cluster of three masters, each process a daemon of Debian's redis-server (`--sentinel` makes
// it a sentinel) in a run folder and on ports of the suite's own (ownStackLayout), started fresh and stopped after.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { logTail, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { pingRedis } from '../../deploy/local/redis.ts';
import type { StackLayout } from '../../deploy/local/layout.ts';
import type { RedisTarget } from '../../shared/redis-connection.ts';

const READY_MS = 30_000;

interface Topology {
  /** How the platform's processes reach it (shared/redis-connection.ts). */
  target: RedisTarget;
  /** The same as ISOWHISK_REDIS_* variables, for processes started by the suite. */
  env: Record<string, string>;
  /** Sentinel only: makes the sentinel promote the replica, resolving once the old master serves as its replica. */
  failover?: () => Promise<void>;
  stop(): Promise<void>;
}

const node = (layout: StackLayout, name: string) => ({ name, runDir: join(layout.runDir, name) });

/** Writes a config and starts redis-server on it (stale data of an earlier run removed first). */
function startServer(layout: StackLayout, name: string, lines: string[], extraArgs: string[] = []): { name: string; runDir: string } {
  const spec = node(layout, name);
  rmSync(spec.runDir, { recursive: true, force: true });
  mkdirSync(spec.runDir, { recursive: true });
  const conf = join(spec.runDir, `${name}.conf`);
  writeFileSync(conf, [...lines, 'bind 127.0.0.1', `dir ${spec.runDir}`, 'save ""', 'appendonly no', 'daemonize no', ''].join('\n'));
  startDaemon({ ...spec, command: 'redis-server', args: [conf, ...extraArgs] });
  return spec;
}

async function untilPing(spec: { name: string; runDir: string }, port: number): Promise<void> {
  try {
    await waitFor(spec.name, () => pingRedis(`redis://127.0.0.1:${port}`).then(() => true), READY_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- ${spec.name} log ---\n${logTail(spec)}`);
  }
}

async function withClient<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * A master on `layout.redis.port`, its replica on the next port and a sentinel on the one after, watching the
 * master as `name`. Resolves once the sentinel names the master and knows the replica.
 */
export async function startSentinelSet(layout: StackLayout, name = 'isowhisk'): Promise<Topology> {
  const [masterPort, replicaPort, sentinelPort] = [layout.redis.port, layout.redis.port + 1, layout.redis.port + 2];
  const specs = [
    // no 5 s pause before the replica's first (diskless) sync
    startServer(layout, 'master', [`port ${masterPort}`, 'repl-diskless-sync-delay 0']),
    startServer(layout, 'replica', [`port ${replicaPort}`, `replicaof 127.0.0.1 ${masterPort}`]),
  ];
  const stop = async () => void (await Promise.all(specs.map((s) => stopDaemon(s, 5_000))));
  try {
    await Promise.all(specs.map((s, i) => untilPing(s, [masterPort, replicaPort][i]!)));
    specs.push(
      startServer(
        layout,
        'sentinel',
        [`port ${sentinelPort}`, `sentinel monitor ${name} 127.0.0.1 ${masterPort} 1`, `sentinel down-after-milliseconds ${name} 5000`],
        ['--sentinel'],
      ),
    );
    await untilPing(specs[2]!, sentinelPort);
    await waitFor(
      'the sentinel to know the master and its replica',
      () =>
        withClient(sentinelPort, async (s) => {
          const master = (await s.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
          const replicas = (await s.call('SENTINEL', 'replicas', name)) as unknown[];
          return master?.[1] === String(masterPort) && replicas.length === 1 ? true : undefined;
        }),
      READY_MS,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const sentinels = [`127.0.0.1:${sentinelPort}`];
  const masterPortNow = () => withClient(sentinelPort, async (s) => Number(((await s.call('SENTINEL', 'get-master-addr-by-name', name)) as string[])[1]));
  return {
    target: { mode: 'sentinel', sentinels, name },
    env: { ISOWHISK_REDIS_MODE: 'sentinel', ISOWHISK_REDIS_SENTINELS: sentinels.join(','), ISOWHISK_REDIS_SENTINEL_NAME: name },
    async failover() {
      const before = await masterPortNow();
      const other = before === masterPort ? replicaPort : masterPort;
      // Replication is asynchronous and a forced failover does not wait for it: without this, the replica promoted
      // may lack the writes of the last moments, or its whole first sync, and the suite's namespace with them.
      const acked = await withClient(before, (r) => r.call('WAIT', '1', '30000') as Promise<number>);
      if (acked < 1) throw new Error('the replica did not acknowledge the master\'s writes within 30 s');
      await withClient(sentinelPort, (s) => s.call('SENTINEL', 'failover', name));
      await waitFor(
        'the failover to end',
        async () => {
          if ((await masterPortNow()) !== other) return undefined;
          const role = await withClient(before, (r) => r.call('ROLE') as Promise<unknown[]>);
          return role[0] === 'slave' && role[3] === 'connected' ? true : undefined;
        },
        60_000,
        200,
      );
    },
    stop,
  };
}

/** Three cluster-enabled masters on `layout.redis.port` and the two ports after, joined by `redis-cli --cluster create`. */
export async function startCluster(layout: StackLayout): Promise<Topology> {
  const ports = [0, 1, 2].map((i) => layout.redis.port + i);
  const specs = ports.map((port) =>
    startServer(layout, `node${port}`, [`port ${port}`, 'cluster-enabled yes', `cluster-config-file nodes-${port}.conf`, 'cluster-node-timeout 5000']),
  );
  const stop = async () => void (await Promise.all(specs.map((s) => stopDaemon(s, 5_000))));
  try {
    await Promise.all(specs.map((s, i) => untilPing(s, ports[i]!)));
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8', timeout: READY_MS });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    // every node must agree before clients are pointed at it
    await waitFor(
      'the cluster to be ok on every node',
      async () => ((await Promise.all(ports.map((p) => withClient(p, (r) => r.cluster('INFO'))))).every((info) => /cluster_state:ok/.test(info)) ? true : undefined),
      READY_MS,
    );
    return {
      target: { mode: 'cluster', nodes },
      env: { ISOWHISK_REDIS_MODE: 'cluster', ISOWHISK_REDIS_CLUSTER_NODES: nodes.join(',') },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
