// A Kafka consumer that never does the work inside kafkajs's callback: each message is handed to `handle` and
// the callback returns at once, so heartbeats keep flowing while long work runs (kafkajs only heartbeats between
// callbacks). At most `capacity` messages are in hand at a time; past that the topic is paused until half of
// them are done, which keeps memory bounded and leaves the backlog in Kafka. The owner may also hold the topic
// paused for reasons of its own (the invoker does while its heap is high): fetching resumes when no reason is left.
//
// Delivery is at least once: offsets are committed by hand (kafkajs `autoCommit: false`), only up to the first
// message not yet settled (settled-offsets.ts). `handle` settles a message when it needs no re-delivery (it may do
// so early, through `settle`; otherwise when it finishes), or leaves it unsettled on purpose by resolving
// `'unsettled'`, so that a later consumer of the group reads it again. Commits go out in batches, every
// `commitIntervalMs` and when stopping, not one round trip per message.
//
// After a rebalance or a restart of the consumer Kafka delivers again from the committed offsets, so messages still
// in hand may come twice: the owner de-duplicates (the invoker by its activation claim). kafkajs keeps pauses in its
// consumer group, which a restart replaces: the pause is applied again on every group join. When kafkajs gives up
// on the consumer (a crash it does not restart), this consumer says so through `onHealth` and starts a new kafkajs
// consumer after a backoff; joining the group again makes it healthy.
import type { Consumer, ConsumerCrashEvent, Kafka as KafkaClient } from 'kafkajs';
import type { Logger } from 'pino';
import { CONSUMER_TUNING } from './client.ts';
import { ConsumerRestarts } from './consumer-restarts.ts';
import { SettledOffsets } from './settled-offsets.ts';

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer;
  headers: Record<string, Buffer | string | undefined>;
  timestamp: number;
}

/** Tells the consumer the message needs no re-delivery; calling it again changes nothing. */
export type Settle = () => void;

/** `'unsettled'`: leave the message for re-delivery (its offset is not committed). */
export type HandleResult = void | 'unsettled';

export interface BoundedConsumerOptions {
  kafka: KafkaClient;
  groupId: string;
  topic: string;
  /** Most messages in hand at once; the topic is paused at this count. */
  capacity: number;
  fromBeginning: boolean;
  logger: Logger;
  /**
   * Called once per message. The message is settled when `settle` is called or the promise settles, unless it
   * resolves `'unsettled'` before `settle` was called. A rejection is logged (the handler owns error recording).
   */
  handle: (message: IncomingMessage, settle: Settle) => Promise<HandleResult>;
  /** Time between commits of settled offsets. Default 150 ms. */
  commitIntervalMs?: number;
  /** Told when the consumer stops consuming for good (kafkajs gave up on it) and when it consumes again. */
  onHealth?: (healthy: boolean, reason: string) => void;
  /** First wait before a consumer kafkajs gave up on is started again (doubling up to 30 s). Default 1 s. */
  restartDelayMs?: number;
}


export class BoundedConsumer {
  readonly #options: BoundedConsumerOptions;
  #consumer: Consumer;
  readonly #offsets = new SettledOffsets();
  #inHand = 0;
  /** The run queue is full (until half of it is done). */
  #full = false;
  readonly #holds = new Set<string>();
  #paused = false;
  #stopping = false;
  #healthy = true;
  #idleWaiters: Array<() => void> = [];
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  readonly #restarts: ConsumerRestarts;
  #committedCount = 0;

  constructor(options: BoundedConsumerOptions) {
    this.#options = options;
    this.#restarts = new ConsumerRestarts(options.restartDelayMs);
    this.#consumer = this.#create();
  }

