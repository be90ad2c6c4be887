// The parameters of the alarm feeds, read and checked as OpenWhisk's alarms package checks them
// (openwhisk-package-alarms, action/alarmWebAction.js), with its error texts:
//   alarm:    cron (5 or 6 fields), timezone, startDate, stopDate, maxTriggers, trigger_payload
//   interval: minutes, startDate (30 s from now when not given), stopDate, trigger_payload
//   once:     date, deleteAfterFire (false | true | rules), trigger_payload
// CREATE reads a whole configuration; UPDATE changes only the parameters it gives. Dates are kept as given (READ shows
// them so) and must be in the future. Refusals are FeedErrors: the feed activation's application error.
import { FeedError } from '../feeds/feed-lifecycle.ts';
import { type AlarmKind, type Timing, isTimeZone, nextTick, parseCron } from './schedule.ts';

export const DELETE_AFTER_FIRE = ['false', 'true', 'rules'] as const;
export type DeleteAfterFire = (typeof DELETE_AFTER_FIRE)[number];

/** How long after its creation an interval without a startDate first fires (alarmWebAction.js). */
export const INTERVAL_START_DELAY_MS = 30_000;

export interface AlarmSettings {
  kind: AlarmKind;
  /** What each fire posts to the trigger (`trigger_payload`; a string arrives as `{payload: string}`). */
  payload: Record<string, unknown>;
  cron?: string;
  timezone?: string;
  minutes?: number;
  date?: string | number;
  deleteAfterFire?: DeleteAfterFire;
  startDate?: string | number;
  stopDate?: string | number;
  /** Fires after which the schedule ends; -1 for no limit. */
  maxTriggers: number;
}

type Params = Record<string, unknown>;

const given = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

const epoch = (date: string | number): number => new Date(date).getTime();

/** A date parameter as OpenWhisk checks it: valid, in the future, after startDate when one is given. */
function checkDate(value: unknown, name: string, now: number, startDate?: string | number): string | number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new FeedError(`${name} parameter '${String(value)}' is not a valid Date`);
  const time = epoch(value);
  if (Number.isNaN(time)) throw new FeedError(`${name} parameter '${value}' is not a valid Date`);
  if (now >= time) throw new FeedError(`${name} parameter '${value}' must be in the future`);
  if (startDate !== undefined && time <= epoch(startDate)) {
    throw new FeedError(`${name} parameter '${value}' must be greater than the startDate parameter '${startDate}'`);
  }
  return value;
}

function readPayload(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return value === '' ? {} : { payload: value };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new FeedError("Parameter 'trigger_payload' must be a JSON object or a string.");
}

function readMinutes(value: unknown): number {
  if (Number(value) !== Number.parseInt(String(value), 10)) throw new FeedError('the minutes parameter must be an integer');
  const minutes = Number.parseInt(String(value), 10);
  if (minutes <= 0) throw new FeedError('the minutes parameter must be an integer greater than zero');
  return minutes;
}

function readDeleteAfterFire(value: unknown): DeleteAfterFire {
  const text = String(value).trim().toLowerCase();
  if (!DELETE_AFTER_FIRE.includes(text as DeleteAfterFire)) throw new FeedError('deleteAfterFire parameter must be one of [false, true, rules].');
  return text as DeleteAfterFire;
}

function readMaxTriggers(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || (n < 1 && n !== -1)) throw new FeedError('the maxTriggers parameter must be an integer greater than zero (or -1 for no limit)');
  return n;
}

/** Checks a cron expression and its time zone, as croner reads them. */
function checkCron(cron: unknown, timezone: unknown): void {
  if (typeof cron !== 'string') throw new FeedError(`cron pattern '${String(cron)}' is not valid`);
  if (timezone !== undefined && (typeof timezone !== 'string' || !isTimeZone(timezone))) {
    throw new FeedError(`Invalid timezone. '${String(timezone)}' is not an IANA time zone name (such as America/New_York).`);
  }
  const fields = cron.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) throw new FeedError(`cron pattern '${cron}' is not valid: it must have 5 fields, or 6 with seconds first`);
  try {
    parseCron(cron, timezone as string | undefined);
  } catch (err) {
    throw new FeedError(`cron pattern '${cron}' is not valid: ${(err as Error).message.replace(/^CronPattern: /, '')}`);
  }
}

/** When the settings' ticks fall. */
export function timingOf(s: AlarmSettings): Timing {
  const stop = s.stopDate !== undefined ? { stopDate: epoch(s.stopDate) } : {};
  switch (s.kind) {
    case 'once':
      return { kind: 'once', date: epoch(s.date!) };
    case 'interval':
      return { kind: 'interval', minutes: s.minutes!, startDate: epoch(s.startDate!), ...stop };
    case 'alarm':
      return {
        kind: 'alarm',
        cron: s.cron!,
        ...(s.timezone ? { timezone: s.timezone } : {}),
        ...(s.startDate !== undefined ? { startDate: epoch(s.startDate) } : {}),
        ...stop,
      };
  }
}

