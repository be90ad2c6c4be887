// An activation's trace as `GET /api/v1/namespaces/_/activations/{id}/trace` returns it (the caller's own spans, in
// Jaeger's JSON model), printed as an indented timeline: one line per span, children under their parent (CHILD_OF),
// by start time.
export interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; spanID: string }>;
  /** µs since the epoch */
  startTime: number;
  /** µs */
  duration: number;
  processID: string;
  tags?: Array<{ key: string; value: unknown }>;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** The tags worth a glance, shown as `key=value` after the span name when present. */
export const KEY_TAGS = ['faas.coldstart', 'isowhisk.activation.status_code', 'messaging.destination.name', 'db.operation.name'];

/** The page of a trace in the operator's Jaeger UI (it shows every tenant's traces; tenants read theirs with `trace`). */
export const traceUrl = (traceHost: string, traceId: string): string => `${traceHost}/trace/${traceId}`;

const ms = (us: number): string => (us / 1000).toFixed(1);

function tagText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The header line and one line per span: offset and duration (ms), service, indented span name, key tags. */
export function timeline(trace: JaegerTrace): string[] {
  const spans = trace.spans;
  const ids = new Set(spans.map((s) => s.spanID));
  const children = new Map<string | undefined, JaegerSpan[]>();
  for (const span of spans) {
    const parent = span.references?.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID) && r.spanID !== span.spanID)?.spanID;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  for (const list of children.values()) list.sort((a, b) => a.startTime - b.startTime || a.operationName.localeCompare(b.operationName));

  const start = Math.min(...spans.map((s) => s.startTime));
  const end = Math.max(...spans.map((s) => s.startTime + s.duration));
  const ordered: Array<{ span: JaegerSpan; depth: number }> = [];
  const seen = new Set<string>();
  const visit = (span: JaegerSpan, depth: number): void => {
    if (seen.has(span.spanID)) return;
    seen.add(span.spanID);
    ordered.push({ span, depth });
    for (const child of children.get(span.spanID) ?? []) visit(child, depth + 1);
  };
  for (const root of children.get(undefined) ?? []) visit(root, 0);
  // spans only reachable through a cycle of references: shown as roots rather than dropped
  for (const span of [...spans].sort((a, b) => a.startTime - b.startTime)) visit(span, 0);

  const service = (s: JaegerSpan) => trace.processes?.[s.processID]?.serviceName ?? s.processID;
  const offsetWidth = Math.max(...ordered.map(({ span }) => ms(span.startTime - start).length));
  const durationWidth = Math.max(...ordered.map(({ span }) => ms(span.duration).length));
  const serviceWidth = Math.max(...ordered.map(({ span }) => service(span).length));
  const lines = [`trace ${trace.traceID} (${spans.length} spans, ${ms(end - start)} ms)`];
  for (const { span, depth } of ordered) {
    const tags = KEY_TAGS.flatMap((key) => {
      const tag = span.tags?.find((t) => t.key === key);
      return tag === undefined ? [] : [`${key}=${tagText(tag.value)}`];
    });
    const line = `${ms(span.startTime - start).padStart(offsetWidth)} ms ${ms(span.duration).padStart(durationWidth)} ms  ${service(span).padEnd(serviceWidth)}  ${'  '.repeat(depth)}${span.operationName}`;
    lines.push(tags.length > 0 ? `${line}  ${tags.join(' ')}` : line);
  }
  return lines;
}
