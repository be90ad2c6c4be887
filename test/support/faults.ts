// A platform of its own for fault-injection suites: Redis, Kafka, one controller and one invoker in .run/faults
// (every port moved by 100), each started here so the processes get short timeouts through their environment, and
// each of them can be stopped, killed and started again on its own while the tests watch what users see.
//
// The controller and invoker are started the way deploy/local/stack.ts starts them (same daemon names and run
// folders, so `stopStack(FAULTS_LAYOUT)` and `runningProcesses(FAULTS_LAYOUT)` see them). stack.ts does not export
// its `startNodeDaemon` / daemon specs, so they are rebuilt here from the exported `startDaemon`.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import openwhisk from 'openwhisk';
import { createNamespace } from '../../shared/identities.ts';
import { isAlive, logFile, logTail, runningPid, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { startKafka, stopKafka } from '../../deploy/local/kafka.ts';
import { PROJECT_ROOT, type StackLayout } from '../../deploy/local/layout.ts';
import { ownStackLayout } from './stack.ts';
import { startRedis, stopRedis } from '../../deploy/local/redis.ts';
import { UNTHROTTLED_ENV, apiHost, platformEnv, stopStack } from '../../deploy/local/stack.ts';
import { redisKeys, type RedisKeys } from '../../shared/redis-keys.ts';

export type Client = ReturnType<typeof openwhisk>;

/** The fault suites' stack: .run/faults, every port +100, so it never meets the shared test stack or `npm start`'s. */
export const FAULTS_LAYOUT = ownStackLayout('faults', 100);

/**
 * Short timeouts, so a fault shows its outcome within seconds: an activation not started 3 s after it was accepted
 * is past its start deadline (recorded as expired by an invoker, or as lost by the controller after
 * 3 s + init and run (each up to the action timeout) + the controller's 5 s margin), and an invoker whose pings stop for 3 s is offline.
 */
export const FAULT_ENV: Readonly<Record<string, string>> = {
  ...UNTHROTTLED_ENV,
  ISOWHISK_COMPLETION_GRACE_MS: '3000',
  ISOWHISK_INVOKER_OFFLINE_AFTER_MS: '3000',
  // No Jaeger runs on this stack (tracing has its own suite): no exporter retrying against a closed port.
  OTEL_SDK_DISABLED: 'true',
};

export { COMPLETION_MARGIN_MS as CONTROLLER_COMPLETION_MARGIN_MS, giveUpTime } from '../../controller/activator/kafka-activator.ts';

export type ProcessName = 'controller0' | 'controller1' | 'invoker0' | 'invoker1';

export interface TestNamespace {
  name: string;
  apiKey: string;
  uuid: string;
  apiHost: string;
  ow: Client;
}

import { annotation, type Activation } from './platform.ts';

export { annotation, type Activation };

const PROCESS_READY_TIMEOUT_MS = 60_000;

/** Runs `fn` on a Redis connection opened for it and closed after, so nothing is kept across a Redis restart. */
export async function withShortRedis<T>(url: string, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  await redis.connect();
  try {
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

export class FaultStack {
  readonly layout: StackLayout;
  readonly apiHost: string;
  readonly keys: RedisKeys = redisKeys();
  readonly #env: Readonly<Record<string, string>>;
  #redisUrl: string | undefined;
  #kafkaBrokers: string[] | undefined;

  constructor(layout: StackLayout = FAULTS_LAYOUT, env: Readonly<Record<string, string>> = FAULT_ENV) {
    this.layout = layout;
    this.apiHost = apiHost(layout);
    this.#env = env;
  }

  get redisUrl(): string {
    if (this.#redisUrl === undefined) throw new Error('the fault stack is not started');
    return this.#redisUrl;
  }

  get kafkaBrokers(): string[] {
    if (this.#kafkaBrokers === undefined) throw new Error('the fault stack is not started');
    return this.#kafkaBrokers;
  }

  /**
   * Starts everything from scratch: whatever an earlier run left behind in this layout is stopped and its run
   * folder removed (Kafka topics, Redis data, logs), so every run begins from the same state.
   */
  async start(): Promise<void> {
    await this.stop();
    rmSync(this.layout.runDir, { recursive: true, force: true });
    await this.startInfrastructure();
    await this.startController();
    await this.startInvoker();
  }

  /** Stops every process of this layout (safe to call when some or none run). */
  async stop(): Promise<string[]> {
    // stopStack knows the one controller and invoker a stack runs; the second ones are this class's.
    const second: ProcessName[] = [];
    for (const name of ['controller1', 'invoker1'] as const) if (await stopDaemon(this.spec(name))) second.push(name);
    return [...second, ...(await stopStack(this.layout))];
  }

  async startInfrastructure(): Promise<void> {
    const [url, brokers] = await Promise.all([startRedis(this.layout), startKafka(this.layout)]);
    this.#redisUrl = url;
    this.#kafkaBrokers = brokers;
  }

  startKafka(): Promise<string[]> {
    return startKafka(this.layout);
  }

  stopKafka(): Promise<boolean> {
    return stopKafka(this.layout);
  }

  startRedis(): Promise<string> {
    return startRedis(this.layout);
  }

  stopRedis(): Promise<boolean> {
    return stopRedis(this.layout);
  }

  /** The environment of the controller and invoker: the stack's own plus the short fault timeouts. */
  env(): NodeJS.ProcessEnv {
    return { ...platformEnv(this.layout, this.kafkaBrokers, this.redisUrl), ...this.#env };
  }

  spec(name: ProcessName): { name: ProcessName; runDir: string } {
    return { name, runDir: join(this.layout.runDir, name) };
  }

  pid(name: ProcessName): number | undefined {
    return runningPid(this.spec(name));
  }

  /** Starts the controller and waits until it answers /ping. */
  async startController(): Promise<void> {
    this.#startNode('controller0', 'controller/main.ts', this.env());
    await this.#waitForProcess('controller0', async () => (await httpOk(`${this.apiHost}/ping`)) || undefined);
  }

  /** The API of the second controller (controller1), two ports above controller0's, as is its web origin. */
  get secondApiHost(): string {
    return `http://127.0.0.1:${this.layout.controller.port + 2}`;
  }

  /**
   * Starts a second controller, `ISOWHISK_CONTROLLER_ID=1`, on the same Kafka and Redis, and waits until it answers
   * /ping and lists invoker0 as up (it can place work).
   */
  async startSecondController(): Promise<void> {
    const port = this.layout.controller.port + 2;
    const webPort = this.layout.controller.webPort + 2;
    this.#startNode('controller1', 'controller/main.ts', {
      ...this.env(),
      ISOWHISK_CONTROLLER_ID: '1',
      ISOWHISK_CONTROLLER_PORT: String(port),
      ISOWHISK_API_HOST: this.secondApiHost,
      ISOWHISK_WEB_PORT: String(webPort),
      ISOWHISK_WEB_URL: `http://127.0.0.1:${webPort}`,
    });
    await this.#waitForProcess('controller1', async () => {
      if (!(await httpOk(`${this.secondApiHost}/ping`))) return undefined;
      const res = await fetch(`${this.secondApiHost}/invokers`);
      return ((await res.json()) as Record<string, string>)['invoker0'] === 'up' || undefined;
    });
  }

  stopController(): Promise<boolean> {
    return stopDaemon(this.spec('controller0'));
  }

  /**
   * Starts an invoker (invoker0 unless `id` says 1: a second one, which only suites that want two start) and waits
   * until this new process says it is ready and the controller lists it as up; resolves with how long that took
   * (ms). A process that exits while starting fails with its log's tail. `env` adds to or overrides the invoker's
   * environment (e.g. a Redis URL with a user of its own).
   */
  async startInvoker(timeoutMs = PROCESS_READY_TIMEOUT_MS, id: 0 | 1 = 0, env: NodeJS.ProcessEnv = {}): Promise<number> {
    const started = Date.now();
    const name = `invoker${id}` as const;
    const mark = this.logMark(name);
    // The second invoker's metrics port is the first one's + 1 (nothing else of the layout uses it).
    const ports = id === 0 ? {} : { ISOWHISK_INVOKER_METRICS_PORT: String(this.layout.invoker.metricsPort + id) };
    this.#startNode(name, 'invoker/main.ts', { ...this.env(), ...ports, ISOWHISK_INVOKER_ID: String(id), ...env });
    await this.#waitForProcess(
      name,
      async () => {
        if (!/"msg":"invoker ready"/.test(this.logSince(name, mark))) return undefined;
        return (await this.invokerStates())[name] === 'up' || undefined;
      },
      timeoutMs,
    );
    return Date.now() - started;
  }

  /** A clean stop (SIGTERM): the invoker tells the controllers it drains, finishes its work and leaves. */
  stopInvoker(id: 0 | 1 = 0): Promise<boolean> {
    return stopDaemon(this.spec(`invoker${id}`));
  }

  /** kill -9: no draining ping, no clean group leave, work in hand is lost. Resolves once the process is gone. */
  async kill(name: ProcessName): Promise<number> {
    const pid = this.pid(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
    await waitFor(`${name} (pid ${pid}) to die`, async () => (isAlive(pid) ? undefined : true), 10_000, 20);
    runningPid(this.spec(name)); // removes the stale pid file
    return pid;
  }

  /** `GET /invokers`: `{"invoker0": "up" | "down" | "unhealthy" | "unresponsive"}`. */
  async invokerStates(): Promise<Record<string, string>> {
    const res = await fetch(`${this.apiHost}/invokers`);
    return (await res.json()) as Record<string, string>;
  }

  /** Waits until the controller lists an invoker (invoker0 by default) with `state`; resolves with how long that took (ms). */
  async waitForInvokerState(state: 'up' | 'down' | 'unhealthy' | 'unresponsive', timeoutMs: number, id: 0 | 1 = 0): Promise<number> {
    const started = Date.now();
    await waitFor(`the controller to list invoker${id} as ${state}`, async () => ((await this.invokerStates())[`invoker${id}`] === state ? true : undefined), timeoutMs, 50);
    return Date.now() - started;
  }

  /** The current end of a process's log, to read only what it writes after this point. */
  logMark(name: ProcessName): number {
    const file = logFile(this.spec(name));
    return existsSync(file) ? statSync(file).size : 0;
  }

  /** What a process logged since `mark`. */
  logSince(name: ProcessName, mark: number): string {
    const file = logFile(this.spec(name));
    if (!existsSync(file)) return '';
    const size = statSync(file).size;
    if (size <= mark) return '';
    const buffer = Buffer.alloc(size - mark);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, mark);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  }

  logTail(name: ProcessName, lines = 30): string {
    return logTail(this.spec(name), lines);
  }

  /** A short-lived Redis connection (robust across Redis restarts: nothing is kept between calls). */
  withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    return withShortRedis(this.redisUrl, fn);
  }

  /** A namespace of its own, with an `openwhisk` client for it. */
  async namespace(prefix = 'faults'): Promise<TestNamespace> {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const apiKey = await this.withRedis((redis) => createNamespace(redis, this.keys, name));
    return {
      name,
      apiKey,
      uuid: apiKey.split(':')[0] ?? '',
      apiHost: this.apiHost,
      ow: openwhisk({ apihost: this.apiHost, api_key: apiKey }),
    };
  }

  #startNode(name: ProcessName, entry: string, env: NodeJS.ProcessEnv): number {
    return startDaemon({
      ...this.spec(name),
      command: process.execPath,
      args: ['--no-node-snapshot', join(PROJECT_ROOT, entry)],
      env,
      cwd: PROJECT_ROOT,
    });
  }

  async #waitForProcess(name: ProcessName, ready: () => Promise<true | undefined>, timeoutMs = PROCESS_READY_TIMEOUT_MS): Promise<void> {
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitFor(name, async () => (this.pid(name) === undefined ? 'exited' : (await ready()) ? 'ready' : undefined), timeoutMs);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${name} log ---\n${this.logTail(name)}`);
    }
    if (outcome === 'exited') throw new Error(`${name} exited while starting\n--- ${name} log ---\n${this.logTail(name)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP against the API

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  /** `x-openwhisk-activation-id`: set only when the controller accepted the activation. */
  activationId: string | undefined;
  ms: number;
}

