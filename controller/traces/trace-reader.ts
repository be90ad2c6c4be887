// Reads a tenant's share of an activation's trace from the trace backend's query API (Jaeger's
// `GET <url>/api/traces/<traceId>`), for `GET /api/v1/namespaces/{ns}/activations/{id}/trace`.
// Spans arrive in batches after the record is stored, so an incomplete trace is read again until it looks
// complete (controller/traces/tenant-trace.ts) or the wait is over; then whatever the tenant has is returned.
import { setTimeout as delay } from 'node:timers/promises';
import { request } from 'undici';
import { UnavailableError } from '../../shared/errors.ts';
import { looksComplete, tenantView, type Trace } from './tenant-trace.ts';

export interface TraceQuery {
  traceId: string;
  /** The namespace whose spans are returned: the caller's. */
  namespace: string;
  /** The activation's id when it runs an action or a sequence (see `looksComplete`); none for triggers. */
  ranAs?: string;
}

export interface TraceReader {
  /** The tenant's spans of the trace; undefined when the backend has none of them. Rejects with UnavailableError. */
  read(query: TraceQuery): Promise<Trace | undefined>;
}

export interface JaegerReaderOptions {
  /** Base URL of Jaeger's query service (its UI port), e.g. `http://127.0.0.1:16686`. */
  url: string;
  /** Longest a read waits for missing spans, in ms. */
  waitMs: number;
  /** Time between reads while waiting, in ms (200 by default). */
  pollMs?: number;
  /** Bound of one HTTP request to the backend, in ms (5000 by default). */
  requestTimeoutMs?: number;
}

const UNAVAILABLE = 'The trace backend is not available; try again later.';

export function jaegerTraceReader(options: JaegerReaderOptions): TraceReader {
  const base = options.url.replace(/\/+$/, '');
  const pollMs = options.pollMs ?? 200;
  const timeoutMs = options.requestTimeoutMs ?? 5_000;

  /** The whole trace, or undefined when the backend does not have it (yet). */
  const fetchTrace = async (traceId: string): Promise<Trace | undefined> => {
    let status: number;
    let body: unknown;
    try {
      const res = await request(`${base}/api/traces/${encodeURIComponent(traceId)}`, { signal: AbortSignal.timeout(timeoutMs) });
      status = res.statusCode;
      body = await res.body.json().catch(() => undefined);
    } catch (err) {
      throw new UnavailableError(UNAVAILABLE, { cause: err });
    }
    if (status === 404) return undefined;
    // Anything but a JSON answer means the URL is not a trace backend's query API, or it is failing.
    if (status !== 200 || typeof body !== 'object' || body === null) throw new UnavailableError(UNAVAILABLE);
    const trace = (body as { data?: Trace[] | null }).data?.[0];
    return trace && Array.isArray(trace.spans) ? trace : undefined;
  };

  return {
    async read({ traceId, namespace, ranAs }) {
      const deadline = Date.now() + options.waitMs;
      for (;;) {
        const trace = await fetchTrace(traceId);
        const complete = trace !== undefined && looksComplete(trace, namespace, ranAs);
        if (complete || Date.now() + pollMs > deadline) return trace && tenantView(trace, namespace);
        await delay(pollMs);
      }
    },
  };
}
