// When an alarm fires: the pure computation of its ticks, for the three feeds of OpenWhisk's alarms package
// (openwhisk-package-alarms, provider/lib/cronAlarm.js, intervalAlarm.js, dateAlarm.js):
//   - alarm: a cron expression of 5 fields (minute precision) or 6 (seconds first), in an IANA time zone (UTC by
//     default), parsed and stepped by croner; from `startDate` on, up to `stopDate`;
//   - interval: every `minutes`, the first tick at `startDate`;
//   - once: one tick at `date`.
// And the policy for ticks a controller reaches late (docs/alarms.md, "Missed ticks"): a tick at most
// LATE_TOLERANCE_MS late still fires and its successor follows as scheduled, so a busy controller catches up on
// every tick of a short stall; a tick later than that was missed while no controller ran: it fires once, as the
// single catch-up, and the schedule goes on with its first tick after now — the ticks in between are skipped and
// counted, never replayed in a burst. Every function takes the time as an argument, so tests can move the clock.
import { Cron } from 'croner';

/** How late a tick may fire and still be followed by its successor rather than by the first future tick. */
export const LATE_TOLERANCE_MS = 5_000;
/** Skipped ticks are counted up to this many per gap (a 6-field cron down for a week has 600,000; counting is ~0.1 ms a tick). */
export const MISSED_COUNT_CAP = 1_000;

export type AlarmKind = 'alarm' | 'interval' | 'once';

/** When an alarm's ticks fall, as validated by alarm-config.ts (dates as epoch ms). */
export type Timing =
  | { kind: 'alarm'; cron: string; timezone?: string; startDate?: number; stopDate?: number }
  | { kind: 'interval'; minutes: number; startDate: number; stopDate?: number }
  | { kind: 'once'; date: number };

/** Parses a cron expression of 5 or 6 fields; throws croner's error for anything else. */
export function parseCron(cron: string, timezone?: string): Cron {
  return new Cron(cron, { paused: true, mode: '5-or-6-parts', ...(timezone ? { timezone } : {}) });
}

/** Parsed expressions, so stepping through many ticks does not parse again each time; bounded by clearing. */
const parsed = new Map<string, Cron>();
const PARSED_MAX = 1_000;

function cronOf(cron: string, timezone: string | undefined): Cron {
  const key = `${timezone ?? ''} ${cron}`;
  let job = parsed.get(key);
  if (!job) {
    if (parsed.size >= PARSED_MAX) parsed.clear();
    job = parseCron(cron, timezone);
    parsed.set(key, job);
  }
  return job;
}

/** Whether `timezone` is an IANA time zone name the runtime knows. */
export function isTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

/** The first tick strictly after `after` (ignoring stopDate), or undefined when there is none. */
function tickAfter(timing: Timing, after: number): number | undefined {
  switch (timing.kind) {
    case 'once':
      return timing.date > after ? timing.date : undefined;
    case 'interval': {
      const period = timing.minutes * 60_000;
      if (after < timing.startDate) return timing.startDate;
      return timing.startDate + (Math.floor((after - timing.startDate) / period) + 1) * period;
    }
    case 'alarm': {
      // startDate is inclusive: a tick exactly on it fires
      const from = timing.startDate !== undefined ? Math.max(after, timing.startDate - 1) : after;
      return cronOf(timing.cron, timing.timezone).nextRun(new Date(from))?.getTime();
    }
  }
}

const stopDateOf = (timing: Timing): number | undefined => (timing.kind === 'once' ? undefined : timing.stopDate);

/** The next tick strictly after `after` that is not past the stop date; undefined when the schedule has ended. */
export function nextTick(timing: Timing, after: number): number | undefined {
  const tick = tickAfter(timing, after);
  const stop = stopDateOf(timing);
  return tick === undefined || (stop !== undefined && tick > stop) ? undefined : tick;
}

/** How many ticks fall strictly between `from` and `to` (counted up to MISSED_COUNT_CAP). */
export function ticksBetween(timing: Timing, from: number, to: number): number {
  let count = 0;
  for (let t = nextTick(timing, from); t !== undefined && t < to && count < MISSED_COUNT_CAP; t = nextTick(timing, t)) count++;
  return count;
}

export interface TickPlan {
  /** The tick after the one that fires now; undefined when the schedule ends with this fire. */
  next: number | undefined;
  /** Ticks skipped because they were missed (policy above). */
  missed: number;
}

/** What follows the fire of `tick` at `now`: its successor, or, for a tick missed by more than the tolerance, the first tick after now. */
export function planAfter(timing: Timing, tick: number, now: number): TickPlan {
  if (now - tick <= LATE_TOLERANCE_MS) return { next: nextTick(timing, tick), missed: 0 };
  const next = nextTick(timing, now - 1); // a tick falling exactly now is still to come
  return { next, missed: ticksBetween(timing, tick, next ?? now + 1) };
}
