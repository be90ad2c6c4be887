// examples/log-processor on the real platform: the README's commands create the action and invoke it with the batch.
import assert from 'node:assert/strict';
import type { CliNamespace } from '../support/cli.ts';
import { exampleNamespace, printedJson, runReadme } from '../support/examples.ts';

describe('example: log-line processor (real platform)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;

  before(async () => {
    ns = await exampleNamespace('log-processor');
  });
  after(() => ns?.cleanup());

  it('counts a batch of lines by level and service, with the most frequent errors', async () => {
    const outputs = await runReadme(ns, 'log-processor');
    assert.deepEqual(printedJson(outputs.at(-1)!), {
      lines: 8,
      unparsed: 1,
      byLevel: { INFO: 2, WARN: 1, ERROR: 3, DEBUG: 1 },
      byService: { checkout: 3, payments: 3, inventory: 1 },
      topErrors: [
        { message: 'card declined', count: 2 },
        { message: 'stock service timeout', count: 1 },
      ],
    });
  });
});
