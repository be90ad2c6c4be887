// What the controller knows about invokers: from their health pings, who exists, how much memory each offers, which
// actions each holds warm and what it says of itself; from the outcomes of the activations this controller sent
// them, whether they actually work (invoker-outcomes.ts). The state combines both, as OpenWhisk's invoker
// supervision does (`InvokerSupervision.scala`, see docs/durability.md#invoker-health):
//   down          no ping for `offlineAfterMs` (OpenWhisk's Offline)
//   draining      its ping says it is shutting down: it finishes what it holds and takes nothing new
//   unhealthy     its ping says so (its consumer failed), or too many system errors among its last outcomes
//   unresponsive  too many activations without a completion in time among its last outcomes
//   up            pinging, and its outcomes are fine (OpenWhisk's Healthy)
// Only `up` invokers get new work. Outcomes are this controller's own: each controller judges for itself.
import type { Ping } from '../../shared/avro/ping.ts';
import { InvokerOutcomes, type Outcome, type OutcomeHealth } from './invoker-outcomes.ts';

export const INVOKER_STATES = ['up', 'draining', 'down', 'unhealthy', 'unresponsive'] as const;
export type InvokerState = (typeof INVOKER_STATES)[number];

/** The words OpenWhisk's `GET /invokers` prints (`InvokerState.asString`); a draining invoker shows as down. */
export type InvokerSummaryState = 'up' | 'down' | 'unhealthy' | 'unresponsive';

export interface InvokerInfo {
  id: number;
  name: string;
  userMemoryMB: number;
  freeMemoryMB: number;
  warmActions: ReadonlySet<string>;
  lastSeen: number;
}

/**
 * Told when an invoker's state changes through an event: an outcome, a test's success, or a ping (an invoker coming
 * back, or changing the status it reports). Pings that stop are noticed only when the state is read (`down`).
 */
export type StateListener = (invokerId: number, from: InvokerState, to: InvokerState) => void;

export class InvokerRegistry {
  readonly #offlineAfterMs: number;
  readonly #invokers = new Map<number, InvokerInfo & { status: Ping['status'] }>();
  readonly #outcomes = new Map<number, InvokerOutcomes>();
  readonly #listeners: StateListener[] = [];

  constructor(offlineAfterMs: number) {
    this.#offlineAfterMs = offlineAfterMs;
  }

  record(ping: Ping, now = Date.now()): void {
    const before = this.state(ping.invokerId, now);
    this.#invokers.set(ping.invokerId, {
      id: ping.invokerId,
      name: ping.instance,
      userMemoryMB: ping.userMemoryMB,
      freeMemoryMB: ping.freeMemoryMB,
      warmActions: new Set(ping.warmActions),
      status: ping.status,
      lastSeen: now,
    });
    this.#told(ping.invokerId, before, this.state(ping.invokerId, now));
  }

  /** How an activation this controller sent to `invokerId` ended. */
  outcome(invokerId: number, outcome: Outcome): void {
    this.#change(invokerId, (buffer) => buffer.add(outcome));
  }

  /** A health test action succeeded on `invokerId`: its earlier errors no longer count. */
  recovered(invokerId: number): void {
    this.#change(invokerId, (buffer) => buffer.clear());
  }

  onStateChange(listener: StateListener): void {
    this.#listeners.push(listener);
  }

  /** The outcomes' verdict alone (pings aside). */
  outcomeHealth(invokerId: number): OutcomeHealth {
    return this.#outcomes.get(invokerId)?.health() ?? 'healthy';
  }

  state(id: number, now = Date.now()): InvokerState {
    const invoker = this.#invokers.get(id);
    if (!invoker || now - invoker.lastSeen > this.#offlineAfterMs) return 'down';
    if (invoker.status !== 'up') return invoker.status;
    const health = this.outcomeHealth(id);
    return health === 'healthy' ? 'up' : health;
  }

  /**
   * Whether a health test action should go to the invoker now: it pings and calls itself up, but its outcomes say
   * it fails. One that does not ping, or says itself that it drains or is unhealthy, would not run it.
   */
  awaitsTestAction(id: number, now = Date.now()): boolean {
    const state = this.state(id, now);
    return (state === 'unhealthy' || state === 'unresponsive') && this.#invokers.get(id)?.status === 'up';
  }

  /** Every invoker ever seen, indexed by id (ids are dense from 0, as topics `invoker<N>` are). */
  all(): InvokerInfo[] {
    return [...this.#invokers.values()].sort((a, b) => a.id - b.id);
  }

  /** How many known invokers are in each state (every state listed, from 0). */
  countByState(now = Date.now()): Record<InvokerState, number> {
    const counts = Object.fromEntries(INVOKER_STATES.map((s) => [s, 0])) as Record<InvokerState, number>;
    for (const i of this.#invokers.values()) counts[this.state(i.id, now)]++;
    return counts;
  }

  /** The `GET /invokers` view in OpenWhisk's words: `{"invoker0": "up", "invoker1": "unhealthy", ...}`. */
  summary(now = Date.now()): Record<string, InvokerSummaryState> {
    return Object.fromEntries(this.all().map((i) => [`invoker${i.id}`, summaryState(this.state(i.id, now))]));
  }

  #change(invokerId: number, update: (buffer: InvokerOutcomes) => void): void {
    let buffer = this.#outcomes.get(invokerId);
    if (!buffer) this.#outcomes.set(invokerId, (buffer = new InvokerOutcomes()));
    const now = Date.now();
    const before = this.state(invokerId, now);
    update(buffer);
    this.#told(invokerId, before, this.state(invokerId, now));
  }

  #told(invokerId: number, from: InvokerState, to: InvokerState): void {
    if (from !== to) for (const listener of this.#listeners) listener(invokerId, from, to);
  }
}

/** OpenWhisk has no draining state: an invoker leaving stops pinging and is shown as down (Offline). */
function summaryState(state: InvokerState): InvokerSummaryState {
  return state === 'draining' ? 'down' : state;
}
