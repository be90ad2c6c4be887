// Replacing a kafkajs consumer that kafkajs gave up on (a crash it does not restart, e.g. no group coordinator for
// too long while Kafka restarts): the owner makes a new consumer after a backoff — `firstDelayMs`, doubling up to
// 30 s, back to the first once a consumer joins its group — and again after each failed attempt, until stopped.
export const MAX_RESTART_DELAY_MS = 30_000;

export class ConsumerRestarts {
  readonly #firstDelayMs: number;
  #delayMs: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(firstDelayMs = 1_000) {
    this.#firstDelayMs = firstDelayMs;
    this.#delayMs = firstDelayMs;
  }

  /** The wait before the next restart. */
  get nextDelayMs(): number {
    return this.#delayMs;
  }

  /** A consumer joined its group: the next crash waits the first delay again. */
  joined(): void {
    this.#delayMs = this.#firstDelayMs;
  }

  /** After the backoff, runs `restart` (make, start and swap in a new consumer); a failed attempt is tried again. */
  schedule(restart: () => Promise<void>, onFailure: (err: unknown) => void): void {
    if (this.#stopped) return;
    const delay = this.#delayMs;
    this.#delayMs = Math.min(MAX_RESTART_DELAY_MS, delay * 2);
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      restart().catch((err: unknown) => {
        onFailure(err);
        this.schedule(restart, onFailure);
      });
    }, delay);
  }

  /** No restart from now on. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
