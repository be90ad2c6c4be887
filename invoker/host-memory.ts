// The host heap the invoker's running activations may take. An isolate's own heap is bounded by its memory limit
// (and counted by the isolate pool), but what crosses into the invoker is held in the invoker's heap: the log lines,
// the result text, the parameters and, on a cold start, the files of an archive, each then copied into the record's
// JSON and the completion. Each of those is bounded (docs/tenant-isolation.md); this module adds the bounds up per
// activation and lets only as many activations run at once as their worst cases fit the budget. One that does not
// fit waits, first come first served, while its request stays in the run queue.

/** Bytes JavaScript may spend per byte of text: a string of two-byte characters takes two bytes per character. */
const UTF16 = 2;

/** The bounded buffers of one activation, in bytes. */
export interface ActivationBuffers {
  /** The action's log limit; lines are counted as stored, so the record's logs take at most this (UTF-8). */
  logLimitBytes: number;
  /** The result limit; a result over it crosses as a prefix of `truncationBytes` characters. */
  maxResultBytes: number;
  truncationBytes: number;
  /** The request's parameters (JSON text as it came from Kafka). */
  paramsBytes: number;
  /** The inflated-size cap of the action's archive when this activation may read one (a cold start), else 0. */
  archiveBytes: number;
}

/**
 * An upper estimate of the host heap one activation may take at once:
 * - logs: the lines as strings, the record's JSON and the completion's copy of it (3 copies, two bytes a character);
 * - result: the guest's text, its parsed value, the record's JSON and the completion's copy (4 copies);
 * - parameters: the Kafka value, its JSON text and the parsed object handed to the isolate (3 copies);
 * - archive: the inflated buffers and the source strings made from them (2 copies, strings at two bytes).
 */
export function worstCaseHostBytes(b: ActivationBuffers): number {
  const result = Math.max(b.maxResultBytes, b.truncationBytes);
  return 3 * UTF16 * b.logLimitBytes + 4 * UTF16 * result + 3 * UTF16 * b.paramsBytes + (1 + UTF16) * b.archiveBytes;
}

/** Held bytes of one activation; `release` is idempotent. */
export interface Reservation {
  readonly bytes: number;
  /** Gives back what is held above `bytes` (a warm start needs no room for its archive). */
  shrinkTo(bytes: number): void;
  release(): void;
}

interface Waiter {
  bytes: number;
  grant: (reservation: Reservation) => void;
}

export class HostMemoryBudget {
  readonly limitBytes: number;
  #reserved = 0;
  readonly #queue: Waiter[] = [];

  constructor(limitBytes: number) {
    this.limitBytes = Math.max(1, Math.floor(limitBytes));
  }

  /** Bytes held by running activations. */
  get reservedBytes(): number {
    return this.#reserved;
  }

  /** Activations waiting for room. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** `reserve` without waiting: the reservation when nobody waits and `bytes` fit now; undefined otherwise. */
  reserveNow(bytes: number): Reservation | undefined {
    const wanted = Math.min(Math.max(0, Math.ceil(bytes)), this.limitBytes);
    if (this.#queue.length > 0 || this.#reserved + wanted > this.limitBytes) return undefined;
    this.#reserved += wanted;
    return this.#reservation(wanted);
  }

  /**
   * Resolves once `bytes` fit beside what is held (in arrival order: a small request never overtakes a large one
   * that came first, so the large one cannot starve). A request larger than the whole budget waits until nothing
   * else is held, then runs alone. Rejects with the signal's reason when it aborts while waiting.
   */
  reserve(bytes: number, options: { signal?: AbortSignal } = {}): Promise<Reservation> {
    const wanted = Math.min(Math.max(0, Math.ceil(bytes)), this.limitBytes);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<Reservation>((resolve, reject) => {
      const waiter: Waiter = { bytes: wanted, grant: resolve };
      if (signal !== undefined) {
        const onAbort = () => {
          const at = this.#queue.indexOf(waiter);
          if (at < 0) return;
          this.#queue.splice(at, 1);
          reject(abortReason(signal));
          this.#drain(); // the head may have been what held the others back
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.grant = (reservation) => {
          signal.removeEventListener('abort', onAbort);
          resolve(reservation);
        };
      }
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  #drain(): void {
    for (let head = this.#queue[0]; head !== undefined && this.#reserved + head.bytes <= this.limitBytes; head = this.#queue[0]) {
      this.#queue.shift();
      this.#reserved += head.bytes;
      head.grant(this.#reservation(head.bytes));
    }
  }

  #reservation(granted: number): Reservation {
    let held = granted;
    return {
      get bytes() {
        return held;
      },
      shrinkTo: (bytes: number) => {
        const keep = Math.max(0, Math.min(held, Math.ceil(bytes)));
        this.#reserved -= held - keep;
        held = keep;
        this.#drain();
      },
      release: () => {
        this.#reserved -= held;
        held = 0;
        this.#drain();
      },
    };
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
