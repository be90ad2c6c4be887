// BoundedConsumer's reaction to kafkajs giving up on a consumer, with a stand-in for kafkajs: a crash kafkajs does
// not restart makes it unhealthy and it starts a new consumer after a backoff; the join of the new one makes it
// healthy again and re-applies the pause (kafkajs keeps pauses in the consumer group a restart replaces).
// The real broker's side (commits, re-delivery) is test/integration/consumer-commits.test.ts.
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { BoundedConsumer } from '../../../shared/kafka/bounded-consumer.ts';
import { waitFor } from '../../../deploy/local/daemon.ts';
import { FakeConsumer } from './fake-consumer.ts';

/** Read through a call, so that the compiler does not narrow the getter from one assertion to the next. */
const healthyNow = (c: BoundedConsumer): boolean => c.healthy;

/** A BoundedConsumer on stand-in kafkajs consumers (every one it makes is in `made`), its health reports in `health`. */
function standInConsumer(restartDelayMs: number) {
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
    restartDelayMs,
  });
  return { made, health, consumer };
}

describe('BoundedConsumer health (kafkajs stand-in)', () => {
  it('a crash kafkajs does not restart → unhealthy, a new consumer after the backoff, healthy again once it joins, paused as before', async () => {
    const { made, health, consumer } = standInConsumer(10);
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
    const { made, health, consumer } = standInConsumer(1);
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
