// Alarms with two controllers, on real processes of a stack of their own (test/support/faults.ts: .run/faults,
// ports +100): both controllers run the scheduler loop over the same schedules in Redis, so every tick of an
// every-second alarm must fire exactly once (docs/alarms.md, "Exactly once") — no tick twice, and no tick missing
// beyond the missed-ticks policy, which READ's `missed` counts. Controller0 is killed (-9) and restarted while the
// alarm, an interval and a one-off alarm are scheduled: the other controller keeps firing, and the interval and the
// one-off fire once each, at their times, whichever controller is up.
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { alarmFeed, alarmFires, duplicateTicks, readAlarm, waitForFires } from '../support/alarms.ts';
import { FaultStack, api, createAction, type TestNamespace } from '../support/faults.ts';

const ECHO = 'function main(params) { return { got: params }; }';

describe('alarms across two controllers, one killed and restarted (own stack: .run/faults, ports +100)', function () {
  this.timeout(300_000);
  const stack = new FaultStack();
  /** Through controller0, and through controller1. */
  let ns0: TestNamespace;
  let ns1: TestNamespace;

  before(async function () {
    this.timeout(240_000);
    await stack.start();
    await stack.startSecondController();
    ns0 = await stack.namespace('alarms');
    ns1 = { ...ns0, apiHost: stack.secondApiHost };
    await createAction(ns0, 'echo', ECHO);
    for (const trigger of ['beat', 'every', 'single']) {
      assert.equal((await api(ns0, 'PUT', `/namespaces/_/triggers/${trigger}`, '{}')).status, 200);
      const rule = { trigger: `/_/${trigger}`, action: '/_/echo' };
      assert.equal((await api(ns0, 'PUT', `/namespaces/_/rules/${trigger}-echo`, JSON.stringify(rule))).status, 200);
    }
  });

  after(async function () {
    this.timeout(90_000);
    await stack.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const name of ['controller0', 'controller1'] as const) console.log(`--- ${name} log (tail) ---\n${stack.logTail(name, 20)}`);
  });

  it('every tick fires once while both run, while one is dead and after it is back; interval and once keep their times', async () => {
    assert.equal((await alarmFeed(ns0, 'alarm', 'CREATE', 'beat', { cron: '* * * * * *' })).status, 200);
    // due after the kill and the restart below (each takes seconds); whole seconds, as ticks fall
    const start = Math.ceil((Date.now() + 25_000) / 1_000) * 1_000;
    const intervalStart = new Date(start).toISOString();
    const onceDate = new Date(start + 2_000).toISOString();
    assert.equal((await alarmFeed(ns0, 'interval', 'CREATE', 'every', { minutes: 1, startDate: intervalStart })).status, 200);
    assert.equal((await alarmFeed(ns0, 'once', 'CREATE', 'single', { date: onceDate })).status, 200);

    await waitForFires(ns1, 'beat', 3);
    const killedAt = Date.now();
    await stack.kill('controller0');
    await waitForFires(ns1, 'beat', 5, killedAt);
    await stack.startController();
    const restartedAt = Date.now();
    await waitForFires(ns1, 'beat', 5, restartedAt);

    // the interval's first tick and the one-off date, once each, at their times, recorded through either controller
    const [everyFire, ...everyMore] = await waitForFires(ns0, 'every', 1, 0, 120_000);
    const [singleFire, ...singleMore] = await waitForFires(ns0, 'single', 1, 0, 120_000);
    assert.equal(everyFire!.tick, start);
    assert.equal(singleFire!.tick, start + 2_000);
    assert.deepEqual([everyMore, singleMore], [[], []]);
    const every = await readAlarm(ns1, 'every');
    assert.equal(every.status.nextFire, start + 60_000, 'the interval goes on a minute later');
    assert.equal((await readAlarm(ns1, 'single')).status.reason?.message, 'Automatically disabled after firing once');

    // stop the beat, let the fires already claimed end, then account for every tick between the first and the last
    assert.equal((await alarmFeed(ns1, 'alarm', 'PAUSE', 'beat')).status, 200);
    const paused = await readAlarm(ns1, 'beat');
    const fires = await waitFor(
      'the last claimed tick of the beat to be recorded',
      async () => {
        const all = await alarmFires(ns1, 'beat');
        return all.at(-1)?.tick === paused.status.lastFire && all.length >= paused.status.fires ? all : undefined;
      },
      60_000,
      200,
    );
    assert.deepEqual(duplicateTicks(fires), [], 'no tick fired twice');
    assert.equal(fires.length, paused.status.fires, 'one record per fire counted');
    const span = (fires.at(-1)!.tick - fires[0]!.tick) / 1_000 + 1;
    assert.equal(fires.length + paused.status.missed, span, `${fires.length} fires and ${paused.status.missed} missed ticks cover the ${span} ticks`);
    assert.ok(fires.some((f) => f.tick > killedAt && f.tick < restartedAt), 'controller1 fired alone while controller0 was dead');
    console.log(`      beat: ${fires.length} ticks fired over ${span} s, ${paused.status.missed} missed (policy: ticks more than 5 s late)`);
  });
});
