// The Kafka client (kafkajs) behind two small interfaces, MessageProducer and the topic admin helper, so the rest
// of the code never imports kafkajs directly and another client could replace it.
import kafkajs from 'kafkajs';
import './idle-timer-fix.ts';
import type { Admin, IHeaders, Kafka as KafkaClient, KafkaConfig, LogEntry, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { retryUntil } from '../retry.ts';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface KafkaOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** How to reach the brokers when not in plain TCP (a feed on a user's own cluster: TLS, SASL, a guarded socket). */
  connection?: Pick<KafkaConfig, 'ssl' | 'sasl' | 'socketFactory'>;
}

export interface OutgoingMessage {
  key?: string;
  value: Buffer;
  headers?: Record<string, string | Buffer>;
}

export interface MessageProducer {
  send(topic: string, messages: OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Omitted: the broker's default retention (users' topics, e.g. a Kafka feed's). */
  retentionMs?: number;
}

/** A kafkajs client whose own log lines go to our pino logger at the matching level. */
export function createKafka({ brokers, clientId, logger, connection }: KafkaOptions): KafkaClient {
  const log = logger.child({ lib: 'kafkajs' });
  return new Kafka({
    ...connection,
    brokers: [...brokers],
    clientId,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const at = entry.level <= logLevel.ERROR ? 'error' : entry.level === logLevel.WARN ? 'warn' : 'debug';
      log[at]({ namespace: entry.namespace, ...extra }, message);
    },
  });
}

interface QueuedSend {
  topic: string;
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * A connected producer with acks from the leader only, as OpenWhisk does (idempotence is not needed: invokers
 * de-duplicate by activation id). kafkajs sends every `send` as a request of its own; here a send waits for no
 * timer, but sends made while one request is in flight go together in the next one. Under load that cut the
 * broker's CPU per message by about half (test/bench); alone, a message goes out at once.
 */
export async function createProducer(kafka: KafkaClient): Promise<MessageProducer> {
  const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  let queue: QueuedSend[] = [];
  let flushing = false;

  const sendAll = async (batch: QueuedSend[]): Promise<void> => {
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const q of batch) byTopic.set(q.topic, [...(byTopic.get(q.topic) ?? []), ...q.messages]);
    const topicMessages = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages: messages.map((m) => ({ ...m, headers: m.headers as IHeaders | undefined })),
    }));
    await producer.sendBatch({ acks: 1, topicMessages });
  };

  const flush = async (): Promise<void> => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        await sendAll(batch);
        for (const q of batch) q.resolve();
      } catch (err) {
        // One bad message (too large) must not fail the others: send them one by one to find out whose it is.
        if (batch.length === 1) batch[0]!.reject(err);
        else for (const q of batch) await sendAll([q]).then(q.resolve, q.reject);
      }
    }
    flushing = false;
  };

  return {
    send(topic, messages) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ topic, messages, resolve, reject });
        if (!flushing) void flush();
      });
    },
    close: () => producer.disconnect(),
  };
}

/**
 * Consumer settings shared by every consumer of the platform. A dead member's partitions move on after
 * `sessionTimeout` (kafkajs's 30 s default kept a restarted invoker from its own topic for half a minute), and a
 * consumer that crashed (broker restart) restarts within seconds instead of after a long backoff.
 */
/** How long a newly created topic may take to show in the brokers' metadata before creating it counts as failed. */
export const TOPIC_SETTLE_MS = 10_000;

export const CONSUMER_TUNING = {
  sessionTimeout: 10_000,
  heartbeatInterval: 1_000,
  retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 10 },
} as const;

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: KafkaClient, topics: TopicSpec[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    // Processes starting together on a fresh broker create the same topics at once, and a topic just created may
    // not be in every broker's metadata yet ("This server does not host this topic-partition"): retried briefly.
    await retryUntil(
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = topics.filter((t) => !existing.has(t.topic));
        if (missing.length === 0) return;
        await admin
          .createTopics({
            waitForLeaders: true,
            topics: missing.map((t) => ({
              topic: t.topic,
              numPartitions: t.partitions,
              replicationFactor: 1,
              configEntries: t.retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(t.retentionMs) }],
            })),
          })
          .catch((err: { type?: string }) => {
            // Another process created it first: harmless.
            if (err.type !== 'TOPIC_ALREADY_EXISTS') throw err;
          });
      },
      { giveUpAt: Date.now() + TOPIC_SETTLE_MS },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Every broker of the cluster as `host:port`: the bootstrap list and the brokers the cluster advertises. */
export async function platformBrokers(kafka: KafkaClient, bootstrap: readonly string[]): Promise<string[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    return [...new Set([...bootstrap, ...brokers.map((b) => (b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`))])];
  } finally {
    await admin.disconnect();
  }
}
