// The re-dispatcher: work published to an invoker that is down, draining or unhealthy, and that no invoker has
// claimed yet, runs elsewhere before its start deadline (docs/durability.md). Every interval, for each such
// invoker with pending requests still inside their start deadline, one controller (the holder of the lease
// `redispatch:<invokerId>`) publishes the stored request bytes again, unchanged (same activation id, same
// `controllerId`, so the completion still reaches the controller that waits for it), to an invoker the balancer
// chooses, and moves the id to that invoker's index. Exactly-once execution rests on the claim: whichever invoker
// reads its copy first claims the id, any other copy is skipped.
//
// Slot accounting is approximate: the balancer picks the new invoker and its reservation is given back at once,
// because the completion goes to the controller that accepted the activation (perhaps another one), which releases
// the memory it reserved on the first invoker. That first invoker gets no new work while it is not `up`, so the
// reservation left on it only delays its full use once it is back, until the completions arrive; the new invoker
// runs the request without it being counted against it here (it buffers beyond its memory as any invoker does).
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Logger } from 'pino';
import { NoInvokerError } from '../../shared/errors.ts';
import type { MessageProducer } from '../../shared/kafka/client.ts';
import { withLease } from '../../shared/lease.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { Topics } from '../../shared/topics.ts';
import { controllerHolder, type Claims } from './claims.ts';
import type { PendingTable } from './pending-table.ts';

/** The invoker states whose unclaimed work is moved ('unresponsive' is not one: it may still be running it). */
const REDISPATCH_FROM: ReadonlySet<string> = new Set(['down', 'draining', 'unhealthy']);

export interface RedispatcherOptions {
  redis: RedisClient;
  keys: RedisKeys;
  table: PendingTable;
  claims: Claims;
  /** InvokerRegistry: the invokers seen and each one's state. */
  registry: { all(): { id: number }[]; state(id: number): string };
  /** ShardingBalancer: chooses among `up` invokers (throws NoInvokerError when none). */
  balancer: { place(namespace: string, actionFqn: string, memoryMB: number): { invokerId: number }; release(invokerId: number, memoryMB: number): void };
  producer: MessageProducer;
  topics: Topics;
  controllerId: number;
  logger: Logger;
  /** Told of each request published again. */
  onRedispatched?: (from: number, to: number) => void;
  /** How often a round runs (default 1 s). */
  intervalMs?: number;
  /**
   * No round before this long after start (default 0): until then the registry has not heard every live invoker's
   * ping and would call it down. The invoker offline time fits.
   */
  startDelayMs?: number;
  /** Requests moved per invoker per round, at most (default 200). */
  batch?: number;
}

const REDISPATCH_LEASE_MS = 30_000;

export class Redispatcher {
  readonly #o: RedispatcherOptions & { intervalMs: number; startDelayMs: number; batch: number };
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #startedAt = 0;
  #failing = false;

  constructor(options: RedispatcherOptions) {
    this.#o = { intervalMs: 1_000, startDelayMs: 0, batch: 200, ...options };
  }

  start(): void {
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => {
      if (Date.now() - this.#startedAt < this.#o.startDelayMs) return;
      this.#round ??= this.redispatch().finally(() => (this.#round = undefined));
    }, this.#o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One round over every invoker that is not taking work. */
  async redispatch(): Promise<void> {
    const { registry, table, logger } = this.#o;
    try {
      const ids = new Set([...registry.all().map((i) => i.id), ...(await table.invokers())]);
      for (const invokerId of ids) {
        if (REDISPATCH_FROM.has(registry.state(invokerId))) await this.#drain(invokerId);
      }
      if (this.#failing) logger.info('re-dispatching works again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) logger.warn({ err }, 're-dispatching failed; retrying every interval');
      this.#failing = true;
    }
  }

  async #drain(from: number): Promise<void> {
    const { redis, keys, table, controllerId, batch } = this.#o;
    // Cheap look first, without the lease: most of the time a down invoker has nothing left.
    if ((await table.startable(from, Date.now(), 1)).length === 0) return;
    await withLease(redis, keys.lease(`redispatch:${from}`), controllerHolder(controllerId), REDISPATCH_LEASE_MS, async () => {
      for (const id of await table.startable(from, Date.now(), batch)) {
        if (!(await this.#move(from, id))) return;
      }
    });
  }

  /** Moves one request; false when no invoker can take it (the round ends). */
  async #move(from: number, activationId: string): Promise<boolean> {
    const { table, claims, balancer, producer, topics, logger } = this.#o;
    const entry = await table.get(activationId);
    if (!entry || entry.invokerId !== from || (await claims.held(activationId))) {
      // Completed, moved already, or claimed (running, ran, or tombstoned): nothing left to move from here.
      await table.dropFromInvoker(from, activationId);
      return true;
    }
    const { plan } = entry;
    let to: number;
    try {
      to = balancer.place(plan.identity.namespace, plan.action.path, plan.limits.memory).invokerId;
    } catch (err) {
      if (err instanceof NoInvokerError) return false;
      throw err;
    }
    balancer.release(to, plan.limits.memory); // see the header: the accepting controller keeps the accounting
    await producer.send(topics.invoker(to), [{ key: activationId, value: entry.request.value, headers: entry.request.headers }]);
    if (await table.move(activationId, from, to, entry.deadline)) {
      logger.info({ activationId, from, to }, 'unclaimed request re-dispatched');
      this.#o.onRedispatched?.(from, to);
    }
    return true;
  }
}
