// The scheduler loop every controller runs: it sleeps until the earliest next tick of all alarms (the head of the
// due set, with a bounded wait so alarms added through other controllers are seen within a second), claims each
// due tick in Redis, and fires the trigger through the platform's fire path (controller/triggers/fire.ts) as the
// trigger's owner, with the alarm's trigger_payload as the fire's payload — as OpenWhisk's alarms provider posts it
// (provider/lib/utils.js) — so the owner's fire throttle applies.
//
// Exactly once (docs/alarms.md, "Exactly once"): a tick fires once however many controllers run, because claiming
// it is one Lua script (claim-tick.lua) that moves the schedule on only if it is still the version the controller
// read — of two controllers that woke for the same tick, one claim succeeds and the other finds the schedule moved.
// The same script writes the tick down as a fire to make, with the trigger activation id chosen now and the
// claiming controller's id; the entry is deleted only once the fire has ended (the trigger record is stored, or the
// fire was refused). So a controller that dies between the claim and the fire loses nothing: when its liveness key
// expires, another controller takes the entry over (take-fire.lua) and makes the fire; restarted under its id, it
// takes its own entries back at once. Whoever takes an entry over first looks for the trigger record under the
// chosen id: records are write-once, so a record there means the fire ended and only the entry is left to delete.
import type { Logger } from '../middleware/logging.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { SpanKind, inSpan, tenantContext } from '../../shared/tracing.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import type { IdentityStore } from '../../shared/identities.ts';
import type { RuleService } from '../entities/rule-service.ts';
import type { TriggerService } from '../entities/trigger-service.ts';
import { toHttpError } from '../middleware/errors.ts';
import type { FireTrigger } from '../triggers/fire.ts';
import { timingOf } from './alarm-config.ts';
import { type AlarmSchedule, type AlarmStore, type ClaimedFire, type StoredFire, alarmKey } from './alarm-store.ts';
import { planAfter } from './schedule.ts';

export interface AlarmSchedulerDeps {
  store: AlarmStore;
  identities: IdentityStore;
  triggers: TriggerService;
  rules: RuleService;
  fire: FireTrigger;
  activations: ActivationStore;
  /** The controllers whose liveness expired (controller/cluster/liveness.ts): their claimed fires are taken over. */
  deadControllers: () => Promise<number[]>;
  controllerId: number;
  logger: Logger;
  /** The time, injectable for tests (default Date.now). */
  clock?: () => number;
  /** Longest sleep between two looks at the due set (default 1 s): alarms created through other controllers wait at most this. */
  maxWaitMs?: number;
  /** How often claimed fires of dead controllers are looked for (default 2 s). */
  takeOverEveryMs?: number;
}

/** Due alarms claimed per pass; more wait for the next pass, which follows at once. */
const DUE_BATCH = 100;

/** Why a schedule ends after the fire it is claimed for (provider/lib/utils.js texts); undefined when it goes on. */
function endReason(schedule: AlarmSchedule, next: number | undefined, fires: number): string | undefined {
  const { kind, maxTriggers } = schedule.settings;
  if (kind === 'once') return 'Automatically disabled after firing once';
  if (maxTriggers !== -1 && fires >= maxTriggers) return 'Automatically disabled after reaching max triggers';
  if (next === undefined) return `Automatically disabled after firing last scheduled ${kind === 'interval' ? 'interval' : 'cron'} trigger`;
  return undefined;
}

/** The schedule as it is after the fire of `tick` at `now`. */
export function advance(schedule: AlarmSchedule, tick: number, now: number): AlarmSchedule {
  const plan = planAfter(timingOf(schedule.settings), tick, now);
  const fires = schedule.fires + 1;
  const reason = endReason(schedule, plan.next, fires);
  const { next: _next, ...rest } = schedule;
  return {
    ...rest,
    lastFire: tick,
    fires,
    missed: schedule.missed + plan.missed,
    ...(reason ? { status: { active: false, dateChanged: now, reason: { kind: 'AUTO', message: reason } } } : { next: plan.next! }),
  };
}

