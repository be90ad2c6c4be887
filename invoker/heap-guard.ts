// Keeps the invoker from taking more work than its own heap can hold: it samples the process's V8 heap and, when
// the used heap passes the high-water mark, tells its owner to stop taking activations (the invoker pauses its Kafka
// topic, so the backlog waits in Kafka or goes to another invoker's share), and to take them again once the heap is
// back under the low-water mark. The per-activation budget (host-memory.ts) keeps the activations' own buffers in
// bounds; this is the backstop for everything else the process holds.
import { getHeapStatistics } from 'node:v8';

export interface HeapReading {
  used: number;
  limit: number;
}

export interface HeapGuardOptions {
  /** Pause at this fraction of the heap limit (0–1). */
  high: number;
  /** Resume below this fraction; kept under `high`. */
  low: number;
  /** Sampling period. Default 250 ms. */
  intervalMs?: number;
  onPause: (reading: HeapReading) => void;
  onResume: (reading: HeapReading) => void;
  /** The heap now; default `v8.getHeapStatistics()`. Tests pass their own. */
  read?: () => HeapReading;
}

const readV8 = (): HeapReading => {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, limit: h.heap_size_limit };
};

export class HeapGuard {
  readonly #options: HeapGuardOptions;
  readonly #low: number;
  readonly #read: () => HeapReading;
  #timer: NodeJS.Timeout | undefined;
  #paused = false;
  #last: HeapReading;

  constructor(options: HeapGuardOptions) {
    this.#options = options;
    this.#low = Math.min(options.low, options.high - 0.01);
    this.#read = options.read ?? readV8;
    this.#last = this.#read();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** The latest sample. */
  get reading(): HeapReading {
    return this.#last;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.check(), this.#options.intervalMs ?? 250);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Samples the heap and pauses or resumes on crossing a mark. */
  check(): void {
    const reading = (this.#last = this.#read());
    const used = reading.used / reading.limit;
    if (!this.#paused && used >= this.#options.high) {
      this.#paused = true;
      this.#options.onPause(reading);
    } else if (this.#paused && used < this.#low) {
      this.#paused = false;
      this.#options.onResume(reading);
    }
  }
}
