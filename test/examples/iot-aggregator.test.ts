// examples/iot-aggregator on the real platform: the README's commands create the two actions and their sequence and
// invoke it with the readings; each step is an activation of its own.
import assert from 'node:assert/strict';
import type { CliNamespace } from '../support/cli.ts';
import { exampleNamespace, printedJson, runReadme } from '../support/examples.ts';
import type { Activation } from '../support/platform.ts';

describe('example: IoT reading aggregator (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;

  before(async () => {
    ns = await exampleNamespace('iot-aggregator');
  });
  after(() => ns?.cleanup());

  it('normalizes the readings and aggregates them per device through a sequence', async () => {
    const outputs = await runReadme(ns, 'iot-aggregator');
    assert.deepEqual(printedJson(outputs.at(-1)!), {
      devices: {
        'cold-room': { count: 2, min: 2, max: 4, avg: 3 },
        'greenhouse-1': { count: 3, min: 19.9, max: 23, avg: 21.47 },
      },
      rejected: 2,
    });
    const steps = (await ns.ow.activations.list({ name: 'iot-normalize', docs: true } as never)) as unknown as Activation[];
    assert.equal(steps.length, 1, 'the sequence ran its first step once');
  });
});
