// The whole local platform on this machine: Redis, Kafka, Jaeger, one controller and one invoker, each a detached
// daemon in its own run folder; the controller and the invoker each under a supervisor that restarts them after a
// crash (deploy/local/supervision.ts). Starting is idempotent (what already runs is reused); stopping goes in reverse.
// `npm start` does not wait for a Jaeger that must be built first: it builds in the background (jaeger-build.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureGuest } from '../../shared/identities.ts';
import { formatApiKey, newApiKey } from '../../shared/ids.ts';
import { newSecretsKey } from '../../shared/secret-box.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { type DaemonSpec, logTail, runningPid, waitFor } from './daemon.ts';
import { ensureHelm } from '../helm/helm-binary.ts';
import { ensureJaegerBinary, jaegerBuildState, jaegerEndpoints, jaegerPid, startJaeger, stopJaeger } from './jaeger.ts';
import { jaegerBuildLog, startJaegerBuild, stopJaegerBuild } from './jaeger-build.ts';
import { ensureKafkaJars, startKafka, stopKafka } from './kafka.ts';
import { PROJECT_ROOT, type StackLayout } from './layout.ts';
import { startRedis, stopRedis } from './redis.ts';
import { startSupervised, stopSupervised } from './supervision.ts';

export interface StackInfo {
  apiHost: string;
  /** Base URL of web actions: `<webUrl>/api/v1/web/<namespace>/<package>/<action>`. */
  webUrl: string;
  guestKey: string;
  kafkaBrokers: string[];
  redisUrl: string;
  /** Jaeger's UI and HTTP API (`/api/traces/<id>`). */
  jaegerUrl: string;
  /** `running`, or `building`: its binary is being built in the background and it comes up at jaegerUrl after. */
  jaeger: 'running' | 'building';
  /** The background build's log, while `jaeger` is `building`. */
  jaegerBuildLog?: string;
  runDir: string;
}

const PROCESS_READY_TIMEOUT_MS = 60_000;

/** The platform's own processes, each run under a supervisor. */
export const PLATFORM_PROCESSES = ['controller0', 'invoker0'] as const;
export type PlatformProcess = (typeof PLATFORM_PROCESSES)[number];

/** Where a platform process keeps its pid file and log. */
export const platformProcess = (layout: StackLayout, name: PlatformProcess): Pick<DaemonSpec, 'name' | 'runDir'> => ({
  name,
  runDir: join(layout.runDir, name),
});
const controllerDaemon = (layout: StackLayout) => platformProcess(layout, 'controller0');
const invokerDaemon = (layout: StackLayout) => platformProcess(layout, 'invoker0');

export const apiHost = (layout: StackLayout): string => `http://127.0.0.1:${layout.controller.port}`;
export const webUrl = (layout: StackLayout): string => `http://127.0.0.1:${layout.controller.webPort}`;

/**
 * The key sealing the secrets a local stack keeps in Redis: generated once into its run folder, so it survives
 * restarts of the stack and is never the same on two machines. A key in the environment wins.
 */
