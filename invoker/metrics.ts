// The invoker's Prometheus metrics: activations by the status of their record, run time, cold and warm starts,
// and requests that expired before they could run.
import { ACTIVATION_STATUS_LABELS, activationStatusLabel, counter, histogram, type Registry } from '../shared/metrics.ts';
import type { InvokerMetrics } from './activation-handler.ts';

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
