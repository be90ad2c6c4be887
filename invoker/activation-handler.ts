// What an invoker does with one ActivationRequest from its topic:
//   load the action → check the start deadline → reserve host memory for its buffers' worst case → lease a sandbox
//   from the pool → claim the id (at most once) → init (cold) and run → store the record → tell the waiting
//   controller on its completion stream → give the host memory back.
// The claim comes last before the run, so a request waiting for memory or a sandbox is still unclaimed: a controller
// may re-dispatch it to another invoker, and a draining invoker leaves it (docs/durability.md). A request that cannot
// run (past its deadline, action gone) is claimed before its error record is stored. Whatever fails after the claim,
// the activation ends with a stored record, and storing is retried through a Redis outage.
import type { RedisClient } from '../shared/redis-connection.ts';
import type { Logger } from 'pino';
import { activationRequestCodec, type ActivationRequest } from '../shared/avro/activation-request.ts';
import { completionEntry, RECORD_STORE_RETRY_MS } from '../shared/completions.ts';
import { retryUntil } from '../shared/retry.ts';
import type { HandleResult, IncomingMessage, Settle } from '../shared/kafka/bounded-consumer.ts';
import type { RedisKeys } from '../shared/redis-keys.ts';
import { activeTraceId, extractContext, inSpan, redisSpan, SpanKind, SpanStatusCode, tenantContext, tracer } from '../shared/tracing.ts';
import type { ActionDoc } from '../shared/action-doc.ts';
import { STATUS_TEXT, type ActivationRecord } from '../shared/activation-record.ts';
import type { ActivationStore } from '../shared/activation-store.ts';
import type { ActionLoader } from './action-loader.ts';
import type { EventSink } from './events.ts';
import { failureRecord, Messages, outcomeRecord } from './record.ts';
import type { ActivationOutcome, JsonObject, JsonValue } from './runtime/classify.ts';
import type { IsolatePool, Lease } from './runtime/isolate-pool.ts';
import { worstCaseHostBytes, type HostMemoryBudget, type Reservation } from './host-memory.ts';
import { DEFAULT_MAX_RESULT_BYTES, DEFAULT_TRUNCATION_BYTES } from './runtime/classify.ts';
import { SIGNATURE_ANNOTATION } from '../shared/signatures.ts';

const MB = 1024 * 1024;

export interface ActivationHandlerOptions {
  invokerId: number;
  /** The consumer group reading this invoker's topic (span attribute); default `invoker<id>`. */
  consumerGroup?: string;
  /** `__OW_API_HOST` for actions. */
  apiHost: string;
  redis: RedisClient;
  keys: RedisKeys;
  store: ActivationStore;
  loader: ActionLoader;
  pool: IsolatePool;
  /** Host heap for the activations' bounded buffers; an activation waits for room before it leases a sandbox. */
  hostMemory: HostMemoryBudget;
  /** Inflated-size cap of an action archive (the sandboxes' `maxArchiveBytes`), counted on a cold start. */
  maxArchiveBytes: number;
  logger: Logger;
  recordTtlSeconds: number;
  /** Told of every stored record (user events), when enabled. */
  events?: EventSink;
  /** Told of outcomes, cold/warm runs and expired requests (Prometheus); none → not measured. */
  metrics?: InvokerMetrics;
}

/** An activation's record, and the host memory held for it until the record is stored. */
interface Executed {
  record: ActivationRecord;
  hostMemory?: Reservation;
  /** Recorded without running because it was past its start deadline (says nothing about this invoker's health). */
  expired?: true;
}

/** What the activation has before its claim: a sandbox to run in, a record of why it cannot run, or nothing (draining). */
type Prepared =
  | { action: ActionDoc; fqn: string; lease: Lease; hostMemory: Reservation }
  | { record: ActivationRecord; expired?: true }
  | { abandoned: true };

