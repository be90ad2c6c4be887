// Reads every invoker's pings from the health topic into the InvokerRegistry. Each controller reads in a
// consumer group of its own (`health<controllerId>`), so every controller sees every ping.
import type { Kafka as KafkaClient, Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import { pingCodec } from '../../shared/avro/ping.ts';
import { CONSUMER_TUNING } from '../../shared/kafka/client.ts';
import type { InvokerRegistry } from '../balancer/invoker-registry.ts';

export class HealthWatcher {
  readonly #consumer: Consumer;
  readonly #topic: string;
  readonly #registry: InvokerRegistry;
  readonly #logger: Logger;

  constructor(kafka: KafkaClient, topic: string, controllerId: number, registry: InvokerRegistry, logger: Logger) {
    // Pings are read as they come; an old ping says nothing about now, so a new group starts at the end.
    this.#consumer = kafka.consumer({ ...CONSUMER_TUNING, groupId: `health${controllerId}`, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
    this.#topic = topic;
    this.#registry = registry;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: [this.#topic], fromBeginning: false });
    await this.#consumer.run({
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

  stop(): Promise<void> {
    return this.#consumer.disconnect();
  }
}
