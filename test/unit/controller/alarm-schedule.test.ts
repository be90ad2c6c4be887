// The alarms' tick computation in isolation (controller/alarms/schedule.ts, alarm-config.ts, alarm-scheduler.ts's
// advance): croner's 5- and 6-field expressions in IANA time zones, intervals, one-off dates, start and stop dates,
// maxTriggers, the parameter checks with OpenWhisk's texts, and the missed-ticks policy on an injected clock.
import assert from 'node:assert/strict';
import { advance } from '../../../controller/alarms/alarm-scheduler.ts';
import { readCreate, readUpdate, timingOf, type AlarmSettings } from '../../../controller/alarms/alarm-config.ts';
import type { AlarmSchedule } from '../../../controller/alarms/alarm-store.ts';
import { LATE_TOLERANCE_MS, MISSED_COUNT_CAP, nextTick, planAfter, ticksBetween } from '../../../controller/alarms/schedule.ts';
import { FeedError } from '../../../controller/feeds/feed-lifecycle.ts';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-03-07T12:00:00.250Z');

function schedule(settings: AlarmSettings, next: number, fires = 0): AlarmSchedule {
  return { namespace: 'ns', trigger: 't', id: 'x', settings, status: { active: true, dateChanged: NOW }, next, fires, missed: 0 };
}

const refused = (fn: () => unknown, text: RegExp) => assert.throws(fn, (err: Error) => err instanceof FeedError && text.test(err.message), String(text));

describe('alarms: when ticks fall', () => {
  it('steps a 5-field cron by minutes and a 6-field cron by seconds', () => {
    const daily = timingOf(readCreate('alarm', { cron: '0 3 * * *' }, NOW));
    assert.equal(nextTick(daily, NOW), at('2026-03-08T03:00:00Z'));
    const everySecond = timingOf(readCreate('alarm', { cron: '* * * * * *' }, NOW));
    assert.equal(nextTick(everySecond, NOW), at('2026-03-07T12:00:01Z'));
    assert.equal(nextTick(everySecond, at('2026-03-07T12:00:01Z')), at('2026-03-07T12:00:02Z'), 'strictly after the tick given');
    const everyFive = timingOf(readCreate('alarm', { cron: '*/5 * * * * *' }, NOW));
    assert.equal(nextTick(everyFive, NOW), at('2026-03-07T12:00:05Z'));
  });

  it('reads the cron in its IANA time zone, across a daylight saving change', () => {
    const ny = timingOf(readCreate('alarm', { cron: '0 3 * * *', timezone: 'America/New_York' }, NOW));
    // 2026-03-08 is the spring-forward day in New York: 03:00 EDT is 07:00 UTC, the day before 03:00 EST was 08:00 UTC
    assert.equal(nextTick(ny, NOW), at('2026-03-08T07:00:00Z'));
    assert.equal(nextTick(ny, at('2026-03-08T07:00:00Z')), at('2026-03-09T07:00:00Z'));
    const tokyo = timingOf(readCreate('alarm', { cron: '30 9 * * 1', timezone: 'Asia/Tokyo' }, NOW));
    assert.equal(nextTick(tokyo, NOW), at('2026-03-09T00:30:00Z'), 'Monday 09:30 in Tokyo');
  });

  it('starts at startDate (inclusive) and ends at stopDate', () => {
    const timing = timingOf(readCreate('alarm', { cron: '0 * * * *', startDate: '2026-03-07T15:00:00Z', stopDate: '2026-03-07T17:30:00Z' }, NOW));
    assert.equal(nextTick(timing, NOW), at('2026-03-07T15:00:00Z'));
    assert.equal(nextTick(timing, at('2026-03-07T16:00:00Z')), at('2026-03-07T17:00:00Z'));
    assert.equal(nextTick(timing, at('2026-03-07T17:00:00Z')), undefined, 'the 18:00 tick is past the stop date');
  });

  it('fires an interval at its startDate and then every `minutes`; 30 s from now without a startDate', () => {
    const timing = timingOf(readCreate('interval', { minutes: 15, startDate: '2026-03-07T12:10:00Z' }, NOW));
    assert.equal(nextTick(timing, NOW), at('2026-03-07T12:10:00Z'));
    assert.equal(nextTick(timing, at('2026-03-07T12:10:00Z')), at('2026-03-07T12:25:00Z'));
    assert.equal(nextTick(timing, at('2026-03-07T13:00:00Z')), at('2026-03-07T13:10:00Z'));
    assert.equal(nextTick(timingOf(readCreate('interval', { minutes: 1 }, NOW)), NOW), NOW + 30_000);
  });

  it('fires `once` at its date and never again', () => {
    const timing = timingOf(readCreate('once', { date: '2026-03-07T12:00:10Z' }, NOW));
    assert.equal(nextTick(timing, NOW), at('2026-03-07T12:00:10Z'));
    assert.equal(nextTick(timing, at('2026-03-07T12:00:10Z')), undefined);
  });

  it('counts the ticks strictly between two times, with a cap', () => {
    const everySecond = timingOf(readCreate('alarm', { cron: '* * * * * *' }, NOW));
    assert.equal(ticksBetween(everySecond, at('2026-03-07T12:00:01Z'), at('2026-03-07T12:00:11Z')), 9);
    assert.equal(ticksBetween(everySecond, NOW, NOW + 7 * 86_400_000), MISSED_COUNT_CAP);
  });
});

