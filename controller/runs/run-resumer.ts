// Resumes sequences and compositions whose controller stopped (docs/durability.md, "Sequences and compositions").
// At start-up a controller goes on with the top-level runs still listed under its own id (it was restarted); then,
// every interval, it looks for dead controllers (ControllerLiveness.deadOthers) that still own runs, and adopts them:
// under the lease `keys.lease('runs:controller<dead>')`, and only while the dead controller is still not alive, each
// run moves (SMOVE, one winner) from the dead controller's set to its own, and is resumed here. A controller taking
// its own runs back at start-up holds the same lease, after it has marked itself alive, so a run is never adopted
// by another controller while its owner resumes it.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Logger } from 'pino';
import { withLease } from '../../shared/lease.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { ControllerLiveness } from '../cluster/liveness.ts';
import type { ActivationStarted } from '../activator/activator.ts';
import type { RunStore } from './run-store.ts';

export interface RunResumerOptions {
  redis: RedisClient;
  keys: RedisKeys;
  runs: RunStore;
  liveness: ControllerLiveness;
  controllerId: number;
  /** Goes on with a stored top-level run (services' `resumeRun`). */
  resume: (activationId: string) => Promise<ActivationStarted | undefined>;
  logger: Logger;
  /** How often dead controllers are looked for (default 2 s). */
  intervalMs?: number;
  /** Resolves when this controller can place work (an invoker is known to be up); awaited before any run resumes. */
  whenReady?: () => Promise<void>;
}

/** Long enough to move a dead controller's runs; the lease is given back as soon as they are moved. */
const LEASE_MS = 10_000;

export class RunResumer {
  readonly #o: Required<RunResumerOptions>;
  readonly #holder: string;
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;
  #stopped = false;
  /** Runs resumed here and not finished yet. */
  readonly #running = new Set<string>();

  constructor(options: RunResumerOptions) {
    this.#o = { intervalMs: 2_000, whenReady: async () => {}, ...options };
    this.#holder = `controller${options.controllerId}`;
  }

  /**
   * Resumes this controller's own runs (call after liveness has started), then watches for dead controllers.
   * Resolves once the own runs are resumed (not finished).
   */
  async start(): Promise<void> {
    const { controllerId, logger } = this.#o;
    await this.#o.whenReady();
    for (let wait = 100; !this.#stopped; wait = Math.min(2_000, wait * 2)) {
      const ids = await this.#underLease(controllerId, async () => this.#o.runs.owned(controllerId)).catch((err: unknown) => {
        logger.warn({ err }, 'reading this controller\'s own runs failed; retrying');
        return undefined;
      });
      if (ids) {
        if (ids.length > 0) logger.info({ runs: ids.length }, 'resuming this controller\'s sequences and compositions');
        for (const id of ids) this.#resume(id);
        break;
      }
      await new Promise((r) => setTimeout(r, wait)); // another controller is adopting them right now
    }
    this.#timer = setInterval(() => void this.#scan(), this.#o.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }

  /** Ids of the runs resumed here that have not ended yet. */
  running(): string[] {
    return [...this.#running];
  }

  async #scan(): Promise<void> {
    if (this.#scanning || this.#stopped) return;
    this.#scanning = true;
    const { redis, keys, runs, liveness, controllerId, logger } = this.#o;
    try {
      for (const dead of await liveness.deadOthers()) {
        if ((await redis.scard(keys.controllerRuns(dead))) === 0) continue;
        const adopted = await this.#underLease(dead, async () => {
          if ((await redis.exists(keys.controllerAlive(dead))) === 1) return []; // it came back: it resumes its own
          const moved: string[] = [];
          for (const id of await runs.owned(dead)) if (await runs.adopt(dead, controllerId, id)) moved.push(id);
          return moved;
        });
        if (adopted && adopted.length > 0) {
          logger.warn({ controller: dead, runs: adopted.length }, 'adopting the sequences and compositions of a dead controller');
          for (const id of adopted) this.#resume(id);
        }
      }
    } catch (err) {
      logger.warn({ err }, 'looking for the runs of dead controllers failed; retrying next interval');
    } finally {
      this.#scanning = false;
    }
  }

  #underLease<T>(owner: number, work: () => Promise<T>): Promise<T | undefined> {
    return withLease(this.#o.redis, this.#o.keys.lease(`runs:controller${owner}`), this.#holder, LEASE_MS, work);
  }

  /** Resumes one run in the background; a run that ended already (its state gone) is only dropped from the set. */
  #resume(activationId: string): void {
    const { logger, controllerId } = this.#o;
    this.#running.add(activationId);
    void (async () => {
      try {
        const started = await this.#o.resume(activationId);
        if (!started) {
          await this.#o.redis.srem(this.#o.keys.controllerRuns(controllerId), activationId);
          return;
        }
        const record = await started.result;
        logger.info({ activationId, statusCode: record?.response.statusCode }, 'resumed run ended');
      } catch (err) {
        logger.error({ err, activationId }, 'resuming a run failed');
      } finally {
        this.#running.delete(activationId);
      }
    })();
  }
}
