// OpenTelemetry for the controller and the invoker: the NodeSDK with an OTLP/HTTP exporter behind a batch
// processor, configured by the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT / _TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_
// (TRACES_)PROTOCOL, OTEL_TRACES_SAMPLER and _ARG, OTEL_BSP_*, OTEL_SDK_DISABLED), plus small helpers for the spans the
// platform makes by hand.
//
// Spans are made by hand rather than by auto-instrumentation: the processes are ES modules run with type stripping,
// where require hooks see nothing, and the spans that matter (Kafka hops, isolate init/run) need our own attributes.
// Export is asynchronous and batched, so a slow or absent backend never delays an activation; spans the backend
// does not take are kept (ISOWHISK_TRACE_BUFFER_SPANS of them) and sent once it answers (shared/span-buffer.ts).
//
// Every span names the tenant it was made for in `isowhisk.namespace` (TENANT_ATTRIBUTE): code that works for a
// namespace runs inside `withTenant`, and a span processor copies the tenant of the context onto each span as it
// starts. The tenant lives in a process-local context key, never in propagated baggage, so a caller cannot claim
// one through its request headers. The trace route (controller/traces/) shows a tenant only its own spans.
import { context, createContextKey, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { getNumberFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createRequire } from 'node:module';
import { COMMON_SETTINGS, settingValue } from './config.ts';
import { BufferedSpanExporter, type SpanBufferStats } from './span-buffer.ts';

export { SpanKind, SpanStatusCode };
export type { Span };

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318';

export interface Tracing {
  /** Flushes buffered spans (bounded by the exporter's timeout) and stops the SDK; never rejects. */
  shutdown(): Promise<void>;
  /** Spans waiting for the trace backend, and spans dropped because too many waited. */
  spanBuffer(): SpanBufferStats;
}

/** Where startTracing reports spans it had to drop (a pino logger fits). */
export interface DropLog {
  warn(fields: object, message: string): void;
}

/** Drop warnings at most this often: while the backend is down, every batch past the bound drops spans. */
const DROP_WARN_INTERVAL_MS = 10_000;

/**
 * The exporter behind the batch processor: OTLP/HTTP to OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT, wrapped so that spans
 * the backend does not take wait for it (up to ISOWHISK_TRACE_BUFFER_SPANS). JSON unless the protocol variable says
 * `http/protobuf`: the OTLP exporter encodes protobuf in JavaScript, which took about three times the CPU of JSON
 * here; Jaeger decodes protobuf for less, but not by as much (docs/performance.md).
 */
export function createSpanExporter(env: NodeJS.ProcessEnv = process.env, log?: DropLog): BufferedSpanExporter {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT;
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${base.replace(/\/$/, '')}/v1/traces`;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json';
  const otlp = protocol === 'http/protobuf' ? new ProtobufTraceExporter({ url }) : new JsonTraceExporter({ url });
  let lastWarned = 0;
  let unreported = 0;
  const exporter: BufferedSpanExporter = new BufferedSpanExporter(otlp, {
    capacity: settingValue(COMMON_SETTINGS.traceBufferSpans, env),
    onDropped: (count) => {
      unreported += count;
      if (!log || Date.now() - lastWarned < DROP_WARN_INTERVAL_MS) return;
      lastWarned = Date.now();
      const { buffered, dropped } = exporter.stats();
      log.warn({ droppedNow: unreported, dropped, buffered }, 'trace backend unreachable and the span buffer is full: spans dropped');
      unreported = 0;
    },
  });
  return exporter;
}

/**
 * Starts tracing for one process. `service` is `isowhisk-controller` or `isowhisk-invoker`; `instance` names the
 * process (`controller0`). With OTEL_SDK_DISABLED=true nothing is started and every span is a no-op. `log` hears of
 * spans dropped while the backend is unreachable.
 */
export function startTracing(service: string, instance: string, env: NodeJS.ProcessEnv = process.env, log?: DropLog): Tracing {
  if (env.OTEL_SDK_DISABLED === 'true') return { shutdown: async () => {}, spanBuffer: () => ({ buffered: 0, dropped: 0 }) };
  const exporter = createSpanExporter(env, log);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': instance, 'service.version': version }),
    autoDetectResources: false,
    // Naming the processors replaces the SDK's default batch processor, so it is built here with the OTEL_BSP_* settings
    // (read from process.env, as the SDK reads its other variables).
    spanProcessors: [
      tenantStamp,
      new BatchSpanProcessor({
        exporter,
        maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
        scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
        exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
        maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      }),
    ],
    instrumentations: [],
    // Metrics and logs have their own paths (prom-client, pino); the SDK exports traces only.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // An unreachable backend makes the final flush fail; stopping must not.
  return { shutdown: () => sdk.shutdown().catch(() => {}), spanBuffer: () => exporter.stats() };
}

// The API's proxy tracer follows the provider registered later by `startTracing`, so one instance serves every
// span; asking the provider for it per span cost a map lookup and a string key on the hot path.
const TRACER = trace.getTracer('isowhisk', version);
export const tracer = () => TRACER;

/** The span attribute naming the namespace a span's work was done for. */
export const TENANT_ATTRIBUTE = 'isowhisk.namespace';

const TENANT_KEY = createContextKey('isowhisk.tenant');

/** `ctx` with `namespace` as the tenant of the spans started in it. */
export function tenantContext(ctx: Context, namespace: string): Context {
  return ctx.setValue(TENANT_KEY, namespace);
}

/** Runs `fn` with `namespace` as the tenant of every span started inside it (across awaits). */
export function withTenant<T>(namespace: string, fn: () => T): T {
  return context.with(tenantContext(context.active(), namespace), fn);
}

/** Copies the context's tenant onto each span as it starts; spans made for no tenant carry none. */
const tenantStamp: SpanProcessor = {
  onStart(span, parentContext) {
    const namespace = parentContext.getValue(TENANT_KEY);
    if (typeof namespace === 'string') span.setAttribute(TENANT_ATTRIBUTE, namespace);
  },
  onEnd() {},
  forceFlush: async () => {},
  shutdown: async () => {},
};

/**
 * What a failed span says in its status: a fixed category, never an error's text, which may quote an action's
 * parameters or a tenant's data. Activations use OpenWhisk's status texts (`STATUS_TEXT`); spans around the
 * platform's own work use this one, with the error's class name as `exception.type`.
 */
export const PLATFORM_ERROR_STATUS = 'whisk error';

/** Runs `fn` in a new active span, ending it afterwards; a thrown error marks the span (by category only) and is rethrown. */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setAttribute('exception.type', err instanceof Error ? err.name : typeof err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: PLATFORM_ERROR_STATUS });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** A Redis client span around one command (or one MULTI), per the database semantic conventions. */
export function redisSpan<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  return inSpan(operation, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': operation } }, fn);
}

/** W3C trace context headers (`traceparent`, `tracestate`) of `ctx`, for a Kafka message. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context carried by incoming headers (HTTP or Kafka); header values may be Buffers. */
export function extractContext(headers: Record<string, unknown>): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') carrier[name.toLowerCase()] = value;
    else if (Buffer.isBuffer(value)) carrier[name.toLowerCase()] = value.toString();
  }
  return propagation.extract(context.active(), carrier);
}

/** The trace id of the active span, or undefined when nothing is being traced. */
export function activeTraceId(ctx: Context = context.active()): string | undefined {
  const span = trace.getSpanContext(ctx);
  return span && trace.isSpanContextValid(span) ? span.traceId : undefined;
}
