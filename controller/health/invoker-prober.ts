// Brings invokers back from `unhealthy` and `unresponsive` as OpenWhisk's invoker supervision does
// (`InvokerSupervision.scala`, `healthPingingTransitionHandler` and `invokeTestAction`): when an invoker turns
// unhealthy or unresponsive through its outcomes, or comes back from `down` with bad outcomes, this controller sends
// it a health test action at once and then every `intervalMs` while the invoker pings; the first test that completes
// without a system error clears its outcomes, so it is `up` again. A test that ends as a system error counts as one
// more error; one with no completion counts as nothing (OpenWhisk tracks no timeout for test actions), the next tick
// just sends another. A test that told nothing about the invoker — it could not be published, or the invoker found it
// past its start deadline (a backlog after a Kafka outage) — is sent again after `RETRY_SOON_MS` rather than a whole
// interval later, so an outage that ends leaves no invoker out of work for a minute.
// Test requests go straight to the invoker's topic, not through the balancer (which would never choose an invoker
// that is not up), and their completions come back on this controller's completion stream like any other.
import type { Logger } from 'pino';
import type { ActionDoc } from '../entities/models/action.ts';
import { activationRequestCodec } from '../../shared/avro/activation-request.ts';
import { STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import type { Completion } from '../../shared/completions.ts';
import type { MessageProducer } from '../../shared/kafka/client.ts';
import type { Topics } from '../../shared/topics.ts';
import type { InvokerRegistry } from '../balancer/invoker-registry.ts';
import { healthTestRequest } from './test-action.ts';

/** What the prober reports (Prometheus); each call must be cheap. */
export interface ProberMetrics {
  sent(): void;
  /** A test's completion came: the invoker `passed` (up again) or `failed` (a system error). */
  completed(result: 'passed' | 'failed'): void;
}

export interface InvokerProberOptions {
  registry: InvokerRegistry;
  producer: MessageProducer;
  topics: Topics;
  controllerId: number;
  /** Time between two tests of one invoker (ISOWHISK_INVOKER_TEST_ACTION_INTERVAL_MS). */
  intervalMs: number;
  /** The tests' start deadline, as for any activation (ISOWHISK_COMPLETION_GRACE_MS). */
  startGraceMs: number;
  /** The test action, created if missing; asked before each test, so a failed creation is retried. */
  healthAction: () => Promise<ActionDoc>;
  logger: Logger;
  metrics?: ProberMetrics;
}

/** How soon a test that told nothing (not published, or expired unrun) is sent again. */
export const RETRY_SOON_MS = 2_000;

/** A sent test is forgotten this long after its start deadline: a completion later than that would be stale. */
const TEST_FORGET_AFTER_MS = 120_000;

interface SentTest {
  invokerId: number;
  forgetAt: number;
}

export class InvokerProber {
  readonly #o: InvokerProberOptions;
  /** One timer per invoker whose outcomes are bad. */
  readonly #timers = new Map<number, NodeJS.Timeout>();
  /** Tests sent and not yet completed, by activation id. */
  readonly #tests = new Map<string, SentTest>();
  /** Invokers with a test being published (a slow Kafka must not pile tests up). */
  readonly #publishing = new Set<number>();
  /** One early retry at most per invoker (RETRY_SOON_MS). */
  readonly #retries = new Map<number, NodeJS.Timeout>();
  #closed = false;

  constructor(options: InvokerProberOptions) {
    this.#o = options;
    options.registry.onStateChange((invokerId) => this.#changed(invokerId));
  }

  /** Takes the completion of a test this controller sent; false for any other completion (the activator's). */
  complete(completion: Completion): boolean {
    const test = this.#tests.get(completion.activationId);
    if (!test) return false;
    this.#tests.delete(completion.activationId);
    const { registry, logger, metrics } = this.#o;
    if (completion.expired) {
      logger.info({ invoker: test.invokerId, activationId: completion.activationId }, 'health test action expired before it ran; sending another soon');
      this.#retrySoon(test.invokerId);
    } else if (completion.statusCode === STATUS_WHISK_ERROR) {
      metrics?.completed('failed');
      logger.warn({ invoker: test.invokerId, activationId: completion.activationId }, 'health test action failed with a system error');
      registry.outcome(test.invokerId, 'systemError');
    } else {
      metrics?.completed('passed');
      logger.info({ invoker: test.invokerId, activationId: completion.activationId }, 'health test action succeeded; invoker is up again');
      registry.recovered(test.invokerId);
    }
    return true;
  }

  /** Stops every timer (shutdown). */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#timers.keys()]) this.#stop(id);
  }

  /** Timer on while the outcomes are bad; a test at once whenever the invoker turns testable (OpenWhisk's transition). */
  #changed(invokerId: number): void {
    const { registry, logger, intervalMs } = this.#o;
    const health = registry.outcomeHealth(invokerId);
    if (health === 'healthy') return this.#stop(invokerId);
    if (this.#closed) return;
    if (!this.#timers.has(invokerId)) {
      logger.warn({ invoker: invokerId, state: health }, 'invoker failing; sending it health test actions');
      this.#timers.set(invokerId, setInterval(() => void this.#test(invokerId), intervalMs));
    }
    if (registry.awaitsTestAction(invokerId)) void this.#test(invokerId);
  }

  #stop(invokerId: number): void {
    clearInterval(this.#timers.get(invokerId));
    this.#timers.delete(invokerId);
    clearTimeout(this.#retries.get(invokerId));
    this.#retries.delete(invokerId);
  }

  #retrySoon(invokerId: number): void {
    if (this.#closed || this.#retries.has(invokerId) || !this.#timers.has(invokerId)) return;
    this.#retries.set(
      invokerId,
      setTimeout(() => {
        this.#retries.delete(invokerId);
        void this.#test(invokerId);
      }, RETRY_SOON_MS),
    );
  }

  async #test(invokerId: number, now = Date.now()): Promise<void> {
    for (const [id, test] of this.#tests) if (test.forgetAt < now) this.#tests.delete(id);
    const { registry, producer, topics, controllerId, startGraceMs, healthAction, logger, metrics } = this.#o;
    // Not while it does not ping or says itself it cannot work: it would not run the test.
    if (!registry.awaitsTestAction(invokerId, now) || this.#publishing.has(invokerId)) return;
    this.#publishing.add(invokerId);
    let activationId: string | undefined;
    try {
      const request = healthTestRequest(await healthAction(), controllerId, now, startGraceMs);
      activationId = request.activationId;
      this.#tests.set(activationId, { invokerId, forgetAt: request.deadline + TEST_FORGET_AFTER_MS });
      const { value, headers } = activationRequestCodec.encode(request);
      await producer.send(topics.invoker(invokerId), [{ key: activationId, value, headers }]);
      metrics?.sent();
      logger.debug({ invoker: invokerId, activationId }, 'health test action sent');
    } catch (err) {
      if (activationId !== undefined) this.#tests.delete(activationId);
      logger.warn({ err, invoker: invokerId }, 'sending a health test action failed; trying again soon');
      this.#retrySoon(invokerId);
    } finally {
      this.#publishing.delete(invokerId);
    }
  }
}