describe('alarms: missed ticks (injected clock)', () => {
  const everySecond = timingOf(readCreate('alarm', { cron: '* * * * * *' }, NOW));
  const tick = at('2026-03-07T12:00:01Z');

  it('a tick reached late, within the tolerance, is followed by its successor: a stall is caught up tick by tick', () => {
    assert.deepEqual(planAfter(everySecond, tick, tick + 2_500), { next: tick + 1_000, missed: 0 });
    assert.deepEqual(planAfter(everySecond, tick, tick + LATE_TOLERANCE_MS), { next: tick + 1_000, missed: 0 });
  });

  it('a tick missed while no controller ran fires once; the schedule skips to its first future tick and counts the rest', () => {
    const now = tick + 60_000 + 400; // down for a minute
    assert.deepEqual(planAfter(everySecond, tick, now), { next: tick + 61_000, missed: 60 }, '12:00:02 to 12:01:01 skipped');
    const hourly = timingOf(readCreate('alarm', { cron: '0 * * * *' }, NOW));
    const missedHour = at('2026-03-07T13:00:00Z');
    assert.deepEqual(planAfter(hourly, missedHour, at('2026-03-08T01:30:00Z')), { next: at('2026-03-08T02:00:00Z'), missed: 12 });
  });

  it('advance: the claimed tick becomes the last fire, the count grows, the next tick follows the policy', () => {
    const settings = readCreate('alarm', { cron: '* * * * * *' }, NOW);
    const after = advance(schedule(settings, tick), tick, tick + 30_000);
    assert.equal(after.lastFire, tick);
    assert.equal(after.fires, 1);
    assert.equal(after.next, tick + 30_000, 'the tick falling exactly now is next');
    assert.equal(after.missed, 29);
    assert.equal(after.status.active, true);
  });

  it('advance ends the schedule at maxTriggers, after `once`, and after the last tick before stopDate', () => {
    const limited = readCreate('alarm', { cron: '* * * * * *', maxTriggers: 2 }, NOW);
    assert.equal(advance(schedule(limited, tick), tick, tick).next, tick + 1_000);
    const ended = advance(schedule(limited, tick + 1_000, 1), tick + 1_000, tick + 1_000);
    assert.equal(ended.next, undefined);
    assert.deepEqual(ended.status.reason, { kind: 'AUTO', message: 'Automatically disabled after reaching max triggers' });

    const once = readCreate('once', { date: '2026-03-07T12:00:10Z' }, NOW);
    assert.equal(advance(schedule(once, at('2026-03-07T12:00:10Z')), at('2026-03-07T12:00:10Z'), NOW).status.reason?.message, 'Automatically disabled after firing once');

    const stopping = readCreate('alarm', { cron: '* * * * * *', stopDate: '2026-03-07T12:00:02Z' }, NOW);
    const last = advance(schedule(stopping, at('2026-03-07T12:00:02Z')), at('2026-03-07T12:00:02Z'), NOW);
    assert.equal(last.status.active, false);
    assert.equal(last.status.reason?.message, 'Automatically disabled after firing last scheduled cron trigger');
  });
});

