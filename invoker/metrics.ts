// The invoker's Prometheus metrics: activations by the status of their record, run time, cold and warm starts,
// requests that expired before they could run, its topic's requests in hand and uncommitted, and its memory story: host memory reserved for running activations'
// buffers, activations waiting for it, isolate memory accounted by the pool, and whether a high heap paused its topic.
import { ACTIVATION_STATUS_LABELS, activationStatusLabel, counter, gauge, histogram, type Registry } from '../shared/metrics.ts';
import type { InvokerMetrics } from './activation-handler.ts';

/** Read at each scrape. */
export interface MemoryGauges {
  hostReservedBytes(): number;
  hostBudgetBytes(): number;
  hostWaiting(): number;
  isolateAccountedBytes(): number;
  heapPaused(): boolean;
}

/** Read at each scrape. */
export interface DeliveryGauges {
  inHand(): number;
  unsettled(): number;
  consuming(): boolean;
}

/** Where the invoker's topic stands: requests in hand, those a restart would read again, and whether it consumes. */
export function deliveryMetrics(registry: Registry, read: DeliveryGauges): void {
  gauge(registry, 'invoker_requests_in_hand', 'Activation requests taken from the topic and not yet finished (the run queue)', [], read.inHand);
  gauge(registry, 'invoker_requests_unsettled', 'Requests in hand not yet claimed, skipped or recorded: their offsets are not committed, so a restart reads them again', [], read.unsettled);
  gauge(registry, 'invoker_consumer_up', '1 while the topic\'s consumer runs; 0 after it crashed for good, until a new one joins the group (pings say unhealthy)', [], () => (read.consuming() ? 1 : 0));
}

/** The memory gauges (separate from `invokerMetrics`, whose counters tests use without a pool). */
export function memoryMetrics(registry: Registry, read: MemoryGauges): void {
  gauge(registry, 'invoker_host_memory_reserved_bytes', 'Host heap reserved for the worst case of the running activations\' logs, results, parameters and archives', [], read.hostReservedBytes);
  gauge(registry, 'invoker_host_memory_budget_bytes', 'Host heap the running activations may reserve (ISOWHISK_INVOKER_HOST_MEMORY_MB)', [], read.hostBudgetBytes);
  gauge(registry, 'invoker_host_memory_waiting', 'Activations waiting for host memory before they may run', [], read.hostWaiting);
  gauge(registry, 'invoker_isolate_memory_bytes', 'Isolate memory the pool accounts: leased isolates at their limit plus overshoot, idle ones at their heap', [], read.isolateAccountedBytes);
  gauge(registry, 'invoker_heap_paused', '1 while the invoker takes no activations because its heap passed the high-water mark', [], () => (read.heapPaused() ? 1 : 0));
}

export function invokerMetrics(registry: Registry): InvokerMetrics {
  const activations = counter(registry, 'invoker_activations_total', 'Activations this invoker recorded, by the status of their record', ['status']);
  const runSeconds = histogram(registry, 'invoker_run_duration_seconds', 'Time an action ran in its sandbox (init excluded)');
  const starts = counter(registry, 'invoker_starts_total', 'Sandboxes leased for an activation: cold (initialized for it) or warm (reused)', ['start']);
  const expired = counter(registry, 'invoker_expired_total', 'Activation requests past their start deadline, recorded without running');
  // Every label value shows from 0, so rates and ratios work before the first of each happens.
  for (const status of ACTIVATION_STATUS_LABELS) activations.inc({ status }, 0);
  for (const start of ['cold', 'warm']) starts.inc({ start }, 0);
  return {
    recorded: (statusCode) => activations.inc({ status: activationStatusLabel(statusCode) }),
    ran: (cold, runMs) => {
      starts.inc({ start: cold ? 'cold' : 'warm' });
      runSeconds.observe(runMs / 1000);
    },
    expired: () => expired.inc(),
  };
}
