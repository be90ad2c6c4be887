// Which controllers are alive, as Redis knows it: each controller refreshes a key with a short expiry every
// `intervalMs` and is listed in a set of every controller ever seen. A controller whose key expired is dead (or cut
// off from Redis); the others then take over what it left: its activations' deadlines and its compositions
// (docs/durability.md). A restarted controller, under the same id, is alive again and resumes its own.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Logger } from 'pino';
import type { RedisKeys } from '../../shared/redis-keys.ts';

export interface LivenessOptions {
  redis: RedisClient;
  keys: RedisKeys;
  controllerId: number;
  logger: Logger;
  /** How often the key is refreshed (default 1 s). */
  intervalMs?: number;
  /** How long the key outlives its last refresh: the time after which a silent controller counts as dead (default 5 s). */
  ttlMs?: number;
}

export class ControllerLiveness {
  readonly #o: Required<LivenessOptions>;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(options: LivenessOptions) {
    this.#o = { intervalMs: 1_000, ttlMs: 5_000, ...options };
  }

  /** Marks this controller alive now and every interval after. */
  async start(): Promise<void> {
    await this.#beat();
    this.#timer = setInterval(() => void this.#beat(), this.#o.intervalMs);
  }

  /** Stops refreshing; with `leave`, deletes the key at once so the others take over without waiting for expiry. */
  async stop(leave = false): Promise<void> {
    clearInterval(this.#timer);
    if (leave) await this.#o.redis.del(this.#o.keys.controllerAlive(this.#o.controllerId)).catch(() => {});
  }

  /** Every other controller ever seen whose key has expired. */
  async deadOthers(): Promise<number[]> {
    const { redis, keys, controllerId } = this.#o;
    const ids = (await redis.smembers(keys.controllers())).map(Number).filter((id) => id !== controllerId);
    if (ids.length === 0) return [];
    const alive = await redis.mget(ids.map((id) => keys.controllerAlive(id)));
    return ids.filter((_, i) => alive[i] === null);
  }

  async #beat(): Promise<void> {
    const { redis, keys, controllerId, ttlMs, logger } = this.#o;
    try {
      await redis.multi().set(keys.controllerAlive(controllerId), String(Date.now()), 'PX', ttlMs).sadd(keys.controllers(), String(controllerId)).exec();
      if (this.#failing) logger.info('controller liveness refreshed again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) logger.warn({ err }, 'refreshing controller liveness failed; retrying every interval');
      this.#failing = true;
    }
  }
}
