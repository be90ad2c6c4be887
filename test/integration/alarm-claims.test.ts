// The alarm scheduler's claims on the test stack's real Redis (controller/alarms/alarm-scheduler.ts,
// claim-tick.lua, take-fire.lua): of two schedulers that find the same tick due, exactly one fires it; a scheduler
// that dies between its claim and the end of its fire loses nothing — another takes the fire over once the first is
// dead and fires it under the activation id chosen at the claim, unless that record is already stored; and a tick
// missed for a minute fires once, then the schedule skips to the present. The fire path is a recording fake; the
// clock is injected.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { waitFor } from '../../deploy/local/daemon.ts';
import { readCreate } from '../../controller/alarms/alarm-config.ts';
import { AlarmScheduler } from '../../controller/alarms/alarm-scheduler.ts';
import { type AlarmSchedule, type AlarmStore, alarmStore } from '../../controller/alarms/alarm-store.ts';
import type { IdentityStore } from '../../shared/identities.ts';
import type { RuleService } from '../../controller/entities/rule-service.ts';
import type { TriggerDoc } from '../../controller/entities/models/trigger.ts';
import type { TriggerService } from '../../controller/entities/trigger-service.ts';
import { silentLogger } from '../../controller/middleware/logging.ts';
import type { FireRequest, FireTrigger } from '../../controller/triggers/fire.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { activationStore, type ActivationStore } from '../../shared/activation-store.ts';
import { newActivationId } from '../../shared/ids.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

const T = Date.parse('2026-03-07T12:00:01Z');
const identity = { subject: 'alice', namespace: 'alice', uuid: 'u-1', limits: {} };
const trigger = { namespace: 'alice', name: 'beat', rules: {} } as unknown as TriggerDoc;