export function localSecretsKey(layout: StackLayout): string {
  const file = join(layout.runDir, 'secrets.key');
  if (!existsSync(file)) {
    mkdirSync(layout.runDir, { recursive: true });
    writeFileSync(file, `${newSecretsKey()}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/** The environment the platform's processes read their configuration from (see shared/config.ts). */
export function platformEnv(layout: StackLayout, brokers: string[], redisUrl: string): NodeJS.ProcessEnv {
  return {
    ISOWHISK_SECRETS_KEY: localSecretsKey(layout),
    ...process.env,
    ISOWHISK_KAFKA_BROKERS: brokers.join(','),
    ISOWHISK_REDIS_URL: redisUrl,
    ISOWHISK_CONTROLLER_PORT: String(layout.controller.port),
    ISOWHISK_API_HOST: apiHost(layout),
    ISOWHISK_WEB_PORT: String(layout.controller.webPort),
    ISOWHISK_WEB_URL: webUrl(layout),
    ISOWHISK_INVOKER_METRICS_PORT: String(layout.invoker.metricsPort),
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${layout.jaeger.otlpHttpPort}`,
    ISOWHISK_TRACE_QUERY_URL: `http://127.0.0.1:${layout.jaeger.uiPort}`,
  };
}

/**
 * Throttle limits high enough never to refuse a test's or a benchmark's load (OpenWhisk's defaults, 60 invokes a
 * minute per namespace, are what `npm start` runs with). The throttles themselves are tested with per-namespace
 * limits.
 */
export const UNTHROTTLED_ENV: Readonly<Record<string, string>> = {
  ISOWHISK_INVOCATIONS_PER_MINUTE: '1000000000',
  ISOWHISK_CONCURRENT_INVOCATIONS: '1000000',
  ISOWHISK_FIRES_PER_MINUTE: '1000000000',
};

/**
 * Fetches and builds what the stack runs, once per machine: the Kafka jars (Maven), the Jaeger binary and the
 * chart tests' Helm (Go module proxy; the first builds take minutes). Starting the stack does this too; it is separate so that CI and
 * test runs can do the long part before any test's time limit runs.
 */
export async function provision(): Promise<void> {
  await ensureKafkaJars();
  await ensureJaegerBinary();
  await ensureHelm(); // for the Helm chart's tests (test/unit/deploy/helm.test.ts)
}

export interface StartOptions {
  /**
   * `wait` (the default: tests, CI) builds Jaeger first if its binary is missing and returns once it answers;
   * `background` (`npm start`) leaves a missing binary to a background build that starts Jaeger when done.
   */
  jaeger?: 'wait' | 'background';
}

/** Starts Redis, Kafka and Jaeger (or Jaeger's background build): the services the platform's processes need. */
export async function startInfrastructure(
  layout: StackLayout,
  options: StartOptions = {},
): Promise<{ redisUrl: string; kafkaBrokers: string[]; jaegerUrl: string; jaeger: StackInfo['jaeger'] }> {
  const background = options.jaeger === 'background' && jaegerPid(layout) === undefined && jaegerBuildState().state !== 'built';
  if (background) startJaegerBuild(layout);
  const [redisUrl, kafkaBrokers] = await Promise.all([startRedis(layout), startKafka(layout), background ? undefined : startJaeger(layout)]);
  return { redisUrl, kafkaBrokers, jaegerUrl: jaegerEndpoints(layout).uiUrl, jaeger: background ? 'building' : 'running' };
}

/**
 * Starts everything that is not running yet and waits until the controller sees a healthy invoker.
 * `extraEnv` adds configuration (shared/config.ts) for the controller and invoker this call starts.
 */
export async function startStack(layout: StackLayout, extraEnv: NodeJS.ProcessEnv = {}, options: StartOptions = {}): Promise<StackInfo> {
  const { redisUrl, kafkaBrokers, jaegerUrl, jaeger } = await startInfrastructure(layout, options);
  const guestKey = await withRedis(redisUrl, (redis) => ensureGuest(redis, redisKeys(), guestKeyOf(layout)));
  const env = { ...platformEnv(layout, kafkaBrokers, redisUrl), ...extraEnv };
  const host = apiHost(layout);

  await startNodeDaemon(controllerDaemon(layout), 'controller/main.ts', env);
  await waitForProcess(controllerDaemon(layout), 'controller', async () => (await httpOk(`${host}/ping`)) || undefined);
  await startNodeDaemon(invokerDaemon(layout), 'invoker/main.ts', { ...env, ISOWHISK_INVOKER_ID: '0' });
  await waitForProcess(invokerDaemon(layout), 'invoker0', async () => {
    const res = await fetch(`${host}/invokers`);
    const invokers = (await res.json()) as Record<string, string>;
    return invokers['invoker0'] === 'up' || undefined;
  });
  const building = jaeger === 'building' && jaegerPid(layout) === undefined;
  return {
    apiHost: host,
    webUrl: webUrl(layout),
    guestKey,
    kafkaBrokers,
    redisUrl,
    jaegerUrl,
    jaeger: building ? 'building' : 'running',
    ...(building ? { jaegerBuildLog: jaegerBuildLog(layout) } : {}),
    runDir: layout.runDir,
  };
}

/** Stops everything this layout started; returns the names of what was running. */
export async function stopStack(layout: StackLayout): Promise<string[]> {
  const stopped: string[] = [];
  const note = (name: string) => (was: boolean) => void (was && stopped.push(name));
  await stopSupervised(invokerDaemon(layout)).then(note('invoker0'));
  await stopSupervised(controllerDaemon(layout)).then(note('controller0'));
  await stopKafka(layout).then(note('kafka'));
  await stopRedis(layout).then(note('redis'));
  // The builder first, so it cannot start a Jaeger after Jaeger was stopped.
  await stopJaegerBuild(layout).then(note('jaeger-build'));
  await stopJaeger(layout).then(note('jaeger'));
  return stopped;
}

/** Pids of the platform's processes that run now, by name. */
export function runningProcesses(layout: StackLayout): Record<string, number | undefined> {
  return {
    redis: runningPid({ name: 'redis', runDir: join(layout.runDir, 'redis') }),
    kafka: runningPid({ name: 'kafka', runDir: join(layout.runDir, 'kafka') }),
    controller0: runningPid(controllerDaemon(layout)),
    invoker0: runningPid(invokerDaemon(layout)),
    jaeger: jaegerPid(layout),
  };
}

/**
 * The guest namespace's key: made at random on the first start and kept in the run folder (readable by its owner
 * only), since Redis holds only its hash and `npm start` prints it every time.
 */
function guestKeyOf(layout: StackLayout): string {
  const file = join(layout.runDir, 'guest.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = formatApiKey(newApiKey());
  mkdirSync(layout.runDir, { recursive: true });
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function startNodeDaemon(spec: { name: string; runDir: string }, entry: string, env: NodeJS.ProcessEnv): Promise<void> {
  await startSupervised({ ...spec, command: process.execPath, args: ['--no-node-snapshot', join(PROJECT_ROOT, entry)], env, cwd: PROJECT_ROOT });
}

async function waitForProcess(
  spec: { name: string; runDir: string },
  what: string,
  ready: () => Promise<true | undefined>,
): Promise<void> {
  let outcome: 'ready' | 'exited';
  try {
    outcome = await waitFor(what, async () => {
      if (!runningPid(spec)) return 'exited';
      return (await ready()) ? 'ready' : undefined;
    }, PROCESS_READY_TIMEOUT_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- ${what} log ---\n${logTail(spec)}`);
  }
  if (outcome === 'exited') throw new Error(`${what} exited while starting\n--- ${what} log ---\n${logTail(spec)}`);
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function withRedis<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}
