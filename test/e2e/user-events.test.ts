// With ISOWHISK_USER_EVENTS on (the test platform has it), every activation the invoker records is published
// as an Avro ActivationEvent on the `events` topic, in OpenWhisk's user-events shape.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { waitFor } from '../../deploy/local/daemon.ts';
import { activationEventCodec, type ActivationEvent } from '../../shared/avro/activation-event.ts';
import { api, freshNamespace } from '../support/platform.ts';
import { testPlatform } from '../support/stack.ts';

describe('user events', function () {
  this.timeout(120_000);

  it('publishes an ActivationEvent for an activation', async () => {
    const platform = await testPlatform();
    const ns = await freshNamespace('events');
    await ns.ow.actions.create({ name: 'evented', action: { exec: { kind: 'nodejs:default', code: 'function main() { return { ok: true }; }' } } });

    const kafka = new kafkajs.Kafka({ brokers: platform.kafkaBrokers, logLevel: kafkajs.logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `events-test-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const events: ActivationEvent[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: ['events'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void events.push(activationEventCodec.decode(message.value!, message.headers)) });
      const res = await api(ns, 'POST', '/namespaces/_/actions/evented?blocking=true', '{}');
      const { activationId } = (await res.json()) as { activationId: string };
      const event = await waitFor('the event', async () => events.find((e) => e.eventType === 'Activation' && e.body.activationId === activationId), 30_000, 50);
      assert.equal(event.namespace, ns.name);
      assert.equal(event.source, 'invoker0');
      assert.equal(event.eventType, 'Activation');
      if (event.eventType !== 'Activation') return;
      assert.equal(event.body.name, `${ns.name}/evented`);
      assert.equal(event.body.statusCode, 0);
      assert.equal(event.body.kind, 'nodejs:24');
      assert.equal(event.body.memory, 256);
    } finally {
      await consumer.disconnect();
    }
  });
});
