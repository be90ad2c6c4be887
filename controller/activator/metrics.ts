// The activator's Prometheus metrics: activations waiting for a completion, completed ones by status, and records
// this controller had to force because no completion came.
import { ACTIVATION_STATUS_LABELS, activationStatusLabel, counter, gauge, type Registry } from '../../shared/metrics.ts';
import type { ActivatorMetrics } from './kafka-activator.ts';

export function activatorMetrics(registry: Registry): ActivatorMetrics {
  const inFlight = gauge(registry, 'activations_in_flight', 'Activations published and waiting for their completion');
  const completed = counter(registry, 'activations_completed_total', 'Activations completed, by the status of their record', ['status']);
  const forced = counter(registry, 'activations_forced_total', 'Activations with no completion in time, recorded by the controller as whisk internal errors');
  for (const status of ACTIVATION_STATUS_LABELS) completed.inc({ status }, 0); // every status shows, from 0
  return {
    inFlight: (delta) => inFlight.inc(delta),
    completed: (statusCode) => completed.inc({ status: activationStatusLabel(statusCode) }),
    forced: () => forced.inc(),
  };
}
