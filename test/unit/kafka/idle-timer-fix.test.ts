import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import '../../../shared/kafka/client.ts';

interface QueueState {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

const { prototype } = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { scheduleCheckPendingRequests(this: QueueState): void };
};

/** A request queue's state, as kafkajs keeps it; `checks` counts the pending-queue checks its timer ran. */
function queue(state: Partial<QueueState>): QueueState & { checks: number } {
  const q = { throttledUntil: -1, throttleCheckTimeoutId: null, pending: [], checks: 0, ...state, checkPendingRequests: () => void q.checks++ };
  return q;
}

/** The delay of the timer `fn` arms, if any. */
function armedDelay(fn: () => void): number | undefined {
  const original = globalThis.setTimeout;
  let delay: number | undefined;
  globalThis.setTimeout = ((cb: () => void, ms: number) => {
    delay = ms;
    return original(cb, ms);
  }) as typeof setTimeout;
  try {
    fn();
  } finally {
    globalThis.setTimeout = original;
  }
  return delay;
}

describe('kafkajs request queue: no idle timer loop', () => {
  it('arms nothing when no request is pending and no throttle holds (kafkajs would re-arm every 1 ms)', () => {
    const q = queue({});
    assert.equal(armedDelay(() => prototype.scheduleCheckPendingRequests.call(q)), undefined);
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('checks pending requests again after 10 ms, or when a throttle ends, and runs the check', async () => {
    const pending = queue({ pending: [{}] });
    assert.equal(armedDelay(() => prototype.scheduleCheckPendingRequests.call(pending)), 10);
    const throttled = queue({ throttledUntil: Date.now() + 60_000 });
    const delay = armedDelay(() => prototype.scheduleCheckPendingRequests.call(throttled));
    assert.ok(delay !== undefined && delay > 50_000 && delay <= 60_000, `throttle delay ${delay}`);
    clearTimeout(throttled.throttleCheckTimeoutId!);
    assert.equal(armedDelay(() => prototype.scheduleCheckPendingRequests.call(pending)), undefined, 'one timer at a time');
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual([pending.checks, pending.throttleCheckTimeoutId], [1, null]);
  });
});
