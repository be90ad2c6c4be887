// @ts-check
// The trace viewer's model: pure functions from Jaeger's query API JSON (/api/traces/<id>, /api/traces?service=,
// /api/services) to what the pages show. No DOM here, so the unit tests run it in Node and tsc checks it.

/**
 * @typedef {{ key: string, type?: string, value: unknown }} KeyValue
 * @typedef {{ refType: string, traceID?: string, spanID: string }} Reference
 * @typedef {{ timestamp: number, fields: KeyValue[] }} Log
 * @typedef {{ traceID: string, spanID: string, operationName: string, references?: Reference[] | null,
 *   startTime: number, duration: number, tags?: KeyValue[] | null, processID: string, logs?: Log[] | null,
 *   warnings?: string[] | null }} ApiSpan
 * @typedef {{ serviceName: string, tags?: KeyValue[] | null }} ApiProcess
 * @typedef {{ traceID: string, spans: ApiSpan[], processes: Record<string, ApiProcess>,
 *   warnings?: string[] | null }} ApiTrace
 *
 * @typedef {object} SpanRow One span, in tree order. Times in µs; left and width are fractions of the trace.
 * @property {string} spanID
 * @property {string | undefined} parentID  the parent's id when that span is in the trace
 * @property {string} operationName
 * @property {string} service
 * @property {number} depth  0 for a root
 * @property {number} startTime  µs since the epoch
 * @property {number} offset  µs since the trace's start
 * @property {number} duration
 * @property {number} left  offset / trace duration (0 … 1)
 * @property {number} width  duration / trace duration (0 … 1)
 * @property {boolean} error
 * @property {KeyValue[]} tags
 * @property {ApiProcess} process
 * @property {{ offset: number, fields: KeyValue[] }[]} logs  offsets from the trace's start
 * @property {string[]} warnings
 *
 * @typedef {object} TraceSummary
 * @property {string} traceID
 * @property {string} rootOperation  the earliest root span's operation
 * @property {string} rootService
 * @property {string[]} services  in order of first appearance in the tree
 * @property {number} spanCount
 * @property {number} errorCount
 * @property {number} startTime  µs since the epoch
 * @property {number} duration  µs from the first start to the last end
 *
 * @typedef {TraceSummary & { rows: SpanRow[] }} TraceView
 */

/** @param {unknown} value */
const isTrue = (value) => value === true || value === 'true';

/** Whether the span failed: OpenTracing's `error` tag, or OpenTelemetry's status code as Jaeger stores it. */
export function isErrorSpan(/** @type {ApiSpan} */ span) {
  return (span.tags ?? []).some(
    (t) => (t.key === 'error' && isTrue(t.value)) || (t.key === 'otel.status_code' && t.value === 'ERROR'),
  );
}

/** The span's parent id: its CHILD_OF reference, else its first reference (Jaeger's own choice). */
export function parentIdOf(/** @type {ApiSpan} */ span) {
  const refs = span.references ?? [];
  return (refs.find((r) => r.refType === 'CHILD_OF') ?? refs[0])?.spanID;
}

/** @param {ApiSpan} a @param {ApiSpan} b */
const byStart = (a, b) => a.startTime - b.startTime;

/**
 * Orders the spans as a tree: each parent before its children, siblings (and roots) by start time. A span whose
 * parent is not in the trace (not received yet, or in another system) becomes a root.
 * @param {ApiSpan[]} spans
 * @returns {{ span: ApiSpan, depth: number, parentID: string | undefined }[]}
 */
export function spanTree(spans) {
  /** @type {Map<string, ApiSpan>} */
  const byId = new Map();
  for (const span of spans) if (!byId.has(span.spanID)) byId.set(span.spanID, span);
  /** @type {Map<string, ApiSpan[]>} */
  const children = new Map();
  /** @type {ApiSpan[]} */
  const roots = [];
  for (const span of byId.values()) {
    const parent = parentIdOf(span);
    if (parent !== undefined && parent !== span.spanID && byId.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(span);
      children.set(parent, list);
    } else roots.push(span);
  }

  /** @type {{ span: ApiSpan, depth: number, parentID: string | undefined }[]} */
  const out = [];
  const seen = new Set();
  /** @param {ApiSpan} span @param {number} depth @param {string | undefined} parentID */
  const visit = (span, depth, parentID) => {
    if (seen.has(span.spanID)) return;
    seen.add(span.spanID);
    out.push({ span, depth, parentID });
    for (const child of [...(children.get(span.spanID) ?? [])].sort(byStart)) visit(child, depth + 1, span.spanID);
  };
  for (const root of [...roots].sort(byStart)) visit(root, 0, undefined);
  // Spans whose parent links form a cycle are reached from no root: show them as roots rather than drop them.
  for (const span of [...byId.values()].sort(byStart)) visit(span, 0, undefined);
  return out;
}

