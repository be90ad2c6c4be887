// The local stack's real Kafka broker (deploy/local/kafka.ts) and kafkajs against it: topics, produce with headers,
// consumer groups and committed offsets. The broker keeps running afterwards: other suites share it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import kafkajs from 'kafkajs';
import type { Admin, Consumer, IHeaders, Kafka as KafkaClient, KafkaMessage, Producer } from 'kafkajs';
import { waitFor } from '../../deploy/local/daemon.ts';
import { kafkaPid, startKafka } from '../../deploy/local/kafka.ts';
import { testLayout } from '../../deploy/local/layout.ts';
import { testStackLayout } from '../support/stack.ts';

const layout = testStackLayout();

const { Kafka, Partitioners, logLevel } = kafkajs;

const WAIT_MS = 30_000;

interface Received {
  value: string;
  offset: string;
  headers: IHeaders;
}

const received = (message: KafkaMessage): Received => ({
  value: message.value?.toString() ?? '',
  offset: message.offset,
  headers: message.headers ?? {},
});

const header = (headers: IHeaders, name: string): string | undefined => {
  const value = headers[name];
  return value === undefined ? undefined : Array.isArray(value) ? value.map(String).join(',') : value.toString();
};

describe('local Kafka broker', function () {
  let brokers: string[];
  let kafka: KafkaClient;
  let admin: Admin;
  const producers: Producer[] = [];
  const consumers: Consumer[] = [];

  const newTopic = async (): Promise<string> => {
    const topic = `it-broker-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    return topic;
  };

  const newProducer = async (): Promise<Producer> => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
    producers.push(producer);
    await producer.connect();
    return producer;
  };

  /** A consumer in `groupId` on `topic` that collects what it receives into `into`. */
  const newConsumer = async (groupId: string, topic: string, into: Received[]): Promise<Consumer> => {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        into.push(received(message));
      },
    });
    return consumer;
  };

  const committedOffset = async (groupId: string, topic: string): Promise<string | undefined> => {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry?.partitions.find((p) => p.partition === 0)?.offset;
  };

  before(async function () {
    this.timeout(180_000); // the first run gathers the jars with Maven
    brokers = await startKafka(layout);
    kafka = new Kafka({ clientId: 'it-kafka-broker', brokers, logLevel: logLevel.WARN, retry: { initialRetryTime: 100, retries: 8 } });
    admin = kafka.admin();
    await admin.connect();
  });

  after(async () => {
    await Promise.allSettled([...consumers, ...producers].map((client) => client.disconnect()));
    await admin?.disconnect();
    // The broker keeps running: other suites share it.
  });

  it('starting twice returns the same brokers without a second JVM', async () => {
    const pid = kafkaPid(layout);
    assert.ok(pid, 'the broker has a live pid');
    const started = Date.now();
    assert.deepEqual(await startKafka(layout), brokers);
    assert.ok(Date.now() - started < 5_000, 'a running broker is returned at once');
    assert.equal(kafkaPid(layout), pid);
    assert.deepEqual(brokers, [`127.0.0.1:${layout.kafka.port}`]);
  });

  it('refuses to start when its port answers as another program', async () => {
    const sockets = new Set<Socket>();
    const listen = (): Promise<Server> =>
      new Promise((done) => {
        const server = createServer((socket) => {
          sockets.add(socket);
          socket.on('error', () => {}).end('not kafka\n');
        });
        server.listen(0, '127.0.0.1', () => done(server));
      });
    const close = (server: Server): Promise<unknown> => new Promise((done) => server.close(done));
    const busy = await listen();
    const spare = await listen(); // a port that was free a moment ago, for the controller
    const port = (busy.address() as AddressInfo).port;
    const controllerPort = (spare.address() as AddressInfo).port;
    await close(spare);
    try {
      const other = { ...testLayout('kafka-port-conflict'), kafka: { port, controllerPort } };
      await assert.rejects(startKafka(other), (err: Error) => {
        assert.match(err.message, new RegExp(`port ${port} .*already answers \\(another program\\)`));
        return true;
      });
      assert.equal(kafkaPid(other), undefined);
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(busy);
    }
  });

  it('creates a topic, and creating it again is harmless', async () => {
    const topic = `it-broker-${randomUUID()}`;
    const spec = { topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true };
    assert.equal(await admin.createTopics(spec), true);
    // kafkajs logs TOPIC_ALREADY_EXISTS at ERROR level before it turns it into `false`: use a silent client.
    const quiet = new Kafka({ clientId: 'it-kafka-broker-quiet', brokers, logLevel: logLevel.NOTHING }).admin();
    await quiet.connect();
    try {
      assert.equal(await quiet.createTopics(spec), false);
    } finally {
      await quiet.disconnect();
    }
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(topics.length, 1);
    assert.equal(topics[0]?.partitions.length, 1);
    assert.equal(topics[0]?.partitions[0]?.leader, 1);
    assert.ok((await admin.listTopics()).includes(topic));
  });

  it('delivers messages with their headers, in order, to a consumer group', async () => {
    const topic = await newTopic();
    const producer = await newProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: [0, 1, 2].map((i) => ({
        key: 'k',
        value: `message-${i}`,
        headers: { seq: String(i), kind: 'test', binary: Buffer.from([0, 255, i]) },
      })),
    });

    const got: Received[] = [];
    await newConsumer(`it-group-${randomUUID()}`, topic, got);
    await waitFor('3 messages', async () => (got.length >= 3 ? true : undefined), WAIT_MS, 20);

    assert.deepEqual(got.map((m) => m.value), ['message-0', 'message-1', 'message-2']);
    assert.deepEqual(got.map((m) => m.offset), ['0', '1', '2']);
    got.forEach((m, i) => {
      assert.equal(header(m.headers, 'seq'), String(i));
      assert.equal(header(m.headers, 'kind'), 'test');
      assert.deepEqual(m.headers.binary, Buffer.from([0, 255, i]));
    });
  });

  it('commits group offsets: a second consumer of the group does not re-read committed messages', async () => {
    const topic = await newTopic();
    const groupId = `it-group-${randomUUID()}`;
    const producer = await newProducer();
    const send = (values: string[]) => producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });

    await send(['a', 'b', 'c']);
    const first: Received[] = [];
    const consumer1 = await newConsumer(groupId, topic, first);
    await waitFor('the first consumer to get 3 messages', async () => (first.length >= 3 ? true : undefined), WAIT_MS, 20);
    await waitFor('offset 3 to be committed', async () => ((await committedOffset(groupId, topic)) === '3' ? true : undefined), WAIT_MS, 50);
    await consumer1.disconnect();
    assert.deepEqual(first.map((m) => m.value), ['a', 'b', 'c']);

    await send(['d', 'e']);
    const second: Received[] = [];
    await newConsumer(groupId, topic, second);
    await waitFor('the second consumer to get 2 messages', async () => (second.length >= 2 ? true : undefined), WAIT_MS, 20);
    await waitFor('offset 5 to be committed', async () => ((await committedOffset(groupId, topic)) === '5' ? true : undefined), WAIT_MS, 50);
    assert.deepEqual(second.map((m) => m.value), ['d', 'e']);
    assert.deepEqual(second.map((m) => m.offset), ['3', '4']);
  });
});
