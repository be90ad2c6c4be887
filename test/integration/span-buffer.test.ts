// Spans made while the trace backend is down reach it once it is up: the controller's and the invoker's exporter
// (shared/tracing.ts createSpanExporter, shared/span-buffer.ts) pointed at a port where nothing listens yet, then a
// real Jaeger (deploy/local/jaeger.ts) started on that port. Spans beyond the buffer's bound are dropped and counted,
// and never arrive.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { waitFor } from '../../deploy/local/daemon.ts';
import { ensureJaegerBinary, jaegerEndpoints, startJaeger, stopJaeger } from '../../deploy/local/jaeger.ts';
import { createSpanExporter } from '../../shared/tracing.ts';
import { ownStackLayout } from '../support/stack.ts';

const layout = ownStackLayout('span-buffer', 600);
const { otlpHttpEndpoint, uiUrl } = jaegerEndpoints(layout);

/** Operation names of the spans Jaeger holds for `service` (each span here is a trace of its own). */
async function spanNames(service: string): Promise<string[]> {
  const res = await fetch(`${uiUrl}/api/traces?service=${service}&limit=1000&lookback=1h`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) return [];
  const body = (await res.json()) as { data: { spans: { operationName: string }[] }[] | null };
  return (body.data ?? []).flatMap((t) => t.spans.map((s) => s.operationName));
}

describe('span buffer against a real Jaeger that comes up late', function () {
  // The OTLP exporter gives up on a refused connection after its 10 s timeout; resends back off up to 10 s.
  this.timeout(10 * 60_000);
  const service = `span-buffer-${randomBytes(4).toString('hex')}`;
  const BOUND = 40;
  const MADE = 60;
  const warnings: object[] = [];
  const exporter = createSpanExporter(
    { OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpEndpoint, ISOWHISK_TRACE_BUFFER_SPANS: String(BOUND) },
    { warn: (fields) => void warnings.push(fields) },
  );
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 50 })],
  });

  before(async () => {
    await ensureJaegerBinary(); // built by `npm test`'s provision; here so that the wait below is Jaeger's start only
    await stopJaeger(layout);
    await assert.rejects(fetch(otlpHttpEndpoint), 'nothing listens on the OTLP port yet');
  });

  after(async () => {
    await provider.shutdown();
    await stopJaeger(layout);
  });

  it('keeps the spans made while Jaeger is down up to the bound, and counts the rest as dropped', async () => {
    const tracer = provider.getTracer('span-buffer-test');
    for (let i = 0; i < MADE; i++) tracer.startSpan(`early-${String(i).padStart(2, '0')}`).end();
    const stats = await waitFor(
      'the failed export to be kept',
      async () => {
        const s = exporter.stats();
        return s.buffered + s.dropped === MADE ? s : undefined;
      },
      120_000,
      100,
    );
    assert.deepEqual(stats, { buffered: BOUND, dropped: MADE - BOUND });
    assert.equal(warnings.length, 1, 'one warning for the drop');
  });

  it('delivers the kept spans, in full, once Jaeger answers on that port', async () => {
    await startJaeger(layout);
    const names = await waitFor(
      `${BOUND} spans of ${service} in Jaeger`,
      async () => {
        const found = await spanNames(service);
        return found.length >= BOUND ? found : undefined;
      },
      180_000,
      500,
    );
    const expected = Array.from({ length: BOUND }, (_, i) => `early-${String(i).padStart(2, '0')}`);
    assert.deepEqual([...names].sort(), expected, 'the first spans, each once; the dropped ones never arrive');
    assert.deepEqual(exporter.stats(), { buffered: 0, dropped: MADE - BOUND });
  });

  it('sends spans made after Jaeger is up straight away', async () => {
    provider.getTracer('span-buffer-test').startSpan('late').end();
    await provider.forceFlush();
    await waitFor('the late span in Jaeger', async () => ((await spanNames(service)).includes('late') ? true : undefined), 60_000, 200);
    assert.equal(exporter.stats().buffered, 0);
  });
});
