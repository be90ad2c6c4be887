// The invoker process: refuses to start on a vulnerable isolated-vm, connects to Redis and Kafka, consumes its
// own topic `invoker<ID>` through a bounded run queue, runs activations in the isolate pool, and pings its health
// every second, and serves GET /metrics and /ping on its metrics port. Its memory is bounded: running activations
// reserve their buffers' worst case from a host budget, and near its heap limit it pauses its topic
// (docs/tenant-isolation.md). Offsets are committed once an activation is claimed, so a restarted invoker resumes its
// backlog (docs/durability.md). SIGINT/SIGTERM: ping `draining`, take nothing new, leave requests not yet claimed to
// others, finish the activations running (bounded by their time limits), commit, leave the group, exit 0. While its
// consumer is down for good it pings `unhealthy` and starts a new one.
import { getHeapStatistics } from 'node:v8';
import { exitOnConfigError, loadInvokerConfig } from '../shared/config.ts';
import { BoundedConsumer } from '../shared/kafka/bounded-consumer.ts';
import { adoptFormerGroupOffsets } from '../shared/kafka/former-group.ts';
import { createKafka, createProducer, ensureTopics } from '../shared/kafka/client.ts';
import { createLogger } from '../shared/logger.ts';
import { redisKeysFor } from '../shared/redis-keys.ts';
import { connectRedis, redisTarget } from '../shared/redis-connection.ts';
import { PARTITIONS, RETENTION_MS, topics as topicNames } from '../shared/topics.ts';
import { createRegistry, processRestarts, spanBufferMetrics } from '../shared/metrics.ts';
import { startTracing } from '../shared/tracing.ts';
import { activationStore } from '../shared/activation-store.ts';
import { ActionLoader } from './action-loader.ts';
import { ActivationHandler } from './activation-handler.ts';
import { kafkaEventSink } from './events.ts';
import { deliveryMetrics, invokerMetrics, memoryMetrics } from './metrics.ts';
import { HeapGuard } from './heap-guard.ts';
import { HostMemoryBudget } from './host-memory.ts';
import { startMetricsServer } from './metrics-server.ts';
import { HealthPinger } from './health/pinger.ts';
import { waitForWorkInHand } from './drain.ts';
import type { PingStatus } from '../shared/avro/ping.ts';
import { createFetchService } from './runtime/fetch-host.ts';
import { IsolatePool } from './runtime/isolate-pool.ts';
import { assertPatchedIsolatedVm } from './runtime/ivm-version.ts';

const config = exitOnConfigError(() => loadInvokerConfig());
const name = `invoker${config.invokerId}`;
const log = createLogger(name, config.logLevel);
const tracing = startTracing('isowhisk-invoker', name, process.env, log);
try {
  assertPatchedIsolatedVm();
} catch (err) {
  log.fatal({ err }, 'refusing to start');
  console.error((err as Error).message);
  process.exit(1);
}

const metrics = createRegistry();
processRestarts(metrics, config.processRestarts);
spanBufferMetrics(metrics, tracing.spanBuffer);
const keys = redisKeysFor(config.redisMode);
const topics = topicNames(config.topicPrefix);
// Auto-pipelining: commands issued in the same tick (an activation's claim and action read) share one round trip.
const redis = connectRedis(redisTarget(config), { enableAutoPipelining: true });
redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId, logger: log });
const ownTopic = { topic: topics.invoker(config.invokerId), partitions: PARTITIONS, retentionMs: RETENTION_MS.invoker };
await ensureTopics(kafka, [...topics.systemTopics(0), ownTopic]);

const MiB = 1024 * 1024;
const pool = new IsolatePool({
  userMemoryMB: config.userMemoryMB,
  idleTimeoutMs: config.idleEvictionMs,
  stemCells: { memoryMB: 256, count: config.stemCells },
  replenishWhenAsked: true, // the activation handler asks once a cold activation's record is stored
  sandbox: {
    maxLogLines: config.maxLogLines,
    maxTimers: config.maxTimers,
    maxArchiveBytes: config.archiveMaxMB * MiB,
    overshoot: config.isolateOvershootPercent / 100,
    // Actions' fetch: public addresses, the operator's allow-list and the API host (docs/fetch.md).
    fetch: createFetchService({ policy: { allowedHosts: config.fetchAllowedHosts, apiHost: config.apiHost } }),
    onCatastrophicError: (message) => {
      // V8 lost control of an isolate: this process can no longer be trusted with work.
      log.fatal({ message }, 'isolate catastrophic error; exiting');
      process.exit(70);
    },
  },
});
await pool.ready();

