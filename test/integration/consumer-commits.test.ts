// BoundedConsumer's manual commits on the real broker: an offset is committed only once the message and every one
// before it in its partition are settled, so whoever reads the topic next in the group starts at the first message
// not settled (shared/kafka/settled-offsets.ts; docs/durability.md, "Invoker delivery").
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { BoundedConsumer, type HandleResult, type IncomingMessage, type Settle } from '../../shared/kafka/bounded-consumer.ts';
import { createKafka, createProducer, ensureTopics, type MessageProducer } from '../../shared/kafka/client.ts';
import { committedOffset } from '../support/kafka-offsets.ts';
import { testKafka } from '../support/stack.ts';

const logger = pino({ level: 'silent' });

describe('BoundedConsumer commits settled offsets (real broker)', () => {
  let kafka: ReturnType<typeof createKafka>;
  let producer: MessageProducer;
  const running = new Set<BoundedConsumer>();

  before(async () => {
    kafka = createKafka({ brokers: await testKafka(), clientId: 'consumer-commits-test', logger });
    producer = await createProducer(kafka);
  });

  after(async () => {
    await Promise.all([...running].map((c) => c.stop(0)));
    await producer.close();
  });

  async function newTopic(): Promise<string> {
    const topic = `commits-test-${randomUUID()}`;
    await ensureTopics(kafka, [{ topic, partitions: 1, retentionMs: 3_600_000 }]);
    return topic;
  }

  async function consume(topic: string, groupId: string, handle: (m: IncomingMessage, settle: Settle) => Promise<HandleResult>): Promise<BoundedConsumer> {
    const consumer = new BoundedConsumer({ kafka, groupId, topic, capacity: 16, fromBeginning: true, logger, handle, commitIntervalMs: 50 });
    running.add(consumer);
    await consumer.start();
    return consumer;
  }

  async function stop(consumer: BoundedConsumer): Promise<void> {
    running.delete(consumer);
    await consumer.stop();
  }

  /** The group's committed offset of partition 0 ('-1' when none). */
  const committed = (groupId: string, topic: string): Promise<string> => committedOffset(kafka, groupId, topic);

  const sendAll = async (topic: string, values: string[]): Promise<void> => {
    for (const v of values) await producer.send(topic, [{ value: Buffer.from(v) }]);
  };

  it('commits up to the first message left unsettled: the next member of the group starts there, settled ones after it come again', async function () {
    this.timeout(90_000);
    const topic = await newTopic();
    const groupId = `g-${randomUUID()}`;
    await sendAll(topic, ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    const first: string[] = [];
    const c1 = await consume(topic, groupId, async (m) => {
      first.push(m.value.toString());
      return m.value.toString() === 'm2' ? 'unsettled' : undefined;
    });
    await waitFor('six messages', async () => (first.length === 6 ? true : undefined), 30_000, 20);
    await waitFor('the commit of m0..m1', async () => ((await committed(groupId, topic)) === '2' ? true : undefined), 30_000, 100);
    await stop(c1);
    assert.equal(await committed(groupId, topic), '2', 'm3..m5 were settled, but m2 before them was not');

    const second: string[] = [];
    const c2 = await consume(topic, groupId, async (m) => void second.push(m.value.toString()));
    await waitFor('the re-delivered messages', async () => (second.length === 4 ? true : undefined), 30_000, 20);
    assert.deepEqual(second, ['m2', 'm3', 'm4', 'm5']);
    await waitFor('the commit of everything', async () => ((await committed(groupId, topic)) === '6' ? true : undefined), 30_000, 100);
    await stop(c2);
  });

  it('a message settled early is committed while its handler still runs; one whose handler runs unsettled holds back the commit', async function () {
    this.timeout(60_000);
    const topic = await newTopic();
    const groupId = `g-${randomUUID()}`;
    const releases = new Map<string, () => void>();
    const consumer = await consume(topic, groupId, async (m, settle) => {
      const v = m.value.toString();
      if (v === 'early') settle();
      await new Promise<void>((resolve) => releases.set(v, resolve));
    });
    await sendAll(topic, ['early', 'late', 'after']);
    await waitFor('three in hand', async () => (releases.size === 3 ? true : undefined), 30_000, 20);
    await waitFor('the commit of the early one', async () => ((await committed(groupId, topic)) === '1' ? true : undefined), 30_000, 100);
    assert.equal(consumer.inHand, 3);
    assert.equal(consumer.unsettled, 2);
    releases.get('after')!();
    await waitFor('"after" done', async () => (consumer.inHand === 2 ? true : undefined), 10_000, 20);
    assert.equal(await committed(groupId, topic), '1', '"late" is not settled: nothing after it is committed');
    releases.get('late')!();
    await waitFor('the commit of all three', async () => ((await committed(groupId, topic)) === '3' ? true : undefined), 30_000, 100);
    releases.get('early')!();
    await stop(consumer);
  });
});
