// Configuration of the controller and invoker processes, read from ISOWHISK_* environment variables once at start.
// Each variable is declared once below (name, default, meaning, what is accepted); the loaders check every variable
// and report all bad values together in one ConfigError, and CONFIG_VARIABLES lists them all for the README.
// An unset or empty (blank) variable takes its default.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import { LOG_LEVELS } from './logger.ts';
import { parseSecretsKey } from './secret-box.ts';
import { isLegalTopicName } from './topics.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable: how to read it, its default and its documentation. */
export interface Setting<T> {
  readonly name: string;
  readonly default: T;
  /** The default as the README shows it. */
  readonly defaultText: string;
  /** What the variable controls. */
  readonly doc: string;
  /** What is accepted, phrased to follow "must be": "an integer from 1 to 65535". */
  readonly expected: string;
  /** The value of a non-blank raw string, or undefined when the string is not acceptable. */
  parse(raw: string): T | undefined;
}

interface Described {
  doc: string;
  /** Shown in the table instead of the default value itself, for defaults decided at load time. */
  defaultText?: string;
}

const setting = <T>(name: string, fallback: T, shown: string, opts: Described, expected: string, parse: (raw: string) => T | undefined): Setting<T> => ({
  name,
  default: fallback,
  defaultText: opts.defaultText ?? shown,
  doc: opts.doc,
  expected,
  parse,
});

/** An integer (decimal digits, optional sign) within [min, max]. */
export function int(name: string, fallback: number, opts: Described & { min?: number; max?: number }): Setting<number> {
  const { min, max } = opts;
  const expected =
    min !== undefined && max !== undefined ? `an integer from ${min} to ${max}`
    : min !== undefined ? `an integer of at least ${min}`
    : max !== undefined ? `an integer of at most ${max}`
    : 'an integer';
  return setting(name, fallback, String(fallback), opts, expected, (raw) => {
    if (!/^[+-]?\d+$/.test(raw)) return undefined;
    const n = Number(raw);
    const ok = Number.isSafeInteger(n) && (min === undefined || n >= min) && (max === undefined || n <= max);
    return ok ? n : undefined;
  });
}

/** An integer as `int` reads it, or the word `auto` (any case): a value decided at start-up. */
export function intOrAuto(name: string, fallback: number, opts: Described & { min: number; max: number }): Setting<number | 'auto'> {
  const number = int(name, fallback, opts);
  return setting<number | 'auto'>(name, fallback, String(fallback), opts, `${number.expected}, or auto`, (raw) =>
    raw.toLowerCase() === 'auto' ? 'auto' : number.parse(raw),
  );
}

