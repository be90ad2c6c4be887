// How long a draining invoker waits for the activations in hand (docs/durability.md, "Invoker delivery"): until
// none is left, bounded by the time limit of the last one running plus a margin. The bound moves when an activation
// claimed during the drain (its claim was under way when the drain began) runs past it; requests not yet claimed
// are left to others and take no time here.

/** Covers a cold start's init before the time limit counts, storing the record and the claims under way. */
export const DRAIN_MARGIN_MS = 10_000;

export interface Drainable {
  /** Resolves true when nothing is in hand, false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean>;
}

/** Resolves true when the work in hand finished, false when the bound passed first. */
export async function waitForWorkInHand(work: Drainable, latestRunEnd: () => number | undefined, marginMs = DRAIN_MARGIN_MS): Promise<boolean> {
  let bound = (latestRunEnd() ?? Date.now()) + marginMs;
  for (;;) {
    const wait = bound - Date.now();
    if (wait <= 0) return false;
    if (await work.idle(wait)) return true;
    const moved = (latestRunEnd() ?? 0) + marginMs;
    if (moved <= bound) return false;
    bound = moved;
  }
}