/** The whole configuration of a new alarm of `kind` (lifecycleEvent CREATE). */
export function readCreate(kind: AlarmKind, p: Params, now: number): AlarmSettings {
  const settings: AlarmSettings = { kind, payload: given(p.trigger_payload) ? readPayload(p.trigger_payload) : {}, maxTriggers: -1 };
  if (kind === 'once') {
    if (!given(p.date)) throw new FeedError('alarms once trigger feed is missing the date parameter');
    settings.date = checkDate(p.date, 'date', now);
    if (given(p.deleteAfterFire)) settings.deleteAfterFire = readDeleteAfterFire(p.deleteAfterFire);
    return settings;
  }
  if (kind === 'interval') {
    if (!given(p.minutes)) throw new FeedError('interval trigger feed is missing the minutes parameter');
    settings.minutes = readMinutes(p.minutes);
  } else {
    if (!given(p.cron)) throw new FeedError('alarms trigger feed is missing the cron parameter');
    checkCron(p.cron, given(p.timezone) ? p.timezone : undefined);
    settings.cron = p.cron as string;
    if (given(p.timezone)) settings.timezone = p.timezone as string;
  }
  if (given(p.startDate)) settings.startDate = checkDate(p.startDate, 'startDate', now);
  else if (kind === 'interval') settings.startDate = now + INTERVAL_START_DELAY_MS;
  if (given(p.maxTriggers) && given(p.stopDate)) {
    throw new FeedError(kind === 'interval' ? 'maxTriggers is not supported for the interval trigger feed' : 'maxTriggers is not allowed when the stopDate parameter is specified');
  }
  if (given(p.maxTriggers)) settings.maxTriggers = readMaxTriggers(p.maxTriggers);
  if (given(p.stopDate)) {
    settings.stopDate = checkDate(p.stopDate, 'stopDate', now, settings.startDate);
    if (nextTick(timingOf(settings), now) === undefined) throw new FeedError('the first scheduled trigger fire is not until after the stop date');
  }
  return settings;
}

/** `existing` with the parameters an UPDATE gives; the kind of alarm stays what it was. */
export function readUpdate(existing: AlarmSettings, p: Params, now: number): AlarmSettings {
  const s: AlarmSettings = { ...existing };
  let changed = false;
  if (given(p.trigger_payload)) {
    s.payload = readPayload(p.trigger_payload);
    changed = true;
  }
  if (given(p.maxTriggers) && existing.kind !== 'once') {
    if (s.stopDate !== undefined || given(p.stopDate)) throw new FeedError('maxTriggers is not allowed when the stopDate parameter is specified');
    s.maxTriggers = readMaxTriggers(p.maxTriggers);
    changed = true;
  }
  if (existing.kind === 'once') {
    if (given(p.date)) {
      s.date = checkDate(p.date, 'date', now);
      changed = true;
    }
    if (given(p.deleteAfterFire)) {
      s.deleteAfterFire = readDeleteAfterFire(p.deleteAfterFire);
      changed = true;
    }
  } else {
    if (existing.kind === 'interval' && given(p.minutes)) {
      s.minutes = readMinutes(p.minutes);
      changed = true;
    }
    if (existing.kind === 'alarm' && (given(p.cron) || given(p.timezone))) {
      const cron = given(p.cron) ? p.cron : existing.cron;
      const timezone = given(p.timezone) ? p.timezone : existing.timezone;
      checkCron(cron, timezone);
      s.cron = cron as string;
      if (timezone !== undefined) s.timezone = timezone as string;
      changed = true;
    }
    if (given(p.startDate)) {
      s.startDate = checkDate(p.startDate, 'startDate', now);
      changed = true;
    }
    if (given(p.stopDate)) {
      s.stopDate = checkDate(p.stopDate, 'stopDate', now, s.startDate);
      changed = true;
    } else if (given(p.startDate) && existing.stopDate !== undefined && epoch(s.startDate!) >= epoch(existing.stopDate)) {
      throw new FeedError(`startDate parameter '${String(p.startDate)}' must be less than the stopDate parameter '${existing.stopDate}'`);
    }
  }
  if (!changed) throw new FeedError('no updatable parameters were specified');
  return s;
}

/** The configuration as READ shows it (alarmWebAction.js), with maxTriggers besides. */
export function configView(s: AlarmSettings, trigger: { namespace: string; name: string }): Record<string, unknown> {
  const config: Record<string, unknown> = { name: trigger.name, namespace: trigger.namespace, payload: s.payload };
  if (s.kind === 'once') {
    config.date = s.date;
    config.deleteAfterFire = s.deleteAfterFire;
    return config;
  }
  config.startDate = s.startDate;
  config.stopDate = s.stopDate;
  if (s.kind === 'interval') config.minutes = s.minutes;
  else {
    config.cron = s.cron;
    config.timezone = s.timezone;
    config.maxTriggers = s.maxTriggers;
  }
  return config;
}