/** Free text; `check` narrows what is accepted and `expected` says what that is. */
export function str(name: string, fallback: string, opts: Described & { check?: (value: string) => boolean; expected?: string }): Setting<string> {
  const { check } = opts;
  return setting(name, fallback, fallback === '' ? '(empty)' : fallback, opts, opts.expected ?? 'a string', (raw) =>
    check === undefined || check(raw) ? raw : undefined,
  );
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** true/false, 1/0, yes/no or on/off, in any case. */
export function bool(name: string, fallback: boolean, opts: Described): Setting<boolean> {
  return setting(name, fallback, String(fallback), opts, 'a boolean (true/false, 1/0, yes/no, on/off)', (raw) => {
    const v = raw.toLowerCase();
    return TRUE.has(v) ? true : FALSE.has(v) ? false : undefined;
  });
}

/** Comma-separated items (blanks around commas ignored), each accepted by `item`; at least `minItems` (1). */
export function list(
  name: string,
  fallback: readonly string[],
  opts: Described & { item: (value: string) => boolean; itemExpected: string; minItems?: number },
): Setting<readonly string[]> {
  const minItems = opts.minItems ?? 1;
  return setting(name, fallback, fallback.join(','), opts, `a comma-separated list of ${opts.itemExpected}`, (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return items.length >= minItems && items.every(opts.item) ? items : undefined;
  });
}

/** An absolute URL with one of `protocols` (e.g. ['redis', 'rediss']); the value is the text as given. */
export function url(name: string, fallback: string, opts: Described & { protocols: readonly string[] }): Setting<string> {
  const expected = `a URL starting with ${opts.protocols.map((p) => `${p}://`).join(' or ')}`;
  return setting(name, fallback, fallback, opts, expected, (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const parsed = new URL(raw);
    return opts.protocols.includes(parsed.protocol.slice(0, -1)) && parsed.host !== '' ? raw : undefined;
  });
}

/** One of a fixed set of words, matched in any case and returned as listed. (`enum` is a reserved word.) */
export function oneOf<const V extends readonly string[]>(name: string, values: V, fallback: V[number], opts: Described): Setting<V[number]> {
  return setting(name, fallback, fallback, opts, `one of ${values.join(', ')}`, (raw) => values.find((v) => v.toLowerCase() === raw.toLowerCase()));
}

/** How the processes reach Redis (shared/redis-connection.ts). */
export const REDIS_MODES = ['standalone', 'sentinel', 'cluster'] as const;
export type RedisMode = (typeof REDIS_MODES)[number];

// ---- validators shared by several variables

const INT32_MAX = 2 ** 31 - 1; // ids travel as Avro ints

const isPort = (text: string): boolean => /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;

/** A DNS name or an IP address (IPv6 without brackets). */
const isHost = (text: string): boolean => /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(text) || isIP(text) !== 0;

/** `host:port`, `1.2.3.4:port` or `[v6 address]:port`. */
export const isHostPort = (text: string): boolean => {
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon);
  const bracketed = /^\[(.+)\]$/.exec(host);
  return colon > 0 && isPort(text.slice(colon + 1)) && (bracketed ? isIP(bracketed[1] ?? '') === 6 : isHost(host) && !host.includes(':'));
};

// ---- the variables

/** Read by every process. */
export const COMMON_SETTINGS = {
  kafkaBrokers: list('ISOWHISK_KAFKA_BROKERS', ['127.0.0.1:9092'], {
    doc: 'Kafka bootstrap brokers',
    item: isHostPort,
    itemExpected: 'host:port',
  }),
  kafkaClientId: str('ISOWHISK_KAFKA_CLIENT_ID', '', {
    doc: 'Kafka client id, shown in broker logs and used for quotas',
    defaultText: 'isowhisk-controller<ID> / isowhisk-invoker<ID>',
    check: (v) => /^[a-zA-Z0-9._-]+$/.test(v),
    expected: "letters, digits, '.', '_' and '-'",
  }),
  topicPrefix: str('ISOWHISK_TOPIC_PREFIX', '', {
    doc: 'prefix of every Kafka topic name and consumer group id of the platform, so deployments can share a cluster (an invoker group named before the prefix applied to groups hands its committed offsets to the new name once)',
    check: (v) => isLegalTopicName(`${v}health`),
    expected: "letters, digits, '.', '_' and '-' (at most 243)",
  }),
  redisUrl: url('ISOWHISK_REDIS_URL', 'redis://127.0.0.1:6380', {
    doc: 'Redis holding entities, activation records and completion streams (ISOWHISK_REDIS_MODE `standalone`)',
    protocols: ['redis', 'rediss'],
  }),
  redisMode: oneOf('ISOWHISK_REDIS_MODE', REDIS_MODES, 'standalone', {
    doc: 'how Redis is reached (shared/redis-connection.ts): `standalone` at ISOWHISK_REDIS_URL, `sentinel` through ISOWHISK_REDIS_SENTINELS, `cluster` through ISOWHISK_REDIS_CLUSTER_NODES',
  }),
  redisSentinels: list('ISOWHISK_REDIS_SENTINELS', [], {
    doc: 'Redis Sentinels asked for the current master (mode `sentinel`)',
    defaultText: '(none)',
    item: isHostPort,
    itemExpected: 'host:port',
  }),
  redisSentinelName: str('ISOWHISK_REDIS_SENTINEL_NAME', 'mymaster', {
    doc: 'name of the master the Sentinels monitor (mode `sentinel`)',
    check: (v) => /^[A-Za-z0-9._-]+$/.test(v),
    expected: "letters, digits, '.', '_' and '-'",
  }),
  redisClusterNodes: list('ISOWHISK_REDIS_CLUSTER_NODES', [], {
    doc: 'some nodes of the Redis Cluster, from which the client learns the others (mode `cluster`)',
    defaultText: '(none)',
    item: isHostPort,
    itemExpected: 'host:port',
  }),
  redisPassword: str('ISOWHISK_REDIS_PASSWORD', '', {
    doc: 'password of the Redis servers (`requirepass`) in every mode; a password in ISOWHISK_REDIS_URL works too',
    defaultText: '(none)',
    check: (v) => /^\S+$/.test(v),
    expected: 'a string without blanks',
  }),
  apiHost: url('ISOWHISK_API_HOST', 'http://127.0.0.1:3233', {
    doc: 'public URL of the API, given to actions as __OW_API_HOST',
    protocols: ['http', 'https'],
  }),
  userEvents: bool('ISOWHISK_USER_EVENTS', false, {
    doc: 'publish ActivationEvents on the events topic (OpenWhisk whisk.user-events.enabled)',
  }),
  activationTtlSeconds: int('ISOWHISK_ACTIVATION_TTL_SECONDS', 7 * 24 * 3600, {
    doc: 'how long activation records are kept',
    min: 60,
    max: 366 * 24 * 3600,
  }),
  logLevel: oneOf('ISOWHISK_LOG_LEVEL', LOG_LEVELS, 'info', { doc: 'least severe level logged' }),
  traceBufferSpans: int('ISOWHISK_TRACE_BUFFER_SPANS', 5_000, {
    doc: 'spans a process keeps in memory while the trace backend (OTEL_EXPORTER_OTLP_ENDPOINT) does not take them, sent again once it answers (a first `npm start` builds Jaeger meanwhile); spans beyond are dropped and counted in `isowhisk_trace_spans_dropped_total`',
    min: 0,
    max: 1_000_000,
  }),
  processRestarts: int('ISOWHISK_PROCESS_RESTARTS', 0, {
    doc: 'set by the local launcher\'s supervisor: how often it restarted this process after a crash (`isowhisk_process_restarts_total`)',
    min: 0,
    max: 1_000_000_000,
  }),
};

