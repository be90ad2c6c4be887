// A fix for kafkajs 2.2.4's request queue, applied once when the Kafka client is loaded. Its
// `scheduleCheckPendingRequests` arms a timer of `throttledUntil - now` ms even when no request waits and no throttle
// holds: a negative delay, which Node runs after 1 ms, and whose callback arms the next one. Every broker connection
// of every process so spins at about 1,000 wake-ups a second, idle or busy (kafkajs issues #1556, #1704; measured
// here: ~1,450 event-loop wake-ups a second in an idle controller and in an idle invoker, ~100 per invoke).
//
// The replacement keeps the method's contract: with requests pending, check again when the throttle ends (or after
// the queue's 10 ms interval when it already ended); with a throttle still running, check when it ends; with nothing
// pending and no throttle, arm nothing: `push` checks the queue itself when the next request comes.
import { createRequire } from 'node:module';

interface RequestQueue {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL (src/network/requestQueue/index.js). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);
const { prototype } = require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueue };

prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueue): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledFor = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && throttledFor <= 0) return;
  const delay = throttledFor > 0 ? throttledFor : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, delay);
};
