// A span exporter that keeps what the trace backend did not take and sends it again once the backend answers.
//
// The OTel BatchSpanProcessor drops a batch whose export failed, and the OTLP exporter's own retries of a refused
// connection last only its timeout (10 s by default). So every span made while Jaeger is down — on a first
// `npm start` it is still being built (deploy/local/jaeger-build.ts), or it is restarting — would be lost. This
// wrapper sits between the batch processor and the OTLP exporter: a failed batch is kept (up to `capacity` spans;
// more are dropped and counted, as the batch processor drops spans past its maxQueueSize), later batches queue
// behind it in order, and one resend loop probes the backend with backoff until everything kept is delivered.
// Kept spans live in memory only: a process that stops while the backend is down loses them (shutdown tries once).
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export interface SpanBufferOptions {
  /** Spans kept at most while the backend does not answer; spans beyond are dropped (and counted). */
  capacity: number;
  /** Wait before the first resend after a failure; doubles after each failed resend up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Spans sent per resend request. */
  batchSize?: number;
  /** Longest `shutdown` waits for a last resend of kept spans. */
  shutdownWaitMs?: number;
  /** Called with the number of spans just dropped (the buffer was full). */
  onDropped?: (count: number) => void;
}

export interface SpanBufferStats {
  /** Spans kept, waiting for the backend. */
  buffered: number;
  /** Spans dropped since start because the buffer was full. */
  dropped: number;
}

const SUCCESS: ExportResult = { code: ExportResultCode.SUCCESS };

export class BufferedSpanExporter implements SpanExporter {
  readonly #delegate: SpanExporter;
  readonly #capacity: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #batchSize: number;
  readonly #shutdownWaitMs: number;
  readonly #onDropped: (count: number) => void;
  #kept: ReadableSpan[] = [];
  #dropped = 0;
  #wait: number;
  #timer: NodeJS.Timeout | undefined;
  #resending: Promise<boolean> | undefined;
  #stopped = false;

  constructor(delegate: SpanExporter, options: SpanBufferOptions) {
    this.#delegate = delegate;
    this.#capacity = options.capacity;
    this.#retryMs = options.retryMs ?? 1_000;
    this.#maxRetryMs = options.maxRetryMs ?? 10_000;
    this.#batchSize = options.batchSize ?? 512;
    this.#shutdownWaitMs = options.shutdownWaitMs ?? 2_000;
    this.#onDropped = options.onDropped ?? (() => {});
    this.#wait = this.#retryMs;
  }

  stats(): SpanBufferStats {
    return { buffered: this.#kept.length, dropped: this.#dropped };
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.#stopped) {
      done({ code: ExportResultCode.FAILED, error: new Error('span exporter is shut down') });
      return;
    }
    // While spans wait for the backend, new ones queue behind them, so the backend receives them in order and
    // only the resend loop probes a backend that is known to be down.
    if (this.#kept.length > 0 || this.#resending) {
      this.#keep(spans);
      done(SUCCESS);
      return;
    }
    this.#delegate.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) {
        this.#keep(spans);
        this.#schedule();
      }
      // Kept or dropped-and-counted: either way the batch processor has nothing more to do with it.
      done(SUCCESS);
    });
  }

  async forceFlush(): Promise<void> {
    if (this.#kept.length > 0 || this.#resending) await this.#resendNow();
    await this.#delegate.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    this.#stopped = true;
    if (this.#kept.length > 0 || this.#resending) {
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#shutdownWaitMs)));
      await Promise.race([this.#resendNow(), giveUp]);
      clearTimeout(timer);
    }
    clearTimeout(this.#timer);
    await this.#delegate.shutdown();
  }

  #keep(spans: ReadableSpan[]): void {
    const room = Math.max(0, this.#capacity - this.#kept.length);
    const kept = spans.length <= room ? spans : spans.slice(0, room);
    this.#kept.push(...kept);
    const dropped = spans.length - kept.length;
    if (dropped > 0) {
      this.#dropped += dropped;
      this.#onDropped(dropped);
    }
  }

  #schedule(): void {
    if (this.#timer || this.#resending || this.#stopped || this.#kept.length === 0) return;
    // unref: waiting spans must not keep a process alive that is otherwise done.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#resendNow();
    }, this.#wait).unref();
  }

  /** Resends now (or joins the resend under way); resolves whether everything kept was delivered. */
  #resendNow(): Promise<boolean> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#resending ??= this.#resend().finally(() => {
      this.#resending = undefined;
      this.#schedule();
    });
    return this.#resending;
  }

  async #resend(): Promise<boolean> {
    while (this.#kept.length > 0) {
      const batch = this.#kept.slice(0, this.#batchSize);
      const result = await new Promise<ExportResult>((resolve) => this.#delegate.export(batch, resolve));
      if (result.code !== ExportResultCode.SUCCESS) {
        this.#wait = Math.min(this.#wait * 2, this.#maxRetryMs);
        return false;
      }
      this.#kept.splice(0, batch.length);
      this.#wait = this.#retryMs;
    }
    return true;
  }
}
