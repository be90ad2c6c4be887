// The invoker's isolate pool (after OpenWhisk's `ContainerPool.scala`): one sandbox per
// (invoking namespace, action, revision), never shared across namespaces; warm reuse; a few stem cells
// (empty isolates) kept ready so a cold start only compiles the action; idle eviction after a while; LRU
// eviction of idle warm sandboxes when memory is short; a FIFO buffer when nothing can make room.
// One activation per sandbox at a time: concurrent activations of one action get more sandboxes.
//
// Memory accounting (an improvement over counting every container at its limit): a leased sandbox counts
// its full memory limit, since its heap may grow to that; an idle or stem sandbox runs no code, so it
// counts the heap it has committed (measured when it comes back). This keeps the guarantee that the
// leased sandboxes can all reach their limits within `userMemoryMB`, and lets hundreds of warm isolates
// stay in the memory a handful of containers would reserve. isolated-vm's memory limit is soft, so a leased
// sandbox counts its limit plus the overshoot its sandbox allows before disposing it (SandboxOptions.overshoot).
import { ActionSandbox, DEFAULT_ISOLATE_OVERSHOOT, type SandboxOptions } from './action-sandbox.ts';
import { assertPatchedIsolatedVm } from './ivm-version.ts';

const MiB = 1024 * 1024;
/** Accounted for a stem cell until it exists and can be measured. */
const STEM_ESTIMATE_BYTES = 4 * MiB;

export interface SandboxKey {
  /** The invoking namespace (not the action's owner). */
  namespace: string;
  /** Fully qualified action name, e.g. `/owner/pkg/action`. */
  action: string;
  /** The action document's revision: any update means a fresh sandbox. */
  revision: string;
}

export interface PoolOptions {
  /** Memory budget for all sandboxes (OpenWhisk's user-memory). */
  userMemoryMB: number;
  /** Idle warm sandboxes are disposed after this long. Default 10 minutes. */
  idleTimeoutMs?: number;
  /** Empty isolates kept ready, all of one memory size. Default 2 × 256 MB; count 0 disables. */
  stemCells?: { memoryMB: number; count: number };
  /**
   * Replace used stem cells only when `replenish()` is called, not right after their lease. Creating an isolate
   * blocks the event loop for a few ms; the invoker asks once a cold activation's record is stored, so that work
   * never delays the completion of the activation that took the stem cell. Default false.
   */
  replenishWhenAsked?: boolean;
  /** Options for every sandbox the pool creates (`overshoot` also sets what a leased sandbox counts). */
  sandbox?: Omit<SandboxOptions, 'memoryMB'>;
}

export interface Lease {
  sandbox: ActionSandbox;
  /** True when the sandbox already holds this key's action (no init, no initTime). */
  warm: boolean;
}

export interface PoolStats {
  userMemoryMB: number;
  /** Accounted memory: leased sandboxes at their limit (plus overshoot), idle and stem sandboxes at their measured heap. */
  usedMB: number;
  busy: number;
  idle: number;
  stemCells: number;
  creating: number;
  waiting: number;
}

type EntryState = 'creating' | 'stem' | 'idle' | 'busy';

interface Entry {
  sandbox: ActionSandbox | undefined;
  memoryMB: number;
  key: SandboxKey | undefined;
  keyId: string | undefined;
  state: EntryState;
  /** Bytes counted against the budget. */
  bytes: number;
  lastUsed: number;
}

interface Waiter {
  key: SandboxKey;
  keyId: string;
  memoryMB: number;
  resolve: (lease: Lease) => void;
  reject: (error: Error) => void;
}

function keyIdOf(key: SandboxKey): string {
  return JSON.stringify([key.namespace, key.action, key.revision]);
}

export class PoolClosedError extends Error {
  constructor() {
    super('The isolate pool is closed.');
    this.name = 'PoolClosedError';
  }
}

