// The controller process: reads its configuration, connects to Redis and Kafka, installs the `whisk.system` catalog
// packages (catalog/catalog.ts), creates the topics it needs, follows the invokers' health pings, consumes the topics
// of Kafka feeds, fires the alarms' ticks, and serves the REST API and, on a port of its own (another origin), the web
// actions. It keeps its liveness key fresh, sweeps overdue pending activations (its own and dead controllers'),
// re-dispatches unclaimed work of invokers that stopped taking it, goes on with the sequences and compositions it
// left when it stopped, and adopts those of dead controllers (runs/run-resumer.ts).
// SIGINT/SIGTERM stop it cleanly: the server stops accepting, waiting callers get their 202, runs halt after their
// current step, the liveness key is deleted last (other controllers take over its pending activations and runs at
// once), Kafka and Redis connections close. With ISOWHISK_CONTROLLER_ID=auto it first claims its id in Redis
// (shared/controller-id.ts), and gives it back last.
import { EX_CONFIG, exitOnConfigError, loadControllerConfig, withControllerId } from '../shared/config.ts';
import { claimControllerId } from '../shared/controller-id.ts';
import { connectRedis, redisTarget, whenReady } from '../shared/redis-connection.ts';
import { tooOldRedis } from '../shared/redis-version.ts';
import { CompletionReader } from '../shared/completions.ts';
import { createKafka, createProducer, ensureTopics, platformBrokers } from '../shared/kafka/client.ts';
import { createLogger } from '../shared/logger.ts';
import { redisKeysFor } from '../shared/redis-keys.ts';
import { parseSecretsKey, secretBox } from '../shared/secret-box.ts';
import { topics as topicNames } from '../shared/topics.ts';
import { createRegistry, processRestarts, spanBufferMetrics } from '../shared/metrics.ts';
import { startTracing } from '../shared/tracing.ts';
import { COMPLETION_MARGIN_MS, KafkaActivator } from './activator/kafka-activator.ts';
import { activatorMetrics, redispatchMetric } from './activator/metrics.ts';
import { ControllerLiveness } from './cluster/liveness.ts';
import { activationClaims } from './durability/claims.ts';
import { PendingTable } from './durability/pending-table.ts';
import { Redispatcher } from './durability/redispatcher.ts';
import { Sweeper } from './durability/sweeper.ts';
import { createApps } from './app.ts';
import { jaegerTraceReader } from './traces/trace-reader.ts';
import { InvokerRegistry } from './balancer/invoker-registry.ts';
import { ShardingBalancer } from './balancer/sharding-balancer.ts';
import { activationStore } from '../shared/activation-store.ts';
import { DEFAULT_LIMITS, type SystemLimits } from './entities/models/limits.ts';
import { brokerGuard } from './feeds/broker-guard.ts';
import { feedRegistry } from './feeds/feed-registry.ts';
import { KafkaFeedService } from './feeds/feed-service.ts';
import { HealthWatcher } from './health/health-watcher.ts';
import { InvokerProber } from './health/invoker-prober.ts';
import { invokerHealthMetrics } from './health/metrics.ts';
import { ensureHealthAction } from './health/test-action.ts';
import { createServices } from './services.ts';
import { installCatalog } from './catalog/catalog.ts';
import { alarmStore } from './alarms/alarm-store.ts';
import { AlarmScheduler } from './alarms/alarm-scheduler.ts';
import { AlarmService } from './alarms/alarm-service.ts';
import { RunResumer } from './runs/run-resumer.ts';
import { runStore } from './runs/run-store.ts';

const loaded = exitOnConfigError(() => loadControllerConfig());
const keys = redisKeysFor(loaded.redisMode);
let log = createLogger(loaded.controllerId === 'auto' ? 'controller' : `controller${loaded.controllerId}`, loaded.logLevel);

