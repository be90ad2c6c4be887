// The pending table: every activation a controller accepted and has not seen completed, kept in Redis so that no
// process's memory is the only place that knows it must end with a record (docs/durability.md). Written before
// the request is published, by one Lua call (atomic, and one command rather than a MULTI of seven):
//   keys.pending(id)                     hash: `meta` (JSON: owner controller, start deadline, give-up time, trace,
//                                        the plan fields of the forced record), `invoker` (where it was published),
//                                        `value` (the Avro ActivationRequest bytes, to publish it again elsewhere);
//                                        expires BACKSTOP_MS after its give-up time in case nobody removes it
//   keys.pendingByController(c)          sorted set of the ids controller c waits for, scored by give-up time (sweeper)
//   keys.pendingByInvoker(i)             sorted set of the ids published to invoker i, scored by start deadline
//                                        (re-dispatcher)
//   keys.pendingInvokers()               set of the invoker ids ever given pending work
// An entry goes when its completion arrives (removals are batched into one pipeline per tick), when its record is
// forced or found by a sweeper, or when its publish was refused (503, 413).
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Logger } from 'pino';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import type { ForcedRecordPlan } from '../activator/forced-record.ts';

export interface PendingEntry {
  activationId: string;
  /** The controller whose completion stream the invoker writes to (the request's `controllerId`). */
  controllerId: number;
  /** The invoker whose topic holds the request now (changes when it is re-dispatched). */
  invokerId: number;
  /** The request's start deadline (epoch ms): no invoker starts it later. */
  deadline: number;
  /** When the owner stops waiting for a completion and forces the record (epoch ms). */
  giveUpAt: number;
  traceId?: string;
  plan: ForcedRecordPlan;
  /** The published message, to publish it again on another invoker's topic. */
  request: { value: Buffer; headers: Record<string, string> };
}

/** An entry outlives its give-up time by this much before Redis drops it on its own (nobody removed it). */
export const BACKSTOP_MS = 3_600_000;

type Meta = Omit<PendingEntry, 'invokerId' | 'request'> & { headers: Record<string, string> };

/**
 * Checks made in the same command as the entry's write, so an invoke of a known action needs one Redis round trip
 * before its publish (controller/invoke/admission.ts): the action's document still has the revision the request was
 * planned with, and the namespace's invoke counter of this minute stays within its limit.
 */
export interface AdmissionChecks {
  document: { key: string; revision: number };
  rate: { key: string; lifetimeMs: number; allowed: number };
}

/** What a checked write did: written; nothing (the document changed or is gone); or counted and refused. */
export type AddOutcome = { added: true } | { added: false; stale: true } | { added: false; stale: false; count: number };

// KEYS, ARGV and results: each .lua file's header.
const ADD = luaScript(import.meta.dirname, 'add-pending.lua');
const MOVE = luaScript(import.meta.dirname, 'move-pending.lua');

export class PendingTable {
  readonly #redis: RedisClient;
  readonly #keys: RedisKeys;
  readonly #logger: Logger;
  /** Removals waiting for the next flush: id → the indexes it may be in. */
  #removals = new Map<string, { controllerId: number; invokerIds: Set<number> }>();
  #flush: Promise<void> | undefined;

  constructor(redis: RedisClient, keys: RedisKeys, logger: Logger) {
    this.#redis = redis;
    this.#keys = keys;
    this.#logger = logger;
  }

