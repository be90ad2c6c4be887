// Prometheus metrics of invoker health: how many invokers this controller sees in each state (read at each scrape),
// and the health test actions it sent and how they ended.
import { Gauge } from 'prom-client';
import { counter, METRIC_PREFIX, type Registry } from '../../shared/metrics.ts';
import { INVOKER_STATES, type InvokerRegistry } from '../balancer/invoker-registry.ts';
import type { ProberMetrics } from './invoker-prober.ts';

export function invokerHealthMetrics(registry: Registry, invokers: InvokerRegistry): ProberMetrics {
  new Gauge({
    name: `${METRIC_PREFIX}invokers`,
    help: 'Invokers this controller knows, by state (up, draining, down, unhealthy, unresponsive); only up ones get work',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = invokers.countByState();
      for (const state of INVOKER_STATES) this.set({ state }, counts[state]);
    },
  });
  const sent = counter(registry, 'invoker_health_tests_sent_total', 'Health test actions sent to invokers that were unhealthy or unresponsive');
  const completed = counter(registry, 'invoker_health_tests_completed_total', 'Health test actions completed: passed (the invoker is up again) or failed (a system error)', ['result']);
  for (const result of ['passed', 'failed'] as const) completed.inc({ result }, 0);
  return {
    sent: () => sent.inc(),
    completed: (result) => completed.inc({ result }),
  };
}
