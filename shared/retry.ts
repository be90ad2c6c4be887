// Retrying a write through an outage (a Redis restart): exponential backoff from 100 ms up to 2 s between attempts,
// until a deadline. Records must not be lost to a short outage, and a long one must not hold work forever.

export interface RetryOptions {
  /** Epoch ms after which the last error is thrown. */
  giveUpAt: number;
  /** Called once, on the first failure (to log that a retry is under way). */
  onFirstFailure?: (err: unknown) => void;
}

export async function retryUntil<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > options.giveUpAt) throw err;
      if (attempt === 0) options.onFirstFailure?.(err);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
    }
  }
}
