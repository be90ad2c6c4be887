// The activator's Prometheus metrics: activations waiting for a completion, completed ones by status, records
// this controller had to force because no completion came, dead controllers' activations it settled, publishes
// refused with a tombstone, and requests re-dispatched from an invoker that stopped taking work.
import { ACTIVATION_STATUS_LABELS, activationStatusLabel, counter, gauge, type Registry } from '../../shared/metrics.ts';
import type { ActivatorMetrics } from './kafka-activator.ts';

export function activatorMetrics(registry: Registry): ActivatorMetrics {
  const inFlight = gauge(registry, 'activations_in_flight', 'Activations published and waiting for their completion');
  const completed = counter(registry, 'activations_completed_total', 'Activations completed, by the status of their record', ['status']);
  const forced = counter(registry, 'activations_forced_total', 'Activations with no completion in time, recorded by the controller as whisk internal errors');
  const orphans = counter(registry, 'activations_orphans_swept_total', 'Activations of a dead controller whose record this controller forced or found');
  const tombstoned = counter(registry, 'activations_tombstoned_total', 'Publishes that did not complete in time: claim tombstoned, caller answered 503');
  for (const status of ACTIVATION_STATUS_LABELS) completed.inc({ status }, 0); // every status shows, from 0
  return {
    inFlight: (delta) => inFlight.inc(delta),
    completed: (statusCode) => completed.inc({ status: activationStatusLabel(statusCode) }),
    forced: () => forced.inc(),
    orphanSwept: () => orphans.inc(),
    tombstoned: () => tombstoned.inc(),
  };
}

/** Requests published again to another invoker (controller/durability/redispatcher.ts). */
export function redispatchMetric(registry: Registry): () => void {
  const redispatched = counter(registry, 'activations_redispatched_total', 'Unclaimed requests moved from an invoker that was down, draining or unhealthy to another');
  return () => redispatched.inc();
}