/** What the handler reports; each call must be cheap, as it runs once per activation. */
export interface InvokerMetrics {
  /** An activation ended with a record of this status code (0 success … 3 whisk internal error). */
  recorded(statusCode: number): void;
  /** The action ran in a sandbox: initialized for it (cold) or reused; `runMs` excludes init. */
  ran(cold: boolean, runMs: number): void;
  /** A request was past its start deadline and was recorded without running. */
  expired(): void;
}

export class ActivationHandler {
  readonly #o: ActivationHandlerOptions;
  readonly #drain = new AbortController();
  /** Claimed activations running now: id → when their time limit ends (epoch ms), for the drain's bound. */
  readonly #running = new Map<string, number>();

  constructor(options: ActivationHandlerOptions) {
    this.#o = options;
  }

  /**
   * For BoundedConsumer: never rejects for a problem of one activation. The message is settled (its offset may be
   * committed) once the activation is claimed, found claimed, or could not be read; while draining, a request not
   * yet claimed is left unsettled, for a controller to re-dispatch or this invoker to read again after a restart.
   */
  handle = async (message: IncomingMessage, settle: Settle): Promise<HandleResult> => {
    let request: ActivationRequest;
    try {
      request = activationRequestCodec.decode(message.value, message.headers);
    } catch (err) {
      // Without a readable id there is nobody to tell; the controller's timeout records the activation.
      this.#o.logger.error({ err, offset: message.offset }, 'unreadable activation request skipped');
      return;
    }
    if (this.#drain.signal.aborted) return 'unsettled';
    const log = this.#o.logger.child({ activationId: request.activationId, tid: request.transactionId });
    // The process span continues the trace of the controller's send span, whose context the headers carry.
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': message.topic,
      'messaging.message.id': request.activationId,
      'messaging.consumer.group.name': this.#o.consumerGroup ?? `invoker${this.#o.invokerId}`,
      'faas.invocation_id': request.activationId,
    };
    // Every span of this activation belongs to the namespace it runs for (see shared/tracing.ts).
    const parent = tenantContext(extractContext(message.headers), request.identity.namespace);
    return inSpan(`process ${message.topic}`, { kind: SpanKind.CONSUMER, attributes, parent }, async (): Promise<HandleResult> => {
      let prepared: Prepared;
      try {
        prepared = await this.#prepare(request, log);
      } catch (err) {
        log.error({ err }, 'activation failed inside the invoker');
        prepared = { record: failureRecord(request, undefined, 3, Messages.internal) };
      }
      if ('abandoned' in prepared) {
        log.info('draining: the request is left unclaimed for another invoker');
        return 'unsettled';
      }
      const running = 'lease' in prepared ? prepared : undefined;
      let claimed: boolean;
      try {
        claimed = await this.#claim(request, running ? request.deadline : Date.now() + RECORD_STORE_RETRY_MS, log);
      } catch (err) {
        running?.hostMemory.release();
        if (running) this.#o.pool.release(running.lease.sandbox, { discard: false });
        throw err;
      }
      if (!claimed) {
        // Another invoker or a controller took it: give back what was held for it, untouched.
        if (running) {
          this.#o.pool.release(running.lease.sandbox, { discard: false });
          running.hostMemory.release();
        }
        return;
      }
      settle(); // claimed: a re-delivery would only find the claim and skip it
      let executed: Executed;
      if (!running) executed = prepared as Executed;
      else if (Date.now() > request.deadline) {
        // The claim took retries past the start deadline (Redis away): never start late.
        this.#o.pool.release(running.lease.sandbox, { discard: false });
        running.hostMemory.release();
        executed = this.#expired(request, running.action);
      } else {
        const endBy = Date.now() + running.action.limits.timeout;
        this.#running.set(request.activationId, endBy);
        try {
          executed = { record: await this.#run(request, running.action, running.fqn, running.lease, log), hostMemory: running.hostMemory };
        } catch (err) {
          log.error({ err }, 'activation failed inside the invoker');
          running.hostMemory.release();
          executed = { record: failureRecord(request, running.action, 3, Messages.internal) };
        } finally {
          this.#running.delete(request.activationId);
        }
      }
      const { record } = executed;
      try {
        const traceId = activeTraceId();
        if (traceId) record.annotations.push({ key: 'traceId', value: traceId });
        this.#o.metrics?.recorded(record.response.statusCode);
        await this.#finish(request, record, executed.expired === true, log);
      } finally {
        executed.hostMemory?.release(); // the record's logs and result are held until it is stored
        // A cold start took a stem cell: replace it now that this activation's completion is out.
        if (running && !running.lease.warm) this.#o.pool.replenish();
      }
      return undefined;
    });
  };

  /**
   * Draining: requests not yet claimed stop waiting for memory or a sandbox and are left unclaimed; those claimed
   * run to their end.
   */
  drain(): void {
    this.#drain.abort();
  }

  /** When the last running activation reaches its time limit (epoch ms); undefined when none runs. */
  latestRunEnd(): number | undefined {
    return this.#running.size === 0 ? undefined : Math.max(...this.#running.values());
  }

  /**
   * At most once per activation id, taken just before the run (once a sandbox is leased) or before a record of a
   * request that could not run: a re-delivered or re-dispatched request finds the id claimed and is skipped, and a
   * request still waiting here is unclaimed, free to run elsewhere. Retried through a Redis outage until `giveUpAt`.
   */
  async #claim(request: ActivationRequest, giveUpAt: number, log: Logger): Promise<boolean> {
    const { redis, keys, invokerId } = this.#o;
    const ttlMs = Math.max(60_000, request.deadline - Date.now() + 3_600_000);
    const claimed = await retryUntil(
      () => redisSpan('SET', () => redis.set(keys.activationClaim(request.activationId), `invoker${invokerId}`, 'PX', ttlMs, 'NX')),
      { giveUpAt, onFirstFailure: (err) => log.warn({ err }, 'claiming the activation failed; retrying') },
    );
    if (claimed === null) log.info('activation already claimed; skipped');
    return claimed !== null;
  }

