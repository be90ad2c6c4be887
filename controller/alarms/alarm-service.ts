// The lifecycle requests of the alarm feeds (OpenWhisk's feed protocol, feeds/feed-lifecycle.ts), carried out on
// the schedules in Redis (alarm-store.ts); the scheduler of every controller (alarm-scheduler.ts) fires them.
//   CREATE   checks the parameters (alarm-config.ts) and that the trigger exists, and schedules the first tick;
//   READ     {config, status: {active, dateChanged, dateChangedISO, reason, nextFire, lastFire, fires, missed, ...}};
//   UPDATE   changes the given parameters and schedules again from now (maxTriggers counts afresh);
//   DELETE   removes the schedule (`wsk trigger delete` sends it before deleting the trigger);
//   PAUSE    keeps the schedule but fires nothing until UNPAUSE, which goes on with the first tick after now.
// Results and error texts are those of openwhisk-package-alarms (action/alarmWebAction.js) where it has them.
import { randomBytes } from 'node:crypto';
import type { Identity } from '../../shared/identity.ts';
import { type SystemLimits, effectiveLimits } from '../entities/models/limits.ts';
import type { TriggerService } from '../entities/trigger-service.ts';
import { FeedError, type LifecycleEvent, readLifecycle } from '../feeds/feed-lifecycle.ts';
import type { FeedProvider } from '../feeds/feed-service.ts';
import type { AlarmFeeds } from './alarm-feeds.ts';
import { type AlarmSettings, configView, readCreate, readUpdate, timingOf } from './alarm-config.ts';
import type { AlarmSchedule, AlarmStore } from './alarm-store.ts';
import { type AlarmKind, nextTick } from './schedule.ts';

export interface AlarmServiceDeps {
  store: AlarmStore;
  triggers: TriggerService;
  /** The feed limit (maxFeeds) bounds each namespace's alarms too. */
  limits: SystemLimits;
  /** Tells this controller's scheduler that the schedules changed. */
  onChange?: () => void;
  clock?: () => number;
}

const EVENTS: readonly LifecycleEvent[] = ['CREATE', 'READ', 'UPDATE', 'DELETE', 'PAUSE', 'UNPAUSE'];
const SUCCESS = { status: 'success' };
const PAUSED_TEXT = 'Paused by its owner (lifecycleEvent PAUSE)';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** READ's status: OpenWhisk's fields, with the next and last tick and the counts besides. */
function statusView(s: AlarmSchedule): Record<string, unknown> {
  return {
    active: s.status.active,
    dateChanged: s.status.dateChanged,
    dateChangedISO: iso(s.status.dateChanged),
    reason: s.status.reason,
    nextFire: s.next,
    nextFireISO: iso(s.next),
    lastFire: s.lastFire,
    lastFireISO: iso(s.lastFire),
    fires: s.fires,
    missed: s.missed,
  };
}

export class AlarmService implements AlarmFeeds {
  readonly #d: AlarmServiceDeps;
  readonly #clock: () => number;

  constructor(deps: AlarmServiceDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? Date.now;
  }

  provider(kind: AlarmKind): FeedProvider {
    return { handle: (identity, body) => this.handle(kind, identity, body) };
  }

