// The Activator that runs activations on invokers: place on an invoker (ShardingBalancer), publish an Avro
// ActivationRequest to its topic, then wait for the completion that the invoker writes to this controller's
// completion stream. Every accepted activation ends with a stored record: when no completion arrives by
// deadline + action timeout + margin, this controller stores a whisk-internal-error record itself and frees the
// invoker's slot. Three things make that safe: the request's deadline (an invoker never starts a request after
// it), the activation's claim in Redis, which the controller takes first (an invoker that comes back later skips
// the activation), and write-once records (an invoker that ran it but stores late cannot replace the record).
// Publishing is bounded in time: with Kafka down the caller gets a 503 in seconds, not a hang.
import type { Logger } from 'pino';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import type { Completion } from '../../shared/completions.ts';
import { TooLargeError, UnavailableError } from '../../shared/errors.ts';
import type { MessageProducer } from '../../shared/kafka/client.ts';
import type { Topics } from '../../shared/topics.ts';
import { activeTraceId, inSpan, SpanKind, traceHeaders } from '../../shared/tracing.ts';
import type { ShardingBalancer } from '../balancer/sharding-balancer.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import type { ActivationPlan, ActivationStarted, Activator } from '../entities/activator.ts';
import { forcedErrorRecord } from './forced-record.ts';

export interface KafkaActivatorOptions {
  producer: MessageProducer;
  balancer: ShardingBalancer;
  topics: Topics;
  store: ActivationStore;
  logger: Logger;
  controllerId: number;
  /** How long after it was accepted a request may still start on an invoker (its deadline). */
  startGraceMs: number;
  /** Extra time after deadline + action timeout before the controller gives up on a completion. */
  completionMarginMs: number;
  recordTtlSeconds: number;
  /** Claims the activation for this controller (`SET NX`); false when an invoker claimed it first. */
  claim: (activationId: string) => Promise<boolean>;
  /** Longest a publish may take before the request is refused with 503 (default 5 s). */
  publishTimeoutMs?: number;
  /** Told of activations starting and ending (Prometheus counters); none → not measured. */
  metrics?: ActivatorMetrics;
  /**
   * Told how each activation ended for its invoker's health (controller/balancer/invoker-registry.ts): a completion
   * with status 3 is a system error, any other completion a success, a record forced for lack of one a timeout.
   */
  onOutcome?: (invokerId: number, outcome: 'success' | 'systemError' | 'timeout') => void;
}

/** What the activator reports; each call must be cheap, as it runs once per activation. */
export interface ActivatorMetrics {
  /** One more (+1) or one fewer (-1) activation waits for its completion. */
  inFlight(delta: 1 | -1): void;
  /** An activation ended with a record of this status code (0 success … 3 whisk internal error). */
  completed(statusCode: number): void;
  /** No completion came in time and this controller stored the record itself. */
  forced(): void;
}

/** Past the start deadline and the action's own timeout, how long to wait for a completion before forcing one. */
export const COMPLETION_MARGIN_MS = 5_000;

/** While Redis does not answer, a forced record is retried this often. */
const FORCE_RETRY_MS = 5_000;

interface Pending {
  plan: ActivationPlan;
  invokerId: number;
  settle: (record: ActivationRecord | undefined) => void;
  timers: NodeJS.Timeout[];
  /** The trace the activation belongs to, for the record the controller may have to write itself. */
  traceId: string | undefined;
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

  async activate(plan: ActivationPlan): Promise<ActivationStarted> {
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
    const pending: Pending = { plan, invokerId: placement.invokerId, settle, timers: [], traceId: activeTraceId() };
    this.#track(pending);
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
      this.#forget(plan.activationId);
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') throw new TooLargeError();
      throw new UnavailableError('The activation could not be published: the message bus is unavailable.', { cause: err });
    }
    // The completion may already have come back while the send was being acknowledged.
    if (!this.#pending.has(plan.activationId)) return { activationId: plan.activationId, result: completed };
    const giveUpAfter = deadline + plan.limits.timeout + completionMarginMs - Date.now();
    pending.timers.push(setTimeout(() => void this.#forceCompletion(plan.activationId), giveUpAfter));

    let result = completed;
    if (plan.blocking) {
      // The caller waits at most waitMs; the activation itself goes on and is recorded as usual.
      result = Promise.race([completed, new Promise<undefined>((resolve) => pending.timers.push(setTimeout(() => resolve(undefined), plan.waitMs)))]);
    }
    return { activationId: plan.activationId, result };
  }

  /** Called for every entry of this controller's completion stream. */
  complete(completion: Completion): void {
    const pending = this.#forget(completion.activationId);
    if (!pending) return; // another controller generation's, or already forced
    this.#o.metrics?.completed(completion.statusCode);
    this.#o.onOutcome?.(pending.invokerId, completion.statusCode === 3 ? 'systemError' : 'success');
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
   * No completion came in time: claim the activation (so an invoker that has not started it never will) and store a
   * whisk internal error record, unless a record exists already (the invoker stored it and only its completion was
   * lost), in which case that record is the answer.
   */
  async #forceCompletion(activationId: string): Promise<void> {
    const pending = this.#pending.get(activationId);
    if (!pending) return;
    const { store, logger, recordTtlSeconds, claim } = this.#o;
    try {
      await claim(activationId);
      const record = forcedErrorRecord(pending.plan, Date.now(), pending.traceId);
      const stored = (await store.putRecord(record, recordTtlSeconds)) ? record : await store.getRecord(activationId);
      if (stored === record) {
        logger.warn({ activationId, invoker: pending.invokerId }, 'no completion in time; stored a whisk internal error record');
        this.#o.metrics?.forced();
      }
      if (stored) this.#o.metrics?.completed(stored.response.statusCode);
      if (this.#pending.has(activationId)) this.#o.onOutcome?.(pending.invokerId, 'timeout');
      this.#forget(activationId)?.settle(stored);
    } catch (err) {
      // Redis does not answer: the record must still be written, so try again shortly.
      logger.warn({ err, activationId }, 'storing the forced completion record failed; retrying');
      pending.timers.push(setTimeout(() => void this.#forceCompletion(activationId), FORCE_RETRY_MS));
    }
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