  /**
   * Everything before the claim: the action, the deadline, host memory and a sandbox. Either a lease to run on, the
   * record of a request that cannot run, or abandoned (draining).
   */
  async #prepare(request: ActivationRequest, log: Logger): Promise<Prepared> {
    // On the warm path the document is cached: the claim is the activation's only Redis round trip before the run.
    const action = await this.#o.loader.load(request.action.namespace, request.action.name, request.action.revision);
    const expired = () => Date.now() - request.deadline;
    if (expired() > 0) return this.#expired(request, action);
    if (!action) return { record: failureRecord(request, undefined, 1, Messages.actionMissing) };

    const fqn = `/${request.action.namespace}/${request.action.name}`;
    const key = { namespace: request.identity.namespace, action: fqn, revision: String(action.revision) };
    const archiveBytes = action.exec.binary ? Math.min(this.#o.maxArchiveBytes, action.limits.memory * MB) : 0;
    const worstCase = this.#worstCase(request, action, archiveBytes);
    // The warm path: memory and a sandbox at hand, nothing to wait for.
    const hostNow = this.#o.hostMemory.reserveNow(worstCase);
    const leaseNow = hostNow && this.#o.pool.acquireNow(key, action.limits.memory);
    if (hostNow && leaseNow && !this.#drain.signal.aborted) return this.#leased(action, fqn, leaseNow, hostNow, archiveBytes);
    if (leaseNow) this.#o.pool.release(leaseNow.sandbox, { discard: false });
    hostNow?.release();
    // A request waiting for host memory or in the pool's buffer (memory full) gives up at its deadline (it is never
    // run late) or when the invoker drains.
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), Math.max(1, request.deadline - Date.now()));
    const signal = AbortSignal.any([giveUp.signal, this.#drain.signal]);
    const unlessGivenUp = (err: unknown) => {
      if (signal.aborted) return undefined;
      throw err;
    };
    let hostMemory: Reservation | undefined;
    let lease: Lease | undefined;
    try {
      hostMemory = await this.#o.hostMemory.reserve(worstCase, { signal }).catch(unlessGivenUp);
      lease = hostMemory && (await this.#o.pool.acquire(key, action.limits.memory, { signal }).catch(unlessGivenUp));
    } catch (err) {
      hostMemory?.release();
      log.error({ err }, 'no sandbox for the activation');
      return { record: failureRecord(request, action, 3, Messages.internal) };
    } finally {
      clearTimeout(timer);
    }
    if (!lease || !hostMemory || this.#drain.signal.aborted || expired() > 0) {
      if (lease) this.#o.pool.release(lease.sandbox, { discard: false });
      hostMemory?.release();
      if (this.#drain.signal.aborted) return { abandoned: true };
      return this.#expired(request, action);
    }
    return this.#leased(action, fqn, lease, hostMemory, archiveBytes);
  }

  #leased(action: ActionDoc, fqn: string, lease: Lease, hostMemory: Reservation, archiveBytes: number): Prepared {
    if (lease.warm && archiveBytes > 0) hostMemory.shrinkTo(hostMemory.bytes - archiveBytes); // no archive to read
    return { action, fqn, lease, hostMemory };
  }

  /** The record of a request past its start deadline: never run late (a backlog after an outage is not a storm). */
  #expired(request: ActivationRequest, action: ActionDoc | undefined): { record: ActivationRecord; expired: true } {
    this.#o.metrics?.expired();
    return { record: failureRecord(request, action, 3, Messages.expired(Math.max(0, Date.now() - request.deadline))), expired: true };
  }

  /** The host heap this activation may take at once (host-memory.ts). */
  #worstCase(request: ActivationRequest, action: ActionDoc, archiveBytes: number): number {
    return worstCaseHostBytes({
      logLimitBytes: action.limits.logs * MB,
      maxResultBytes: DEFAULT_MAX_RESULT_BYTES,
      truncationBytes: DEFAULT_TRUNCATION_BYTES,
      paramsBytes: Buffer.byteLength(request.params),
      archiveBytes,
    });
  }

