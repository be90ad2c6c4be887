// A Kafka consumer that never does the work inside kafkajs's callback: each message is handed to `handle` and
// the callback returns at once, so heartbeats keep flowing while long work runs (kafkajs only heartbeats between
// callbacks). At most `capacity` messages are in hand at a time; past that the topic is paused until half of
// them are done, which keeps memory bounded and leaves the backlog in Kafka. The owner may also hold the topic
// paused for reasons of its own (the invoker does while its heap is high): fetching resumes when no reason is left.
import type { Consumer, Kafka as KafkaClient } from 'kafkajs';
import type { Logger } from 'pino';
import { CONSUMER_TUNING } from './client.ts';

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer;
  headers: Record<string, Buffer | string | undefined>;
  timestamp: number;
}

export interface BoundedConsumerOptions {
  kafka: KafkaClient;
  groupId: string;
  topic: string;
  /** Most messages in hand at once; the topic is paused at this count. */
  capacity: number;
  fromBeginning: boolean;
  logger: Logger;
  /** Called once per message; its rejection is logged (the handler owns error recording). */
  handle: (message: IncomingMessage) => Promise<void>;
}

export class BoundedConsumer {
  readonly #options: BoundedConsumerOptions;
  readonly #consumer: Consumer;
  #inHand = 0;
  /** The run queue is full (until half of it is done). */
  #full = false;
  readonly #holds = new Set<string>();
  #paused = false;
  #stopping = false;
  #idleWaiters: Array<() => void> = [];

  constructor(options: BoundedConsumerOptions) {
    this.#options = options;
    // maxWaitTimeInMs: kafkajs's default of 5 s is the latency of the first message after a quiet spell.
    this.#consumer = options.kafka.consumer({ ...CONSUMER_TUNING, groupId: options.groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  }

  get inHand(): number {
    return this.#inHand;
  }

  get paused(): boolean {
    return this.#paused;
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
    const { topic, fromBeginning } = this.#options;
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [topic], fromBeginning });
    await this.#consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic: t, partition, message }) => {
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

  /** Stops fetching, waits for the messages in hand to finish, then leaves the group. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#consumer.pause([{ topic: this.#options.topic }]);
    if (this.#inHand > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    await this.#consumer.disconnect();
  }

  #take(message: IncomingMessage): void {
    const { handle, logger, capacity, topic } = this.#options;
    this.#inHand++;
    if (this.#inHand >= capacity && !this.#full) {
      this.#full = true;
      logger.debug({ topic, inHand: this.#inHand }, 'run queue full');
      this.#applyPause();
    }
    handle(message)
      .catch((err) => logger.error({ err, topic, offset: message.offset }, 'message handler failed'))
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

  /** Pauses or resumes the topic to match the reasons: a full run queue or any hold. */
  #applyPause(): void {
    const pause = this.#full || this.#holds.size > 0;
    if (pause === this.#paused || this.#stopping) return;
    this.#paused = pause;
    const topics = [{ topic: this.#options.topic }];
    if (pause) this.#consumer.pause(topics);
    else this.#consumer.resume(topics);
  }
}

function flattenHeaders(headers: Record<string, unknown> | undefined): Record<string, Buffer | string | undefined> {
  const out: Record<string, Buffer | string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value) ? (value[0] as Buffer | string | undefined) : (value as Buffer | string | undefined);
  }
  return out;
}
