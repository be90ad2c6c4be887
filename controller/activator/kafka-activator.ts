// The Activator that runs activations on invokers: place on an invoker (ShardingBalancer), record the activation in
// the pending table (Redis), publish an Avro ActivationRequest to the invoker's topic, then wait for the completion
// that the invoker writes to this controller's completion stream. Every accepted activation ends with a stored
// record: the pending table, not this process's memory, is what guarantees it. When no completion arrives by the
// entry's give-up time, a sweeper (controller/durability/sweeper.ts; this controller's, or a live one's when this
// one is dead) claims the activation and stores a whisk-internal-error record, and tells this activator through
// `swept`. Three things make that safe: the request's start deadline (an invoker never starts a request after it),
// the activation's claim in Redis (an invoker that comes back later skips the activation), and write-once records.
// Publishing is bounded in time: with Kafka down the caller gets a 503 in seconds, not a hang, and a 503 means the
// activation never runs: the controller tombstones its claim first (docs/durability.md).
import type { Logger } from 'pino';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import type { Completion } from '../../shared/completions.ts';
import { ThrottledError, TooLargeError, UnavailableError } from '../../shared/errors.ts';
import type { MessageProducer } from '../../shared/kafka/client.ts';
import type { Topics } from '../../shared/topics.ts';
import { activeTraceId, inSpan, redisSpan, SpanKind, traceHeaders } from '../../shared/tracing.ts';
import type { ShardingBalancer } from '../balancer/sharding-balancer.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import { type ActivationPlan, type ActivationStarted, type Activator, StaleActionError } from './activator.ts';
import { forcedRecordPlan } from './forced-record.ts';
import { CLAIM_TTL_MS, tombstoneHolder, TOMBSTONE_PREFIX, type Claims } from '../durability/claims.ts';
import type { AddOutcome, AdmissionChecks, PendingEntry, PendingTable } from '../durability/pending-table.ts';

/** How an invoker did with an activation, for its health (controller/balancer's InvokerRegistry). */
export type InvokerOutcome = 'success' | 'systemError' | 'timeout';

export interface KafkaActivatorOptions {
  producer: MessageProducer;
  balancer: ShardingBalancer;
  topics: Topics;
  store: ActivationStore;
  logger: Logger;
  controllerId: number;
  /** How long after it was accepted a request may still start on an invoker (its deadline). */
  startGraceMs: number;
  /** Extra time after deadline + init + run before the controller gives up on a completion. */
  completionMarginMs: number;
  /** Where accepted activations are kept until they end (Redis). */
  pending: PendingTable;
  /** Activation claims: a publish that times out is tombstoned there before the caller gets 503. */
  claims: Claims;
  /** Longest a publish may take before the request is refused with 503 (default 5 s). */
  publishTimeoutMs?: number;
  /** Told of activations starting and ending (Prometheus counters); none → not measured. */
  metrics?: ActivatorMetrics;
  /** Told how an invoker did: a completion with status 3 → systemError, another → success, forced → timeout. */
  onOutcome?: (invokerId: number, outcome: InvokerOutcome) => void;
}

/** What the activator reports; each call must be cheap, as it runs once per activation. */
export interface ActivatorMetrics {
  /** One more (+1) or one fewer (-1) activation waits for its completion. */
  inFlight(delta: 1 | -1): void;
  /** An activation ended with a record of this status code (0 success … 3 whisk internal error). */
  completed(statusCode: number): void;
  /** No completion came in time and this controller stored the record itself. */
  forced(): void;
  /** A dead controller's pending activation was settled here (record forced or found). */
  orphanSwept(): void;
  /** A publish did not complete in time; the activation was tombstoned and the caller answered 503. */
  tombstoned(): void;
}

/** What a sweeper reports for one pending entry it settled (controller/durability/sweeper.ts). */
export interface SweptEntry {
  entry: PendingEntry;
  /** The activation's record: the forced one, or the one an invoker stored before its completion was lost. */
  record: ActivationRecord;
  /** True when the record is the forced one this controller stored. */
  forced: boolean;
  /** True when the entry belonged to another (dead) controller. */
  orphan: boolean;
}

/** Past the start deadline, init and run, how long to wait for a completion before forcing one. */
export const COMPLETION_MARGIN_MS = 5_000;

/**
 * When a controller stops waiting for an activation's completion: its start deadline, then a cold start's init and
 * the run, each bounded by the action's timeout (invoker/runtime/action-sandbox.ts opens the init window and the
 * run window with the same `timeoutMs`), then the margin.
 */
export function giveUpTime(deadline: number, actionTimeoutMs: number, marginMs: number): number {
  return deadline + actionTimeoutMs /* init */ + actionTimeoutMs /* run */ + marginMs;
}

interface Pending {
  plan: ActivationPlan;
  invokerId: number;
  settle: (record: ActivationRecord | undefined) => void;
  timers: NodeJS.Timeout[];
}