  async #run(request: ActivationRequest, action: ActionDoc, fqn: string, lease: Lease, log: Logger): Promise<ActivationRecord> {
    let discard = true;
    try {
      // Without init args the params go to the isolate as the text they came in (the guest parses them).
      const { runParams, initEnv } = request.initArgs.length === 0 ? { runParams: request.params, initEnv: {} } : splitInitArgs(JSON.parse(request.params) as JsonObject, request.initArgs);
      const outcome = await lease.sandbox.activate({
        action: {
          code: action.exec.code,
          binary: action.exec.binary,
          ...(action.exec.main ? { main: action.exec.main } : {}),
          ...actionSignature(action),
        },
        env: initEnv,
        params: runParams,
        owEnv: this.#owEnv(request, action, fqn),
        timeoutMs: action.limits.timeout,
        logLimitBytes: action.limits.logs * MB,
      });
      discard = outcome.discard;
      recordRuntimeSpans(request, fqn, outcome);
      this.#o.metrics?.ran(outcome.initTimeMs !== undefined, outcome.durationMs - (outcome.initTimeMs ?? 0));
      log.debug({ statusCode: outcome.statusCode, warm: lease.warm, ms: outcome.durationMs }, 'activation ran');
      return outcomeRecord(request, action, outcome);
    } finally {
      this.#o.pool.release(lease.sandbox, { discard });
    }
  }

  #owEnv(request: ActivationRequest, action: ActionDoc, fqn: string): Record<`__OW_${string}`, string> {
    return {
      __OW_API_HOST: this.#o.apiHost,
      __OW_NAMESPACE: request.identity.namespace,
      __OW_ACTION_NAME: fqn,
      __OW_ACTION_VERSION: action.version,
      __OW_ACTIVATION_ID: request.activationId,
      __OW_TRANSACTION_ID: request.transactionId,
      ...(request.apiKey !== null ? { __OW_API_KEY: request.apiKey } : {}),
    };
  }

  /** Stores the record and tells the controller, retrying through a Redis outage. */
  async #finish(request: ActivationRequest, record: ActivationRecord, expired: boolean, log: Logger): Promise<void> {
    const { store, keys, invokerId, recordTtlSeconds } = this.#o;
    const json = JSON.stringify(record); // stored, and carried by a blocking invoke's completion
    try {
      await retryUntil(
        async () => {
          const completion = completionEntry(keys, request.controllerId, {
            activationId: request.activationId,
            invokerId,
            statusCode: record.response.statusCode,
            ...(expired ? { expired: true } : {}),
            ...(request.blocking ? { record: json } : {}),
            pendingCleared: true,
          });
          const stored = await redisSpan('EVALSHA', () => store.putRecordAndComplete(record, recordTtlSeconds, completion, json));
          // Only when the controller gave the activation up as lost before this record could be stored.
          if (!stored) log.warn('the activation already has a record (written by its controller); this result is dropped');
        },
        { giveUpAt: Date.now() + RECORD_STORE_RETRY_MS, onFirstFailure: (err) => log.warn({ err }, 'storing the activation record failed; retrying') },
      );
      this.#o.events?.(request, record);
    } catch (err) {
      log.error({ err }, 'could not store the activation record; the controller will record it as lost');
    }
  }
}

