// Deployments sharing one Kafka cluster under different ISOWHISK_TOPIC_PREFIX values (shared/topics.ts), on the real
// broker: each invoker reads its own topic in a group of its own, and a group renamed under the prefix takes over
// the offsets its former name committed (shared/kafka/former-group.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { BoundedConsumer } from '../../shared/kafka/bounded-consumer.ts';
import { createKafka, createProducer, ensureTopics, type MessageProducer } from '../../shared/kafka/client.ts';
import { adoptFormerGroupOffsets } from '../../shared/kafka/former-group.ts';
import { topics } from '../../shared/topics.ts';
import { committedOffset } from '../support/kafka-offsets.ts';
import { testKafka } from '../support/stack.ts';

const logger = pino({ level: 'silent' });

describe('consumer groups of deployments sharing a cluster (real broker)', function () {
  this.timeout(60_000);
  let kafka: ReturnType<typeof createKafka>;
  let producer: MessageProducer;
  const running = new Set<BoundedConsumer>();
  // An invoker id no other suite uses, so its former group (`invoker<id>`) has no members.
  const invokerId = 900_000 + randomBytes(2).readUInt16BE();

  before(async () => {
    kafka = createKafka({ brokers: await testKafka(), clientId: 'consumer-groups-test', logger });
    producer = await createProducer(kafka);
  });

  after(async () => {
    await Promise.all([...running].map((c) => c.stop(0)));
    await producer.close();
  });

  /** A deployment's invoker topic, created, and an invoker-like consumer of it that lists what it reads. */
  async function deployment(prefix: string) {
    const names = topics(prefix);
    const topic = names.invoker(invokerId);
    await ensureTopics(kafka, [{ topic, partitions: 1, retentionMs: 3_600_000 }]);
    const read: string[] = [];
    const start = async () => {
      const consumer = new BoundedConsumer({
        kafka,
        groupId: names.invokerGroup(invokerId),
        topic,
        capacity: 16,
        fromBeginning: true,
        logger,
        commitIntervalMs: 50,
        handle: async (m) => void read.push(m.value.toString()),
      });
      running.add(consumer);
      await consumer.start();
      return consumer;
    };
    return { names, topic, read, start };
  }

  const committed = (groupId: string, topic: string): Promise<string> => committedOffset(kafka, groupId, topic);

  it('names every group under the prefix, as the topics are', () => {
    assert.deepEqual([topics('a.').invokerGroup(3), topics('a.').healthGroup(1)], ['a.invoker3', 'a.health1']);
    assert.deepEqual([topics().invokerGroup(3), topics().healthGroup(1)], ['invoker3', 'health1'], 'no prefix: the names are as before');
  });

  it('the same invoker id in two deployments: each reads its own topic, all of it', async () => {
    const one = await deployment(`one${randomBytes(3).toString('hex')}-`);
    const two = await deployment(`two${randomBytes(3).toString('hex')}-`);
    await Promise.all([one.start(), two.start()]);
    for (const [d, label] of [[one, 'one'], [two, 'two']] as const) {
      for (let i = 0; i < 3; i++) await producer.send(d.topic, [{ value: Buffer.from(`${label}-${i}`) }]);
    }
    await waitFor('both deployments to read their three requests', async () => (one.read.length >= 3 && two.read.length >= 3 ? true : undefined), 30_000, 50);
    assert.deepEqual([one.read, two.read], [['one-0', 'one-1', 'one-2'], ['two-0', 'two-1', 'two-2']]);
  });

  it('a group renamed under the prefix starts where its former name had committed, once', async () => {
    const d = await deployment(`moved${randomBytes(3).toString('hex')}-`);
    for (let i = 0; i < 4; i++) await producer.send(d.topic, [{ value: Buffer.from(`r${i}`) }]);
    const former = `invoker${invokerId}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: former, topic: d.topic, partitions: [{ partition: 0, offset: '2' }] }).finally(() => admin.disconnect());

    const group = d.names.invokerGroup(invokerId);
    assert.equal(await adoptFormerGroupOffsets(kafka, { former, group, topic: d.topic }, logger), 1);
    assert.equal(await committed(group, d.topic), '2');
    const consumer = await d.start();
    await waitFor('the requests after the former offset', async () => (d.read.length >= 2 ? true : undefined), 30_000, 50);
    assert.deepEqual(d.read, ['r2', 'r3'], 'neither the requests read before nor any skipped');

    running.delete(consumer);
    await consumer.stop();
    await waitFor('the new group to commit its own offset', async () => ((await committed(group, d.topic)) === '4' ? true : undefined), 10_000, 50);
    assert.equal(await adoptFormerGroupOffsets(kafka, { former, group, topic: d.topic }, logger), 0, 'a group with offsets of its own keeps them');
    assert.equal(await committed(group, d.topic), '4');
  });
});