export class KafkaActivator implements Activator {
  readonly #o: KafkaActivatorOptions;
  readonly #pending = new Map<string, Pending>();
  readonly #inFlightByNamespace = new Map<string, number>();

  constructor(options: KafkaActivatorOptions) {
    this.#o = options;
  }

  inFlightFor(namespace: string): number {
    return this.#inFlightByNamespace.get(namespace) ?? 0;
  }

  #track(pending: Pending): void {
    this.#pending.set(pending.plan.activationId, pending);
    const ns = pending.plan.identity.namespace;
    this.#inFlightByNamespace.set(ns, (this.#inFlightByNamespace.get(ns) ?? 0) + 1);
    this.#o.metrics?.inFlight(1);
  }

  activate(plan: ActivationPlan): Promise<ActivationStarted> {
    return this.#activate(plan, undefined);
  }

  activateChecked(plan: ActivationPlan, checks: AdmissionChecks): Promise<ActivationStarted> {
    return this.#activate(plan, checks);
  }

  async #activate(plan: ActivationPlan, checks: AdmissionChecks | undefined): Promise<ActivationStarted> {
    const { balancer, producer, topics, controllerId, startGraceMs, completionMarginMs } = this.#o;
    const placement = balancer.place(plan.identity.namespace, plan.action.path, plan.limits.memory);
    const deadline = plan.receivedAt + startGraceMs;
    const request: ActivationRequest = {
      activationId: plan.activationId,
      transactionId: plan.transactionId,
      action: { namespace: plan.action.namespace, name: actionPathInNamespace(plan), revision: String(plan.action.revision) },
      identity: plan.identity,
      apiKey: plan.apiKey ?? null,
      params: JSON.stringify(plan.params),
      blocking: plan.blocking,
      controllerId,
      deadline,
      cause: plan.cause ?? null,
      initArgs: plan.initParams,
      receivedAt: plan.receivedAt,
      binding: plan.binding ?? null,
    };
    const { value, headers } = activationRequestCodec.encode(request);
    const topic = topics.invoker(placement.invokerId);
    const publishWithin = Math.min(this.#o.publishTimeoutMs ?? 5_000, deadline - Date.now());
    if (publishWithin <= 0) {
      balancer.release(placement.invokerId, plan.limits.memory);
      throw new UnavailableError('The activation could not be scheduled before its start deadline.');
    }

    let settle!: (record: ActivationRecord | undefined) => void;
    const completed = new Promise<ActivationRecord | undefined>((resolve) => (settle = resolve));
    const pending: Pending = { plan, invokerId: placement.invokerId, settle, timers: [] };
    this.#track(pending);
    const traceId = activeTraceId();
    const entry: PendingEntry = {
      activationId: plan.activationId,
      controllerId,
      invokerId: placement.invokerId,
      deadline,
      giveUpAt: giveUpTime(deadline, plan.limits.timeout, completionMarginMs),
      ...(traceId ? { traceId } : {}),
      plan: forcedRecordPlan(plan),
      request: { value, headers: { ...headers, ...traceHeaders() } },
    };
    let added: AddOutcome;
    try {
      // the controller's one Redis command before the publish (with checks, the action's revision and the rate too)
      added = await redisSpan('EVALSHA', () => this.#o.pending.add(entry, checks));
    } catch (err) {
      this.#forget(plan.activationId);
      throw new UnavailableError('The activation could not be scheduled: the activation store is unavailable.', { cause: err });
    }
    if (!added.added) {
      this.#forget(plan.activationId);
      throw added.stale ? new StaleActionError() : ThrottledError.rate(added.count, checks!.rate.allowed);
    }
    try {
      // The invoker's process span is this span's child: its context travels in the message's headers.
      const attributes = {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': plan.activationId,
        'faas.invocation_id': plan.activationId,
      };
      await inSpan(`send ${topic}`, { kind: SpanKind.PRODUCER, attributes }, () =>
        withTimeout(producer.send(topic, [{ key: plan.activationId, value, headers: { ...headers, ...traceHeaders() } }]), publishWithin),
      );
    } catch (err) {
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') {
        // The broker refused the message: it is on no topic, nothing to tombstone.
        await this.#drop(entry);
        throw new TooLargeError();
      }
      if (await this.#tombstone(entry, err)) {
        throw new UnavailableError('The activation could not be published: the message bus is unavailable.', { cause: err });
      }
      // An invoker claimed it (or Redis could not tell): it is accepted; the pending entry guarantees its record.
    }
    // The completion may already have come back while the send was being acknowledged.
    if (!this.#pending.has(plan.activationId)) return { activationId: plan.activationId, result: completed };
    let result = completed;
    if (plan.blocking) {
      // The caller waits at most waitMs; the activation itself goes on and is recorded as usual.
      result = Promise.race([completed, new Promise<undefined>((resolve) => pending.timers.push(setTimeout(() => resolve(undefined), plan.waitMs)))]);
    }
    return { activationId: plan.activationId, result };
  }

  /** Called for every entry of this controller's completion stream. */
  complete(completion: Completion): void {
    const { activationId, invokerId, statusCode } = completion;
    // An expired request was never run: its record says nothing about the invoker's health.
    if (!completion.expired) this.#o.onOutcome?.(invokerId, statusCode === 3 ? 'systemError' : 'success');
    const pending = this.#forget(activationId);
    // Also when it is not in memory (accepted before a restart of this controller): its entry is done either way.
    // Invokers remove it with the record (completion.pendingCleared), unless the entry moved to another invoker.
    const moved = pending !== undefined && pending.invokerId !== invokerId;
    if (!completion.pendingCleared || moved) {
      this.#o.pending.removeSoon(activationId, this.#o.controllerId, pending ? [invokerId, pending.invokerId] : [invokerId]);
    }
    if (!pending) return; // accepted before a restart, or already forced
    this.#o.metrics?.completed(statusCode);
    if (completion.record !== undefined) {
      pending.settle(JSON.parse(completion.record) as ActivationRecord);
      return;
    }
    this.#o.store.getRecord(completion.activationId).then(pending.settle, (err) => {
      this.#o.logger.error({ err, activationId: completion.activationId }, 'reading a completed record failed');
      pending.settle(undefined);
    });
  }

  /** Ends every waiting request (shutdown): blocking callers get their 202. */
  close(): void {
    for (const id of [...this.#pending.keys()]) this.#forget(id)?.settle(undefined);
  }

  /**
   * A sweeper settled a pending entry (no completion by its give-up time): the record it forced, or the one an
   * invoker had stored before its completion was lost. Waiting callers get it.
   */
  swept({ entry, record, forced, orphan }: SweptEntry): void {
    const { metrics, onOutcome, logger } = this.#o;
    if (forced) {
      logger.warn({ activationId: entry.activationId, invoker: entry.invokerId, controller: entry.controllerId }, 'no completion in time; stored a whisk internal error record');
      metrics?.forced();
      onOutcome?.(entry.invokerId, 'timeout');
    }
    if (orphan) metrics?.orphanSwept();
    const pending = this.#forget(entry.activationId);
    if (!pending) return;
    metrics?.completed(record.response.statusCode);
    pending.settle(record);
  }

  /**
   * The tombstone rule (docs/durability.md): a publish that did not complete may still be delivered, so before
   * answering 503 the activation's claim is taken as a tombstone; an invoker that reads the message later skips
   * it. True when the tombstone holds (answer 503); false when an invoker claimed it first, or Redis could not
   * say: the activation is then accepted, and its pending entry guarantees its record.
   */
  async #tombstone(entry: PendingEntry, cause: unknown): Promise<boolean> {
    const { claims, controllerId, logger, metrics } = this.#o;
    const holder = tombstoneHolder(controllerId);
    let previous: string | undefined;
    try {
      previous = await claims.take(entry.activationId, holder, Math.max(0, entry.deadline - Date.now()) + CLAIM_TTL_MS);
    } catch (err) {
      logger.warn({ err, cause, activationId: entry.activationId }, 'publish did not complete and the claim could not be tombstoned; accepted as pending');
      return false;
    }
    if (previous !== undefined && !previous.startsWith(TOMBSTONE_PREFIX)) {
      logger.warn({ cause, activationId: entry.activationId, claimedBy: previous }, 'publish did not complete in time but an invoker claimed the activation; accepted');
      return false;
    }
    metrics?.tombstoned();
    await this.#drop(entry);
    return true;
  }

  /** Forgets an activation that was never accepted, here and in the pending table. */
  async #drop(entry: PendingEntry): Promise<void> {
    this.#forget(entry.activationId);
    // Left behind, the entry is found by the sweeper, which sees the tombstone (or no message) and cleans up.
    await this.#o.pending.remove(entry.activationId, entry.controllerId, [entry.invokerId]).catch((err: unknown) => {
      this.#o.logger.warn({ err, activationId: entry.activationId }, 'removing a refused activation from the pending table failed');
    });
  }

  #forget(activationId: string): Pending | undefined {
    const pending = this.#pending.get(activationId);
    if (!pending) return undefined;
    this.#pending.delete(activationId);
    this.#o.metrics?.inFlight(-1);
    const ns = pending.plan.identity.namespace;
    const left = (this.#inFlightByNamespace.get(ns) ?? 1) - 1;
    if (left > 0) this.#inFlightByNamespace.set(ns, left);
    else this.#inFlightByNamespace.delete(ns);
    for (const t of pending.timers) clearTimeout(t);
    this.#o.balancer.release(pending.invokerId, pending.plan.limits.memory);
    return pending;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `name` or `pkg/name`: the action's path inside its namespace. */
function actionPathInNamespace(plan: ActivationPlan): string {
  return plan.action.package === undefined ? plan.action.name : `${plan.action.package}/${plan.action.name}`;
}