// No offline queue, one retry and a command timeout: while Redis is down, requests get a 503 within about two
// seconds instead of waiting in a queue (ioredis's defaults can hold a command for over a minute). Commands issued
// in the same tick (concurrent requests) go out in one write (auto-pipelining): fewer syscalls on both sides.
const target = redisTarget(loaded);
const redis = connectRedis(target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2_000, enableAutoPipelining: true });
redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
await whenReady(redis);
const oldRedis = await tooOldRedis(redis);
if (oldRedis) {
  log.fatal(oldRedis);
  console.error(oldRedis);
  process.exit(EX_CONFIG);
}
/** EX_TEMPFAIL (sysexits.h): another process took this controller's id; a restart claims another one. */
const EX_TEMPFAIL = 75;
const idClaim =
  loaded.controllerId === 'auto' ?
    await claimControllerId(redis, keys, {
      ttlMs: loaded.controllerIdLeaseMs,
      logger: log,
      // no clean shutdown: it would delete the liveness key and pending state the other holder of this id now uses
      onLost: (id) => {
        console.error(`controller id ${id} is held by another process; stopping`);
        process.exit(EX_TEMPFAIL);
      },
    })
  : undefined;
const config = withControllerId(loaded, idClaim?.id ?? (loaded.controllerId === 'auto' ? 0 : loaded.controllerId));
if (idClaim) {
  log = createLogger(`controller${config.controllerId}`, config.logLevel);
  log.info({ controllerId: config.controllerId }, 'claimed controller id');
}
const tracing = startTracing('isowhisk-controller', `controller${config.controllerId}`, process.env, log);
const metrics = createRegistry();
processRestarts(metrics, config.processRestarts);
spanBufferMetrics(metrics, tracing.spanBuffer);
const topics = topicNames(config.topicPrefix);
// `/whisk.system/utils` and the other catalog packages, before the API serves anything that could name them.
const installed = Object.entries(await installCatalog(redis, keys, DEFAULT_LIMITS)).filter(([, what]) => what !== 'kept');
if (installed.length > 0) log.info({ entities: Object.fromEntries(installed) }, 'catalog installed');
const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: config.kafkaClientId, logger: log });

await ensureTopics(kafka, topics.systemTopics(0));
const registry = new InvokerRegistry(config.invokerOfflineAfterMs);
const health = new HealthWatcher(kafka, topics.health, topics.healthGroup(config.controllerId), registry, log.child({ module: 'health' }));
await health.start();

const producer = await createProducer(kafka);
const store = activationStore(redis, keys);
const balancer = new ShardingBalancer(registry, { controllerCount: config.controllerCount });
const pending = new PendingTable(redis, keys, log.child({ module: 'pending' }));
const claims = activationClaims(redis, keys);
const activator = new KafkaActivator({
  producer,
  balancer,
  topics,
  store,
  logger: log.child({ module: 'activator' }),
  controllerId: config.controllerId,
  startGraceMs: config.completionGraceMs,
  completionMarginMs: COMPLETION_MARGIN_MS,
  pending,
  claims,
  metrics: activatorMetrics(metrics),
  onOutcome: (id, o) => registry.outcome(id, o),
});
const prober = new InvokerProber({
  registry,
  producer,
  topics,
  controllerId: config.controllerId,
  intervalMs: config.invokerTestActionIntervalMs,
  startGraceMs: config.completionGraceMs,
  healthAction: () => ensureHealthAction(redis, keys, config.controllerId, DEFAULT_LIMITS),
  logger: log.child({ module: 'health' }),
  metrics: invokerHealthMetrics(metrics, registry),
});
// XREAD BLOCK holds its connection, so the completion reader gets one of its own.
// The reader waits for Redis to come back (offline queue on), where request handling must not.
const completionConnection = connectRedis(target);
completionConnection.on('error', (err) => log.warn({ err }, 'redis connection error (completion reader)'));
const completions = new CompletionReader(completionConnection, keys, config.controllerId, log, (c) => {
  if (!prober.complete(c)) activator.complete(c);
});
await completions.start();

const liveness = new ControllerLiveness({ redis, keys, controllerId: config.controllerId, logger: log.child({ module: 'liveness' }) });
await liveness.start();
const sweeper = new Sweeper({
  redis,
  keys,
  table: pending,
  claims,
  store,
  controllerId: config.controllerId,
  deadOthers: () => liveness.deadOthers(),
  recordTtlSeconds: config.activationTtlSeconds,
  logger: log.child({ module: 'sweeper' }),
  onSwept: (swept) => activator.swept(swept),
});
sweeper.start();
const redispatcher = new Redispatcher({
  redis,
  keys,
  table: pending,
  claims,
  registry,
  balancer,
  producer,
  topics,
  controllerId: config.controllerId,
  logger: log.child({ module: 'redispatch' }),
  onRedispatched: redispatchMetric(metrics),
  startDelayMs: config.invokerOfflineAfterMs,
});
redispatcher.start();

