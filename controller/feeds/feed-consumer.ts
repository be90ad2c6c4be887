// One feed's Kafka consumer. It reads the feed's topic in the feed's consumer group and hands each batch, cut to
// the payload limit, to `fire`; a batch's offsets are committed only after its fire was accepted and its rules were
// tried (at least once: a crash before the commit fires those records again). A failing fire (Redis or the entity
// store down) is retried with backoff while the consumer keeps its group membership; nothing is skipped. Records of a
// blocked namespace are held the same way: uncommitted, offered again until the subject is unblocked.
import type { Kafka as KafkaClient, Consumer, EachBatchPayload, IHeaders } from 'kafkajs';
import type { Logger } from 'pino';
import { CONSUMER_TUNING } from '../../shared/kafka/client.ts';
import { type FeedRegistration, feedGroupId } from './feed-registry.ts';
import { type FeedMessage, chunkBySize, feedMessage } from './feed-messages.ts';

/**
 * 'gone': the trigger (or its namespace) no longer exists, so the feed should be dropped. 'held': the namespace's
 * subject is blocked; the records stay uncommitted and are offered again after a backoff, until an unblock.
 */
export type FireOutcome = 'fired' | 'gone' | 'held';

export type FeedFire = (feed: FeedRegistration, messages: FeedMessage[], headers: IHeaders[]) => Promise<FireOutcome>;

export interface FeedConsumerDeps {
  kafka: KafkaClient;
  fire: FeedFire;
  /** Called (outside the consumer's own loop) when the trigger is gone. */
  onGone: (feed: FeedRegistration) => void;
  /** Called when the consumer crashed for good (kafkajs gave up restarting it), so it can be replaced. */
  onCrash: (consumer: FeedConsumer) => void;
  maxPayloadBytes: number;
  logger: Logger;
}

const MAX_BACKOFF_MS = 5_000;

/**
 * What one fetch may bring, per partition and in all: a feed holds at most this much of its topic at a time
 * (kafkajs's defaults are 1 MB per partition and 10 MB in all, whatever the partition count of a user's topic).
 * Kafka still hands over a single record batch larger than this, so a big record cannot stall the feed.
 */
export const FEED_FETCH_MAX_BYTES = 1024 * 1024;

export class FeedConsumer {
  readonly feed: FeedRegistration;
  readonly #deps: FeedConsumerDeps;
  readonly #consumer: Consumer;

  constructor(feed: FeedRegistration, deps: FeedConsumerDeps) {
    this.feed = feed;
    this.#deps = deps;
    this.#consumer = deps.kafka.consumer({
      groupId: feedGroupId(feed),
      ...CONSUMER_TUNING,
      maxBytesPerPartition: FEED_FETCH_MAX_BYTES,
      maxBytes: FEED_FETCH_MAX_BYTES,
    });
    this.#consumer.on(this.#consumer.events.CRASH, (event) => {
      if (!event.payload.restart) deps.onCrash(this);
    });
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    // On the platform's Kafka the group's start offsets were committed when the feed was created; "from beginning"
    // only applies to a group without offsets, and then replaying beats losing records. A user's own cluster is not
    // contacted at CREATE, so its feed starts at the topic's end, as OpenWhisk's kafkaFeed does.
    await this.#consumer.subscribe({ topics: [this.feed.topic], fromBeginning: !this.feed.cluster });
    await this.#consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (payload) => this.#onBatch(payload) });
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }

  async #onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const records = batch.messages.map((m) => ({ message: feedMessage(batch.topic, batch.partition, m, this.feed), headers: m.headers ?? {} }));
    for (const chunk of chunkBySize(records, this.#deps.maxPayloadBytes)) {
      if (!isRunning() || isStale()) return;
      const outcome = await this.#fireWithRetry(chunk, heartbeat, () => isRunning() && !isStale());
      if (outcome === undefined) return; // stopping: the records stay uncommitted
      if (outcome === 'gone') {
        setImmediate(() => this.#deps.onGone(this.feed));
        return;
      }
      const last = chunk.at(-1)!.message.offset;
      resolveOffset(String(last));
      await this.#consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(last + 1) }]);
    }
  }

  async #fireWithRetry(
    chunk: { message: FeedMessage; headers: IHeaders }[],
    heartbeat: () => Promise<void>,
    running: () => boolean,
  ): Promise<Exclude<FireOutcome, 'held'> | undefined> {
    const trigger = `${this.feed.namespace}/${this.feed.trigger}`;
    let held = false;
    for (let attempt = 0; running(); attempt++) {
      try {
        const outcome = await this.#deps.fire(this.feed, chunk.map((c) => c.message), chunk.map((c) => c.headers));
        if (outcome !== 'held') {
          if (held) this.#deps.logger.info({ trigger }, 'the feed\'s namespace is unblocked; firing its held records');
          return outcome;
        }
        if (!held) this.#deps.logger.info({ trigger }, 'the feed\'s namespace is blocked; holding its records until it is unblocked');
        held = true;
      } catch (err) {
        if (attempt === 0) this.#deps.logger.warn({ err, trigger }, 'firing the feed trigger failed; retrying');
      }
      await new Promise((r) => setTimeout(r, Math.min(MAX_BACKOFF_MS, 200 * 2 ** attempt)));
      await heartbeat().catch(() => {});
    }
    return undefined;
  }
}
