// BoundedConsumer's reaction to kafkajs giving up on a consumer, with a stand-in for kafkajs: a crash kafkajs does
// not restart makes it unhealthy and it starts a new consumer after a backoff; the join of the new one makes it
// healthy again and re-applies the pause (kafkajs keeps pauses in the consumer group a restart replaces).
// The real broker's side (commits, re-delivery) is test/integration/consumer-commits.test.ts.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { BoundedConsumer } from '../../../shared/kafka/bounded-consumer.ts';
import { waitFor } from '../../../deploy/local/daemon.ts';

const EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' } as const;

class FakeConsumer {
  readonly events = EVENTS;
  readonly emitter = new EventEmitter();
  readonly calls: string[] = [];
  running = false;

  on(event: string, listener: (e: unknown) => void): void {
    this.emitter.on(event, listener);
  }
  async connect(): Promise<void> {
    this.calls.push('connect');
  }
  async subscribe(): Promise<void> {
    this.calls.push('subscribe');
  }
  async run(): Promise<void> {
    this.calls.push('run');
    this.running = true;
  }
  async disconnect(): Promise<void> {
    this.calls.push('disconnect');
    this.running = false;
  }
  async commitOffsets(): Promise<void> {
    this.calls.push('commit');
  }
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  join(): void {
    this.emitter.emit(EVENTS.GROUP_JOIN, { payload: {} });
  }
  crash(restart: boolean): void {
    const error = new Error('broken for good');
    error.name = 'KafkaJSNonRetriableError';
    this.emitter.emit(EVENTS.CRASH, { payload: { error, groupId: 'g', restart } });
  }
}

/** Read through a call, so that the compiler does not narrow the getter from one assertion to the next. */
const healthyNow = (c: BoundedConsumer): boolean => c.healthy;

describe('BoundedConsumer health (kafkajs stand-in)', () => {
  it('a crash kafkajs does not restart → unhealthy, a new consumer after the backoff, healthy again once it joins, paused as before', async () => {
    const made: FakeConsumer[] = [];
    const kafka = { consumer: () => made[made.push(new FakeConsumer()) - 1] } as unknown as Kafka;
    const health: Array<[boolean, string]> = [];
    const consumer = new BoundedConsumer({
      kafka,
      groupId: 'g',
      topic: 't',
      capacity: 4,
      fromBeginning: true,
      logger: pino({ level: 'silent' }),
      handle: async () => {},
      onHealth: (healthy, reason) => health.push([healthy, reason]),
      restartDelayMs: 10,
    });
    await consumer.start();
    made[0]!.join();
    assert.equal(healthyNow(consumer), true);
    consumer.hold('heap');

    made[0]!.crash(true); // kafkajs restarts this one itself: nothing to report
    assert.equal(health.length, 0);
    assert.equal(made.length, 1);

    made[0]!.crash(false);
    assert.equal(healthyNow(consumer), false);
    assert.equal(health.length, 1);
    assert.equal(health[0]![0], false);
    assert.match(health[0]![1], /KafkaJSNonRetriableError: broken for good/);

    await waitFor('a new consumer', async () => (made[1]?.running ? true : undefined), 5_000, 5);
    assert.deepEqual(made[1]!.calls, ['connect', 'subscribe', 'run']);
    assert.equal(healthyNow(consumer), false, 'unhealthy until the new consumer is in the group');
    made[1]!.join();
    assert.equal(healthyNow(consumer), true);
    assert.deepEqual(health.map(([h]) => h), [false, true]);
    assert.ok(made[1]!.calls.includes('pause'), 'the hold is applied to the new consumer');

    made[0]!.crash(false); // the replaced consumer no longer counts
    assert.equal(healthyNow(consumer), true);
    await consumer.stop();
    assert.ok(made[1]!.calls.includes('disconnect'));
  });

  it('no restart once stopping', async () => {
    const made: FakeConsumer[] = [];
    const kafka = { consumer: () => made[made.push(new FakeConsumer()) - 1] } as unknown as Kafka;
    const health: boolean[] = [];
    const consumer = new BoundedConsumer({
      kafka,
      groupId: 'g',
      topic: 't',
      capacity: 4,
      fromBeginning: true,
      logger: pino({ level: 'silent' }),
      handle: async () => {},
      onHealth: (healthy) => health.push(healthy),
      restartDelayMs: 1,
    });
    await consumer.start();
    made[0]!.join();
    consumer.stopFetching();
    made[0]!.crash(false);
    await new Promise((r) => setTimeout(r, 20)); // past the restart delay: a restart would have begun
    assert.equal(made.length, 1);
    assert.deepEqual(health, []);
    await consumer.stop();
  });
});
