// The sweeper: every interval, a controller settles the pending entries (pending-table.ts) whose give-up time has
// passed with no completion: its own (also those it accepted before a restart, under the same id), and, under the
// lease `sweep:<id>`, those of every controller that ControllerLiveness reports dead (orphans). Settling one entry:
//   1. claim the activation as `controller<me>`; a tombstone there means its caller got 503 and it never ran:
//      nothing to record;
//   2. store the forced whisk-internal-error record, write-once: when a record exists already, the invoker ran it
//      and only its completion was lost, and that record stands;
//   3. remove the entry, and tell the activator (waiting callers, metrics, the invoker's outcome).
// A step that fails (Redis away) leaves the entry in place: the next round tries again.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Logger } from 'pino';
import type { ActivationStore } from '../../shared/activation-store.ts';
import { withLease } from '../../shared/lease.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { forcedErrorRecord } from '../activator/forced-record.ts';
import type { SweptEntry } from '../activator/kafka-activator.ts';
import { controllerHolder, TOMBSTONE_PREFIX, type Claims } from './claims.ts';
import type { PendingTable } from './pending-table.ts';

export interface SweeperOptions {
  redis: RedisClient;
  keys: RedisKeys;
  table: PendingTable;
  claims: Claims;
  store: ActivationStore;
  controllerId: number;
  /** Other controllers whose liveness key has expired (ControllerLiveness.deadOthers). */
  deadOthers: () => Promise<number[]>;
  recordTtlSeconds: number;
  logger: Logger;
  onSwept: (swept: SweptEntry) => void;
  /** How often a round runs (default 1 s). */
  intervalMs?: number;
  /** Entries settled per controller per round, at most (default 200). */
  batch?: number;
}

/** A dead controller's sweep lease outlives a round by far; it is given back at the end of each round. */
const SWEEP_LEASE_MS = 30_000;

export class Sweeper {
  readonly #o: SweeperOptions & { intervalMs: number; batch: number };
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #failing = false;

  constructor(options: SweeperOptions) {
    this.#o = { intervalMs: 1_000, batch: 200, ...options };
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#round ??= this.sweep().finally(() => (this.#round = undefined));
    }, this.#o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One round: this controller's overdue entries, then each dead controller's under its lease. */
  async sweep(now = Date.now()): Promise<void> {
    const { redis, keys, controllerId, logger } = this.#o;
    try {
      await this.#sweepController(controllerId, now);
      for (const dead of await this.#o.deadOthers()) {
        await withLease(redis, keys.lease(`sweep:${dead}`), controllerHolder(controllerId), SWEEP_LEASE_MS, () => this.#sweepController(dead, now));
      }
      if (this.#failing) logger.info('sweeping pending activations works again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) logger.warn({ err }, 'sweeping pending activations failed; retrying every interval');
      this.#failing = true;
    }
  }

  async #sweepController(owner: number, now: number): Promise<void> {
    const { table, batch } = this.#o;
    const ids = await table.overdue(owner, now, batch);
    for (const id of ids) await this.#settle(owner, id);
  }

  async #settle(owner: number, activationId: string): Promise<void> {
    const { table, claims, store, controllerId, recordTtlSeconds, onSwept } = this.#o;
    const entry = await table.get(activationId);
    if (!entry) {
      // Completed (or expired) meanwhile: only its index member is left.
      await table.remove(activationId, owner, []);
      return;
    }
    const holder = await claims.take(activationId, controllerHolder(controllerId));
    if (holder?.startsWith(TOMBSTONE_PREFIX)) {
      // Its caller got 503 and no invoker will run it; the controller that answered failed to remove the entry.
      await table.remove(activationId, entry.controllerId, [entry.invokerId]);
      return;
    }
    const forced = forcedErrorRecord(entry.plan, Date.now(), entry.traceId);
    const stored = await store.putRecord(forced, recordTtlSeconds);
    const record = stored ? forced : await store.getRecord(activationId);
    await table.remove(activationId, entry.controllerId, [entry.invokerId]);
    if (record) onSwept({ entry, record, forced: stored, orphan: owner !== controllerId });
  }
}