/** Read by the controller only. */
export const CONTROLLER_SETTINGS = {
  port: int('ISOWHISK_CONTROLLER_PORT', 3233, { doc: 'TCP port of the REST API', min: 1, max: 65535 }),
  host: str('ISOWHISK_CONTROLLER_HOST', '127.0.0.1', {
    doc: 'address the REST API listens on (0.0.0.0 for all)',
    check: isHost,
    expected: 'a host name or IP address',
  }),
  webPort: int('ISOWHISK_WEB_PORT', 0, {
    doc: 'TCP port web actions are served on: an origin of their own, apart from the REST API\'s',
    defaultText: 'ISOWHISK_CONTROLLER_PORT + 1 (- 1 for 65535)',
    min: 1,
    max: 65535,
  }),
  webHost: str('ISOWHISK_WEB_HOST', '127.0.0.1', {
    doc: 'address the web actions\' port listens on (0.0.0.0 for all)',
    check: isHost,
    expected: 'a host name or IP address',
  }),
  webUrl: url('ISOWHISK_WEB_URL', '', {
    doc: 'public base URL of web actions, as wsk action get --url prints them; another origin than ISOWHISK_API_HOST',
    defaultText: 'http://127.0.0.1:ISOWHISK_WEB_PORT',
    protocols: ['http', 'https'],
  }),
  controllerId: intOrAuto('ISOWHISK_CONTROLLER_ID', 0, {
    doc: 'this controller\'s id: names its completion stream; unique per controller. `auto` claims the lowest id no live controller holds, with a lease in Redis kept while the process lives (shared/controller-id.ts): for controllers of a Deployment',
    min: 0,
    max: INT32_MAX,
  }),
  controllerIdLeaseMs: int('ISOWHISK_CONTROLLER_ID_LEASE_MS', 15_000, {
    doc: 'with ISOWHISK_CONTROLLER_ID=auto: how long the id stays claimed after the controller last renewed it (it renews every third of this); a dead controller\'s id is free again after it',
    min: 1_000,
    max: 600_000,
  }),
  blockingWaitMaxMs: int('ISOWHISK_BLOCKING_WAIT_MAX_MS', 60_000, {
    doc: 'longest a blocking invoke waits before answering 202 with the activation id',
    min: 1,
    max: 600_000,
  }),
  invokerOfflineAfterMs: int('ISOWHISK_INVOKER_OFFLINE_AFTER_MS', 10_000, {
    doc: 'an invoker with no ping for this long is offline',
    min: 100,
    max: 600_000,
  }),
  invokerTestActionIntervalMs: int('ISOWHISK_INVOKER_TEST_ACTION_INTERVAL_MS', 60_000, {
    doc: 'while an invoker pings but too many of its recent activations failed (unhealthy or unresponsive), this controller sends it a health test action at once and then this often; one that succeeds makes it up again',
    min: 100,
    max: 3_600_000,
  }),
  completionGraceMs: int('ISOWHISK_COMPLETION_GRACE_MS', 60_000, {
    doc: 'how long an accepted activation may wait for an invoker to start it (later it is recorded as expired); with no completion by this plus the action\'s timeout twice (a cold start\'s init, then the run) and a 5 s margin, it is recorded as a whisk internal error',
    min: 0,
    max: 3_600_000,
  }),
  invocationsPerMinute: int('ISOWHISK_INVOCATIONS_PER_MINUTE', 60, {
    doc: 'action invokes a namespace may start per wall-clock minute, counted across all controllers (a namespace\'s own limits override it); beyond → 429',
    min: 1,
    max: 1_000_000_000,
  }),
  concurrentInvocations: int('ISOWHISK_CONCURRENT_INVOCATIONS', 30, {
    doc: 'activations a namespace may have in flight (split evenly between controllers; a namespace\'s own limits override it); beyond → 429',
    min: 1,
    max: 1_000_000_000,
  }),
  firesPerMinute: int('ISOWHISK_FIRES_PER_MINUTE', 60, {
    doc: 'trigger fires a namespace may make per wall-clock minute, counted across all controllers (a namespace\'s own limits override it); beyond → 429',
    min: 1,
    max: 1_000_000_000,
  }),
  traceQueryUrl: url('ISOWHISK_TRACE_QUERY_URL', 'http://127.0.0.1:16686', {
    doc: 'query API of the trace backend (Jaeger\'s query/UI port), from which GET .../activations/{id}/trace reads a tenant\'s spans',
    protocols: ['http', 'https'],
  }),
  traceWaitMs: int('ISOWHISK_TRACE_WAIT_MS', 5_000, {
    doc: 'longest GET .../activations/{id}/trace waits for an activation\'s last spans to reach the trace backend',
    min: 0,
    max: 60_000,
  }),
  feedsPerNamespace: int('ISOWHISK_FEEDS_PER_NAMESPACE', 10, {
    doc: 'Kafka feeds a namespace may have at once, and alarms apart from them (a namespace\'s own limits override it); beyond, a feed CREATE is refused',
    min: 0,
    max: 1_000_000,
  }),
  secretsKey: str('ISOWHISK_SECRETS_KEY', '', {
    doc: 'key sealing the secrets kept in Redis (Kafka feed credentials, AES-256-GCM); unset, feeds with credentials are refused (local stacks generate one in their run folder)',
    check: (v) => parseSecretsKey(v) !== undefined,
    expected: 'base64 of 32 bytes (openssl rand -base64 32)',
  }),
  controllerCount: int('ISOWHISK_CONTROLLER_COUNT', 1, {
    doc: 'how many controllers share the invokers; each uses this share of every invoker\'s memory',
    min: 1,
    max: 1024,
  }),
};

