// Fault injection, an invoker killed (kill -9) while an action runs, with more activations accepted for it before
// the controller noticed. The promises: a blocked caller is answered with a whisk-internal-error record by the
// activation's give-up time; the controller lists the invoker down within the offline threshold and up after a
// restart; nothing accepted for the dead invoker runs later (past their start deadline they are recorded as
// expired, and a record the controller already forced is kept). What ran is counted by the run counter
// (test/support/run-counter.ts). Runs on the shared fault stack (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { LOST_ACTIVATION_MESSAGE } from '../../controller/activator/forced-record.ts';
import {
  CONTROLLER_COMPLETION_MARGIN_MS,
  annotation,
  createAction,
  giveUpTime,
  invoke,
  retryUntil,
  type Activation,
  type ApiAnswer,
  type FaultStack,
  type Retried,
  type TestNamespace,
} from '../support/faults.ts';
import { EXPIRED, GRACE_MS, OFFLINE_MS, SLACK_MS, answerOk, claims, completionsFor, note, useFaultSuite } from '../support/fault-suite.ts';
import { getRecord, waitForRecord } from '../support/records.ts';
import { countingAction, type RunCounter } from '../support/run-counter.ts';

describe('fault injection: an invoker killed (kill -9) mid-run, with more activations accepted before the controller noticed', () => {
  const suite = useFaultSuite('faults-invoker-death');
  let stack: FaultStack;
  let ns: TestNamespace;
  let counter: RunCounter;
  before(() => ({ stack, ns, counter } = suite));

  // One kill serves both promises (a restart after kill -9 waits ~30 s for Kafka to expire the dead group member):
  // - `sleepy` (blocking, 5 s timeout) is running when the invoker dies: its caller must get an answer and the
  //   activation a whisk-internal-error record by deadline + timeout + margin;
  // - three `marker` (60 s timeout) and one `brief` (100 ms timeout) are accepted right after the kill, while the
  //   controller still lists the invoker as up; the invoker is restarted after their start deadline, so they form
  //   a backlog past its deadline. `brief`'s controller deadline (3 s + 0.1 s + 5 s) passes before the restart.
  const ACTION_TIMEOUT = 5_000;
  type Outcome<T> = { value: T } | { error: Error };
  const scenario = {
    sleepyId: '',
    acceptedBy: 0,
    killedAt: 0,
    answer: undefined as Outcome<ApiAnswer> | undefined,
    downMs: undefined as Outcome<number> | undefined,
    record: undefined as Outcome<Activation> | undefined,
    marker: [] as Array<{ id: string; sentAt: number }>,
    brief: { id: '', sentAt: 0 },
    briefForced: undefined as Outcome<Activation> | undefined,
    restart: undefined as Outcome<number> | undefined,
    again: undefined as Outcome<Retried<ApiAnswer>> | undefined,
    backlogHandled: undefined as Outcome<true> | undefined,
    /** Runs of `sleepy` counted before the restart: 1 if it got as far as its first step before the kill, else 0. */
    sleepyRunsBeforeRestart: 0,
  };
  const outcome = <T>(p: Promise<T>): Promise<Outcome<T>> => p.then((value) => ({ value }), (error: Error) => ({ error }));
  const valueOf = <T>(o: Outcome<T> | undefined, what: string): T => {
    if (o === undefined) throw new Error(`${what}: not reached`);
    if ('error' in o) throw o.error;
    return o.value;
  };

  before(async function () {
    this.timeout(170_000);
    await suite.ensureUp();
    // Each reports its runs to the run counter first thing: what ran is counted outside the platform.
    await createAction(ns, 'sleepy', countingAction(counter), { timeout: ACTION_TIMEOUT });
    await createAction(ns, 'marker', countingAction(counter), { timeout: 60_000 });
    await createAction(ns, 'brief', countingAction(counter), { timeout: 100 });
    answerOk(await invoke(ns, 'echo'));

    const known = await claims(stack);
    scenario.acceptedBy = Date.now();
    const call = outcome(invoke(ns, 'sleepy', { sleepMs: 20_000 }, 'blocking=true', 90_000));
    scenario.sleepyId = await waitFor('the invoker to claim the activation', async () => [...(await claims(stack))].find((c) => !known.has(c)), 15_000, 20);
    scenario.killedAt = Date.now();
    await stack.kill('invoker0');

    // Right away, while the controller still lists the invoker as up (its last ping is < OFFLINE_MS old).
    for (let n = 0; n < 3; n++) {
      const sentAt = Date.now();
      const a = await invoke(ns, 'marker', { n }, 'blocking=false');
      assert.equal(a.status, 202, `accepted while the controller still lists the dead invoker as up: ${a.status} ${JSON.stringify(a.body)}`);
      scenario.marker.push({ id: a.activationId!, sentAt });
    }
    const sentAt = Date.now();
    const b = await invoke(ns, 'brief', {}, 'blocking=false');
    assert.equal(b.status, 202, `accepted while the controller still lists the dead invoker as up: ${b.status} ${JSON.stringify(b.body)}`);
    scenario.brief = { id: b.activationId!, sentAt };

    scenario.downMs = await outcome(stack.waitForInvokerState('down', OFFLINE_MS + SLACK_MS).then(() => Date.now() - scenario.killedAt));
    scenario.answer = await call;
    if ('value' in scenario.answer) note('kill -9 → blocking caller answered', `${Date.now() - scenario.killedAt} ms after the kill (HTTP ${scenario.answer.value.status})`);
    const bound = giveUpTime(scenario.acceptedBy + GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
    scenario.record = await outcome(waitForRecord(ns, scenario.sleepyId, Math.max(0, bound - Date.now())));
    if ('value' in scenario.record) note('kill -9 → forced record stored', `${scenario.record.value.end - scenario.killedAt} ms after the kill (promised ≤ ${giveUpTime(GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS)} ms after acceptance)`);
    const briefBound = giveUpTime(sentAt + GRACE_MS, 100, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
    scenario.briefForced = await outcome(waitForRecord(ns, b.activationId!, Math.max(0, briefBound - Date.now())));
    const lastDeadline = Math.max(...scenario.marker.map((m) => m.sentAt)) + GRACE_MS;
    await waitFor('the start deadlines to pass', async () => (Date.now() > lastDeadline + 200 ? true : undefined), GRACE_MS + SLACK_MS, 50);

    scenario.sleepyRunsBeforeRestart = counter.runs(scenario.sleepyId);
    scenario.restart = await outcome(stack.startInvoker(90_000));
    if ('value' in scenario.restart) note('invoker restart after kill -9 (to up, incl. Kafka group rejoin)', `${scenario.restart.value} ms (${Date.now() - scenario.killedAt} ms after the kill)`);
    scenario.again = await outcome(retryUntil('a blocking invoke after the invoker restart', async () => answerOk(await invoke(ns, 'echo', { back: true }, 'blocking=true', 30_000)), 60_000));
    if ('value' in scenario.again) note('invoker up → first successful invoke', `${scenario.again.value.ms} ms, ${scenario.again.value.attempts} attempt(s)`);
    // The restarted invoker has handled the backlog once its completions for the three markers are on the
    // stream. The brief one is not among them: its controller claimed it when it gave it up, so the invoker skips it.
    const ids = scenario.marker.map((m) => m.id);
    scenario.backlogHandled = await outcome(waitFor('the restarted invoker to handle the backlog', async () => ((await completionsFor(stack, ids)).size === ids.length ? true : undefined), 20_000, 100));
  });

  // The controller keeps the blocking caller waiting up to the blocking wait (60 s, limits.ts
  // maxWaitForBlockingActivation); the activation's give-up time (deadline + init + run + margin, 18 s here) comes
  // first, its sweeper stores the forced record and hands it to the waiting caller (kafka-activator.ts `swept`),
  // and a whisk internal error answers 500 (routes/actions.ts invokeStatus; OpenWhisk's
  // ActivationResponse.scala: WhiskError → InternalServerError). A 202 would mean the caller was let go without
  // the outcome although it came within its wait.
  it('1. the blocked caller gets 500 with the "whisk internal error" record, stored within deadline + timeout + margin', function () {
    const answer = valueOf(scenario.answer, 'the blocking call');
    assert.equal(answer.status, 500, `HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    assert.equal(answer.activationId, scenario.sleepyId);
    const record = valueOf(scenario.record, 'the record');
    assert.equal(record.response.status, 'whisk internal error');
    assert.equal(record.response.success, false);
    assert.deepEqual(record.response.result, { error: LOST_ACTIVATION_MESSAGE });
    const answered = answer.body as Activation;
    assert.equal(answered.activationId, scenario.sleepyId);
    assert.deepEqual(answered.response, record.response, 'the caller was answered with the stored record');
    assert.ok(counter.runs(scenario.sleepyId) <= 1, `ran ${counter.runs(scenario.sleepyId)} times`);
  });

  it('1. the controller lists the invoker down within the offline threshold, and up again after a restart; new activations work', function () {
    const downMs = valueOf(scenario.downMs, 'down');
    note('kill -9 → GET /invokers says down', `${downMs} ms after the kill`);
    assert.ok(downMs <= OFFLINE_MS + SLACK_MS);
    valueOf(scenario.restart, 'the restart (invoker listed up)');
    assert.deepEqual((valueOf(scenario.again, 'an invoke after the restart').value.body as Activation).response.result, { echo: { back: true } });
  });

  it('1. the lost activation is not run again by the restarted invoker (its record stays the forced one)', async function () {
    valueOf(scenario.restart, 'the restart');
    const still = await getRecord(ns, scenario.sleepyId);
    assert.deepEqual(still, valueOf(scenario.record, 'the record'));
    // Killed right after its claim, it may have died before its first step (0) or after (1); never again after.
    assert.ok(scenario.sleepyRunsBeforeRestart <= 1, `ran ${scenario.sleepyRunsBeforeRestart} times before the restart`);
    assert.equal(counter.runs(scenario.sleepyId), scenario.sleepyRunsBeforeRestart, 'started again after the restart');
  });

  it('5. each activation accepted for the dead invoker is recorded as expired ("... it was not run") and not run', async function () {
    this.timeout(30_000);
    valueOf(scenario.backlogHandled, 'the backlog handled');
    for (const { id, sentAt } of scenario.marker) {
      const record = await waitForRecord(ns, id, 10_000);
      assert.equal(record.response.status, 'whisk internal error', JSON.stringify(record.response));
      assert.match((record.response.result as { error: string }).error, EXPIRED);
      assert.deepEqual(record.logs, [], 'not run: no logs');
      assert.equal(counter.runs(id), 0, 'not run');
      assert.ok(Number(annotation(record, 'waitTime')) >= GRACE_MS, `waitTime ${annotation(record, 'waitTime')}`);
      assert.ok(record.end < sentAt + GRACE_MS + 60_000 + CONTROLLER_COMPLETION_MARGIN_MS, 'recorded by the invoker, before the controller would give up');
    }
    // The counter counts a run as it happens: one run now is counted at once.
    const fresh = answerOk(await invoke(ns, 'marker', { n: 'fresh' }));
    assert.deepEqual((fresh.body as Activation).response.result, { n: 'fresh' });
    assert.equal(counter.runs(fresh.activationId!), 1);
  });

  it("5. one whose deadline + timeout + margin passed before the restart keeps the controller's whisk-internal-error record (the late invoker does not overwrite it)", async function () {
    const forced = valueOf(scenario.briefForced, "the controller's record");
    assert.deepEqual(forced.response.result, { error: LOST_ACTIVATION_MESSAGE });
    valueOf(scenario.backlogHandled, 'the backlog handled');
    const now = await getRecord(ns, scenario.brief.id);
    assert.deepEqual(
      now,
      forced,
      'the restarted invoker replaced the stored forced record with its own "expired" record; ' +
        `an invoker skips an id that is already claimed or recorded. Now: ${JSON.stringify(now?.response)}`,
    );
    assert.equal(counter.runs(scenario.brief.id), 0, 'not run');
  });
});