  /** Writes the entry; with `checks`, only if they pass (see AdmissionChecks). */
  async add(entry: PendingEntry, checks?: AdmissionChecks): Promise<AddOutcome> {
    const k = this.#keys;
    const key = k.pending(entry.activationId);
    const { request, invokerId, ...rest } = entry;
    const meta: Meta = { ...rest, headers: request.headers };
    const keys = [key, k.pendingByController(entry.controllerId), k.pendingByInvoker(invokerId), k.pendingInvokers()];
    const args: (string | Buffer)[] = [
      JSON.stringify(meta), String(invokerId), request.value, String(entry.giveUpAt + BACKSTOP_MS), String(entry.giveUpAt), String(entry.deadline), entry.activationId,
    ];
    if (checks) {
      keys.push(checks.document.key, checks.rate.key);
      args.push(String(checks.document.revision), String(checks.rate.lifetimeMs), String(checks.rate.allowed));
    }
    const [outcome, count] = (await runScript(this.#redis, ADD, keys, args)) as [string, number?];
    if (outcome === 'ok') return { added: true };
    return outcome === 'stale' ? { added: false, stale: true } : { added: false, stale: false, count: Number(count) };
  }

  async get(activationId: string): Promise<PendingEntry | undefined> {
    const [meta, invoker, value] = await this.#redis.hmgetBuffer(this.#keys.pending(activationId), 'meta', 'invoker', 'value');
    if (!meta || !invoker || !value) return undefined;
    const { headers, ...rest } = JSON.parse(meta.toString('utf8')) as Meta;
    return { ...rest, invokerId: Number(invoker.toString()), request: { value, headers } };
  }

  /** Removes the entry and its index members now. */
  async remove(activationId: string, controllerId: number, invokerIds: Iterable<number>): Promise<void> {
    const pipeline = this.#redis.pipeline();
    this.#removeIn(pipeline, activationId, controllerId, invokerIds);
    await pipeline.exec().then(failedStep);
  }

  /** Removes the entry with the others asked for in the same tick, in one pipeline (the completion path). */
  removeSoon(activationId: string, controllerId: number, invokerIds: Iterable<number>): void {
    const known = this.#removals.get(activationId) ?? { controllerId, invokerIds: new Set<number>() };
    for (const id of invokerIds) known.invokerIds.add(id);
    this.#removals.set(activationId, known);
    this.#flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flushRemovals());
  }

  /** Resolves once every removal asked for so far was sent (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#flush) await this.#flush;
  }

  /** Ids of a controller's entries whose give-up time is at or before `now`, oldest first. */
  overdue(controllerId: number, now: number, limit: number): Promise<string[]> {
    return this.#redis.zrangebyscore(this.#keys.pendingByController(controllerId), '-inf', now, 'LIMIT', 0, limit);
  }

  /** Ids published to an invoker whose start deadline is still after `now`; those past it are dropped from its index. */
  async startable(invokerId: number, now: number, limit: number): Promise<string[]> {
    const index = this.#keys.pendingByInvoker(invokerId);
    const [, ids] = failedStep(await this.#redis.multi().zremrangebyscore(index, '-inf', now).zrangebyscore(index, `(${now}`, '+inf', 'LIMIT', 0, limit).exec());
    return ids as string[];
  }

  /** Drops an id from an invoker's index only (it is claimed: nothing left to re-dispatch). */
  async dropFromInvoker(invokerId: number, activationId: string): Promise<void> {
    await this.#redis.zrem(this.#keys.pendingByInvoker(invokerId), activationId);
  }

  /** Records that the request now waits on invoker `to`; false when the entry is gone (completed meanwhile). */
  async move(activationId: string, from: number, to: number, deadline: number): Promise<boolean> {
    const k = this.#keys;
    await this.#redis.sadd(k.pendingInvokers(), String(to));
    return (await runScript(this.#redis, MOVE, [k.pending(activationId), k.pendingByInvoker(from), k.pendingByInvoker(to)], [activationId, String(to), String(deadline)])) === 1;
  }

  /** Every invoker id that has been given pending work. */
  async invokers(): Promise<number[]> {
    return (await this.#redis.smembers(this.#keys.pendingInvokers())).map(Number);
  }

  #removeIn(pipeline: ReturnType<RedisClient['pipeline']>, activationId: string, controllerId: number, invokerIds: Iterable<number>): void {
    pipeline.del(this.#keys.pending(activationId)).zrem(this.#keys.pendingByController(controllerId), activationId);
    for (const invokerId of new Set(invokerIds)) pipeline.zrem(this.#keys.pendingByInvoker(invokerId), activationId);
  }

  async #flushRemovals(): Promise<void> {
    const batch = this.#removals;
    this.#removals = new Map();
    const pipeline = this.#redis.pipeline();
    for (const [id, { controllerId, invokerIds }] of batch) this.#removeIn(pipeline, id, controllerId, invokerIds);
    try {
      await pipeline.exec().then(failedStep);
    } catch (err) {
      // Left behind, an entry is found by the sweeper at its give-up time (its record exists: only cleaned up).
      this.#logger.warn({ err, count: batch.size }, 'removing completed activations from the pending table failed');
    } finally {
      this.#flush = this.#removals.size > 0 ? new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flushRemovals()) : undefined;
    }
  }
}

/** A MULTI/pipeline reply with its first failed step thrown; the replies' values otherwise. */
function failedStep(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('the transaction was aborted');
  for (const [err] of replies) if (err) throw err;
  return replies.map(([, value]) => value);
}