/** Read by the invoker only. */
export const INVOKER_SETTINGS = {
  invokerId: int('ISOWHISK_INVOKER_ID', 0, { doc: 'this invoker\'s id: it consumes topic invoker<ID>; unique per invoker', min: 0, max: INT32_MAX }),
  userMemoryMB: int('ISOWHISK_INVOKER_USER_MEMORY_MB', 2048, {
    doc: 'memory for actions\' isolates (sum of their memory limits)',
    min: 128,
    max: 1_048_576,
  }),
  pingIntervalMs: int('ISOWHISK_INVOKER_PING_INTERVAL_MS', 1000, {
    doc: 'time between health pings; keep well under the controllers\' offline threshold',
    min: 10,
    max: 60_000,
  }),
  idleEvictionMs: int('ISOWHISK_INVOKER_IDLE_EVICTION_MS', 600_000, {
    doc: 'an isolate unused for this long is disposed',
    min: 1000,
    max: 86_400_000,
  }),
  actionCacheBytes: int('ISOWHISK_INVOKER_ACTION_CACHE_BYTES', 64 * 1024 * 1024, {
    doc: 'most bytes of action documents (code included) the invoker keeps in memory, least recently used out first; 0 caches none',
    min: 0,
    max: 2 ** 40,
  }),
  stemCells: int('ISOWHISK_INVOKER_STEM_CELLS', 2, { doc: 'empty isolates kept ready for cold starts', min: 0, max: 64 }),
  runQueueSize: int('ISOWHISK_INVOKER_RUN_QUEUE_SIZE', 256, {
    doc: 'most activation requests held at once; the topic is paused while it is full',
    min: 1,
    max: 100_000,
  }),
  maxLogLines: int('ISOWHISK_INVOKER_LOG_MAX_LINES', 100_000, {
    doc: 'log lines one activation may keep, whatever its log limit; past it the logs end with a truncation line',
    min: 1,
    max: 10_000_000,
  }),
  maxTimers: int('ISOWHISK_INVOKER_MAX_TIMERS', 10_000, {
    doc: 'pending timers (setTimeout, setInterval, setImmediate) one activation may hold; one more throws in the action',
    min: 1,
    max: 1_000_000,
  }),
  archiveMaxMB: int('ISOWHISK_INVOKER_ARCHIVE_MAX_MB', 64, {
    doc: 'inflated size of the source files an action archive (zip, tar.gz) may hold, and never more than the action\'s memory; a bigger one fails init',
    min: 1,
    max: 4096,
  }),
  isolateOvershootPercent: int('ISOWHISK_INVOKER_ISOLATE_OVERSHOOT_PERCENT', 10, {
    doc: 'how far past its memory limit an isolate may grow before it is disposed (its run ends out of memory); a running isolate counts this much above its limit against the user memory',
    min: 0,
    max: 100,
  }),
  hostMemoryMB: int('ISOWHISK_INVOKER_HOST_MEMORY_MB', 0, {
    doc: 'host heap the running activations may reserve for their logs, results, parameters and archives at their worst case; one that does not fit waits; 0 is half the process\'s heap limit',
    defaultText: '0 (half the heap limit)',
    min: 0,
    max: 1_048_576,
  }),
  heapHighPercent: int('ISOWHISK_INVOKER_HEAP_HIGH_PERCENT', 85, {
    doc: 'used heap, as a percentage of the process\'s heap limit, at which the invoker stops taking activations from its topic',
    min: 10,
    max: 99,
  }),
  heapLowPercent: int('ISOWHISK_INVOKER_HEAP_LOW_PERCENT', 70, {
    doc: 'used heap percentage below which a paused invoker takes activations again (keep it under the high-water mark)',
    min: 5,
    max: 98,
  }),
  metricsPort: int('ISOWHISK_INVOKER_METRICS_PORT', 9300, {
    doc: 'TCP port of the invoker\'s GET /metrics (Prometheus) and GET /ping; 0 serves neither',
    min: 0,
    max: 65535,
  }),
  metricsHost: str('ISOWHISK_INVOKER_METRICS_HOST', '127.0.0.1', {
    doc: 'address the invoker\'s metrics port listens on (0.0.0.0 for all)',
    check: isHost,
    expected: 'a host name or IP address',
  }),
  fetchAllowedHosts: list('ISOWHISK_FETCH_ALLOWED_HOSTS', [], {
    doc: 'hosts actions\' fetch may reach even at a private, loopback or other non-public address (docs/fetch.md): `host` allows every port, `host:port` one; the API host is always allowed',
    defaultText: '(none)',
    item: (v) => isHost(v) || isHostPort(v) || (/^\[[^\]]+\]$/.test(v) && isIP(v.slice(1, -1)) === 6),
    itemExpected: 'host or host:port ([v6] or [v6]:port for IPv6)',
  }),
};

