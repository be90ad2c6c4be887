// The alarms package end to end on the shared test stack: `/whisk.system/alarms/alarm`, `interval` and `once`
// configured through the openwhisk client's feeds calls, the REST feed protocol and wsk, firing real triggers whose
// rules run actions on the invoker. Absence of fires (after PAUSE, DELETE, maxTriggers) is judged against a second,
// every-second alarm used as a clock: a few of its ticks must pass, never a fixed sleep.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../deploy/local/daemon.ts';
import { cliNamespace, type CliNamespace } from '../support/cli.ts';
import { type TestNamespace, freshNamespace } from '../support/platform.ts';
import { alarmFeed, alarmFires, duplicateTicks, readAlarm, waitForFires } from '../support/alarms.ts';
import { waitForRecord } from '../support/records.ts';

const ECHO = 'function main(params) { return { got: params }; }';
const EVERY_SECOND = '* * * * * *';

type FeedCall = (options: { name: string; trigger: string; params?: Record<string, unknown> }) => Promise<unknown>;
const feeds = (ns: TestNamespace) => ns.ow.feeds as unknown as Record<'create' | 'get' | 'update' | 'delete', FeedCall>;
const ALARM = '/whisk.system/alarms/alarm';

describe('alarms: /whisk.system/alarms (real stack)', function () {
  this.timeout(180_000);
  let ns: TestNamespace;

  /** A trigger with a rule to `echo`, so each fire leaves a trigger record. */
  async function triggerWithRule(name: string): Promise<void> {
    await ns.ow.triggers.create({ name });
    await ns.ow.rules.create({ name: `${name}-echo`, trigger: name, action: 'echo' });
  }

  /** Waits until the clock alarm has fired `ticks` times after `since` (epoch ms): time has passed, by a condition. */
  const clockPasses = (since: number, ticks = 3) => waitForFires(ns, 'clock', ticks, since);

  before(async function () {
    ns = await freshNamespace('alarms');
    await ns.ow.actions.create({ name: 'echo', action: { exec: { kind: 'nodejs:default', code: ECHO } } });
    await triggerWithRule('clock');
    const created = await alarmFeed(ns, 'alarm', 'CREATE', 'clock', { cron: EVERY_SECOND });
    assert.equal(created.status, 200, JSON.stringify(created.result));
  });

  after(async () => {
    // the shared stack may be kept up: leave no alarm ticking in it
    for (const trigger of ['clock', 'every5']) await alarmFeed(ns, 'alarm', 'DELETE', trigger).catch(() => undefined);
  });

  it('an every-second cron created with the openwhisk client fires the rule with trigger_payload; READ shows next and last', async () => {
    await triggerWithRule('tick');
    const created = await feeds(ns).create({ name: ALARM, trigger: 'tick', params: { cron: EVERY_SECOND, trigger_payload: { from: 'alarm' } } });
    assert.deepEqual((created as { response: { result: unknown } }).response.result, { status: 'success' });

    const fires = await waitForFires(ns, 'tick', 3);
    assert.deepEqual(duplicateTicks(fires), [], 'each tick fired once');
    for (const f of fires) assert.equal(f.tick % 1_000, 0, 'ticks fall on whole seconds');
    const outcome = JSON.parse(fires[0]!.logs[0]!) as { activationId: string; success: boolean };
    assert.equal(outcome.success, true);
    const run = await waitForRecord(ns, outcome.activationId);
    assert.equal((run.response.result as { got: { from?: string } }).got.from, 'alarm', 'trigger_payload reaches the action');

    const read = (await feeds(ns).get({ name: ALARM, trigger: 'tick' })) as { response: { result: { config: Record<string, unknown>; status: Record<string, unknown> } } };
    const { config, status } = read.response.result;
    assert.equal(config.cron, EVERY_SECOND);
    assert.deepEqual(config.payload, { from: 'alarm' });
    assert.equal(config.name, 'tick');
    assert.equal(status.active, true);
    assert.ok((status.nextFire as number) > (status.lastFire as number), JSON.stringify(status));
    assert.equal(status.lastFireISO, new Date(status.lastFire as number).toISOString());
    assert.ok((status.fires as number) >= 3);
  });

  it('PAUSE stops the fires, UNPAUSE resumes them, DELETE removes the schedule', async () => {
    const paused = await alarmFeed(ns, 'alarm', 'PAUSE', 'tick');
    assert.equal(paused.status, 200, JSON.stringify(paused.result));
    const whenPaused = await readAlarm(ns, 'tick');
    assert.equal(whenPaused.status.active, false);
    assert.equal(whenPaused.status.reason?.kind, 'USER');
    assert.equal(whenPaused.status.nextFire, undefined);
    const lastTick = whenPaused.status.lastFire!;
    const pausedAt = Date.now();
    await clockPasses(pausedAt);
    assert.deepEqual((await alarmFires(ns, 'tick')).filter((f) => f.tick > lastTick), [], 'no tick after the pause');

    assert.equal((await alarmFeed(ns, 'alarm', 'UNPAUSE', 'tick')).status, 200);
    const resumed = await waitForFires(ns, 'tick', 2, pausedAt);
    assert.ok(resumed.every((f) => f.tick > pausedAt + 1_000), 'the ticks missed while paused are not replayed');

    await feeds(ns).delete({ name: ALARM, trigger: 'tick' });
    const gone = await alarmFeed(ns, 'alarm', 'READ', 'tick');
    assert.equal(gone.success, false);
    assert.equal(gone.result.error, `Trigger /${ns.name}/tick has no alarm.`);
    const deletedAt = Date.now();
    await clockPasses(deletedAt);
    assert.ok((await alarmFires(ns, 'tick')).every((f) => f.tick <= deletedAt), 'no tick after the delete');
  });

  it('maxTriggers: fires that many times, then the schedule ends', async () => {
    await triggerWithRule('twice');
    assert.equal((await alarmFeed(ns, 'alarm', 'CREATE', 'twice', { cron: EVERY_SECOND, maxTriggers: 2 })).status, 200);
    const fires = await waitForFires(ns, 'twice', 2);
    const read = await readAlarm(ns, 'twice');
    assert.equal(read.status.active, false);
    assert.equal(read.status.reason?.message, 'Automatically disabled after reaching max triggers');
    await clockPasses(fires[1]!.tick);
    assert.equal((await alarmFires(ns, 'twice')).length, 2);
  });

  it('once fires once, at its date; with deleteAfterFire rules the trigger and its rules go too', async () => {
    await triggerWithRule('soon');
    const date = new Date(Math.ceil((Date.now() + 3_000) / 1_000) * 1_000).toISOString();
    assert.equal((await alarmFeed(ns, 'once', 'CREATE', 'soon', { date })).status, 200);
    const [fire] = await waitForFires(ns, 'soon', 1);
    assert.equal(fire!.tick, Date.parse(date));
    const read = await readAlarm(ns, 'soon');
    assert.deepEqual([read.status.active, read.status.reason?.message, read.config.date], [false, 'Automatically disabled after firing once', date]);
    await clockPasses(fire!.tick);
    assert.equal((await alarmFires(ns, 'soon')).length, 1);

    await triggerWithRule('cleanup');
    const later = new Date(Date.now() + 2_000).toISOString();
    assert.equal((await alarmFeed(ns, 'once', 'CREATE', 'cleanup', { date: later, deleteAfterFire: 'rules' })).status, 200);
    await waitForFires(ns, 'cleanup', 1);
    const triggerGone = async () => {
      try {
        await ns.ow.triggers.get({ name: 'cleanup' });
        return undefined;
      } catch (err) {
        return (err as { statusCode?: number }).statusCode === 404 || undefined;
      }
    };
    await waitFor('the trigger to be deleted after its fire', triggerGone, 30_000, 200);
    await assert.rejects(ns.ow.rules.get({ name: 'cleanup-echo' }), (err: { statusCode?: number }) => err.statusCode === 404);
    assert.equal((await alarmFeed(ns, 'once', 'READ', 'cleanup')).success, false, 'the alarm is gone');
  });

  it('an interval is created with its first tick at startDate and READ shows it', async () => {
    await triggerWithRule('every5');
    const startDate = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal((await alarmFeed(ns, 'interval', 'CREATE', 'every5', { minutes: 5, startDate, trigger_payload: 'hello' })).status, 200);
    const read = await readAlarm(ns, 'every5');
    assert.deepEqual(read.config, { name: 'every5', namespace: ns.name, payload: { payload: 'hello' }, startDate, minutes: 5 });
    assert.equal(read.status.nextFire, Date.parse(startDate));
    assert.equal((await alarmFeed(ns, 'interval', 'UPDATE', 'every5', { minutes: 10 })).status, 200);
    assert.equal((await readAlarm(ns, 'every5')).config.minutes, 10);
  });

  it('refuses bad input with clear errors, and a trigger that does not exist or already has an alarm', async () => {
    await ns.ow.triggers.create({ name: 'plain' });
    const cases: Array<[Parameters<typeof alarmFeed>[1], Record<string, unknown>, string]> = [
      ['alarm', { cron: 'every night' }, "cron pattern 'every night' is not valid: it must have 5 fields, or 6 with seconds first"],
      ['alarm', { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, "Invalid timezone. 'Mars/Olympus' is not an IANA time zone name (such as America/New_York)."],
      ['alarm', { cron: '0 3 * * *', stopDate: '2001-01-01T00:00:00Z' }, "stopDate parameter '2001-01-01T00:00:00Z' must be in the future"],
      ['once', { date: '2001-01-01T00:00:00Z' }, "date parameter '2001-01-01T00:00:00Z' must be in the future"],
      ['interval', { minutes: 0 }, 'the minutes parameter must be an integer greater than zero'],
      ['alarm', {}, 'alarms trigger feed is missing the cron parameter'],
    ];
    for (const [kind, params, error] of cases) {
      const answer = await alarmFeed(ns, kind, 'CREATE', 'plain', params);
      assert.deepEqual([answer.status, answer.success, answer.result], [502, false, { error }], JSON.stringify(params));
    }
    assert.equal((await alarmFeed(ns, 'alarm', 'CREATE', 'nosuch', { cron: '0 3 * * *' })).result.error, `Trigger /${ns.name}/nosuch does not exist.`);
    assert.equal((await alarmFeed(ns, 'alarm', 'CREATE', 'clock', { cron: '0 3 * * *' })).result.error, `Trigger /${ns.name}/clock already has an alarm; delete it first or send UPDATE.`);
    assert.equal((await alarmFeed(ns, 'alarm', 'UPDATE', 'clock', {})).result.error, 'no updatable parameters were specified');
  });
});

describe('alarms: wsk trigger create --feed /whisk.system/alarms/alarm (real stack)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;

  before(async function () {
    ns = await cliNamespace('cli-alarm');
    writeFileSync(join(ns.dir, 'echo.js'), ECHO);
  });

  after(() => ns?.cleanup());

  async function ok(args: string[]): Promise<string> {
    const res = await ns.wsk(args);
    assert.equal(res.code, 0, `wsk ${args.join(' ')}\n${res.stderr}`);
    return res.stdout;
  }

  it('creates a nightly alarm, shows it with trigger get, and removes it with trigger delete', async () => {
    const created = await ok(['trigger', 'create', 'nightly', '--feed', ALARM, '-p', 'cron', '0 3 * * *', '-p', 'timezone', 'Europe/Paris']);
    assert.match(created, /ok: invoked \/whisk\.system\/alarms\/alarm with id [0-9a-f]{32}\n/);
    assert.match(created, /ok: created trigger nightly\n$/);
    const got = await ok(['trigger', 'get', 'nightly']);
    assert.match(got, /"cron": "0 3 \* \* \*"/);
    assert.match(got, /"timezone": "Europe\/Paris"/);
    assert.match(got, /"nextFireISO": "\d{4}-\d\d-\d\dT0[12]:00:00\.000Z"/, '03:00 in Paris is 01:00 or 02:00 UTC');
    await ok(['trigger', 'delete', 'nightly']);
    assert.equal((await alarmFeed(ns, 'alarm', 'READ', 'nightly')).result.error, `Trigger /${ns.name}/nightly has no alarm.`);
  });

  it('an every-second alarm made with wsk fires its rule; a bad cron fails the create and keeps no trigger', async () => {
    await ok(['action', 'create', 'echo', 'echo.js']);
    await ok(['trigger', 'create', 'beat', '--feed', ALARM, '-p', 'cron', EVERY_SECOND, '-p', 'trigger_payload', '{"n":1}']);
    await ok(['rule', 'create', 'beat-echo', 'beat', 'echo']);
    const [fire] = await waitForFires(ns, 'beat', 1);
    const outcome = JSON.parse(fire!.logs[0]!) as { activationId: string };
    const run = await waitForRecord(ns, outcome.activationId);
    assert.equal((run.response.result as { got: { n?: number } }).got.n, 1);
    await ok(['trigger', 'delete', 'beat']);

    const bad = await ns.wsk(['trigger', 'create', 'broken', '--feed', ALARM, '-p', 'cron', 'bad']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /cron pattern 'bad' is not valid/);
    const exists = await ns.wsk(['trigger', 'get', 'broken']);
    assert.notEqual(exists.code, 0, 'the trigger was removed again');
  });
});
