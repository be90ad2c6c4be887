// Fault injection, Redis restarted (stopRedis + startRedis, AOF on): what was stored before is still there, an
// invoke during the outage is refused promptly with 503 and never runs, invocations succeed again within a minute of
// Redis answering, and every accepted activation has its record. What ran is counted by the run counter
// (test/support/run-counter.ts). Runs on the shared fault stack (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import {
  CONTROLLER_COMPLETION_MARGIN_MS,
  api,
  countActivations,
  createAction,
  giveUpTime,
  invoke,
  type Activation,
  type ApiAnswer,
  type FaultStack,
  type Retried,
  type TestNamespace,
} from '../support/faults.ts';
import { GRACE_MS, PROMPT_ANSWER_MS, SLACK_MS, answerOk, answerWithin, describeAnswer, firstSuccessAfterRestart, note, useFaultSuite } from '../support/fault-suite.ts';
import { getRecord, waitForRecord } from '../support/records.ts';
import { countingAction, type RunCounter } from '../support/run-counter.ts';

describe('fault injection: Redis restarted (stopRedis + startRedis, AOF on)', () => {
  const suite = useFaultSuite('faults-redis');
  let stack: FaultStack;
  let ns: TestNamespace;
  let counter: RunCounter;
  before(() => ({ stack, ns, counter } = suite));

  const scenario = {
    stored: undefined as ApiAnswer | undefined,
    storedRecord: undefined as Activation | undefined,
    durableAction: undefined as string | null | undefined,
    durableRecord: undefined as string | null | undefined,
    prompt: undefined as [ApiAnswer | Error, ApiAnswer | Error] | undefined,
    nonBlocking: undefined as ApiAnswer | Error | undefined,
    blocking: undefined as ApiAnswer | Error | undefined,
    recovered: undefined as Retried<ApiAnswer> | undefined,
    recoveryError: undefined as Error | undefined,
    /** Every activation id a caller was given (accepted), before, around and after the outage. */
    accepted: new Set<string>(),
  };
  const seen = (a: ApiAnswer): ApiAnswer => {
    if (a.activationId) scenario.accepted.add(a.activationId);
    return a;
  };

  before(async function () {
    this.timeout(180_000);
    await suite.ensureUp();
    // Both report their runs to the run counter first thing: what ran is counted outside Redis and the platform.
    await createAction(ns, 'keeper', countingAction(counter), { timeout: 3000 });
    await createAction(ns, 'brief', countingAction(counter), { timeout: 1000 });
    scenario.stored = answerOk(seen(await invoke(ns, 'keeper', { n: 1 })));
    scenario.storedRecord = await waitForRecord(ns, scenario.stored.activationId!, 10_000);

    let t = Date.now();
    await stack.stopRedis();
    note('Redis stop', `${Date.now() - t} ms`);
    const nonBlocking = invoke(ns, 'keeper', { n: 'during' }, 'blocking=false', 120_000).then(seen, (err: Error) => err);
    const blocking = invoke(ns, 'brief', {}, 'blocking=true', 120_000).then(seen, (err: Error) => err);
    scenario.prompt = await answerWithin(Promise.all([nonBlocking, blocking]), PROMPT_ANSWER_MS);
    t = Date.now();
    await stack.startRedis();
    note('Redis start', `${Date.now() - t} ms`);

    // Durable in Redis itself (AOF replayed)...
    scenario.durableAction = await stack.withRedis((r) => r.get(stack.keys.entity(ns.name, 'actions', 'keeper')));
    scenario.durableRecord = await stack.withRedis((r) => r.get(stack.keys.activation(scenario.stored!.activationId!)));

    // ...and served again by the platform once it reconnected.
    try {
      scenario.recovered = await firstSuccessAfterRestart('Redis', ns, 'keeper', { n: 2 }, seen);
    } catch (err) {
      scenario.recoveryError = err as Error;
    }
    scenario.nonBlocking = await answerWithin(nonBlocking, 90_000);
    scenario.blocking = await answerWithin(blocking, 90_000);
    for (const [what, a] of [['non-blocking', scenario.nonBlocking], ['blocking', scenario.blocking]] as const) {
      note(`${what} invoke sent while Redis was down`, a === undefined ? 'no answer within 90 s' : a instanceof Error ? a.message : `HTTP ${a.status} after ${a.ms} ms: ${JSON.stringify(a.body).slice(0, 200)}`);
    }
  });

  it('previously stored actions and activation records are still there', async function () {
    assert.ok(scenario.durableAction, 'the action document survived the restart (in Redis)');
    assert.ok(scenario.durableRecord, 'the activation record survived the restart (in Redis)');
    const action = await api(ns, 'GET', '/namespaces/_/actions/keeper');
    assert.equal(action.status, 200);
    const again = await getRecord(ns, scenario.stored!.activationId!);
    assert.deepEqual(again, scenario.storedRecord);
  });

  it('invocations succeed again within 60 s of Redis answering', function () {
    if (scenario.recoveryError) throw scenario.recoveryError;
    assert.deepEqual((scenario.recovered!.value.body as Activation).response.result, { n: 2 });
  });

  // A 503 means the activation never runs (kafka-activator.ts, docs/durability.md): with Redis down the controller
  // cannot add it to the pending table and refuses it before publishing. Proven by state once Redis is back: every
  // id that ran (run counter) is one a caller was given, each of those has its record, and the namespace holds no
  // other record. Accepting a call during the outage is allowed if its record follows.
  it('a call refused during the outage never runs and leaves no record; every accepted one has its record', async function () {
    this.timeout(60_000);
    const bound = giveUpTime(GRACE_MS, 3_000, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
    for (const [what, a] of [['non-blocking', scenario.nonBlocking], ['blocking', scenario.blocking]] as const) {
      assert.ok(a !== undefined && !(a instanceof Error), `the ${what} call got no answer: ${describeAnswer(a, 'none within 90 s')}`);
      if (a.activationId === undefined) assert.equal(a.status, 503, `the ${what} call was neither accepted nor refused with 503: ${describeAnswer(a)}`);
    }
    const missing: string[] = [];
    for (const id of scenario.accepted) if (!(await waitForRecord(ns, id, bound).catch(() => undefined))) missing.push(id);
    assert.deepEqual(missing, [], `${missing.length} of ${scenario.accepted.size} accepted activations have no record`);
    const ranUnaccepted = [...counter.runsIn(ns.name).keys()].filter((id) => !scenario.accepted.has(id));
    assert.deepEqual(ranUnaccepted, [], 'activations ran that no caller was given an id for (a refused call ran)');
    assert.equal(await countActivations(ns), scenario.accepted.size, 'records beyond those of the accepted activations');
    for (const [id, runs] of counter.runsIn(ns.name)) assert.equal(runs, 1, `activation ${id} ran ${runs} times`);

    const b = scenario.blocking;
    if (b !== undefined && !(b instanceof Error) && b.activationId !== undefined && b.status !== 202) {
      // Accepted and answered with a record: the stored record is the one the caller was given.
      const record = await getRecord(ns, b.activationId);
      const answered = b.body as Activation;
      assert.deepEqual(
        { start: record?.start, response: record?.response },
        { start: answered.start, response: answered.response },
        "the stored record is not the one the blocking caller got (the invoker overwrote the controller's forced record)",
      );
    }
  });

  it(`an invoke while Redis is down is answered within ${PROMPT_ANSWER_MS / 1000} s with 503 {error, code}, not held until Redis returns`, function () {
    const show = (a: ApiAnswer | Error | undefined) => (a === undefined ? 'no answer within 90 s' : a instanceof Error ? a.message : `HTTP ${a.status} after ${a.ms} ms`);
    assert.ok(
      scenario.prompt,
      `no answer within ${PROMPT_ANSWER_MS} ms while Redis was down; the answers came only after Redis was back: ` +
        `non-blocking ${show(scenario.nonBlocking)}, blocking ${show(scenario.blocking)}`,
    );
    for (const a of scenario.prompt) {
      assert.ok(!(a instanceof Error), String(a));
      assert.equal(a.status, 503, JSON.stringify(a.body));
    }
  });
});