// The activations' buffers share half the heap unless configured; the heap guard below is the backstop.
const hostMemory = new HostMemoryBudget(config.hostMemoryMB > 0 ? config.hostMemoryMB * MiB : getHeapStatistics().heap_size_limit / 2);

const producer = await createProducer(kafka);
const group = topics.invokerGroup(config.invokerId);
const handler = new ActivationHandler({
  invokerId: config.invokerId,
  consumerGroup: group,
  apiHost: config.apiHost,
  redis,
  keys,
  store: activationStore(redis, keys),
  loader: new ActionLoader(redis, keys, config.actionCacheBytes),
  pool,
  hostMemory,
  maxArchiveBytes: config.archiveMaxMB * MiB,
  logger: log,
  recordTtlSeconds: config.activationTtlSeconds,
  metrics: invokerMetrics(metrics),
  ...(config.userEvents ? { events: kafkaEventSink(producer, topics.events, name, log) } : {}),
});
let status: PingStatus = 'up';
const pinger = new HealthPinger(producer, topics.health, config.pingIntervalMs, log, () => {
  const stats = pool.stats();
  return {
    invokerId: config.invokerId,
    instance: name,
    userMemoryMB: config.userMemoryMB,
    freeMemoryMB: Math.max(0, Math.floor(config.userMemoryMB - stats.usedMB)),
    warmActions: [...new Set(pool.warmKeys().map((k) => k.action.slice(1)))],
    status,
  };
});
await adoptFormerGroupOffsets(kafka, { former: name, group, topic: ownTopic.topic }, log);
const consumer = new BoundedConsumer({
  kafka,
  groupId: group,
  topic: ownTopic.topic,
  capacity: config.runQueueSize,
  // A new invoker takes its topic's whole backlog; requests past their deadline are recorded as expired.
  fromBeginning: true,
  logger: log,
  handle: handler.handle,
  onHealth: (healthy, reason) => {
    if (status === 'draining') return;
    status = healthy ? 'up' : 'unhealthy';
    log[healthy ? 'info' : 'error']({ reason, status }, healthy ? 'consuming again: pinging up' : 'not consuming: pinging unhealthy');
    void pinger.ping(); // tell the controllers now, not at the next interval
  },
});
await consumer.start();

// Near its own heap limit the invoker stops taking work instead of dying; what is in hand still finishes.
const heapGuard = new HeapGuard({
  high: config.heapHighPercent / 100,
  low: config.heapLowPercent / 100,
  onPause: ({ used, limit }) => {
    log.warn({ usedBytes: used, limitBytes: limit, reservedBytes: hostMemory.reservedBytes }, 'heap above the high-water mark: taking no activations');
    consumer.hold('heap');
  },
  onResume: ({ used, limit }) => {
    log.info({ usedBytes: used, limitBytes: limit }, 'heap below the low-water mark: taking activations again');
    consumer.unhold('heap');
  },
});
heapGuard.start();
memoryMetrics(metrics, {
  hostReservedBytes: () => hostMemory.reservedBytes,
  hostBudgetBytes: () => hostMemory.limitBytes,
  hostWaiting: () => hostMemory.waiting,
  isolateAccountedBytes: () => pool.stats().usedMB * MiB,
  heapPaused: () => heapGuard.paused,
});
deliveryMetrics(metrics, { inHand: () => consumer.inHand, unsettled: () => consumer.unsettled, consuming: () => consumer.healthy });
log.info({ hostMemoryBytes: hostMemory.limitBytes, heapLimitBytes: heapGuard.reading.limit }, 'memory budget');

pinger.start();
// Bound before "invoker ready", so whoever waits for that line can scrape at once.
const metricsServer = config.metricsPort === 0 ? undefined : await startMetricsServer(metrics, config.metricsPort, config.metricsHost);
log.info({ topic: ownTopic.topic }, 'invoker ready');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  status = 'draining';
  void pinger.ping(); // and every interval until the exit
  consumer.stopFetching();
  handler.drain();
  log.info({ signal, inHand: consumer.inHand }, 'draining');
  heapGuard.stop();
  const finished = await waitForWorkInHand(consumer, () => handler.latestRunEnd());
  if (!finished) log.warn({ inHand: consumer.inHand }, 'drain bound passed with activations in hand; their controllers record them');
  await consumer.stop(0).catch((err: unknown) => log.warn({ err }, 'leaving the consumer group failed'));
  pinger.stop();
  log.info({ finished }, 'drained');
  metricsServer?.close();
  await Promise.allSettled([producer.close(), pool.close()]);
  redis.disconnect();
  await tracing.shutdown();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
