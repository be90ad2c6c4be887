// A cluster of its own for the multi-process fault suite: one Redis and one Kafka, two controllers and three
// invokers, each a separate process (ISOWHISK_CONTROLLER_ID 0/1 of ISOWHISK_CONTROLLER_COUNT 2, invoker ids 0..2),
// each on ports of its own, so any one of them can be killed (SIGKILL), stopped (SIGTERM: an invoker drains) and
// started again while the others keep serving. Kafka and Redis can be restarted too (deploy/local/kafka.ts,
// redis.ts). The processes get the fault suites' short deadlines (FAULT_ENV in test/support/faults.ts).
//
// Nothing here restarts a process by itself: the tests do it where a supervisor (deploy/local/supervision.ts) would,
// so each test decides when the platform is whole again.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import openwhisk from 'openwhisk';
import { createNamespace } from '../../shared/identities.ts';
import { isAlive, logFile, logTail, runningPid, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { startKafka, stopKafka } from '../../deploy/local/kafka.ts';
import { PROJECT_ROOT, type StackLayout } from '../../deploy/local/layout.ts';
import { startRedis, stopRedis } from '../../deploy/local/redis.ts';
import { platformEnv } from '../../deploy/local/stack.ts';
import { createKafka, ensureTopics } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import { redisKeys, type RedisKeys } from '../../shared/redis-keys.ts';
import { systemTopics } from '../../shared/topics.ts';
import { FAULT_ENV, type TestNamespace, withShortRedis } from './faults.ts';
import { ownStackLayout } from './stack.ts';

/** .run/<test stack>-cluster, ports +300 past the test stack's (the fault suite's single-node stack uses +100). */
export const CLUSTER_LAYOUT = ownStackLayout('cluster', 300);

export const CONTROLLER_IDS = [0, 1] as const;
export const INVOKER_IDS = [0, 1, 2] as const;
export type ControllerId = (typeof CONTROLLER_IDS)[number];
export type InvokerId = (typeof INVOKER_IDS)[number];
export type ClusterProcess = `controller${ControllerId}` | `invoker${InvokerId}`;
export const CLUSTER_PROCESSES: readonly ClusterProcess[] = [...CONTROLLER_IDS.map((i) => `controller${i}` as const), ...INVOKER_IDS.map((i) => `invoker${i}` as const)];

const READY_TIMEOUT_MS = 90_000;

/**
 * The cluster's configuration on top of FAULT_ENV: blocking callers wait at most 15 s (then 202), and each invoker
 * has 512 MB of user memory, 256 MB per controller, so a burst overflows an action's home invoker and spreads over
 * all three (controller/balancer/sharding-balancer.ts); no stem cells hold part of that memory.
 */
export const CLUSTER_ENV: Readonly<Record<string, string>> = {
  ...FAULT_ENV,
  ISOWHISK_CONTROLLER_COUNT: String(CONTROLLER_IDS.length),
  ISOWHISK_BLOCKING_WAIT_MAX_MS: '15000',
  ISOWHISK_INVOKER_USER_MEMORY_MB: '512',
  ISOWHISK_INVOKER_STEM_CELLS: '0',
};

/** A namespace with one client per controller (same key; `via[i]` talks to controller i). */
export interface ClusterNamespace {
  name: string;
  apiKey: string;
  via: Record<ControllerId, TestNamespace>;
}

export class ClusterStack {
  readonly layout: StackLayout;
  readonly keys: RedisKeys = redisKeys();
  readonly #extraEnv: Readonly<Record<string, string>>;
  #redisUrl: string | undefined;
  #kafkaBrokers: string[] | undefined;

  /** `extraEnv` adds to CLUSTER_ENV for every process (e.g. ISOWHISK_FETCH_ALLOWED_HOSTS). */
  constructor(extraEnv: Readonly<Record<string, string>> = {}, layout: StackLayout = CLUSTER_LAYOUT) {
    this.layout = layout;
    this.#extraEnv = extraEnv;
  }

  get redisUrl(): string {
    if (this.#redisUrl === undefined) throw new Error('the cluster is not started');
    return this.#redisUrl;
  }

  get kafkaBrokers(): string[] {
    if (this.#kafkaBrokers === undefined) throw new Error('the cluster is not started');
    return this.#kafkaBrokers;
  }

  apiHost(id: ControllerId): string {
    return `http://127.0.0.1:${this.layout.controller.port + 2 * id}`;
  }

  metricsPort(id: InvokerId): number {
    return this.layout.invoker.metricsPort + id;
  }

  /** From scratch: whatever an earlier run left in this layout is stopped and its folder removed. */
  async start(): Promise<void> {
    await this.stop();
    rmSync(this.layout.runDir, { recursive: true, force: true });
    await this.startInfrastructure();
    // The topics first, from here: processes creating topics at once on a fresh broker can be told a topic is not
    // hosted yet, and an invoker exits on that (kafkajs UNKNOWN_TOPIC_OR_PARTITION from createTopics).
    await ensureTopics(createKafka({ brokers: this.kafkaBrokers, clientId: 'cluster-setup', logger: createLogger('cluster', 'error') }), systemTopics(INVOKER_IDS.length));
    await Promise.all([...CONTROLLER_IDS.map((id) => this.startController(id)), ...INVOKER_IDS.map((id) => this.startInvoker(id))]);
  }

  /** Stops every process of the cluster (safe when some or none run); returns the names of those that ran. */
  async stop(): Promise<string[]> {
    const stopped: string[] = [];
    const settled = await Promise.allSettled(CLUSTER_PROCESSES.map(async (name) => ((await stopDaemon(this.spec(name), 5_000)) ? name : undefined)));
    for (const s of settled) if (s.status === 'fulfilled' && s.value) stopped.push(s.value);
    if (await stopKafka(this.layout)) stopped.push('kafka');
    if (await stopRedis(this.layout)) stopped.push('redis');
    return stopped;
  }

  /** Redis and Kafka (idempotent: running ones are reused). */
  async startInfrastructure(): Promise<void> {
    const [url, brokers] = await Promise.all([startRedis(this.layout), startKafka(this.layout)]);
    this.#redisUrl = url;
    this.#kafkaBrokers = brokers;
  }

  /** Stops the broker (SIGTERM, its clean shutdown) and starts it again on the same data. */
  async restartKafka(): Promise<void> {
    await stopKafka(this.layout);
    this.#kafkaBrokers = await startKafka(this.layout);
  }

  /** Stops Redis (SIGTERM: the AOF is flushed) and starts it again; it replays its AOF. */
  async restartRedis(): Promise<void> {
    await stopRedis(this.layout);
    this.#redisUrl = await startRedis(this.layout);
  }

  spec(name: ClusterProcess): { name: ClusterProcess; runDir: string } {
    return { name, runDir: join(this.layout.runDir, name) };
  }

  pid(name: ClusterProcess): number | undefined {
    return runningPid(this.spec(name));
  }

  /** What every process is started with; controller- and invoker-specific variables are added per process. */
  env(): NodeJS.ProcessEnv {
    return { ...platformEnv(this.layout, this.kafkaBrokers, this.redisUrl), ...CLUSTER_ENV, ...this.#extraEnv };
  }

  /** Starts controller `id` on its own API and web ports, and waits until it answers /ping. */
  async startController(id: ControllerId): Promise<void> {
    const port = this.layout.controller.port + 2 * id;
    const webPort = this.layout.controller.webPort + 2 * id;
    this.#startNode(`controller${id}`, 'controller/main.ts', {
      ...this.env(),
      ISOWHISK_CONTROLLER_ID: String(id),
      ISOWHISK_CONTROLLER_PORT: String(port),
      ISOWHISK_WEB_PORT: String(webPort),
      ISOWHISK_API_HOST: this.apiHost(id),
      ISOWHISK_WEB_URL: `http://127.0.0.1:${webPort}`,
    });
    await this.#waitForProcess(`controller${id}`, async () => (await httpOk(`${this.apiHost(id)}/ping`)) || undefined);
  }

  /**
   * Starts invoker `id` and waits until this new process says it is ready and every running controller lists it
   * as up (a controller may still list a killed invoker as up from its last pings: the log tells the new one).
   */
  async startInvoker(id: InvokerId): Promise<void> {
    const name: ClusterProcess = `invoker${id}`;
    const mark = this.#logSize(name);
    this.#startNode(name, 'invoker/main.ts', {
      ...this.env(),
      ISOWHISK_INVOKER_ID: String(id),
      ISOWHISK_INVOKER_METRICS_PORT: String(this.metricsPort(id)),
    });
    await this.#waitForProcess(name, async () => this.#logSince(name, mark).includes('"msg":"invoker ready"') || undefined);
    await this.waitForInvokerState(id, 'up', READY_TIMEOUT_MS);
  }

  #logSize(name: ClusterProcess): number {
    const file = logFile(this.spec(name));
    return existsSync(file) ? statSync(file).size : 0;
  }

  #logSince(name: ClusterProcess, mark: number): string {
    const file = logFile(this.spec(name));
    return existsSync(file) ? readFileSync(file).subarray(mark).toString('utf8') : '';
  }

  /** kill -9: no draining ping, no clean leave; resolves once the process is gone. */
  async kill(name: ClusterProcess): Promise<number> {
    const pid = this.pid(name);
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
    await waitFor(`${name} (pid ${pid}) to die`, async () => (isAlive(pid) ? undefined : true), 10_000, 20);
    runningPid(this.spec(name)); // removes the stale pid file
    return pid;
  }

  /** SIGTERM, waiting up to `graceMs` for the process to leave (an invoker drains: it finishes what it holds). */
  terminate(name: ClusterProcess, graceMs = 60_000): Promise<boolean> {
    return stopDaemon(this.spec(name), graceMs);
  }

  /** Brings back every process that is not running (what a supervisor would do), controllers first. */
  async ensureUp(): Promise<ClusterProcess[]> {
    await this.startInfrastructure();
    const restarted: ClusterProcess[] = [];
    await Promise.all(CONTROLLER_IDS.filter((id) => this.pid(`controller${id}`) === undefined).map(async (id) => {
      restarted.push(`controller${id}`);
      await this.startController(id);
    }));
    await Promise.all(INVOKER_IDS.filter((id) => this.pid(`invoker${id}`) === undefined).map(async (id) => {
      restarted.push(`invoker${id}`);
      await this.startInvoker(id);
    }));
    return restarted;
  }

  /**
   * Waits until every running controller lists every invoker as up: pings can lapse for longer than the short
   * offline threshold on a busy machine, and a test that needs all invokers waits for them rather than failing.
   */
  async waitForAllUp(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    await Promise.all(INVOKER_IDS.map((id) => this.waitForInvokerState(id, 'up', timeoutMs)));
  }

  runningControllers(): ControllerId[] {
    return CONTROLLER_IDS.filter((id) => this.pid(`controller${id}`) !== undefined);
  }

  /** `GET /invokers` of controller `id`. */
  async invokerStates(id: ControllerId): Promise<Record<string, string>> {
    const res = await fetch(`${this.apiHost(id)}/invokers`, { signal: AbortSignal.timeout(5_000) });
    return (await res.json()) as Record<string, string>;
  }

  /** Waits until every running controller lists invoker `id` with `state`. */
  async waitForInvokerState(id: InvokerId, state: string, timeoutMs: number): Promise<void> {
    const name: ClusterProcess = `invoker${id}`;
    await this.#waitForProcess(
      name,
      async () => {
        const states = await Promise.all(this.runningControllers().map((c) => this.invokerStates(c)));
        return states.every((s) => s[name] === state) || undefined;
      },
      timeoutMs,
      state !== 'up',
    );
  }

  /** Activations invoker `id` recorded so far, by its own `/metrics` (0 when it does not answer). */
  async invokerActivations(id: InvokerId): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.metricsPort(id)}/metrics`, { signal: AbortSignal.timeout(3_000) });
      const text = await res.text();
      let total = 0;
      for (const m of text.matchAll(/^isowhisk_invoker_activations_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm)) total += Number(m[1]);
      return total;
    } catch {
      return 0;
    }
  }

  logTail(name: ClusterProcess, lines = 20): string {
    return logTail(this.spec(name), lines);
  }

  /** A short-lived Redis connection (nothing is kept across a Redis restart). */
  withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    return withShortRedis(this.redisUrl, fn);
  }

  /** A fresh namespace, with a client through each controller. */
  async namespace(prefix = 'cluster'): Promise<ClusterNamespace> {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    const apiKey = await this.withRedis((redis) => createNamespace(redis, this.keys, name));
    const through = (id: ControllerId): TestNamespace => ({
      name,
      apiKey,
      uuid: apiKey.split(':')[0] ?? '',
      apiHost: this.apiHost(id),
      ow: openwhisk({ apihost: this.apiHost(id), api_key: apiKey }),
    });
    return { name, apiKey, via: { 0: through(0), 1: through(1) } };
  }

  #startNode(name: ClusterProcess, entry: string, env: NodeJS.ProcessEnv): number {
    return startDaemon({ ...this.spec(name), command: process.execPath, args: ['--no-node-snapshot', join(PROJECT_ROOT, entry)], env, cwd: PROJECT_ROOT });
  }

  /** Polls `ready`; fails with the process's log when it exits first (unless `mayBeGone`) or the time runs out. */
  async #waitForProcess(name: ClusterProcess, ready: () => Promise<true | undefined>, timeoutMs = READY_TIMEOUT_MS, mayBeGone = false): Promise<void> {
    let outcome: 'ready' | 'exited';
    try {
      outcome = await waitFor(name, async () => (!mayBeGone && this.pid(name) === undefined ? 'exited' : (await ready()) ? 'ready' : undefined), timeoutMs, 100);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- ${name} log ---\n${this.logTail(name)}`);
    }
    if (outcome === 'exited') throw new Error(`${name} exited while starting\n--- ${name} log ---\n${this.logTail(name)}`);
  }
}

async function httpOk(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}
