// Reads every invoker's pings from the health topic into the InvokerRegistry. Each controller reads in a
// consumer group of its own (`<prefix>health<controllerId>`), so every controller sees every ping.
// Without pings every invoker looks down and every invoke gets 503, so this consumer must outlive Kafka outages:
// when kafkajs gives up on it (a crash it does not restart, e.g. no group coordinator for too long while Kafka
// restarts), a new consumer is started after a backoff (shared/kafka/consumer-restarts.ts) until one joins again.
import type { Kafka as KafkaClient, Consumer, ConsumerCrashEvent } from 'kafkajs';
import type { Logger } from 'pino';
import { pingCodec } from '../../shared/avro/ping.ts';
import { CONSUMER_TUNING } from '../../shared/kafka/client.ts';
import { ConsumerRestarts } from '../../shared/kafka/consumer-restarts.ts';
import type { InvokerRegistry } from '../balancer/invoker-registry.ts';

export class HealthWatcher {
  readonly #kafka: KafkaClient;
  readonly #groupId: string;
  readonly #topic: string;
  readonly #registry: InvokerRegistry;
  readonly #logger: Logger;
  #consumer: Consumer;
  readonly #restarts = new ConsumerRestarts();
  #stopping = false;

  /** `groupId`: this controller's own group (Topics.healthGroup), so every controller reads every ping. */
  constructor(kafka: KafkaClient, topic: string, groupId: string, registry: InvokerRegistry, logger: Logger) {
    this.#kafka = kafka;
    this.#groupId = groupId;
    this.#topic = topic;
    this.#registry = registry;
    this.#logger = logger;
    this.#consumer = this.#create();
  }

  async start(): Promise<void> {
    await this.#run(this.#consumer);
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restarts.stop();
    await this.#consumer.disconnect();
  }

  #create(): Consumer {
    // Pings are read as they come; an old ping says nothing about now, so a new group starts at the end.
    const consumer = this.#kafka.consumer({ ...CONSUMER_TUNING, groupId: this.#groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    consumer.on(consumer.events.GROUP_JOIN, () => this.#restarts.joined());
    consumer.on(consumer.events.CRASH, (event) => this.#crashed(consumer, event));
    return consumer;
  }

  async #run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: [this.#topic], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const ping = pingCodec.decode(message.value ?? Buffer.alloc(0), message.headers);
          // Seen at the time it was sent: a controller that restarts replays pings it had not committed, and an
          // old ping must not make a dead invoker look alive. (Capped at now against clock skew.)
          this.#registry.record(ping, Math.min(Date.now(), ping.sentAt));
        } catch (err) {
          this.#logger.warn({ err, offset: message.offset }, 'unreadable health ping skipped');
        }
      },
    });
  }

  #crashed(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (consumer !== this.#consumer || this.#stopping || event.payload.restart) return;
    this.#logger.error({ err: event.payload.error, restartInMs: this.#restarts.nextDelayMs }, 'health consumer crashed for good; starting a new one after a backoff');
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
      (err) => this.#logger.error({ err }, 'restarting the health consumer failed; trying again after a backoff'),
    );
  }
}