/** Read by the local launcher (`npm start`, `npm test`, `npm run provision`: deploy/local/), not by the platform. */
export const LAUNCHER_SETTINGS = {
  jaegerCacheDir: str('ISOWHISK_JAEGER_CACHE_DIR', '', {
    doc: 'folder the local launcher keeps the Jaeger binary in (`<folder>/<version>/jaeger`) and builds it into when it is missing; another folder than the default simulates a first start',
    defaultText: '.cache/jaeger',
    check: (v) => isAbsolute(v),
    expected: 'an absolute path',
  }),
};

type Settings = Readonly<Record<string, Setting<unknown>>>;
type ValuesOf<S extends Settings> = { readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export type CommonConfig = ValuesOf<typeof COMMON_SETTINGS>;
/** The controller's settings as read: its id may be `auto`, decided at start-up (shared/controller-id.ts). */
export type LoadedControllerConfig = CommonConfig & ValuesOf<typeof CONTROLLER_SETTINGS>;
/** The controller's configuration once it knows its id. */
export type ControllerConfig = Omit<LoadedControllerConfig, 'controllerId'> & { readonly controllerId: number };
export type InvokerConfig = CommonConfig & ValuesOf<typeof INVOKER_SETTINGS>;
export type LauncherConfig = ValuesOf<typeof LAUNCHER_SETTINGS>;

// ---- loading

/** One or more bad values; `problems` holds one line per variable, and the message shows them all. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] ?? '') : `${problems.length} configuration problems:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads `settings` from `env`, adding a line to `problems` for each bad value (its default stands in meanwhile). */
function read<S extends Settings>(settings: S, env: Env, problems: string[]): ValuesOf<S> {
  const values: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings)) {
    const raw = env[setting.name]?.trim();
    if (raw === undefined || raw === '') {
      values[key] = setting.default;
      continue;
    }
    const value = setting.parse(raw);
    if (value === undefined) problems.push(`${setting.name} must be ${setting.expected}, got ${JSON.stringify(env[setting.name])}`);
    values[key] = value ?? setting.default;
  }
  return values as ValuesOf<S>;
}

