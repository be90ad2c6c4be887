// Where alarms live: RedisClient, so every controller schedules every alarm and a restart loses none.
//   - `alarms` hash: `ns/trigger` → the schedule as JSON (settings, status, next and last tick, counters);
//   - `alarms:due` sorted set: the active alarms scored by their next tick, which the schedulers wake for;
//   - `alarms:ns:<ns>` set: each namespace's alarm triggers, counted against its feed limit;
//   - `alarms:fires` hash: claimed ticks whose fire has not ended, each naming the controller that makes it.
// Every change is a Lua script that compares the schedule with the JSON the caller read (the whole JSON is the
// version), so concurrent controllers and lifecycle requests never overwrite each other's change unseen.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import type { AlarmSettings } from './alarm-config.ts';

export interface AlarmStatus {
  active: boolean;
  /** Epoch ms of the last change of `active`. */
  dateChanged: number;
  /** Why the alarm is inactive: paused by its owner (USER), or ended by the schedule itself (AUTO), as OpenWhisk says. */
  reason?: { kind: 'AUTO' | 'USER'; message: string };
}

export interface AlarmSchedule {
  namespace: string;
  trigger: string;
  /** Random per registration: a re-created alarm is a new one. */
  id: string;
  settings: AlarmSettings;
  status: AlarmStatus;
  /** The next tick (epoch ms); absent while paused or once ended. */
  next?: number;
  /** The tick of the last fire. */
  lastFire?: number;
  /** Ticks fired since the alarm was created or last updated (what maxTriggers counts). */
  fires: number;
  /** Ticks skipped because no controller ran when they fell (schedule.ts, the missed-ticks policy). */
  missed: number;
}

/** A claimed tick: the fire to make, and who makes it. */
export interface ClaimedFire {
  namespace: string;
  trigger: string;
  /** The alarm's id when the tick was claimed. */
  alarmId: string;
  tick: number;
  /** The trigger activation's id, chosen at the claim, so a fire made again after a crash is recognised. */
  activationId: string;
  payload: Record<string, unknown>;
  /** `once` with deleteAfterFire: what to delete after the fire. */
  deleteAfterFire?: 'true' | 'rules';
  controller: number;
}

export interface StoredFire {
  field: string;
  json: string;
  fire: ClaimedFire;
}

export const alarmKey = (a: { namespace: string; trigger: string }) => `${a.namespace}/${a.trigger}`;
const fireField = (f: ClaimedFire) => `${alarmKey(f)}@${f.tick}`;

export type CreateOutcome = 'created' | 'exists' | 'limit';

export interface AlarmStore {
  /** The schedule and its JSON as stored (the version to compare against). */
  get(namespace: string, trigger: string): Promise<{ schedule: AlarmSchedule; json: string } | undefined>;
  create(schedule: AlarmSchedule, limit: number): Promise<CreateOutcome>;
  /** Replaces the schedule read as `json`; false when it changed meanwhile. */
  replace(json: string, schedule: AlarmSchedule): Promise<boolean>;
  /** Removes the schedule read as `json`; false when it changed meanwhile. */
  remove(json: string, schedule: AlarmSchedule): Promise<boolean>;
  /** Moves the schedule read as `json` on to `schedule` and writes `fire` down, atomically; false when another got there first. */
  claim(json: string, schedule: AlarmSchedule, fire: ClaimedFire): Promise<boolean>;
  /** Alarms whose next tick is at or before `now`, earliest first. */
  due(now: number, count: number): Promise<Array<{ key: string; tick: number }>>;
  /** The earliest next tick of all active alarms. */
  earliest(): Promise<number | undefined>;
  /** Removes a due entry whose schedule is gone. */
  dropDue(key: string): Promise<void>;
  fires(): Promise<StoredFire[]>;
  /** Takes the fire read as `stored` for `controller`; false when another controller took it first. */
  takeFire(stored: StoredFire, controller: number): Promise<ClaimedFire | undefined>;
  /** The fire has ended. */
  fired(fire: ClaimedFire): Promise<void>;
  count(namespace: string): Promise<number>;
}

// KEYS, ARGV and results: each .lua file's header.
const REGISTER = luaScript(import.meta.dirname, 'register-alarm.lua');
const REPLACE = luaScript(import.meta.dirname, 'replace-alarm.lua');
const REMOVE = luaScript(import.meta.dirname, 'remove-alarm.lua');
const CLAIM = luaScript(import.meta.dirname, 'claim-tick.lua');
const TAKE = luaScript(import.meta.dirname, 'take-fire.lua');
const DROP_DUE = luaScript(import.meta.dirname, 'drop-due.lua');

const nextArg = (s: AlarmSchedule) => (s.next === undefined ? '' : String(s.next));

export function alarmStore(redis: RedisClient, keys: RedisKeys): AlarmStore {
  return {
    async get(namespace, trigger) {
      const json = await redis.hget(keys.alarms(), alarmKey({ namespace, trigger }));
      return json ? { schedule: JSON.parse(json) as AlarmSchedule, json } : undefined;
    },
    async create(schedule, limit) {
      const keyList = [keys.alarms(), keys.namespaceAlarms(schedule.namespace), keys.alarmsDue()];
      const args = [alarmKey(schedule), JSON.stringify(schedule), schedule.trigger, String(limit), nextArg(schedule)];
      return (await runScript(redis, REGISTER, keyList, args)) as CreateOutcome;
    },
    async replace(json, schedule) {
      return (await runScript(redis, REPLACE, [keys.alarms(), keys.alarmsDue()], [alarmKey(schedule), json, JSON.stringify(schedule), nextArg(schedule)])) === 1;
    },
    async remove(json, schedule) {
      const keyList = [keys.alarms(), keys.namespaceAlarms(schedule.namespace), keys.alarmsDue()];
      return (await runScript(redis, REMOVE, keyList, [alarmKey(schedule), json, schedule.trigger])) === 1;
    },
    async claim(json, schedule, fire) {
      const keyList = [keys.alarms(), keys.alarmsDue(), keys.alarmFires()];
      const args = [alarmKey(schedule), json, JSON.stringify(schedule), nextArg(schedule), fireField(fire), JSON.stringify(fire)];
      return (await runScript(redis, CLAIM, keyList, args)) === 1;
    },
    async due(now, count) {
      const flat = await redis.zrangebyscore(keys.alarmsDue(), '-inf', now, 'WITHSCORES', 'LIMIT', 0, count);
      const out: Array<{ key: string; tick: number }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i]!, tick: Number(flat[i + 1]) });
      return out;
    },
    async earliest() {
      const head = await redis.zrange(keys.alarmsDue(), '0', '0', 'WITHSCORES');
      return head.length === 2 ? Number(head[1]) : undefined;
    },
    async dropDue(key) {
      await runScript(redis, DROP_DUE, [keys.alarms(), keys.alarmsDue()], [key]);
    },
    async fires() {
      const all = await redis.hgetall(keys.alarmFires());
      return Object.entries(all).map(([field, json]) => ({ field, json, fire: JSON.parse(json) as ClaimedFire }));
    },
    async takeFire(stored, controller) {
      const fire = { ...stored.fire, controller };
      return (await runScript(redis, TAKE, [keys.alarmFires()], [stored.field, stored.json, JSON.stringify(fire)])) === 1 ? fire : undefined;
    },
    async fired(fire) {
      await redis.hdel(keys.alarmFires(), fireField(fire));
    },
    count: (namespace) => redis.scard(keys.namespaceAlarms(namespace)),
  };
}
