// Tells every controller, once per interval, that this invoker lives: its memory, what it holds warm and whether
// it takes new work (its status, read from `content` at every ping: `up`, `draining` while it shuts down, `unhealthy`
// while its topic's consumer is down). Controllers mark an invoker offline when these pings stop (controller/balancer).
import type { Logger } from 'pino';
import { pingCodec, type Ping } from '../../shared/avro/ping.ts';
import type { MessageProducer } from '../../shared/kafka/client.ts';

export type PingContent = Omit<Ping, 'sentAt'>;

export class HealthPinger {
  readonly #producer: MessageProducer;
  readonly #topic: string;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #content: () => PingContent;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(producer: MessageProducer, topic: string, intervalMs: number, logger: Logger, content: () => PingContent) {
    this.#producer = producer;
    this.#topic = topic;
    this.#intervalMs = intervalMs;
    this.#logger = logger;
    this.#content = content;
  }

  start(): void {
    void this.ping();
    this.#timer = setInterval(() => void this.ping(), this.#intervalMs);
  }

  /** Sends one ping now; failures are logged once per outage, not once per interval. */
  async ping(): Promise<void> {
    try {
      const { value, headers } = pingCodec.encode({ ...this.#content(), sentAt: Date.now() });
      await this.#producer.send(this.#topic, [{ value, headers }]);
      if (this.#failing) this.#logger.info('health pings flow again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing) this.#logger.warn({ err }, 'health ping failed; retrying every interval');
      this.#failing = true;
    }
  }

  /** Stops pinging (a ping under way still goes out). */
  stop(): void {
    clearInterval(this.#timer);
  }
}