describe('alarms: parameters refused with clear texts', () => {
  it('refuses bad cron expressions, unknown time zones, past dates and bad minutes', () => {
    refused(() => readCreate('alarm', {}, NOW), /^alarms trigger feed is missing the cron parameter$/);
    refused(() => readCreate('alarm', { cron: 'every day' }, NOW), /^cron pattern 'every day' is not valid/);
    refused(() => readCreate('alarm', { cron: '61 * * * *' }, NOW), /^cron pattern '61 \* \* \* \*' is not valid: Invalid value for minute: 61/);
    refused(() => readCreate('alarm', { cron: '0 0 0 * * * 2030' }, NOW), /must have 5 fields, or 6 with seconds first/);
    refused(() => readCreate('alarm', { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, NOW), /^Invalid timezone\. 'Mars\/Olympus' is not an IANA time zone name/);
    refused(() => readCreate('alarm', { cron: '0 3 * * *', stopDate: '2020-01-01T00:00:00Z' }, NOW), /^stopDate parameter '2020-01-01T00:00:00Z' must be in the future$/);
    refused(() => readCreate('alarm', { cron: '0 3 * * *', startDate: 'tomorrow' }, NOW), /^startDate parameter 'tomorrow' is not a valid Date$/);
    refused(() => readCreate('alarm', { cron: '0 3 * * *', stopDate: '2026-03-07T13:00:00Z' }, NOW), /^the first scheduled trigger fire is not until after the stop date$/);
    refused(() => readCreate('alarm', { cron: '0 3 * * *', stopDate: '2026-03-09T00:00:00Z', maxTriggers: 3 }, NOW), /^maxTriggers is not allowed when the stopDate parameter is specified$/);
    refused(() => readCreate('interval', { minutes: 0 }, NOW), /^the minutes parameter must be an integer greater than zero$/);
    refused(() => readCreate('interval', { minutes: 1.5 }, NOW), /^the minutes parameter must be an integer$/);
    refused(() => readCreate('interval', {}, NOW), /^interval trigger feed is missing the minutes parameter$/);
    refused(() => readCreate('once', {}, NOW), /^alarms once trigger feed is missing the date parameter$/);
    refused(() => readCreate('once', { date: '2026-03-07T11:00:00Z' }, NOW), /^date parameter '2026-03-07T11:00:00Z' must be in the future$/);
    refused(() => readCreate('once', { date: '2026-03-08T00:00:00Z', deleteAfterFire: 'maybe' }, NOW), /^deleteAfterFire parameter must be one of \[false, true, rules\]\.$/);
  });

  it('reads trigger_payload as OpenWhisk does: a string becomes {payload}', () => {
    assert.deepEqual(readCreate('alarm', { cron: '0 3 * * *', trigger_payload: 'hi' }, NOW).payload, { payload: 'hi' });
    assert.deepEqual(readCreate('alarm', { cron: '0 3 * * *', trigger_payload: { a: 1 } }, NOW).payload, { a: 1 });
  });

  it('UPDATE changes only what it gives, and needs something to change', () => {
    const settings = readCreate('alarm', { cron: '0 3 * * *', timezone: 'Europe/Paris' }, NOW);
    const updated = readUpdate(settings, { cron: '0 4 * * *' }, NOW);
    assert.equal(updated.cron, '0 4 * * *');
    assert.equal(updated.timezone, 'Europe/Paris');
    refused(() => readUpdate(settings, {}, NOW), /^no updatable parameters were specified$/);
    refused(() => readUpdate(settings, { timezone: 'Nowhere/Town' }, NOW), /^Invalid timezone/);
  });
});