/**
 * The `init` (cold starts only) and `run` spans of an activation, from the sandbox's own timings: the sandbox runs
 * init and run as one call, so the spans are written afterwards with their real start and end times.
 */
function recordRuntimeSpans(request: ActivationRequest, fqn: string, outcome: ActivationOutcome): void {
  const cold = outcome.initTimeMs !== undefined;
  const attributes = {
    'faas.invocation_id': request.activationId,
    'faas.name': fqn,
    'faas.coldstart': cold,
    'isowhisk.activation.status_code': outcome.statusCode,
    'isowhisk.activation.log_lines': outcome.logs.length,
  };
  // The status names the kind of failure only: an action's error text may quote its parameters or secrets.
  const failed = outcome.statusCode !== 0 ? { code: SpanStatusCode.ERROR, message: outcome.timedOut ? TIMED_OUT_STATUS : STATUS_TEXT[outcome.statusCode] } : undefined;
  const runStart = outcome.start + (outcome.initTimeMs ?? 0);
  if (cold) {
    const init = tracer().startSpan('init', { attributes, startTime: outcome.start });
    init.end(runStart);
  }
  const run = tracer().startSpan('run', { attributes, startTime: runStart });
  if (failed) run.setStatus(failed);
  if (outcome.timedOut) run.setAttribute('isowhisk.activation.timed_out', true);
  run.end(outcome.end);
}

/** The `run` span's status text when the action ran out of time. */
const TIMED_OUT_STATUS = 'action timed out';

/** The action's declared signature, if any (docs/signatures.md); the sandbox refuses a name it does not know. */
function actionSignature(action: ActionDoc): { signature?: string } {
  const value = action.annotations.find((a) => a.key === SIGNATURE_ANNOTATION)?.value;
  if (value === undefined || value === null) return {};
  return { signature: typeof value === 'string' ? value : JSON.stringify(value) };
}

/** Parameters named in `initArgs` go to the action's environment at init, the rest are run arguments. */
function splitInitArgs(params: JsonObject, initArgs: string[]): { runParams: JsonObject; initEnv: Record<string, JsonValue> } {
  const runParams: JsonObject = {};
  const initEnv: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(params)) {
    if (initArgs.includes(k)) initEnv[k] = v;
    else runParams[k] = v;
  }
  return { runParams, initEnv };
}
