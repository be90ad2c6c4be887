// Triggers, rules and Kafka feeds end to end, against the real stack: a fire runs the rule's action on an invoker,
// a record produced to a feed's topic fires its trigger, and each path is one trace in the real Jaeger
// (cause → controller → Kafka → invoker → isolate).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { createKafka, createProducer, type MessageProducer } from '../../shared/kafka/client.ts';
import { hasSpans, jaegerTrace, traceView } from '../support/jaeger.ts';
import { type Activation, type TestNamespace, annotation, api, freshNamespace } from '../support/platform.ts';
import { testKafka, testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

const ECHO = 'function main(params) { console.log("fired"); return { got: params }; }';
const FEED = '/whisk.system/messaging/kafkaFeed';

/** A W3C traceparent for a caller span of our own, so the test knows which trace to read. */
function callerContext() {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

/** The client's feed calls, including the READ and UPDATE its type declarations leave out. */
type FeedCall = (options: { name: string; trigger: string; params?: Record<string, unknown> }) => Promise<unknown>;
const feeds = (ns: TestNamespace) => ns.ow.feeds as unknown as Record<'create' | 'get' | 'update' | 'delete', FeedCall>;

/** The action activations a trigger record lists, once it is stored. */
async function ruleActivations(ns: TestNamespace, triggerActivationId: string): Promise<Activation[]> {
  const record = await waitForRecord(ns, triggerActivationId);
  const ids = record.logs.map((l) => (JSON.parse(l) as { activationId?: string }).activationId).filter((id) => id !== undefined);
  return Promise.all(ids.map((id) => waitForRecord(ns, id)));
}

/** The newest activations of a trigger, once there are at least `n`. */
async function triggerActivations(ns: TestNamespace, trigger: string, n: number): Promise<Activation[]> {
  return waitFor(
    `${n} activations of trigger ${trigger}`,
    async () => {
      const list = (await ns.ow.activations.list({ name: trigger, docs: true } as never)) as unknown as Activation[];
      return list.length >= n ? list : undefined;
    },
    30_000,
    100,
  );
}

describe('triggers, rules and Kafka feeds (real stack)', function () {
  this.timeout(120_000);
  let ns: TestNamespace;
  let producer: MessageProducer;

  before(async () => {
    await testPlatform();
    ns = await freshNamespace('triggers');
    await ns.ow.actions.create({ name: 'echo', action: { exec: { kind: 'nodejs:default', code: ECHO } } });
    producer = await createProducer(createKafka({ brokers: await testKafka(), clientId: 'triggers-test', logger: pino({ level: 'silent' }) }));
  });

  after(async () => {
    await producer?.close();
  });

  it('fires a trigger: the rule runs its action with trigger parameters and payload, all in the caller\'s trace', async () => {
    await ns.ow.triggers.create({ name: 'manual', trigger: { parameters: [{ key: 'source', value: 'trigger' }] } });
    await ns.ow.rules.create({ name: 'manual-echo', trigger: 'manual', action: 'echo' });
    const caller = callerContext();

    const res = await api(ns, 'POST', '/namespaces/_/triggers/manual', JSON.stringify({ n: 1 }), { traceparent: caller.traceparent });
    assert.equal(res.status, 202);
    const { activationId } = (await res.json()) as { activationId: string };
    const [run] = await ruleActivations(ns, activationId);
    assert.ok(run, 'the rule started an activation');
    const got = (run.response.result as { got: Record<string, unknown> }).got;
    assert.equal(got.source, 'trigger');
    assert.equal(got.n, 1);
    assert.equal(typeof got.__ow_headers, 'object');
    assert.equal(annotation(run, 'traceId'), caller.traceId);
    assert.equal(annotation(await waitForRecord(ns, activationId), 'traceId'), caller.traceId);

    const trace = await jaegerTrace(caller.traceId, hasSpans([`rule ${ns.name}/manual-echo`, 'send invoker0', 'process invoker0', 'run', 'EVALSHA', /^POST .*triggers/]));
    const { span, parentOf, service } = traceView(trace);
    const http = span(/^POST .*triggers/);
    assert.equal(parentOf(http), caller.spanId);
    const rule = span(`rule ${ns.name}/manual-echo`);
    assert.equal(parentOf(rule), http.spanID, 'the rule runs under the fire request');
    assert.equal(parentOf(span('send invoker0')), rule.spanID, 'the action is published under its rule');
    assert.equal(service(span('process invoker0')), 'isowhisk-invoker');
    assert.equal(parentOf(span('process invoker0')), span('send invoker0').spanID);
    assert.equal(parentOf(span('run')), span('process invoker0').spanID);
  });

  it('fires a feed trigger for records produced to its topic, as the message-hub payload, joining the producer\'s trace', async () => {
    const topic = `feed-${randomBytes(4).toString('hex')}`;
    await ns.ow.triggers.create({ name: 'orders', trigger: { annotations: [{ key: 'feed', value: FEED }] } });
    await ns.ow.rules.create({ name: 'orders-echo', trigger: 'orders', action: 'echo' });
    const created = (await ns.ow.feeds.create({ name: FEED, trigger: 'orders', params: { topic, isJSONData: true } })) as unknown as Activation;
    assert.equal(created.response.success, true, JSON.stringify(created.response));

    const caller = callerContext();
    await producer.send(topic, [{ key: 'order-1', value: Buffer.from(JSON.stringify({ item: 'tea', qty: 2 })), headers: { traceparent: caller.traceparent } }]);

    const [fired] = await triggerActivations(ns, 'orders', 1);
    const [run] = await ruleActivations(ns, fired!.activationId);
    const { messages } = (run!.response.result as { got: { messages: unknown[] } }).got;
    assert.deepEqual(messages, [{ topic, partition: 0, offset: 0, key: 'order-1', value: { item: 'tea', qty: 2 } }]);

    const trace = await jaegerTrace(caller.traceId, hasSpans([`process ${topic}`, `rule ${ns.name}/orders-echo`, 'process invoker0', 'run']));
    const { span, parentOf, service, tag } = traceView(trace);
    const consume = span(`process ${topic}`);
    assert.equal(service(consume), 'isowhisk-controller');
    assert.equal(parentOf(consume), caller.spanId, 'the feed continues the producer\'s trace from the record headers');
    assert.equal(tag(consume, 'messaging.destination.name'), topic);
    assert.equal(parentOf(span(`rule ${ns.name}/orders-echo`)), consume.spanID);
    assert.equal(parentOf(span('send invoker0')), span(`rule ${ns.name}/orders-echo`).spanID);
    assert.equal(parentOf(span('run')), span('process invoker0').spanID);
  });

  it('reads, updates and deletes a feed; text and binary values; a second create is refused', async () => {
    const topic = `feed-${randomBytes(4).toString('hex')}`;
    await ns.ow.triggers.create({ name: 'raw' });
    await ns.ow.rules.create({ name: 'raw-echo', trigger: 'raw', action: 'echo' });
    await ns.ow.feeds.create({ name: FEED, trigger: 'raw', params: { topic } });
    const again = await api(ns, 'POST', `/namespaces/whisk.system/actions/messaging/kafkaFeed?blocking=true`, JSON.stringify({ lifecycleEvent: 'CREATE', triggerName: `/${ns.name}/raw`, topic }));
    assert.equal(again.status, 502);
    assert.deepEqual(((await again.json()) as Activation).response.result, {
      error: `Trigger /${ns.name}/raw already has a Kafka feed; delete it first or send UPDATE.`,
    });

    await producer.send(topic, [{ key: 'k', value: Buffer.from('{not json') }]);
    const [first] = await triggerActivations(ns, 'raw', 1);
    const [run1] = await ruleActivations(ns, first!.activationId);
    assert.deepEqual((run1!.response.result as { got: { messages: unknown[] } }).got.messages, [{ topic, partition: 0, offset: 0, key: 'k', value: '{not json' }]);

    const read = (await feeds(ns).get({ name: FEED, trigger: 'raw' })) as Activation;
    assert.deepEqual((read.response.result as { config: unknown }).config, {
      triggerName: `/${ns.name}/raw`,
      topic,
      isJSONData: false,
      isBinaryValue: false,
      isBinaryKey: false,
    });
    await feeds(ns).update({ name: FEED, trigger: 'raw', params: { isBinaryValue: true } });
    await producer.send(topic, [{ value: Buffer.from([0xff, 0x00, 0x01]) }]);
    const runs = await waitFor(
      'the binary record to fire',
      async () => {
        const list = await triggerActivations(ns, 'raw', 1);
        if (list.length < 2) return undefined;
        return ruleActivations(ns, list[0]!.activationId);
      },
      30_000,
      100,
    );
    assert.deepEqual((runs[0]!.response.result as { got: { messages: unknown[] } }).got.messages, [{ topic, partition: 0, offset: 1, key: null, value: '/wAB' }]);

    const deleted = (await ns.ow.feeds.delete({ name: FEED, trigger: 'raw' })) as unknown as Activation;
    assert.equal(deleted.response.success, true);
    const readAgain = await api(ns, 'POST', `/namespaces/whisk.system/actions/messaging/kafkaFeed?blocking=true`, JSON.stringify({ lifecycleEvent: 'READ', triggerName: `/${ns.name}/raw` }));
    assert.equal(readAgain.status, 502);
    assert.deepEqual(((await readAgain.json()) as Activation).response.result, { error: `Trigger /${ns.name}/raw has no Kafka feed.` });
  });

  it('refuses feed requests for another namespace\'s trigger or without a topic, as application errors with records', async () => {
    const other = await freshNamespace('other');
    await other.ow.triggers.create({ name: 'theirs' });
    const foreign = await api(ns, 'POST', '/namespaces/whisk.system/actions/messaging/kafkaFeed?blocking=true', JSON.stringify({ lifecycleEvent: 'CREATE', triggerName: `/${other.name}/theirs`, topic: 'x' }));
    assert.equal(foreign.status, 502);
    const body = (await foreign.json()) as Activation;
    assert.deepEqual(body.response.result, { error: `The supplied authentication is not authorized to access '${other.name}/theirs'.` });
    assert.equal((await waitForRecord(ns, body.activationId)).name, 'kafkaFeed');

    const noTopic = await api(ns, 'POST', '/namespaces/whisk.system/actions/messaging/kafkaFeed?blocking=true&result=true', JSON.stringify({ lifecycleEvent: 'CREATE', triggerName: '/_/raw' }));
    assert.equal(noTopic.status, 502);
    assert.deepEqual(await noTopic.json(), { error: "Parameter 'topic' is required." });
  });
});