  get inHand(): number {
    return this.#inHand;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** False while kafkajs has given up on the consumer and a new one is not yet in the group. */
  get healthy(): boolean {
    return this.#healthy;
  }

  /** Messages taken and not yet settled (what a restart would read again). */
  get unsettled(): number {
    return this.#offsets.unsettled;
  }

  /** Commit requests that reached Kafka (for tests and metrics). */
  get commits(): number {
    return this.#committedCount;
  }

  /** Keeps the topic paused for `reason` until `unhold(reason)`. */
  hold(reason: string): void {
    this.#holds.add(reason);
    this.#applyPause();
  }

  unhold(reason: string): void {
    this.#holds.delete(reason);
    this.#applyPause();
  }

  async start(): Promise<void> {
    await this.#run(this.#consumer);
    this.#commitTimer = setInterval(() => void this.commit(), this.#options.commitIntervalMs ?? 150);
  }

  /** Commits the settled offsets now (a commit under way is awaited instead; a failed one is retried later). */
  commit(): Promise<void> {
    this.#committing ??= this.#commitSettled().finally(() => (this.#committing = undefined));
    return this.#committing;
  }

  /** Stops fetching: the messages in hand go on, no new ones are taken (those kafkajs still delivers stay unsettled). */
  stopFetching(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#restarts.stop();
    this.#pauseNow(true);
  }

  /** Resolves when no message is in hand, or after `timeoutMs`; true when idle. */
  idle(timeoutMs = Infinity): Promise<boolean> {
    if (this.#inHand === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => resolve(false), timeoutMs) : undefined;
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Stops fetching, waits for the messages in hand to finish (at most `timeoutMs`), commits what is settled, then
   * leaves the group (its partitions move on at once instead of after the session timeout).
   */
  async stop(timeoutMs = Infinity): Promise<void> {
    this.stopFetching();
    await this.idle(timeoutMs);
    clearInterval(this.#commitTimer);
    await this.commit();
    await this.#consumer.disconnect();
  }

  #create(): Consumer {
    const { kafka, groupId } = this.#options;
    // maxWaitTimeInMs: kafkajs's default of 5 s is the latency of the first message after a quiet spell.
    const consumer = kafka.consumer({ ...CONSUMER_TUNING, groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    consumer.on(consumer.events.GROUP_JOIN, () => this.#joined(consumer));
    consumer.on(consumer.events.CRASH, (event) => this.#crashed(consumer, event));
    return consumer;
  }

  async #run(consumer: Consumer): Promise<void> {
    const { topic, fromBeginning } = this.#options;
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: t, partition, message }) => {
        if (consumer !== this.#consumer) return; // a replaced consumer's last batch
        this.#take({
          topic: t,
          partition,
          offset: message.offset,
          key: message.key?.toString(),
          value: message.value ?? Buffer.alloc(0),
          headers: flattenHeaders(message.headers),
          timestamp: Number(message.timestamp),
        });
      },
    });
  }

  /** A (re)join: Kafka delivers from the committed offsets again, and the new consumer group knows no pause. */
  #joined(consumer: Consumer): void {
    if (consumer !== this.#consumer) return;
    this.#offsets.reset();
    this.#pauseNow(this.#stopping || this.#full || this.#holds.size > 0);
    this.#restarts.joined();
    if (!this.#healthy) {
      this.#healthy = true;
      this.#options.logger.info({ topic: this.#options.topic }, 'consumer joined its group again');
      this.#options.onHealth?.(true, 'joined the group');
    }
  }

  #crashed(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (consumer !== this.#consumer || this.#stopping) return;
    const { error, restart } = event.payload;
    const { logger, topic } = this.#options;
    if (restart) {
      logger.warn({ err: error, topic }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    const reason = `consumer crashed and kafkajs gave up on it: ${error.name}: ${error.message}`;
    logger.error({ err: error, topic, restartInMs: this.#restarts.nextDelayMs }, 'consumer crashed for good; starting a new one after a backoff');
    this.#healthy = false;
    this.#options.onHealth?.(false, reason);
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    this.#restarts.schedule(
      async () => {
        const old = this.#consumer;
        this.#consumer = this.#create();
        void old.disconnect().catch(() => {});
        await this.#run(this.#consumer);
      },
      (err) => this.#options.logger.error({ err, topic: this.#options.topic }, 'restarting the consumer failed; trying again after a backoff'),
    );
  }

  #take(message: IncomingMessage): void {
    const { handle, logger, capacity, topic } = this.#options;
    // Taken after a stop began (the rest of a fetched batch): left for whoever reads the topic next.
    if (this.#stopping) return;
    this.#offsets.taken(message.partition, message.offset);
    this.#inHand++;
    if (this.#inHand >= capacity && !this.#full) {
      this.#full = true;
      logger.debug({ topic, inHand: this.#inHand }, 'run queue full');
      this.#applyPause();
    }
    let settled = false;
    const settle: Settle = () => {
      if (settled) return;
      settled = true;
      this.#offsets.settled(message.partition, message.offset);
    };
    handle(message, settle)
      .then((result) => {
        if (result !== 'unsettled') settle();
      })
      .catch((err) => {
        logger.error({ err, topic, offset: message.offset }, 'message handler failed');
        settle(); // a bug of one message must not hold back the commits of all after it
      })
      .finally(() => this.#done());
  }

  #done(): void {
    this.#inHand--;
    if (this.#full && this.#inHand <= Math.floor(this.#options.capacity / 2)) {
      this.#full = false;
      this.#applyPause();
    }
    if (this.#inHand === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  async #commitSettled(): Promise<void> {
    const offsets = this.#offsets.toCommit();
    if (offsets.length === 0) return;
    const { topic, logger } = this.#options;
    try {
      await this.#consumer.commitOffsets(offsets.map((o) => ({ topic, ...o })));
      this.#offsets.committed(offsets);
      this.#committedCount++;
    } catch (err) {
      // A rebalance or a consumer between restarts: the next tick tries again; what stays uncommitted is re-read
      // and de-duplicated by the owner.
      logger.debug({ err, topic }, 'committing offsets failed; retrying');
    }
  }

  /** Pauses or resumes the topic to match the reasons: a full run queue or any hold. */
  #applyPause(): void {
    const pause = this.#full || this.#holds.size > 0;
    if (pause === this.#paused || this.#stopping) return;
    this.#pauseNow(pause);
  }

  #pauseNow(pause: boolean): void {
    this.#paused = pause;
    const topics = [{ topic: this.#options.topic }];
    try {
      if (pause) this.#consumer.pause(topics);
      else this.#consumer.resume(topics);
    } catch (err) {
      // No consumer group between a crash and a restart: the pause is applied when the group is joined again.
      this.#options.logger.debug({ err }, 'pause/resume deferred until the consumer runs');
    }
  }
}

function flattenHeaders(headers: Record<string, unknown> | undefined): Record<string, Buffer | string | undefined> {
  const out: Record<string, Buffer | string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value) ? (value[0] as Buffer | string | undefined) : (value as Buffer | string | undefined);
  }
  return out;
}
