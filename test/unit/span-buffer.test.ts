// The span buffer (shared/span-buffer.ts) against a stand-in backend that refuses until told to answer: kept spans
// arrive in order once it answers, spans past the bound are dropped and counted, and the batch processor is always
// told the batch was handled. The real Jaeger case is test/integration/span-buffer.test.ts.
import assert from 'node:assert/strict';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { waitFor } from '../../deploy/local/daemon.ts';
import { BufferedSpanExporter } from '../../shared/span-buffer.ts';

/** A backend that fails every export while `up` is false and records what it received once up. */
class Backend implements SpanExporter {
  up = false;
  received: string[] = [];
  attempts = 0;
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.attempts++;
    setImmediate(() => {
      if (!this.up) return done({ code: ExportResultCode.FAILED, error: new Error('connection refused') });
      this.received.push(...spans.map((s) => s.name));
      done({ code: ExportResultCode.SUCCESS });
    });
  }
  shutdown = async (): Promise<void> => {};
}

const spans = (prefix: string, n: number): ReadableSpan[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}` }) as ReadableSpan);
const send = (exporter: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> => new Promise((resolve) => exporter.export(batch, resolve));

describe('BufferedSpanExporter', () => {
  let exporter: BufferedSpanExporter | undefined;
  afterEach(async () => exporter?.shutdown());

  it('keeps batches the backend refused and delivers them, in order, once it answers', async () => {
    const backend = new Backend();
    exporter = new BufferedSpanExporter(backend, { capacity: 100, retryMs: 5, maxRetryMs: 20, batchSize: 4 });
    assert.equal((await send(exporter, spans('a', 3))).code, ExportResultCode.SUCCESS);
    assert.equal((await send(exporter, spans('b', 3))).code, ExportResultCode.SUCCESS);
    assert.deepEqual(exporter.stats(), { buffered: 6, dropped: 0 });
    backend.up = true;
    await waitFor('kept spans delivered', async () => (exporter!.stats().buffered === 0 ? true : undefined), 10_000, 5);
    assert.deepEqual(backend.received, ['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    // Direct again: the next batch goes straight to the backend.
    await send(exporter, spans('c', 1));
    assert.deepEqual(backend.received.at(-1), 'c0');
  });

  it('drops and counts the spans beyond its capacity, and reports each drop', async () => {
    const backend = new Backend();
    const drops: number[] = [];
    exporter = new BufferedSpanExporter(backend, { capacity: 5, retryMs: 60_000, onDropped: (n) => drops.push(n) });
    await send(exporter, spans('a', 4));
    await send(exporter, spans('b', 3));
    await send(exporter, spans('c', 2));
    assert.deepEqual(exporter.stats(), { buffered: 5, dropped: 4 });
    assert.deepEqual(drops, [2, 2]);
    backend.up = true;
    await exporter.forceFlush();
    assert.deepEqual(backend.received, ['a0', 'a1', 'a2', 'a3', 'b0']);
  });

  it('while spans wait, only the resend loop probes the backend', async () => {
    const backend = new Backend();
    exporter = new BufferedSpanExporter(backend, { capacity: 1000, retryMs: 60_000 });
    await send(exporter, spans('a', 1));
    const attempts = backend.attempts;
    for (let i = 0; i < 10; i++) await send(exporter, spans(`b${i}-`, 1));
    assert.equal(backend.attempts, attempts, 'queued batches were not sent to a backend known to be down');
    assert.equal(exporter.stats().buffered, 11);
  });

  it('shutdown tries once more to deliver what it kept', async () => {
    const backend = new Backend();
    const own = new BufferedSpanExporter(backend, { capacity: 10, retryMs: 60_000 });
    await send(own, spans('a', 2));
    backend.up = true;
    await own.shutdown();
    assert.deepEqual(backend.received, ['a0', 'a1']);
    assert.equal((await send(own, spans('late', 1))).code, ExportResultCode.FAILED);
  });
});