/** One setting's value in `env`, its default when unset or not acceptable (the process's loader reports bad values). */
export function settingValue<T>(setting: Setting<T>, env: Env = process.env): T {
  const raw = env[setting.name]?.trim();
  return (raw ? setting.parse(raw) : undefined) ?? setting.default;
}

function load<S extends Settings>(env: Env, own: S, clientIdOf: (values: ValuesOf<S>) => string): CommonConfig & ValuesOf<S> {
  const problems: string[] = [];
  const common = read(COMMON_SETTINGS, env, problems);
  const values = read(own, env, problems);
  problems.push(...redisModeProblems(common));
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...common, kafkaClientId: common.kafkaClientId || clientIdOf(values), ...values }) as CommonConfig & ValuesOf<S>;
}

/** What the chosen Redis mode needs and is missing. */
function redisModeProblems(c: CommonConfig): string[] {
  const { redisSentinels, redisClusterNodes } = COMMON_SETTINGS;
  if (c.redisMode === 'sentinel' && c.redisSentinels.length === 0) return [`${redisSentinels.name} must be set when ISOWHISK_REDIS_MODE is sentinel`];
  if (c.redisMode === 'cluster' && c.redisClusterNodes.length === 0) return [`${redisClusterNodes.name} must be set when ISOWHISK_REDIS_MODE is cluster`];
  return [];
}

/** The part every process reads; tools that are neither controller nor invoker use client id `isowhisk`. */
export function loadCommonConfig(env: Env = process.env): CommonConfig {
  return load(env, {}, () => 'isowhisk');
}

/**
 * The controller's settings as read; `controllerId` may still be `auto` (then `kafkaClientId` is empty unless
 * set): `withControllerId` makes the ControllerConfig once the id is claimed.
 */
