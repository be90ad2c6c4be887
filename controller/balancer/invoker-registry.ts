// What the controller knows about invokers, learnt only from their health pings: who exists, how much memory
// each offers, which actions each holds warm, and whether it is usable. An invoker whose pings stop for
// `offlineAfterMs` is offline; one that says it is draining takes no new work.
import type { Ping } from '../../shared/avro/ping.ts';

export type InvokerState = 'up' | 'draining' | 'down';

export interface InvokerInfo {
  id: number;
  name: string;
  userMemoryMB: number;
  freeMemoryMB: number;
  warmActions: ReadonlySet<string>;
  lastSeen: number;
}

export class InvokerRegistry {
  readonly #offlineAfterMs: number;
  readonly #invokers = new Map<number, InvokerInfo & { status: Ping['status'] }>();

  constructor(offlineAfterMs: number) {
    this.#offlineAfterMs = offlineAfterMs;
  }

  record(ping: Ping, now = Date.now()): void {
    this.#invokers.set(ping.invokerId, {
      id: ping.invokerId,
      name: ping.instance,
      userMemoryMB: ping.userMemoryMB,
      freeMemoryMB: ping.freeMemoryMB,
      warmActions: new Set(ping.warmActions),
      status: ping.status,
      lastSeen: now,
    });
  }

  state(id: number, now = Date.now()): InvokerState {
    const invoker = this.#invokers.get(id);
    if (!invoker || now - invoker.lastSeen > this.#offlineAfterMs) return 'down';
    return invoker.status === 'draining' ? 'draining' : 'up';
  }

  /** Every invoker ever seen, indexed by id (ids are dense from 0, as topics `invoker<N>` are). */
  all(): InvokerInfo[] {
    return [...this.#invokers.values()].sort((a, b) => a.id - b.id);
  }

  /** The `GET /invokers` view in OpenWhisk's words: `{"invoker0": "up", ...}`; draining shows as down. */
  summary(now = Date.now()): Record<string, 'up' | 'down'> {
    return Object.fromEntries(this.all().map((i) => [`invoker${i.id}`, this.state(i.id, now) === 'up' ? 'up' : 'down']));
  }
}