/** Raw HTTP to the API with a namespace's key; never throws for an HTTP status (only for a transport failure). */
export async function api(
  ns: TestNamespace,
  method: string,
  path: string,
  body?: string,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ApiAnswer> {
  const started = Date.now();
  const res = await fetch(`${ns.apiHost}/api/v1${path}`, {
    method,
    headers: { authorization: basicAuth(ns.apiKey), 'content-type': 'application/json', ...options.headers },
    signal: AbortSignal.timeout(options.timeoutMs ?? 90_000),
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed, activationId: res.headers.get('x-openwhisk-activation-id') ?? undefined, ms: Date.now() - started };
}

export const basicAuth = (apiKey: string): string => `Basic ${Buffer.from(apiKey).toString('base64')}`;

/** POST .../actions/<name>?<query> with `params` as the body. */
export function invoke(ns: TestNamespace, name: string, params: unknown = {}, query = 'blocking=true', timeoutMs?: number): Promise<ApiAnswer> {
  return api(ns, 'POST', `/namespaces/_/actions/${name}?${query}`, JSON.stringify(params), timeoutMs !== undefined ? { timeoutMs } : {});
}

/** Creates (or replaces) a nodejs action. */
export async function createAction(ns: TestNamespace, name: string, code: string, limits?: Record<string, number>): Promise<void> {
  const body = { exec: { kind: 'nodejs:default', code }, ...(limits ? { limits } : {}) };
  const res = await api(ns, 'PUT', `/namespaces/_/actions/${name}?overwrite=true`, JSON.stringify(body));
  if (res.status !== 200) throw new Error(`creating action ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Number of the namespace's activation records (`GET .../activations?count=true`). */
export async function countActivations(ns: TestNamespace): Promise<number> {
  const res = await api(ns, 'GET', '/namespaces/_/activations?count=true');
  if (res.status !== 200) throw new Error(`counting activations: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { activations: number }).activations;
}

export interface Retried<T> {
  value: T;
  /** From the first attempt to the successful one. */
  ms: number;
  attempts: number;
}

/**
 * Calls `attempt` until it returns a value (not undefined) or `timeoutMs` pass; a throw counts as a failed
 * attempt. The failure names the last outcome, for the report.
 */
export async function retryUntil<T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<Retried<T>> {
  const started = Date.now();
  let attempts = 0;
  let last = 'no attempt';
  for (;;) {
    attempts++;
    try {
      const value = await attempt();
      if (value !== undefined) return { value, ms: Date.now() - started, attempts };
      last = 'no value';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() - started >= timeoutMs) throw new Error(`${what}: no success within ${timeoutMs} ms after ${attempts} attempts (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
