// How long the supervisor waits before restarting a process that exited: 0.5 s after the first crash, doubling
// with each crash in a row up to 30 s, so a process that cannot start does not spin; back to 0.5 s once a run
// lasted a minute, so a crash after a long healthy run is retried at once.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** A run at least this long counts as stable and resets the delay. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, stableMs: 60_000 };

export class RestartBackoff {
  readonly #options: BackoffOptions;
  #next: number;

  constructor(options: BackoffOptions = DEFAULT_BACKOFF) {
    this.#options = options;
    this.#next = options.initialMs;
  }

  /** The delay before restarting a process that ran for `uptimeMs`; each call counts one crash. */
  delayAfter(uptimeMs: number): number {
    if (uptimeMs >= this.#options.stableMs) this.#next = this.#options.initialMs;
    const delay = this.#next;
    this.#next = Math.min(this.#options.maxMs, delay * 2);
    return delay;
  }
}
