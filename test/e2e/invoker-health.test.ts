// Invoker health from outcomes on real processes (docs/durability.md#invoker-health): an invoker that keeps pinging
// but cannot run actions is taken out of service by the controller, and brought back by the controller's health
// test actions once it works again, as OpenWhisk's invoker supervision does (`InvokerSupervision.scala`).
// The fault: the invoker reaches Redis as a user of its own, and the test takes the GET command from that user
// (Redis ACL), so the invoker cannot read action documents: every activation it takes ends as a whisk internal
// error (a system error), while its pings, claims and records still work. Giving GET back repairs it in place.
// Taking Lua scripts instead leaves it running actions but unable to store records or send completions: the
// controller's own records of them count as timeouts, and the invoker turns unresponsive.
// Runs on the fault suites' own stack (test/support/faults.ts, .run/faults, ports +100), with test actions every
// second instead of every minute.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../../deploy/local/daemon.ts';
import { sampleValue } from '../../shared/metrics.ts';
import { FAULT_ENV, FaultStack, createAction, invoke, type Activation, type TestNamespace } from '../support/faults.ts';
import { getRecord } from '../support/records.ts';

const ECHO = 'function main(params) { return { echo: params }; }';
const INVOKER_USER = 'invoker0';
const TEST_ACTION_INTERVAL_MS = 1_000;
/** Bound for every wait on a state: generous on a busy machine, never a measured threshold. */
const WAIT_MS = 60_000;

describe('invoker health from outcomes (own stack: .run/faults, ports +100)', function () {
  const stack = new FaultStack(undefined, { ...FAULT_ENV, ISOWHISK_INVOKER_TEST_ACTION_INTERVAL_MS: String(TEST_ACTION_INTERVAL_MS) });
  let ns: TestNamespace;

  /** Grants or takes GET from the invoker's Redis user; takes effect on its open connections at once. */
  const invokerMayGet = (allowed: boolean) => stack.withRedis((redis) => redis.call('ACL', 'SETUSER', INVOKER_USER, allowed ? '+get' : '-get'));

  /** Grants or takes Lua scripts (records and completions are stored by one) from the invoker's Redis user. */
  const invokerMayRunScripts = (allowed: boolean) =>
    stack.withRedis((redis) => redis.call('ACL', 'SETUSER', INVOKER_USER, allowed ? '+@scripting' : '-@scripting'));

  const metric = async (name: string, labels: Record<string, string> = {}): Promise<number | undefined> =>
    sampleValue(await (await fetch(`${stack.apiHost}/metrics`)).text(), name, labels);

  before(async function () {
    this.timeout(180_000);
    await stack.stop();
    await stack.startInfrastructure();
    const password = randomBytes(16).toString('hex');
    await stack.withRedis((redis) => redis.call('ACL', 'SETUSER', INVOKER_USER, 'reset', 'on', `>${password}`, '~*', '&*', '+@all'));
    const invokerRedis = new URL(stack.redisUrl);
    invokerRedis.username = INVOKER_USER;
    invokerRedis.password = password;
    await stack.startController();
    await stack.startInvoker(undefined, 0, { ISOWHISK_REDIS_URL: invokerRedis.toString() });
    ns = await stack.namespace('health');
    await createAction(ns, 'echo', ECHO, { timeout: 3000 });
  });

  after(async function () {
    this.timeout(90_000);
    await stack.stop();
  });

  it('stops sending work to an invoker whose activations end in system errors, and takes it back after a test action succeeds', async function () {
    this.timeout(180_000);
    const ok = await invoke(ns, 'echo', { n: 1 }, 'blocking=true');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await stack.invokerStates())['invoker0'], 'up');

    // Broken: each of these actions is new to the invoker (nothing cached), so each needs a GET and fails.
    await invokerMayGet(false);
    for (let i = 0; i < 4; i++) {
      await createAction(ns, `fresh${i}`, ECHO, { timeout: 3000 });
      const failed = await invoke(ns, `fresh${i}`, { i }, 'blocking=true');
      assert.equal((failed.body as Activation).response?.status, 'whisk internal error', JSON.stringify(failed.body));
    }
    // More than 3 system errors among its last 10 outcomes.
    await stack.waitForInvokerState('unhealthy', WAIT_MS);
    assert.equal(await metric('isowhisk_invokers', { state: 'unhealthy' }), 1);
    assert.equal(await metric('isowhisk_invokers', { state: 'up' }), 0);

    // No work for it: the only invoker is not up, so an invoke is refused before anything is published.
    const refused = await invoke(ns, 'echo', { n: 2 }, 'blocking=true');
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.activationId, undefined);

    // Meanwhile the controller tests it; still broken, the tests fail and it stays unhealthy.
    await waitFor('a failed health test action', async () => ((await metric('isowhisk_invoker_health_tests_completed_total', { result: 'failed' })) ?? 0) >= 1 || undefined, WAIT_MS, 100);
    assert.equal((await stack.invokerStates())['invoker0'], 'unhealthy');
    assert.equal(await metric('isowhisk_invoker_health_tests_completed_total', { result: 'passed' }), 0);

    // Repaired in place (same process, pings never stopped): the next test action succeeds and it is up again.
    await invokerMayGet(true);
    await stack.waitForInvokerState('up', WAIT_MS);
    assert.ok(((await metric('isowhisk_invoker_health_tests_completed_total', { result: 'passed' })) ?? 0) >= 1);
    const back = await invoke(ns, 'echo', { n: 3 }, 'blocking=true');
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual((back.body as Activation).response.result, { echo: { n: 3 } });
  });

  it('marks an invoker unresponsive when its completions stop coming, and takes it back after a test action completes', async function () {
    this.timeout(180_000);
    assert.equal((await stack.invokerStates())['invoker0'], 'up');
    // The invoker runs what it takes but cannot store records or send completions (scripts refused): the controller
    // records each activation as lost after its start deadline + the action's timeout + its margin: a timeout.
    await invokerMayRunScripts(false);
    const accepted = await Promise.all([0, 1, 2, 3].map((i) => invoke(ns, 'echo', { i }, 'blocking=false')));
    for (const a of accepted) assert.equal(a.status, 202, JSON.stringify(a.body));
    await stack.waitForInvokerState('unresponsive', WAIT_MS);
    for (const a of accepted) {
      const record = await getRecord(ns, a.activationId ?? '');
      assert.equal(record?.response.status, 'whisk internal error', 'recorded by the controller as lost');
    }
    const refused = await invoke(ns, 'echo', { n: 4 }, 'blocking=true');
    assert.equal(refused.status, 503, JSON.stringify(refused.body));

    // Repaired: the invoker's pending test completions get through, and one is enough.
    await invokerMayRunScripts(true);
    await stack.waitForInvokerState('up', WAIT_MS);
    const back = await invoke(ns, 'echo', { n: 5 }, 'blocking=true');
    assert.equal(back.status, 200, JSON.stringify(back.body));
  });
});
