// Reading traces back from the test stack's Jaeger (its HTTP API), for the end-to-end tracing suites.
import { waitFor } from '../../deploy/local/daemon.ts';
import { TEST_LAYOUT } from './stack.ts';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; spanID: string }>;
  processID: string;
  tags: Array<{ key: string; value: unknown }>;
}

export interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** Waits until the trace exists and `until` holds for it (spans arrive in batches from both processes). */
export async function jaegerTrace(traceId: string, until: (t: JaegerTrace) => boolean): Promise<JaegerTrace> {
  const url = `http://127.0.0.1:${TEST_LAYOUT.jaeger.uiPort}/api/traces/${traceId}`;
  return waitFor(
    `trace ${traceId} in Jaeger`,
    async () => {
      const res = await fetch(url);
      if (!res.ok) return undefined;
      const trace = ((await res.json()) as { data: JaegerTrace[] }).data[0];
      return trace && until(trace) ? trace : undefined;
    },
    30_000,
    200,
  );
}

/** Readers over one trace. */
export function traceView(trace: JaegerTrace) {
  return {
    /** The first span with this name, or with a name matching the pattern. */
    span(name: string | RegExp): JaegerSpan {
      const found = trace.spans.find((s) => (typeof name === 'string' ? s.operationName === name : name.test(s.operationName)));
      if (!found) throw new Error(`no span ${name} among ${trace.spans.map((s) => s.operationName).join(', ')}`);
      return found;
    },
    spans: (name: string) => trace.spans.filter((s) => s.operationName === name),
    parentOf: (s: JaegerSpan) => s.references.find((r) => r.refType === 'CHILD_OF')?.spanID,
    service: (s: JaegerSpan) => trace.processes[s.processID]!.serviceName,
    tag: (s: JaegerSpan, key: string) => s.tags.find((t) => t.key === key)?.value,
  };
}

/** True when the trace has a span of each name (a pattern matches any span name). */
export const hasSpans = (names: readonly (string | RegExp)[]) => (t: JaegerTrace) =>
  names.every((n) => t.spans.some((s) => (typeof n === 'string' ? s.operationName === n : n.test(s.operationName))));

/** The controller's HTTP span ends with the response, after the spans beneath it: wait for it as well. */
export const HTTP_SPAN = /^POST /;
