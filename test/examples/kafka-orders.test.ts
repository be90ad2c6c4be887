// examples/kafka-orders on the real platform: the README's commands create the action, the Kafka-fed trigger (on a
// topic of the test's own) and the rule; the test produces orders to the topic and reads the handler's activation.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { createKafka, createProducer, type MessageProducer } from '../../shared/kafka/client.ts';
import type { CliNamespace } from '../support/cli.ts';
import { EXAMPLES_DIR, exampleNamespace, runReadme } from '../support/examples.ts';
import type { Activation } from '../support/platform.ts';
import { testKafka } from '../support/stack.ts';

describe('example: Kafka-fed order handler (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;
  let producer: MessageProducer | undefined;

  before(async () => {
    ns = await exampleNamespace('kafka-orders');
    producer = await createProducer(createKafka({ brokers: await testKafka(), clientId: 'example-orders', logger: pino({ level: 'silent' }) }));
  });

  after(async () => {
    await producer?.close();
    if (ns !== undefined) await ns.wsk(['trigger', 'delete', 'orders']);
    ns?.cleanup();
  });

  it('an order produced to the topic runs the handler through the feed trigger and its rule', async () => {
    const topic = `shop-orders-${randomBytes(4).toString('hex')}`;
    await runReadme(ns, 'kafka-orders', { 'shop-orders': topic });

    const order = readFileSync(join(EXAMPLES_DIR, 'kafka-orders', 'order-1.json'));
    const large = { id: 'A-2', customer: 'c-18', items: [{ sku: 'kettle', qty: 1, price: 120 }] };
    await producer!.send(topic, [
      { key: 'A-1', value: order },
      { key: 'A-2', value: Buffer.from(JSON.stringify(large)) },
      { key: 'bad', value: Buffer.from('{"note": "not an order"}') },
    ]);

    // The feed may deliver the three records in one fire or several: gather the handler's results until all are in.
    const results = await waitFor(
      'the handler to see three records',
      async () => {
        const list = (await ns.ow.activations.list({ name: 'handle-order', docs: true } as never)) as unknown as Activation[];
        const all = list.map((a) => a.response.result as { orders: unknown[]; invalid: number[] });
        const seen = all.reduce((n, r) => n + r.orders.length + r.invalid.length, 0);
        return seen >= 3 ? all : undefined;
      },
      60_000,
      200,
    );
    const orders = results.flatMap((r) => r.orders).sort((a, b) => String((a as { id: string }).id).localeCompare((b as { id: string }).id));
    assert.deepEqual(orders, [
      { id: 'A-1', customer: 'c-17', total: 32.25, large: false },
      { id: 'A-2', customer: 'c-18', total: 120, large: true },
    ]);
    assert.deepEqual(results.flatMap((r) => r.invalid), [2], 'the record that is not an order is reported by its offset');
  });
});
