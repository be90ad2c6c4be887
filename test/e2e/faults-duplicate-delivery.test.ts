// Fault injection, duplicate delivery: Kafka delivers at least once, so the same ActivationRequest may reach an
// invoker again (after a rebalance, a restart, a controller's re-dispatch). The invoker runs an activation id at most
// once: it claims the id before running (invoker/activation-handler.ts; OpenWhisk's InvokerReactive.scala
// de-duplicates the same way by activation id). Proven by state: the run counter (test/support/run-counter.ts) counts
// what ran, the completion stream what the invoker reported, the API what was recorded.
import assert from 'node:assert/strict';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import { topics } from '../../shared/topics.ts';
import { createAction, invoke, type Activation } from '../support/faults.ts';
import { answerOk, completionsOf, invokerCaughtUp, useFaultSuite } from '../support/fault-suite.ts';
import { getRecord, waitForRecord } from '../support/records.ts';
import { countingAction } from '../support/run-counter.ts';

describe('fault injection: a request delivered more than once runs once', () => {
  const suite = useFaultSuite('faults-duplicate');

  it('delivered three times (twice at once, once after it finished): one run, one completion, one record', async function () {
    this.timeout(90_000);
    const { stack, ns, counter } = suite;
    await createAction(ns, 'once', countingAction(counter));
    const warm = answerOk(await invoke(ns, 'once', { n: 'warm' }));
    assert.equal(counter.runs(warm.activationId!), 1, 'the action reports its runs to the counter');

    const doc = await stack.withRedis((r) => r.get(stack.keys.entity(ns.name, 'actions', 'once')));
    const revision = String((JSON.parse(doc!) as { revision: unknown }).revision);
    const controllerId = 7; // a completion stream nobody reads, so every completion written for it stays countable
    const request: ActivationRequest = {
      activationId: newActivationId(),
      transactionId: newTransactionId(),
      action: { namespace: ns.name, name: 'once', revision },
      identity: { subject: ns.name, namespace: ns.name, uuid: ns.uuid },
      apiKey: null,
      params: JSON.stringify({ n: 'duplicated' }),
      blocking: true,
      controllerId,
      deadline: Date.now() + 30_000,
      cause: null,
      initArgs: [],
      receivedAt: Date.now(),
      binding: null,
    };
    const { value, headers } = activationRequestCodec.encode(request);
    const message = { key: request.activationId, value, headers };
    const producer = await createProducer(createKafka({ brokers: stack.kafkaBrokers, clientId: 'faults-test', logger: createLogger('faults-test', 'error') }));
    let record: Activation;
    try {
      await producer.send(topics().invoker(0), [message, message]);
      record = await waitForRecord(ns, request.activationId, 15_000);
      await invokerCaughtUp(stack);
      await producer.send(topics().invoker(0), [message]);
      await invokerCaughtUp(stack);
    } finally {
      await producer.close();
    }
    // An invoke through the usual path, after every delivery was settled: a wrongful second run (which would start
    // right after its claim) has reported to the counter by the time this one has been answered.
    const after = answerOk(await invoke(ns, 'once', { n: 'after' }));
    assert.equal(counter.runs(after.activationId!), 1);

    assert.equal(counter.runs(request.activationId), 1, 'ran once although delivered three times');
    assert.equal(await completionsOf(stack, request.activationId, controllerId), 1, 'one completion written');
    assert.deepEqual(record.response.result, { n: 'duplicated' });
    assert.deepEqual(await getRecord(ns, request.activationId), record, 'the one record was not replaced');
  });
});
