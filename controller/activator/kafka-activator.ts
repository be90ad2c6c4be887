// The Activator that runs activations on invokers: place on an invoker (ShardingBalancer), publish an Avro
// ActivationRequest to its topic, then wait for the completion that the invoker writes to this controller's
// completion stream. Every accepted activation ends with a stored record: when no completion arrives by
// deadline + action timeout + margin, this controller stores a whisk-internal-error record itself and frees the
// invoker's slot. The request's deadline is what makes that safe: an invoker never starts a request after it,
// so no run can still be going on when the forced record is written.
import type { Logger } from 'pino';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import type { Completion } from '../../shared/completions.ts';
import { TooLargeError } from '../../shared/errors.ts';
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
}

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

  constructor(options: KafkaActivatorOptions) {
    this.#o = options;
  }

  /** Activations accepted by this controller whose completion has not arrived yet. */
  get inFlight(): number {
    return this.#pending.size;
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
    };
    const { value, headers } = activationRequestCodec.encode(request);
    const topic = topics.invoker(placement.invokerId);

    let settle!: (record: ActivationRecord | undefined) => void;
    const completed = new Promise<ActivationRecord | undefined>((resolve) => (settle = resolve));
    const pending: Pending = { plan, invokerId: placement.invokerId, settle, timers: [], traceId: activeTraceId() };
    this.#pending.set(plan.activationId, pending);
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
        producer.send(topic, [{ key: plan.activationId, value, headers: { ...headers, ...traceHeaders() } }]),
      );
    } catch (err) {
      this.#forget(plan.activationId);
      if ((err as { type?: string }).type === 'MESSAGE_TOO_LARGE') throw new TooLargeError();
      throw err;
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

  async #forceCompletion(activationId: string): Promise<void> {
    const pending = this.#forget(activationId);
    if (!pending) return;
    const { store, logger, recordTtlSeconds } = this.#o;
    try {
      // The invoker may have stored its record and only the completion message was lost.
      const stored = await store.getRecord(activationId);
      if (stored) return pending.settle(stored);
      const record = forcedErrorRecord(pending.plan, Date.now(), pending.traceId);
      await store.putRecord(record, recordTtlSeconds);
      logger.warn({ activationId, invoker: pending.invokerId }, 'no completion in time; stored a whisk internal error record');
      pending.settle(record);
    } catch (err) {
      logger.error({ err, activationId }, 'storing the forced completion record failed');
      pending.settle(undefined);
    }
  }

  #forget(activationId: string): Pending | undefined {
    const pending = this.#pending.get(activationId);
    if (!pending) return undefined;
    this.#pending.delete(activationId);
    for (const t of pending.timers) clearTimeout(t);
    this.#o.balancer.release(pending.invokerId, pending.plan.limits.memory);
    return pending;
  }
}

/** `name` or `pkg/name`: the action's path inside its namespace. */
function actionPathInNamespace(plan: ActivationPlan): string {
  return plan.action.package === undefined ? plan.action.name : `${plan.action.package}/${plan.action.name}`;
}