export class AlarmScheduler {
  readonly #d: AlarmSchedulerDeps;
  readonly #clock: () => number;
  /** Fires this controller is making now, by field: never taken over by its own scan. */
  readonly #making = new Map<string, Promise<void>>();
  #loop: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #lastTakeOver = 0;

  constructor(deps: AlarmSchedulerDeps) {
    this.#d = deps;
    this.#clock = deps.clock ?? Date.now;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Looks at the due set at once (an alarm was created or changed through this controller). */
  poke(): void {
    this.#wake?.();
  }

  /** Ends the loop, then waits for the fires in progress (a fire cut short is taken over after a restart). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    await Promise.allSettled([...this.#making.values()]);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let wait = this.#d.maxWaitMs ?? 1_000;
      try {
        await this.pass();
        const earliest = await this.#d.store.earliest();
        if (earliest !== undefined) wait = Math.min(wait, Math.max(0, earliest - this.#clock()));
      } catch (err) {
        this.#d.logger.warn({ err }, 'the alarm scheduler could not read its schedules; retrying');
      }
      if (this.#stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** One look: takes over orphaned fires (every few seconds), then claims and fires every due tick. */
  async pass(): Promise<void> {
    const now = this.#clock();
    if (now - this.#lastTakeOver >= (this.#d.takeOverEveryMs ?? 2_000)) {
      this.#lastTakeOver = now;
      await this.#takeOver();
    }
    for (const { key, tick } of await this.#d.store.due(now, DUE_BATCH)) {
      if (this.#stopped) return;
      await this.#claim(key, tick);
    }
  }

  async #claim(key: string, tick: number): Promise<void> {
    const slash = key.indexOf('/');
    const found = await this.#d.store.get(key.slice(0, slash), key.slice(slash + 1));
    if (!found) {
      await this.#d.store.dropDue(key);
      return;
    }
    const { schedule, json } = found;
    if (schedule.next !== tick || !schedule.status.active) return; // changed since the due set was read
    const now = this.#clock();
    const { deleteAfterFire } = schedule.settings;
    const fire: ClaimedFire = {
      namespace: schedule.namespace,
      trigger: schedule.trigger,
      alarmId: schedule.id,
      tick,
      activationId: newActivationId(),
      payload: schedule.settings.payload,
      ...(deleteAfterFire === 'true' || deleteAfterFire === 'rules' ? { deleteAfterFire } : {}),
      controller: this.#d.controllerId,
    };
    const field = `${key}@${tick}`;
    // marked before the claim, so this controller's own take-over scan never sees its fresh claim as orphaned
    const claimed = new Promise<boolean>((resolve) => resolve(this.#d.store.claim(json, advance(schedule, tick, now), fire)));
    const making = claimed.then((won) => (won ? this.#make(fire, false) : undefined)).catch((err: unknown) => {
      this.#d.logger.warn({ err, alarm: key }, 'claiming an alarm tick failed');
    });
    this.#making.set(field, making);
    void making.finally(() => this.#making.delete(field));
    await claimed.catch(() => false);
  }

  /** Claimed fires of dead controllers, and this controller's own left from before a restart or a failed attempt. */
  async #takeOver(): Promise<void> {
    const stored = await this.#d.store.fires();
    if (stored.length === 0) return;
    const dead = new Set(await this.#d.deadControllers());
    for (const entry of stored) {
      const { controller } = entry.fire;
      if (this.#making.has(entry.field)) continue;
      if (controller !== this.#d.controllerId && !dead.has(controller)) continue;
      await this.#takeOne(entry);
    }
  }

  async #takeOne(entry: StoredFire): Promise<void> {
    const taken = await this.#d.store.takeFire(entry, this.#d.controllerId);
    if (!taken) return;
    this.#d.logger.info({ alarm: alarmKey(taken), tick: new Date(taken.tick).toISOString(), from: entry.fire.controller }, 'making a claimed alarm fire that did not end');
    const making = this.#make(taken, true);
    this.#making.set(entry.field, making);
    void making.finally(() => this.#making.delete(entry.field));
  }

  /**
   * Makes a claimed fire and deletes its entry once it has ended. A fire the platform refuses (4xx: throttled, the
   * trigger or namespace gone) ends too, without a record; one that fails otherwise (Redis away) keeps its entry and
   * is tried again by the next take-over scan.
   */
  async #make(fire: ClaimedFire, takenOver: boolean): Promise<void> {
    const key = alarmKey(fire);
    try {
      const done = takenOver && (await this.#d.activations.getRecord(fire.activationId)) !== undefined;
      if (!done) await this.#fire(fire);
      if (fire.deleteAfterFire) await this.#deleteTrigger(fire);
      await this.#d.store.fired(fire);
    } catch (err) {
      this.#d.logger.warn({ err, alarm: key }, 'an alarm fire failed; it will be tried again');
    }
  }

  async #fire(fire: ClaimedFire): Promise<void> {
    const attributes = { 'isowhisk.trigger': alarmKey(fire), 'isowhisk.alarm.tick': new Date(fire.tick).toISOString() };
    // the alarm's spans belong to the namespace that owns it (see shared/tracing.ts)
    const parent = tenantContext(ROOT_CONTEXT, fire.namespace);
    await inSpan(`alarm ${fire.namespace}/${fire.trigger}`, { kind: SpanKind.INTERNAL, attributes, parent }, async () => {
      const identity = await this.#d.identities.namespaceIdentity(fire.namespace);
      const trigger = identity && (await this.#d.triggers.find(fire.namespace, fire.trigger));
      if (!identity || !trigger) {
        await this.#gone(fire);
        return;
      }
      if (identity.blocked) {
        // As a throttled tick: it passes unfired, and the schedule goes on for when the subject is unblocked.
        this.#d.logger.warn({ alarm: alarmKey(fire) }, 'an alarm tick was not fired: its namespace is blocked');
        return;
      }
      try {
        const fired = await this.#d.fire({
          identity,
          trigger,
          payload: fire.payload,
          headers: {},
          transactionId: newTransactionId(),
          receivedAt: this.#clock(),
          activationId: fire.activationId,
          annotations: [{ key: 'alarmTick', value: new Date(fire.tick).toISOString() }],
        });
        if (fired) await fired.recorded;
      } catch (err) {
        const { status, message } = toHttpError(err);
        if (status >= 500) throw err;
        this.#d.logger.warn({ alarm: alarmKey(fire), status, message }, 'an alarm tick was not fired: the platform refused it');
      }
    });
  }

  /** The trigger (or its namespace) is gone: so is its alarm, unless it was created again since. */
  async #gone(fire: ClaimedFire): Promise<void> {
    const found = await this.#d.store.get(fire.namespace, fire.trigger);
    if (found && found.schedule.id === fire.alarmId) {
      this.#d.logger.info({ alarm: alarmKey(fire) }, 'the alarm trigger no longer exists; removing its alarm');
      await this.#d.store.remove(found.json, found.schedule);
    }
  }

  /** `once` with deleteAfterFire (provider/lib/sanitizer.js): the alarm, the trigger, and with `rules` its rules too. */
  async #deleteTrigger(fire: ClaimedFire): Promise<void> {
    const found = await this.#d.store.get(fire.namespace, fire.trigger);
    if (found && found.schedule.id === fire.alarmId) await this.#d.store.remove(found.json, found.schedule);
    const trigger = await this.#d.triggers.find(fire.namespace, fire.trigger);
    if (!trigger) return;
    if (fire.deleteAfterFire === 'rules') {
      for (const rule of Object.keys(trigger.rules ?? {})) {
        const [namespace, name] = splitRule(rule, fire.namespace);
        await this.#d.rules.remove(namespace, name).catch((err: unknown) => {
          if (toHttpError(err).status !== 404) throw err;
        });
      }
    }
    await this.#d.triggers.remove(fire.namespace, fire.trigger).catch((err: unknown) => {
      if (toHttpError(err).status !== 404) throw err;
    });
  }
}

/** A trigger's rule map keys are `ns/rule`. */
function splitRule(key: string, namespace: string): [string, string] {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? [namespace, key] : [key.slice(0, slash), key.slice(slash + 1)];
}
