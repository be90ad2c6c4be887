// The health watcher outlives Kafka outages: a consumer kafkajs gives up on is replaced after a backoff, since
// without pings every invoker looks down (kafkajs stand-in; the real broker's side is in the fault suites).
import assert from 'node:assert/strict';
import pino from 'pino';
import type { Kafka } from 'kafkajs';
import { InvokerRegistry } from '../../../controller/balancer/invoker-registry.ts';
import { HealthWatcher } from '../../../controller/health/health-watcher.ts';
import { waitFor } from '../../../deploy/local/daemon.ts';
import { FakeConsumer } from '../kafka/fake-consumer.ts';

describe('health watcher (kafkajs stand-in)', () => {
  it('starts a new consumer when kafkajs gives up on one, and none for a crash kafkajs restarts itself', async () => {
    const made: FakeConsumer[] = [];
    const kafka = { consumer: () => made[made.push(new FakeConsumer()) - 1] } as unknown as Kafka;
    const watcher = new HealthWatcher(kafka, 'health', 'health0', new InvokerRegistry(10_000), pino({ level: 'silent' }));
    await watcher.start();
    assert.equal(made.length, 1);
    assert.ok(made[0]!.running);

    made[0]!.crash(true); // kafkajs restarts this one itself
    made[0]!.crash(false); // this one it gives up on
    await waitFor('a new consumer', async () => (made.length === 2 && made[1]!.running) || undefined, 5_000, 20);
    assert.ok(made[0]!.calls.includes('disconnect'), 'the old consumer is let go');
    assert.deepEqual(made[1]!.calls, ['connect', 'subscribe', 'run']);

    await watcher.stop();
    made[1]!.crash(false); // after stop: nothing more
    await new Promise((r) => setTimeout(r, 1_100)); // past the first backoff: a restart would have begun
    assert.equal(made.length, 2);
  });
});
