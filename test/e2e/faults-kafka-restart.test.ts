// Fault injection, Kafka restarted (stopKafka + startKafka) between invocations: an invoke in the first seconds of
// the outage is refused promptly with 503, invocations succeed again within a minute of Kafka answering, a Kafka
// feed created before the outage fires for a record produced after it, and every activation accepted before, during
// or after the outage ends with a record. Runs on the shared fault stack (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import {
  CONTROLLER_COMPLETION_MARGIN_MS,
  giveUpTime,
  invoke,
  type Activation,
  type ApiAnswer,
  type FaultStack,
  type Retried,
  type TestNamespace,
} from '../support/faults.ts';
import { GRACE_MS, PROMPT_ANSWER_MS, SLACK_MS, answerOk, answerWithin, firstSuccessAfterRestart, note, useFaultSuite } from '../support/fault-suite.ts';
import { waitForRecord } from '../support/records.ts';

/** The topic of the Kafka feed that must survive the broker's restart. */
const FEED_TOPIC = 'faults-orders';

describe('fault injection: Kafka restarted (stopKafka + startKafka) between invocations', () => {
  const suite = useFaultSuite('faults-kafka');
  let stack: FaultStack;
  let ns: TestNamespace;
  before(() => ({ stack, ns } = suite));

  const scenario = {
    accepted: new Set<string>(),
    /** The answer to an invoke sent right after Kafka stopped, if it came within PROMPT_ANSWER_MS. */
    prompt: undefined as ApiAnswer | Error | undefined,
    during: undefined as ApiAnswer | Error | undefined,
    recovered: undefined as Retried<ApiAnswer> | undefined,
    recoveryError: undefined as Error | undefined,
  };
  const seen = (a: ApiAnswer): ApiAnswer => {
    if (a.activationId) scenario.accepted.add(a.activationId);
    return a;
  };

  before(async function () {
    this.timeout(180_000);
    await suite.ensureUp();
    // A Kafka feed that must keep firing across the restart: trigger `orders` on topic FEED_TOPIC runs `echo`.
    await ns.ow.triggers.create({ name: 'orders', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/messaging/kafkaFeed' }] } });
    await ns.ow.rules.create({ name: 'orders-echo', trigger: 'orders', action: 'echo' });
    const feed = (await ns.ow.feeds.create({ name: '/whisk.system/messaging/kafkaFeed', trigger: 'orders', params: { topic: FEED_TOPIC, isJSONData: true } })) as unknown as Activation;
    assert.equal(feed.response.success, true, JSON.stringify(feed.response));
    answerOk(seen(await invoke(ns, 'echo', { n: 'before' })));
    const queued = seen(await invoke(ns, 'echo', { n: 'queued' }, 'blocking=false'));
    assert.equal(queued.status, 202);

    let t = Date.now();
    await stack.stopKafka();
    note('Kafka stop', `${Date.now() - t} ms`);
    // Sent at once, while the controller still lists the invoker as up (its last ping is < 3 s old).
    const duringCall = invoke(ns, 'echo', { n: 'during' }, 'blocking=true&timeout=5000', 120_000).then(seen, (err: Error) => err);
    scenario.prompt = await answerWithin(duringCall, PROMPT_ANSWER_MS);
    t = Date.now();
    await stack.startKafka();
    note('Kafka start', `${Date.now() - t} ms`);

    try {
      scenario.recovered = await firstSuccessAfterRestart('Kafka', ns, 'echo', { n: 'after' }, seen);
    } catch (err) {
      scenario.recoveryError = err as Error;
    }
    scenario.during = await answerWithin(duringCall, 60_000);
    const d = scenario.during;
    note('invoke sent right after Kafka stopped', d === undefined ? 'no answer within 60 s' : d instanceof Error ? d.message : `HTTP ${d.status} after ${d.ms} ms: ${JSON.stringify(d.body).slice(0, 200)}`);
  });

  it('invocations succeed again within 60 s of Kafka answering', function () {
    if (scenario.recoveryError) throw scenario.recoveryError;
    assert.deepEqual((scenario.recovered!.value.body as Activation).response.result, { echo: { n: 'after' } });
  });

  it('a Kafka feed created before the outage fires its trigger for a record produced after it', async function () {
    this.timeout(90_000);
    const producer = await createProducer(createKafka({ brokers: stack.kafkaBrokers, clientId: 'faults-feed-producer', logger: createLogger('faults', 'error') }));
    try {
      await producer.send(FEED_TOPIC, [{ key: 'after-restart', value: Buffer.from(JSON.stringify({ order: 42 })) }]);
    } finally {
      await producer.close();
    }
    // The feed's consumer rejoins its group once the broker is back; the record waits for it in the topic.
    const echoed = await waitFor(
      'the feed trigger to run echo with the record',
      async () => {
        const list = (await ns.ow.activations.list({ name: 'echo', docs: true, limit: 20 } as never)) as unknown as Activation[];
        return list.find((a) => JSON.stringify(a.response.result).includes('after-restart'));
      },
      60_000,
      200,
    );
    const messages = (echoed.response.result as { echo: { messages: unknown[] } }).echo.messages;
    assert.deepEqual(messages, [{ topic: FEED_TOPIC, partition: 0, offset: 0, key: 'after-restart', value: { order: 42 } }]);
  });

  it('every activation accepted before, during or after the outage ends with a record', async function () {
    this.timeout(60_000);
    // By deadline + init and run (3 s each at most) + margin at the latest.
    const bound = giveUpTime(GRACE_MS, 3_000, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
    const missing: string[] = [];
    for (const id of scenario.accepted) if (!(await waitForRecord(ns, id, bound).catch(() => undefined))) missing.push(id);
    assert.deepEqual(missing, [], `${missing.length} of ${scenario.accepted.size} accepted activations have no record`);
  });

  it(`an invoke in the first seconds of a Kafka outage is answered within ${PROMPT_ANSWER_MS / 1000} s with 503 {error, code} (it asked to wait 5 s at most)`, function () {
    const d = scenario.during;
    const what = d === undefined ? 'no answer within 60 s' : d instanceof Error ? d.message : `HTTP ${d.status} after ${d.ms} ms: ${JSON.stringify(d.body)}`;
    assert.ok(scenario.prompt, `no answer within ${PROMPT_ANSWER_MS} ms while Kafka was down; it came as ${what}`);
    assert.ok(!(scenario.prompt instanceof Error), `transport failure: ${String(scenario.prompt)}`);
    assert.equal(scenario.prompt.status, 503, `${what}`);
    assert.deepEqual(Object.keys(scenario.prompt.body as object).sort(), ['code', 'error']);
  });
});