const limits: SystemLimits = {
  ...DEFAULT_LIMITS,
  invocationsPerMinute: config.invocationsPerMinute,
  concurrentInvocations: config.concurrentInvocations,
  firesPerMinute: config.firesPerMinute,
  maxWaitForBlockingActivation: config.blockingWaitMaxMs,
  feedsPerNamespace: config.feedsPerNamespace,
};
const services = createServices({
  redis,
  keys,
  logger: log,
  limits,
  controllerCount: config.controllerCount,
  activator,
  activations: store,
  recordTtlSeconds: config.activationTtlSeconds,
  durableRuns: { controllerId: config.controllerId, startGraceMs: config.completionGraceMs },
});
const secretsKey = parseSecretsKey(config.secretsKey);
const feeds = new KafkaFeedService({
  kafka,
  topics,
  guard: await brokerGuard(await platformBrokers(kafka, config.kafkaBrokers)),
  secrets: secretsKey && secretBox(secretsKey),
  clientId: config.kafkaClientId,
  registry: feedRegistry(redis, keys),
  identities: services.identities,
  triggers: services.triggers,
  fire: services.fire,
  limits,
  logger: log.child({ module: 'feeds' }),
});
await feeds.start();
// Every controller schedules every alarm; a tick is claimed in Redis, so it fires once whichever controller wakes.
const alarms = alarmStore(redis, keys);
const scheduler = new AlarmScheduler({
  store: alarms,
  identities: services.identities,
  triggers: services.triggers,
  rules: services.rules,
  fire: services.fire,
  activations: store,
  deadControllers: () => liveness.deadOthers(),
  controllerId: config.controllerId,
  logger: log.child({ module: 'alarms' }),
});
scheduler.start();
const alarmService = new AlarmService({ store: alarms, triggers: services.triggers, limits, onChange: () => scheduler.poke() });
const apps = createApps({
  redis,
  keys,
  logger: log,
  limits,
  activator,
  services,
  feeds,
  alarms: alarmService,
  invokerHealth: async () => registry.summary(),
  metrics,
  traces: jaegerTraceReader({ url: config.traceQueryUrl, waitMs: config.traceWaitMs }),
  webUrl: config.webUrl,
});
const server = apps.api.listen(config.port, config.host, () => {
  log.info({ port: config.port, host: config.host }, 'controller listening');
});
const webServer = apps.web.listen(config.webPort, config.webHost, () => {
  log.info({ port: config.webPort, host: config.webHost, url: config.webUrl }, 'web actions listening');
});

// Alive (above) first, then this controller's own runs back: another controller adopts runs only of a dead one.
const resumer = new RunResumer({
  redis,
  keys,
  runs: runStore(redis, keys),
  liveness,
  controllerId: config.controllerId,
  resume: services.resumeRun,
  logger: log.child({ module: 'runs' }),
  // A resumed run's next step needs an invoker to place it on: wait for the first ping (bounded: with no invoker at
  // all the step fails as it would for a new request).
  whenReady: async () => {
    const until = Date.now() + config.invokerOfflineAfterMs;
    while (!Object.values(registry.summary()).includes('up') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  },
});
// in the background: the API serves meanwhile, and a slow start (no invoker yet) delays no shutdown
resumer.start().catch((err: unknown) => log.error({ err }, 'resuming this controller\'s runs failed'));

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  server.close();
  webServer.close();
  // sequences and compositions stop where they are, for a resume, rather than end with the errors of cut-short waits
  services.haltRuns();
  activator.close();
  prober.close();
  resumer.stop();
  await Promise.allSettled([sweeper.stop(), redispatcher.stop(), scheduler.stop()]);
  await Promise.allSettled([pending.settled(), health.stop(), feeds.stop(), producer.close(), completions.stop()]);
  await tracing.shutdown();
  // its runs end with this process: leaving lets another controller adopt them without waiting for the key's expiry
  await liveness.stop(true);
  await idClaim?.release().catch(() => {}); // expires on its own if Redis does not answer
  redis.disconnect();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