export function loadControllerConfig(env: Env = process.env): LoadedControllerConfig {
  const config = load(env, CONTROLLER_SETTINGS, (c) => (c.controllerId === 'auto' ? '' : controllerClientId(c.controllerId)));
  return Object.freeze({ ...config, ...webOrigin(config) });
}

const controllerClientId = (id: number): string => `isowhisk-controller${id}`;

/** The configuration with the id the controller runs under (its own, or the one it claimed for `auto`). */
export function withControllerId(config: LoadedControllerConfig, controllerId: number): ControllerConfig {
  return Object.freeze({ ...config, controllerId, kafkaClientId: config.kafkaClientId || controllerClientId(controllerId) });
}

/**
 * The web actions' port and public URL, defaults derived from the REST API's. A web action's page must never share
 * the API's origin (it could then use the visitor's cached API credentials), so the two must differ.
 */
function webOrigin(config: LoadedControllerConfig): Pick<LoadedControllerConfig, 'webPort' | 'webUrl'> {
  const webPort = config.webPort || (config.port < 65535 ? config.port + 1 : config.port - 1);
  const webUrl = (config.webUrl || `http://127.0.0.1:${webPort}`).replace(/\/+$/, '');
  if (webPort === config.port) throw new ConfigError([`ISOWHISK_WEB_PORT must differ from ISOWHISK_CONTROLLER_PORT, got ${webPort} for both`]);
  if (new URL(webUrl).origin === new URL(config.apiHost).origin) {
    throw new ConfigError([`ISOWHISK_WEB_URL must be another origin than ISOWHISK_API_HOST (another host, port or scheme), got ${JSON.stringify(webUrl)}`]);
  }
  return { webPort, webUrl };
}

export function loadInvokerConfig(env: Env = process.env): InvokerConfig {
  return load(env, INVOKER_SETTINGS, (c) => `isowhisk-invoker${c.invokerId}`);
}

/** The launcher's own variables only: the platform's are checked by the processes it starts. */
export function loadLauncherConfig(env: Env = process.env): LauncherConfig {
  const problems: string[] = [];
  const values = read(LAUNCHER_SETTINGS, env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values);
}

/** sysexits.h EX_CONFIG: the process cannot run with the configuration it was given. */
export const EX_CONFIG = 78;

export interface ExitIo {
  writeError(text: string): void;
  exit(code: number): never;
}

const processIo: ExitIo = {
  writeError: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/**
 * Runs `loadConfig`; on a ConfigError prints its message alone (a stack trace says nothing about a bad variable)
 * and exits with EX_CONFIG, so supervisors can tell "fix the configuration" from a crash. Other errors propagate.
 * Usage: `const config = exitOnConfigError(() => loadControllerConfig());`
 */
export function exitOnConfigError<T>(loadConfig: () => T, io: ExitIo = processIo): T {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.writeError(`${err.message}\n`);
    return io.exit(EX_CONFIG);
  }
}

// ---- documentation

export interface ConfigVariable {
  name: string;
  default: string;
  meaning: string;
  /** What is accepted ("an integer from 1 to 65535"). */
  accepts: string;
  usedBy: 'all' | 'controller' | 'invoker' | 'launcher';
}

const documented = (settings: Settings, usedBy: ConfigVariable['usedBy']): ConfigVariable[] =>
  Object.values(settings).map((s) => ({ name: s.name, default: s.defaultText, meaning: s.doc, accepts: s.expected, usedBy }));

/** Every variable the processes read, in the order of the README table. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = Object.freeze([
  ...documented(COMMON_SETTINGS, 'all'),
  ...documented(CONTROLLER_SETTINGS, 'controller'),
  ...documented(INVOKER_SETTINGS, 'invoker'),
  ...documented(LAUNCHER_SETTINGS, 'launcher'),
]);

/** CONFIG_VARIABLES as a Markdown table, for the README (and a check that the README is current). */
export function configVariablesMarkdown(variables: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = variables.map((v) => `| \`${v.name}\` | ${v.usedBy} | \`${cell(v.default)}\` | ${cell(v.meaning)}; ${cell(v.accepts)} |`);
  return ['| variable | read by | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
