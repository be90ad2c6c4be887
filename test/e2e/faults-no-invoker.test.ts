// Fault injection, no invoker at all: with the only invoker stopped cleanly (it tells the controllers it drains),
// the controller refuses invocations with 503 {error, code} at once, creates no activation, and serves again once
// an invoker is back. Runs on the shared fault stack (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import { countActivations, invoke, type Activation } from '../support/faults.ts';
import { OFFLINE_MS, SLACK_MS, answerOk, note, useFaultSuite } from '../support/fault-suite.ts';

describe('fault injection: no invoker at all (stopped)', () => {
  const suite = useFaultSuite('faults-no-invoker');

  it('invoke → 503 with {error, code}, for blocking and non-blocking calls; nothing is recorded; served again after a restart', async function () {
    this.timeout(120_000);
    const { stack, ns } = suite;
    await stack.stopInvoker();
    note('invoker listed down after a clean stop', `${await stack.waitForInvokerState('down', OFFLINE_MS + SLACK_MS)} ms`);
    const before = await countActivations(ns);
    for (const query of ['blocking=true', 'blocking=false']) {
      const a = await invoke(ns, 'echo', {}, query, 20_000);
      assert.equal(a.status, 503, `${query}: ${JSON.stringify(a.body)}`);
      const body = a.body as { error: unknown; code: unknown };
      assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
      assert.equal(typeof body.error, 'string');
      assert.ok((body.error as string).length > 0);
      assert.match(body.code as string, /^\w+$/);
      assert.equal(a.activationId, undefined, 'not accepted: no activation id');
    }
    assert.equal(await countActivations(ns), before);
    note('invoker restart after a clean stop (to up)', `${await stack.startInvoker()} ms`);
    const back = answerOk(await invoke(ns, 'echo', { back: true }));
    assert.deepEqual((back.body as Activation).response.result, { echo: { back: true } });
  });
});
