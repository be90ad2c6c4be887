// Chooses the invoker for an activation, after OpenWhisk's sharding balancer with warm awareness:
// - home invoker = hash(invoking namespace, action) mod n, probed with a step coprime to n, so one action's
//   activations gather on few invokers (warm isolates) while different actions spread out;
// - among the healthy (`up`, invoker-registry.ts) invokers with free capacity on that probe path, one that reports
//   the action warm wins;
// - all full: the least loaded healthy invoker (it buffers); none healthy: NoInvokerError (HTTP 503), as OpenWhisk's
//   `No invokers available.`
// Capacity is memory: each invoker's user memory, shared between `controllerCount` controllers.
import { NoInvokerError } from '../../shared/errors.ts';
import type { InvokerRegistry } from './invoker-registry.ts';

export interface Placement {
  invokerId: number;
  /** True when the invoker had no free capacity and was chosen only because all were full. */
  forced: boolean;
}

export interface BalancerOptions {
  controllerCount: number;
}

export class ShardingBalancer {
  readonly #registry: InvokerRegistry;
  readonly #controllerCount: number;
  /** Memory (MB) this controller has placed on each invoker and not yet seen completed. */
  readonly #inFlightMB = new Map<number, number>();

  constructor(registry: InvokerRegistry, options: BalancerOptions) {
    this.#registry = registry;
    this.#controllerCount = Math.max(1, options.controllerCount);
  }

  /** Reserves `memoryMB` on an invoker for the activation; pair with `release`. */
  place(namespace: string, actionFqn: string, memoryMB: number, now = Date.now()): Placement {
    const invokers = this.#registry.all();
    const n = invokers.length === 0 ? 0 : Math.max(...invokers.map((i) => i.id)) + 1;
    const healthy = invokers.filter((i) => this.#registry.state(i.id, now) === 'up');
    if (n === 0 || healthy.length === 0) throw new NoInvokerError('No invokers available.');

    const hash = Math.abs(javaHash(namespace) ^ javaHash(actionFqn));
    const stepSizes = coprimeSteps(n);
    const step = stepSizes[hash % stepSizes.length] ?? 1;
    const byId = new Map(healthy.map((i) => [i.id, i]));
    const withRoom: number[] = [];
    for (let probe = 0, id = hash % n; probe < n; probe++, id = (id + step) % n) {
      if (byId.has(id) && this.#free(id) >= memoryMB) withRoom.push(id);
    }
    const warm = withRoom.find((id) => byId.get(id)?.warmActions.has(actionFqn));
    const chosen = warm ?? withRoom[0];
    if (chosen !== undefined) return this.#reserve(chosen, memoryMB, false);

    const leastLoaded = healthy.reduce((best, i) => (this.#load(i.id) < this.#load(best.id) ? i : best));
    return this.#reserve(leastLoaded.id, memoryMB, true);
  }

  release(invokerId: number, memoryMB: number): void {
    const left = (this.#inFlightMB.get(invokerId) ?? 0) - memoryMB;
    if (left > 0) this.#inFlightMB.set(invokerId, left);
    else this.#inFlightMB.delete(invokerId);
  }

  inFlightMB(invokerId: number): number {
    return this.#inFlightMB.get(invokerId) ?? 0;
  }

  #capacity(id: number): number {
    const info = this.#registry.all().find((i) => i.id === id);
    return Math.max(128, Math.floor((info?.userMemoryMB ?? 0) / this.#controllerCount));
  }

  #free(id: number): number {
    return this.#capacity(id) - this.inFlightMB(id);
  }

  #load(id: number): number {
    return this.inFlightMB(id) / this.#capacity(id);
  }

  #reserve(invokerId: number, memoryMB: number, forced: boolean): Placement {
    this.#inFlightMB.set(invokerId, this.inFlightMB(invokerId) + memoryMB);
    return { invokerId, forced };
  }
}

/** Java's String.hashCode, as OpenWhisk uses, so placements are comparable with OpenWhisk's. */
export function javaHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** Step sizes 1..n coprime to n and pairwise coprime with the steps chosen before them (n=10 → 1, 3, 7). */
export function coprimeSteps(n: number): number[] {
  const steps: number[] = [];
  for (let s = 1; s <= n; s++) {
    if (gcd(s, n) === 1 && steps.every((t) => gcd(s, t) === 1)) steps.push(s);
  }
  return steps.length > 0 ? steps : [1];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
