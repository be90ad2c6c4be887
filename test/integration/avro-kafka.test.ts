// Avro messages over the real broker through the project's own Kafka seams: createProducer → topic →
// BoundedConsumer in a consumer group → codec, and the run queue's bound (pause when full, resume when drained).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { BoundedConsumer, type IncomingMessage } from '../../shared/kafka/bounded-consumer.ts';
import { createKafka, createProducer, ensureTopics, type MessageProducer } from '../../shared/kafka/client.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { testKafka } from '../support/stack.ts';

const logger = pino({ level: 'silent' });

function request(n: number): ActivationRequest {
  return {
    activationId: newActivationId(),
    transactionId: newTransactionId(),
    action: { namespace: 'guest', name: `pkg/action${n}`, revision: String(n) },
    identity: { subject: 'guest', namespace: 'guest', uuid: randomUUID() },
    apiKey: null,
    params: JSON.stringify({ n }),
    blocking: n % 2 === 0,
    controllerId: 0,
    deadline: Date.now() + 60_000,
    cause: null,
    initArgs: [],
    receivedAt: Date.now(),
    binding: null,
  };
}

describe('Avro over Kafka (real broker)', () => {
  let kafka: ReturnType<typeof createKafka>;
  let producer: MessageProducer;
  const consumers: BoundedConsumer[] = [];

  before(async () => {
    kafka = createKafka({ brokers: await testKafka(), clientId: 'avro-kafka-test', logger });
    producer = await createProducer(kafka);
  });

  after(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await producer.close();
  });

  async function topicWithConsumer(capacity: number, handle: (m: IncomingMessage) => Promise<void>): Promise<{ topic: string; consumer: BoundedConsumer }> {
    const topic = `avro-test-${randomUUID()}`;
    await ensureTopics(kafka, [{ topic, partitions: 1, retentionMs: 3_600_000 }]);
    await ensureTopics(kafka, [{ topic, partitions: 1, retentionMs: 3_600_000 }]); // twice is harmless
    const consumer = new BoundedConsumer({ kafka, groupId: `g-${randomUUID()}`, topic, capacity, fromBeginning: true, logger, handle });
    consumers.push(consumer);
    await consumer.start();
    return { topic, consumer };
  }

  it('delivers ActivationRequests in order through a consumer group, decoded by the writer schema header', async () => {
    const got: ActivationRequest[] = [];
    const { topic } = await topicWithConsumer(16, async (m) => void got.push(activationRequestCodec.decode(m.value, m.headers)));
    const sent = [1, 2, 3, 4, 5].map(request);
    for (const r of sent) {
      const { value, headers } = activationRequestCodec.encode(r);
      await producer.send(topic, [{ key: r.activationId, value, headers }]);
    }
    await waitFor('5 messages', async () => (got.length >= 5 ? true : undefined), 30_000, 20);
    assert.deepEqual(got.map((r) => structuredClone({ ...r })), sent);
  });

  it('holds at most `capacity` messages in hand: pauses the topic when full and resumes when drained', async () => {
    const releases: Array<() => void> = [];
    let maxInHand = 0;
    let done = 0;
    const { topic, consumer } = await topicWithConsumer(3, async () => {
      maxInHand = Math.max(maxInHand, consumer.inHand);
      await new Promise<void>((resolve) => releases.push(resolve));
      done++;
    });
    for (let i = 0; i < 10; i++) {
      const { value, headers } = activationRequestCodec.encode(request(i));
      await producer.send(topic, [{ value, headers }]);
    }
    await waitFor('a full run queue', async () => (releases.length === 3 ? true : undefined), 30_000, 20);
    assert.equal(consumer.paused, true);
    // Drain everything that arrives, one at a time, until all ten are done.
    await waitFor(
      'all messages',
      async () => {
        releases.shift()?.();
        return done === 10 ? true : undefined;
      },
      30_000,
      20,
    );
    assert.ok(maxInHand <= 3, `had ${maxInHand} messages in hand`);
    assert.equal(consumer.paused, false);
  });

  it('a hold pauses the topic until it is lifted (the invoker holds it while its heap is high), then the held messages run', async () => {
    let done = 0;
    const { topic, consumer } = await topicWithConsumer(16, async () => void done++);
    const send = async (i: number) => {
      const { value, headers } = activationRequestCodec.encode(request(i));
      await producer.send(topic, [{ value, headers }]);
    };
    await send(0);
    await waitFor('the first message', async () => (done === 1 ? true : undefined), 30_000, 20);
    consumer.hold('heap');
    assert.equal(consumer.paused, true);
    for (let i = 1; i <= 3; i++) await send(i);
    // Messages sent after the hold are not taken while it lasts: a probe sent later still on another, unheld topic
    // goes round trip first (sent after them, a consumer that fetched them would have run them by then).
    let probed = false;
    const probe = await topicWithConsumer(16, async () => void (probed = true));
    const { value, headers } = activationRequestCodec.encode(request(99));
    await producer.send(probe.topic, [{ value, headers }]);
    await waitFor('the probe', async () => (probed ? true : undefined), 30_000, 20);
    assert.equal(done, 1, 'a held topic delivered messages');
    consumer.unhold('heap');
    assert.equal(consumer.paused, false);
    await waitFor('the held messages', async () => (done === 4 ? true : undefined), 30_000, 20);
  });

  it('sends concurrent messages together, and fails only the one that is too large', async () => {
    const got: string[] = [];
    const { topic } = await topicWithConsumer(64, async (m) => void got.push(m.value.toString()));
    const small = Array.from({ length: 20 }, (_, i) => producer.send(topic, [{ value: Buffer.from(`m${i}`) }]));
    const huge = producer.send(topic, [{ value: Buffer.alloc(2 * 1024 * 1024, 1) }]);
    const results = await Promise.allSettled([...small, huge]);
    assert.deepEqual(results.slice(0, 20).map((r) => r.status), Array(20).fill('fulfilled'));
    assert.equal(results[20]!.status, 'rejected');
    assert.equal(((results[20] as PromiseRejectedResult).reason as { type?: string }).type, 'MESSAGE_TOO_LARGE');
    await waitFor('20 messages', async () => (got.length >= 20 ? true : undefined), 30_000, 20);
    assert.deepEqual([...got].sort(), Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
  });
});