/** @param {ApiTrace} trace @param {ApiSpan} span @returns {ApiProcess} */
const processOf = (trace, span) => trace.processes?.[span.processID] ?? { serviceName: span.processID || 'unknown', tags: [] };

/**
 * The trace page's model: the summary, then one row per span in tree order.
 * @param {ApiTrace} trace
 * @returns {TraceView}
 */
export function traceView(trace) {
  const spans = trace.spans ?? [];
  const start = spans.length ? Math.min(...spans.map((s) => s.startTime)) : 0;
  const end = spans.length ? Math.max(...spans.map((s) => s.startTime + s.duration)) : 0;
  const total = end - start;
  /** @param {number} us */
  const fraction = (us) => (total > 0 ? us / total : 0);

  const rows = spanTree(spans).map(({ span, depth, parentID }) => {
    const process = processOf(trace, span);
    return {
      spanID: span.spanID,
      parentID,
      operationName: span.operationName,
      service: process.serviceName,
      depth,
      startTime: span.startTime,
      offset: span.startTime - start,
      duration: span.duration,
      left: fraction(span.startTime - start),
      width: fraction(span.duration),
      error: isErrorSpan(span),
      tags: span.tags ?? [],
      process,
      logs: (span.logs ?? []).map((log) => ({ offset: log.timestamp - start, fields: log.fields ?? [] })),
      warnings: span.warnings ?? [],
    };
  });

  const root = rows[0];
  return {
    traceID: trace.traceID,
    rootOperation: root?.operationName ?? '(no spans)',
    rootService: root?.service ?? '',
    services: [...new Set(rows.map((r) => r.service))],
    spanCount: rows.length,
    errorCount: rows.filter((r) => r.error).length,
    startTime: start,
    duration: total,
    rows,
  };
}

/**
 * The search page's list from GET /api/traces?service=…: one summary per trace, the newest first.
 * @param {{ data?: ApiTrace[] | null }} body
 * @returns {TraceSummary[]}
 */
export function traceList(body) {
  return (body.data ?? [])
    .map((trace) => {
      const { rows: _rows, ...summary } = traceView(trace);
      return summary;
    })
    .sort((a, b) => b.startTime - a.startTime);
}

/**
 * The services to offer from GET /api/services, sorted, and the one to show: the requested one when Jaeger knows
 * it, else the first `isowhisk-*` service, else the first.
 * @param {{ data?: string[] | null }} body
 * @param {string | null | undefined} requested
 * @returns {{ services: string[], selected: string | undefined }}
 */
export function serviceChoice(body, requested) {
  const services = [...(body.data ?? [])].sort();
  const selected =
    (requested && services.includes(requested) ? requested : undefined) ??
    services.find((s) => s.startsWith('isowhisk-')) ??
    services[0];
  return { services, selected };
}

/**
 * The message of a failed API call: Jaeger's `errors[].msg` when the body has them, else the HTTP status.
 * @param {number} status
 * @param {unknown} body  the parsed JSON, or the text when it was not JSON
 */
export function apiErrorMessage(status, body) {
  const errors = /** @type {{ errors?: { msg?: string }[] | null } | null} */ (body && typeof body === 'object' ? body : null)
    ?.errors;
  const messages = (errors ?? []).map((e) => e.msg).filter(Boolean);
  if (messages.length) return `${messages.join('; ')} (HTTP ${status})`;
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return `HTTP ${status}${text ? `: ${text}` : ''}`;
}

/** A trace id from what a user pasted (a bare id, a traceparent header, a /trace/<id> URL), or undefined. */
export function parseTraceId(/** @type {string} */ input) {
  const text = input.trim();
  const traceparent = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i.exec(text);
  if (traceparent) return traceparent[1]?.toLowerCase();
  const id = /(?:^|\/trace\/)([0-9a-f]{1,32})\/?$/i.exec(text);
  return id?.[1]?.toLowerCase();
}

/** A duration in µs, with three significant digits: "850 µs", "12.3 ms", "1.25 s". */
export function formatDuration(/** @type {number} */ us) {
  /** @param {number} n */
  const digits = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2).replace(/\.?0+$/, ''));
  if (us < 1000) return `${digits(us)} µs`;
  if (us < 1_000_000) return `${digits(us / 1000)} ms`;
  return `${digits(us / 1_000_000)} s`;
}

/** A tag's value as text (JSON for objects, so nothing shows as "[object Object]"). */
export function formatValue(/** @type {unknown} */ value) {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}