  async handle(kind: AlarmKind, identity: Identity, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { event, trigger } = readLifecycle(body, identity.namespace, EVENTS);
    const { namespace, name } = trigger;
    const triggerName = `/${namespace}/${name}`;
    const now = this.#clock();
    const found = await this.#d.store.get(namespace, name);
    if (event === 'CREATE') {
      if (found) throw new FeedError(`Trigger ${triggerName} already has an alarm; delete it first or send UPDATE.`);
      return this.#create(kind, identity, trigger, body, now);
    }
    if (!found) throw new FeedError(`Trigger ${triggerName} has no alarm.`);
    const { schedule, json } = found;
    switch (event) {
      case 'READ':
        return { config: configView(schedule.settings, trigger), status: statusView(schedule) };
      case 'DELETE':
        if (!(await this.#d.store.remove(json, schedule))) throw changedError();
        this.#d.onChange?.();
        return SUCCESS;
      case 'UPDATE':
        return this.#replace(json, this.#rescheduled(schedule, readUpdate(schedule.settings, body, now), now));
      case 'PAUSE':
        if (!schedule.status.active) return SUCCESS;
        return this.#replace(json, withoutNext({ ...schedule, status: { active: false, dateChanged: now, reason: { kind: 'USER', message: PAUSED_TEXT } } }));
      case 'UNPAUSE': {
        if (schedule.status.active) return SUCCESS;
        if (schedule.status.reason?.kind === 'AUTO') {
          throw new FeedError(`The alarm of trigger ${triggerName} has ended (${schedule.status.reason.message}); send UPDATE with new parameters or create it again.`);
        }
        const next = nextTick(timingOf(schedule.settings), now);
        if (next === undefined) throw new FeedError(`The alarm of trigger ${triggerName} has no tick left to fire: its date or stopDate has passed.`);
        const { reason: _reason, ...status } = { ...schedule.status, active: true, dateChanged: now };
        return this.#replace(json, { ...schedule, status, next });
      }
      default:
        throw new FeedError(`Parameter 'lifecycleEvent' must be one of ${EVENTS.join(', ')}.`);
    }
  }

  async #create(kind: AlarmKind, identity: Identity, trigger: { namespace: string; name: string }, body: Record<string, unknown>, now: number): Promise<Record<string, unknown>> {
    const triggerName = `/${trigger.namespace}/${trigger.name}`;
    const settings = readCreate(kind, body, now);
    if (!(await this.#d.triggers.find(trigger.namespace, trigger.name))) throw new FeedError(`Trigger ${triggerName} does not exist.`);
    const next = nextTick(timingOf(settings), now);
    if (next === undefined) throw new FeedError(`The alarm would never fire: ${neverText(settings)}.`);
    const schedule: AlarmSchedule = {
      namespace: trigger.namespace,
      trigger: trigger.name,
      id: randomBytes(8).toString('hex'),
      settings,
      status: { active: true, dateChanged: now },
      next,
      fires: 0,
      missed: 0,
    };
    const limit = effectiveLimits(this.#d.limits, identity.limits).maxFeeds;
    const outcome = await this.#d.store.create(schedule, limit);
    if (outcome === 'limit') throw new FeedError(`The namespace may have at most ${limit} alarms; delete one before creating another.`);
    if (outcome === 'exists') throw new FeedError(`Trigger ${triggerName} already has an alarm; delete it first or send UPDATE.`);
    this.#d.onChange?.();
    return SUCCESS;
  }

  /** After an UPDATE: active again from now (unless paused by its owner), fires counted afresh. */
  #rescheduled(schedule: AlarmSchedule, settings: AlarmSettings, now: number): AlarmSchedule {
    const updated = { ...schedule, settings, fires: 0 };
    if (schedule.status.reason?.kind === 'USER') return withoutNext(updated);
    const next = nextTick(timingOf(settings), now);
    if (next === undefined) throw new FeedError(`The alarm would never fire: ${neverText(settings)}.`);
    return { ...updated, status: { active: true, dateChanged: schedule.status.active ? schedule.status.dateChanged : now }, next };
  }

  async #replace(json: string, schedule: AlarmSchedule): Promise<Record<string, unknown>> {
    if (!(await this.#d.store.replace(json, schedule))) throw changedError();
    this.#d.onChange?.();
    return SUCCESS;
  }
}

const changedError = () => new FeedError('The alarm changed while this request was carried out (it fired, or another request changed it); try again.');

function withoutNext(schedule: AlarmSchedule): AlarmSchedule {
  const { next: _next, ...rest } = schedule;
  return rest;
}

function neverText(s: AlarmSettings): string {
  if (s.stopDate !== undefined) return 'the first scheduled trigger fire is not until after the stop date';
  return `cron pattern '${s.cron ?? ''}' matches no date to come`;
}