describe('alarm ticks claimed in Redis (real Redis, fake fire path)', () => {
  const keys = redisKeys(`iw-test-${newActivationId()}:`);
  let redis: Redis;
  let store: AlarmStore;
  let activations: ActivationStore;
  let now: number;

  before(async () => {
    redis = new Redis(await testRedis());
    store = alarmStore(redis, keys);
    activations = activationStore(redis, keys);
  });

  after(async () => {
    const left = await redis.keys(`${keys.alarms()}*`);
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  beforeEach(async () => {
    await redis.del(keys.alarms(), keys.alarmsDue(), keys.alarmFires(), keys.namespaceAlarms('alice'));
    now = T + 100;
    const settings = readCreate('alarm', { cron: '* * * * * *', trigger_payload: { n: 1 } }, T - 1_000);
    const schedule: AlarmSchedule = { namespace: 'alice', trigger: 'beat', id: 'a1', settings, status: { active: true, dateChanged: T - 1_000 }, next: T, fires: 0, missed: 0 };
    assert.equal(await store.create(schedule, 10), 'created');
  });

  /** A scheduler with controller id `id`; its fires are recorded in `fired` and, unless `hang`, end at once. */
  function scheduler(id: number, fired: FireRequest[], options: { hang?: boolean; dead?: number[]; blocked?: boolean } = {}): AlarmScheduler {
    const fire: FireTrigger = async (req) => {
      fired.push(req);
      if (options.hang) return new Promise(() => {}); // the controller dies here: the fire never ends
      const record = { activationId: req.activationId! } as ActivationRecord;
      return { activationId: req.activationId!, recorded: Promise.resolve(record) };
    };
    return new AlarmScheduler({
      store,
      identities: { namespaceIdentity: async () => ({ ...identity, blocked: options.blocked === true }) } as unknown as IdentityStore,
      triggers: { find: async () => trigger } as unknown as TriggerService,
      rules: {} as RuleService,
      fire,
      activations,
      deadControllers: async () => options.dead ?? [],
      controllerId: id,
      logger: silentLogger,
      clock: () => now,
      takeOverEveryMs: 0,
    });
  }

  it('two schedulers find the same tick due: one fires it, and the schedule moves on to the next second', async () => {
    const fired: FireRequest[] = [];
    await Promise.all([scheduler(1, fired).pass(), scheduler(2, fired).pass()]);
    await waitFor('the fire to end', async () => ((await store.fires()).length === 0 ? true : undefined), 5_000, 20);
    assert.equal(fired.length, 1);
    assert.deepEqual(fired[0]!.payload, { n: 1 });
    assert.deepEqual(fired[0]!.annotations, [{ key: 'alarmTick', value: new Date(T).toISOString() }]);
    const { schedule } = (await store.get('alice', 'beat'))!;
    assert.deepEqual([schedule.next, schedule.lastFire, schedule.fires, schedule.missed], [T + 1_000, T, 1, 0]);
  });

  it("a blocked subject's tick passes unfired, and the schedule moves on for when it is unblocked", async () => {
    const fired: FireRequest[] = [];
    await scheduler(1, fired, { blocked: true }).pass();
    await waitFor('the claimed tick to end', async () => ((await store.fires()).length === 0 ? true : undefined), 5_000, 20);
    assert.deepEqual(fired, []);
    const { schedule } = (await store.get('alice', 'beat'))!;
    assert.deepEqual([schedule.next, schedule.status.active], [T + 1_000, true]);
  });

  it('a scheduler that dies between its claim and the end of the fire: another fires the tick under the same activation id', async () => {
    const firstTry: FireRequest[] = [];
    await scheduler(1, firstTry, { hang: true }).pass();
    await waitFor('the claim', async () => (firstTry.length === 1 ? true : undefined), 5_000, 20);
    const [claimed] = await store.fires();
    assert.equal(claimed?.fire.controller, 1);

    const alive: FireRequest[] = [];
    await scheduler(2, alive).pass(); // controller 1 still counts as alive: its fire is left alone
    assert.deepEqual(alive, []);

    const takeOver: FireRequest[] = [];
    await scheduler(2, takeOver, { dead: [1] }).pass();
    await waitFor('the fire taken over to end', async () => ((await store.fires()).length === 0 ? true : undefined), 5_000, 20);
    assert.equal(takeOver.length, 1);
    assert.equal(takeOver[0]!.activationId, firstTry[0]!.activationId, 'the id chosen at the claim');
    assert.equal((await store.get('alice', 'beat'))!.schedule.fires, 1, 'the tick was claimed once');
  });

  it('a fire whose record is stored is not made again: only its entry is deleted', async () => {
    const firstTry: FireRequest[] = [];
    await scheduler(1, firstTry, { hang: true }).pass();
    await waitFor('the claim', async () => (firstTry.length === 1 ? true : undefined), 5_000, 20);
    const record = { namespace: 'alice', name: 'beat', subject: 'alice', activationId: firstTry[0]!.activationId!, start: now, end: now, response: { statusCode: 0, result: {} }, logs: [], version: '0.0.1', publish: false, annotations: [] } as ActivationRecord;
    assert.equal(await activations.putRecord(record, 60), true);

    const takeOver: FireRequest[] = [];
    await scheduler(2, takeOver, { dead: [1] }).pass();
    await waitFor('the entry to go', async () => ((await store.fires()).length === 0 ? true : undefined), 5_000, 20);
    assert.deepEqual(takeOver, []);
  });

  it('a tick missed for a minute fires once; the next is the present second and the skipped ones are counted', async () => {
    now = T + 60_000 + 300;
    const fired: FireRequest[] = [];
    await scheduler(1, fired).pass();
    await waitFor('the fire to end', async () => ((await store.fires()).length === 0 ? true : undefined), 5_000, 20);
    assert.equal(fired.length, 1, 'no burst of the 60 missed ticks');
    const { schedule } = (await store.get('alice', 'beat'))!;
    assert.deepEqual([schedule.lastFire, schedule.next, schedule.missed], [T, T + 61_000, 60]);
  });
});
