// Prometheus metrics (prom-client) shared by the controller and the invoker: a registry factory and a few helpers.
// Each process builds its own Registry rather than using prom-client's global one, so tests can make a fresh registry
// per case and nothing registered by one module leaks into another's output.
// Labels stay low-cardinality on purpose: never a namespace, action or activation id.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type { Registry } from 'prom-client';

/** Prefix of every metric this platform exports, the Node process metrics included. */
export const METRIC_PREFIX = 'isowhisk_';

export interface RegistryOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC); default true. Tests usually leave them out. */
  defaultMetrics?: boolean;
}

export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** `isowhisk_<name>`: callers name metrics without the prefix. */
const named = (name: string): string => `${METRIC_PREFIX}${name}`;

export function counter<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name: named(name), help, labelNames, registers: [registry] });
}

/** `read`, when given, sets the value at each scrape (for values another object owns). */
export function gauge<L extends string = never>(registry: Registry, name: string, help: string, labelNames: readonly L[] = [], read?: () => number): Gauge<L> {
  const collect = read === undefined ? undefined : function (this: Gauge<L>) {
    this.set(read());
  };
  return new Gauge({ name: named(name), help, labelNames, registers: [registry], ...(collect ? { collect } : {}) });
}

/**
 * `isowhisk_process_restarts_total`: how often the supervisor restarted this process after a crash
 * (deploy/local/supervisor.ts passes the count in ISOWHISK_PROCESS_RESTARTS). A counter that spans the process's
 * lives, like Kubernetes' container restart count: a restarted process starts it at the count so far.
 */
export function processRestarts(registry: Registry, restarts: number): Counter {
  const restartsTotal = counter(registry, 'process_restarts_total', 'Restarts of this process by its supervisor after a crash');
  restartsTotal.inc(restarts);
  return restartsTotal;
}

/**
 * `isowhisk_trace_spans_buffered` and `isowhisk_trace_spans_dropped_total`: spans waiting for the trace backend and
 * spans dropped because too many waited (shared/span-buffer.ts), read from `stats` at each scrape.
 */
export function spanBufferMetrics(registry: Registry, stats: () => { buffered: number; dropped: number }): void {
  gauge(registry, 'trace_spans_buffered', 'Spans kept in memory until the trace backend takes them', [], () => stats().buffered);
  let reported = 0;
  new Counter({
    name: named('trace_spans_dropped_total'),
    help: 'Spans dropped because the trace backend did not take them and the span buffer was full',
    registers: [registry],
    collect() {
      const { dropped } = stats();
      this.inc(dropped - reported);
      reported = dropped;
    },
  });
}

/** Buckets in seconds from 1 ms to 60 s: activations and API requests span that range. */
export const SECONDS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function histogram<L extends string = never>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
  buckets: readonly number[] = SECONDS_BUCKETS,
): Histogram<L> {
  return new Histogram({ name: named(name), help, labelNames, buckets: [...buckets], registers: [registry] });
}

/** The record's `response.statusCode` as a label value (OpenWhisk's four activation outcomes). */
export const ACTIVATION_STATUS_LABELS = ['success', 'application_error', 'developer_error', 'whisk_internal_error'] as const;
export type ActivationStatusLabel = (typeof ACTIVATION_STATUS_LABELS)[number];

export function activationStatusLabel(statusCode: number): ActivationStatusLabel {
  return ACTIVATION_STATUS_LABELS[statusCode] ?? 'whisk_internal_error';
}

/** The registry in Prometheus text exposition format, with its content type. */
export async function exposition(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

/**
 * The value of one sample in Prometheus text (`name{a="x",b="y"} 3`), or undefined when absent. Labels must match
 * exactly (all of them, any order). For tests and checks; not a full parser.
 */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? [];
    if ([...have].sort().join(',') === wanted) return Number(m[3]);
  }
  return undefined;
}