export class IsolatePool {
  #replenishScheduled = false;
  readonly #budgetBytes: number;
  readonly #userMemoryMB: number;
  readonly #idleTimeoutMs: number;
  readonly #stemConfig: { memoryMB: number; count: number };
  readonly #sandboxOptions: Omit<SandboxOptions, 'memoryMB'>;
  /** A leased sandbox counts its memory limit times this. */
  readonly #leasedFactor: number;
  /** Every entry: being created, stem, idle or busy. */
  readonly #entries = new Set<Entry>();
  readonly #bySandbox = new Map<ActionSandbox, Entry>();
  /** Idle warm entries in release order: the first is the least recently used. */
  readonly #idle = new Set<Entry>();
  readonly #idleByKey = new Map<string, Set<Entry>>();
  readonly #stems: Entry[] = [];
  readonly #queue: Waiter[] = [];
  readonly #pending = new Set<Promise<unknown>>();
  readonly #sweeper: NodeJS.Timeout;
  #usedBytes = 0;
  #closed = false;
  readonly #replenishWhenAsked: boolean;

  constructor(options: PoolOptions) {
    assertPatchedIsolatedVm();
    this.#userMemoryMB = options.userMemoryMB;
    this.#budgetBytes = options.userMemoryMB * MiB;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 600_000;
    this.#stemConfig = options.stemCells ?? { memoryMB: 256, count: 2 };
    this.#replenishWhenAsked = options.replenishWhenAsked ?? false;
    this.#sandboxOptions = options.sandbox ?? {};
    this.#leasedFactor = 1 + (this.#sandboxOptions.overshoot ?? DEFAULT_ISOLATE_OVERSHOOT);
    const sweepEvery = Math.min(Math.max(Math.floor(this.#idleTimeoutMs / 4), 10), 10_000);
    this.#sweeper = setInterval(() => this.#sweep(), sweepEvery);
    this.#sweeper.unref();
    this.#replenishStems();
  }

  /** Resolves once the sandboxes being created right now (initial stem cells included) exist. */
  async ready(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * A sandbox for one activation of `key`: a warm one when idle, else a stem cell or a new isolate (the
   * caller's `activate` initializes it), else waits in FIFO order until memory frees up. Pair with `release`.
   */
  acquire(key: SandboxKey, memoryMB: number, options: { signal?: AbortSignal } = {}): Promise<Lease> {
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (!(memoryMB > 0 && memoryMB <= this.#userMemoryMB)) {
      return Promise.reject(new RangeError(`memoryMB ${memoryMB} does not fit the pool's ${this.#userMemoryMB} MB`));
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = { key, keyId: keyIdOf(key), memoryMB, resolve, reject };
      const { signal } = options;
      if (signal !== undefined) {
        if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        const onAbort = () => {
          const at = this.#queue.indexOf(waiter);
          if (at >= 0) {
            this.#queue.splice(at, 1);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
            this.#drain();
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.resolve = (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        };
      }
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  /**
   * `acquire` without waiting, for the warm path: a warm sandbox or a stem cell when nobody waits before this caller
   * and memory allows; undefined otherwise (call `acquire`). Spares a warm activation the promise and abort wiring.
   */
  acquireNow(key: SandboxKey, memoryMB: number): Lease | undefined {
    if (this.#closed || this.#queue.length > 0 || !(memoryMB > 0 && memoryMB <= this.#userMemoryMB)) return undefined;
    let lease: Lease | undefined;
    const waiter: Waiter = { key, keyId: keyIdOf(key), memoryMB, resolve: (l) => (lease = l), reject: () => {} };
    if (this.#serve(waiter, false) && !this.#replenishWhenAsked) this.#scheduleReplenish();
    return lease;
  }

  /** Replaces used stem cells after the current turn (see PoolOptions.replenishWhenAsked). */
  replenish(): void {
    this.#scheduleReplenish();
  }

  /**
   * Returns a leased sandbox. `discard` (developer errors, timeouts: `outcome.discard`) disposes it; a dead
   * sandbox is dropped either way; an initialized one stays warm for its key; one never initialized
   * becomes a stem cell again.
   */
  release(sandbox: ActionSandbox, options: { discard: boolean }): void {
    const entry = this.#bySandbox.get(sandbox);
    if (entry === undefined && this.#closed) return; // close() already disposed it
    if (entry === undefined || entry.state !== 'busy') throw new Error('release() of a sandbox this pool has not leased');
    if (sandbox.busy) throw new Error('release() of a sandbox that is still running');
    const state = sandbox.state;
    if (options.discard || this.#closed || state === 'dead') {
      this.#remove(entry);
    } else if (state === 'empty') {
      entry.key = undefined;
      entry.keyId = undefined;
      if (entry.memoryMB === this.#stemConfig.memoryMB && this.#stems.length < this.#stemConfig.count) {
        this.#setBytes(entry, sandbox.heapBytes());
        entry.state = 'stem';
        this.#stems.push(entry);
      } else {
        this.#remove(entry);
      }
    } else {
      this.#setBytes(entry, sandbox.heapBytes());
      entry.state = 'idle';
      entry.lastUsed = Date.now();
      this.#addIdle(entry);
    }
    this.#drain();
  }

  /** Keys with an initialized sandbox (idle or running), for the invoker's health ping. */
  warmKeys(): SandboxKey[] {
    const keys = new Map<string, SandboxKey>();
    for (const entry of this.#entries) {
      if ((entry.state === 'idle' || entry.state === 'busy') && entry.key !== undefined && entry.keyId !== undefined && entry.sandbox?.state === 'ready') {
        keys.set(entry.keyId, entry.key);
      }
    }
    return [...keys.values()];
  }

  stats(): PoolStats {
    let busy = 0;
    let creating = 0;
    for (const entry of this.#entries) {
      if (entry.state === 'busy') busy++;
      else if (entry.state === 'creating') creating++;
    }
    return {
      userMemoryMB: this.#userMemoryMB,
      usedMB: Math.round((this.#usedBytes / MiB) * 10) / 10,
      busy,
      idle: this.#idle.size,
      stemCells: this.#stems.length,
      creating,
      waiting: this.#queue.length,
    };
  }

  /** Disposes every sandbox (running ones end as "exited") and fails every waiting acquire. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const waiter of this.#queue.splice(0)) waiter.reject(new PoolClosedError());
    for (const entry of [...this.#entries]) if (entry.state !== 'creating') this.#remove(entry);
    await this.ready();
  }

  // --- placement ---

  #drain(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const head = this.#queue[0];
      if (head === undefined || !this.#serve(head)) break;
      this.#queue.shift();
    }
    if (!this.#replenishWhenAsked) this.#scheduleReplenish();
  }

  /**
   * Replaces used stem cells after the current turn: creating an isolate takes about 2 ms of synchronous work,
   * which must not sit between a cold activation's lease and its init.
   */
  #scheduleReplenish(): void {
    if (this.#replenishScheduled) return;
    this.#replenishScheduled = true;
    setImmediate(() => {
      this.#replenishScheduled = false;
      this.#replenishStems();
    });
  }

  /**
   * Serves `waiter` now if memory allows (evicting idle sandboxes LRU-first when that suffices). Without `mayCreate`
   * only a warm sandbox or a stem cell serves it (a new isolate is leased only once it exists, later).
   */
  #serve(waiter: Waiter, mayCreate = true): boolean {
    const need = this.#leasedBytes(waiter.memoryMB);
    const warm = this.#idleByKey.get(waiter.keyId);
    if (warm !== undefined) {
      for (const entry of warm) {
        if (entry.memoryMB !== waiter.memoryMB || entry.sandbox === undefined) continue;
        if (entry.sandbox.state !== 'ready') {
          this.#remove(entry);
          return this.#serve(waiter, mayCreate);
        }
        if (!this.#makeRoom(need - entry.bytes, entry)) return false;
        this.#deleteIdle(entry);
        this.#lease(entry, waiter, true);
        return true;
      }
    }
    const stemAt = this.#stems.findIndex((entry) => entry.memoryMB === waiter.memoryMB);
    const stem = this.#stems[stemAt];
    if (stem !== undefined) {
      if (!this.#makeRoom(need - stem.bytes, undefined)) return false;
      this.#stems.splice(stemAt, 1);
      this.#lease(stem, waiter, false);
      return true;
    }
    if (!mayCreate || !this.#makeRoom(need, undefined)) return false;
    const entry: Entry = { sandbox: undefined, memoryMB: waiter.memoryMB, key: waiter.key, keyId: waiter.keyId, state: 'creating', bytes: 0, lastUsed: Date.now() };
    this.#setBytes(entry, need);
    this.#entries.add(entry);
    this.#track(
      ActionSandbox.create({ ...this.#sandboxOptions, memoryMB: waiter.memoryMB }).then(
        (sandbox) => {
          entry.sandbox = sandbox;
          this.#bySandbox.set(sandbox, entry);
          if (this.#closed) {
            this.#remove(entry);
            waiter.reject(new PoolClosedError());
            return;
          }
          entry.state = 'busy';
          waiter.resolve({ sandbox, warm: false });
        },
        (error: unknown) => {
          this.#remove(entry);
          waiter.reject(error instanceof Error ? error : new Error(String(error)));
          this.#drain();
        },
      ),
    );
    return true;
  }

  #lease(entry: Entry, waiter: Waiter, warm: boolean): void {
    entry.key = waiter.key;
    entry.keyId = waiter.keyId;
    entry.state = 'busy';
    entry.lastUsed = Date.now();
    this.#setBytes(entry, this.#leasedBytes(entry.memoryMB));
    waiter.resolve({ sandbox: entry.sandbox as ActionSandbox, warm });
  }

  /**
   * True when `extra` more bytes fit, after evicting least recently used idle sandboxes (never `keep`, never
   * stem cells). Evicts nothing unless evicting is enough, as OpenWhisk's pool does.
   */
  #makeRoom(extra: number, keep: Entry | undefined): boolean {
    let missing = this.#usedBytes + extra - this.#budgetBytes;
    if (missing <= 0) return true;
    const victims: Entry[] = [];
    for (const entry of this.#idle) {
      if (entry === keep) continue;
      victims.push(entry);
      missing -= entry.bytes;
      if (missing <= 0) break;
    }
    if (missing > 0) return false;
    for (const victim of victims) this.#remove(victim);
    return true;
  }

  #replenishStems(): void {
    if (this.#closed || this.#queue.length > 0) return;
    let have = this.#stems.length;
    for (const entry of this.#entries) if (entry.state === 'creating' && entry.key === undefined) have++;
    for (; have < this.#stemConfig.count; have++) {
      if (this.#usedBytes + STEM_ESTIMATE_BYTES > this.#budgetBytes) return;
      const entry: Entry = { sandbox: undefined, memoryMB: this.#stemConfig.memoryMB, key: undefined, keyId: undefined, state: 'creating', bytes: 0, lastUsed: Date.now() };
      this.#setBytes(entry, STEM_ESTIMATE_BYTES);
      this.#entries.add(entry);
      this.#track(
        ActionSandbox.create({ ...this.#sandboxOptions, memoryMB: entry.memoryMB }).then(
          (sandbox) => {
            entry.sandbox = sandbox;
            this.#bySandbox.set(sandbox, entry);
            if (this.#closed) return this.#remove(entry);
            this.#setBytes(entry, sandbox.heapBytes());
            entry.state = 'stem';
            this.#stems.push(entry);
            this.#drain();
          },
          () => this.#remove(entry),
        ),
      );
    }
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#idleTimeoutMs;
    for (const entry of this.#idle) {
      if (entry.lastUsed > cutoff) break; // release order: the rest are younger
      this.#remove(entry);
    }
    if (this.#queue.length > 0) this.#drain();
  }

  // --- bookkeeping ---

  /** What a leased sandbox of `memoryMB` counts; never more than the whole budget, so every size can run alone. */
  #leasedBytes(memoryMB: number): number {
    return Math.min(this.#budgetBytes, Math.ceil(memoryMB * MiB * this.#leasedFactor));
  }

  #track(promise: Promise<unknown>): void {
    this.#pending.add(promise);
    void promise.finally(() => this.#pending.delete(promise));
  }

  #setBytes(entry: Entry, bytes: number): void {
    this.#usedBytes += bytes - entry.bytes;
    entry.bytes = bytes;
  }

  #addIdle(entry: Entry): void {
    this.#idle.add(entry);
    if (entry.keyId === undefined) return;
    let set = this.#idleByKey.get(entry.keyId);
    if (set === undefined) this.#idleByKey.set(entry.keyId, (set = new Set()));
    set.add(entry);
  }

  #deleteIdle(entry: Entry): void {
    this.#idle.delete(entry);
    if (entry.keyId === undefined) return;
    const set = this.#idleByKey.get(entry.keyId);
    set?.delete(entry);
    if (set?.size === 0) this.#idleByKey.delete(entry.keyId);
  }

  /** Drops an entry and disposes its isolate. */
  #remove(entry: Entry): void {
    this.#deleteIdle(entry);
    const stemAt = this.#stems.indexOf(entry);
    if (stemAt >= 0) this.#stems.splice(stemAt, 1);
    this.#entries.delete(entry);
    this.#setBytes(entry, 0);
    if (entry.sandbox !== undefined) {
      this.#bySandbox.delete(entry.sandbox);
      entry.sandbox.dispose();
    }
  }
}
