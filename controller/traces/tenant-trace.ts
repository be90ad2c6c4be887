// A tenant's share of one trace, as the trace backend's query API returns it (Jaeger's JSON model of
// `GET /api/traces/<traceId>`), and the rule for what that share is.
//
// The rule: a span is the tenant's when its `isowhisk.namespace` attribute names the tenant's namespace. The
// platform stamps that attribute on every span it makes for a namespace (shared/tracing.ts): the HTTP span of an
// authenticated request (the caller) or of a web action (its owner), and everything beneath them in either process.
// Nothing else is shown: not the spans of another namespace in the same trace (a caller may join anyone's trace
// id through `traceparent`), not the platform's spans made for nobody (authenticating a request), nor spans from
// outside the platform. References to spans left out are dropped, and processes keep their service name only.
import { TENANT_ATTRIBUTE } from '../../shared/tracing.ts';

/** One span as Jaeger's query API shows it (the fields Isowhisk reads or passes on). */
export interface TraceSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; traceID?: string; spanID: string }>;
  /** µs since the epoch */
  startTime: number;
  /** µs */
  duration: number;
  tags?: Array<{ key: string; type?: string; value: unknown }>;
  logs?: Array<{ timestamp: number; fields: Array<{ key: string; type?: string; value: unknown }> }>;
  processID: string;
}

export interface Trace {
  traceID: string;
  spans: TraceSpan[];
  processes: Record<string, { serviceName: string; tags?: unknown[] }>;
}

const CONTROLLER_SERVICE = 'isowhisk-controller';

export const tagOf = (span: TraceSpan, key: string): unknown => span.tags?.find((t) => t.key === key)?.value;
const parentOf = (span: TraceSpan): string | undefined => span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID;

/** The spans of `namespace` in `trace`, with references and processes pruned to them; undefined when there are none. */
export function tenantView(trace: Trace, namespace: string): Trace | undefined {
  const spans = trace.spans.filter((s) => tagOf(s, TENANT_ATTRIBUTE) === namespace);
  if (spans.length === 0) return undefined;
  const kept = new Set(spans.map((s) => s.spanID));
  const processes: Trace['processes'] = {};
  for (const span of spans) {
    const process = trace.processes[span.processID];
    processes[span.processID] = { serviceName: process?.serviceName ?? span.processID };
  }
  return {
    traceID: trace.traceID,
    spans: spans.map((s) => ({ ...s, references: (s.references ?? []).filter((r) => kept.has(r.spanID)) })),
    processes,
  };
}

/**
 * Where a request enters the platform: the controller's HTTP server spans and its feed consumer spans. Their
 * parent may be a span outside the platform (the caller's, a feed producer's), which never reaches the backend.
 */
function isEntry(trace: Trace, span: TraceSpan): boolean {
  const kind = tagOf(span, 'span.kind');
  return (kind === 'server' || kind === 'consumer') && trace.processes[span.processID]?.serviceName === CONTROLLER_SERVICE;
}

/**
 * Whether the tenant's part of the trace has arrived. Spans reach the backend in batches from two processes, and
 * an activation's record is stored before its last spans are exported, so a trace read right after the record
 * may lack some. It is taken as complete when every tenant span below the platform's entry has its parent in the
 * trace, and, for an activation that runs (`ranAs` is its id: actions, sequences), a span other than the Kafka
 * send names that activation (`faas.invocation_id`): the invoker's spans, or the controller's sequence span.
 */
export function looksComplete(trace: Trace, namespace: string, ranAs?: string): boolean {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const own = trace.spans.filter((s) => tagOf(s, TENANT_ATTRIBUTE) === namespace);
  if (own.length === 0) return false;
  const dangling = own.some((s) => {
    const parent = parentOf(s);
    return parent !== undefined && !ids.has(parent) && !isEntry(trace, s);
  });
  if (dangling) return false;
  if (ranAs === undefined) return true;
  return own.some((s) => tagOf(s, 'faas.invocation_id') === ranAs && tagOf(s, 'span.kind') !== 'producer');
}
