// Request bodies: JSON only (`RestApiCommons.emptyEntityToJsObject`). An empty body reads as `{}`; malformed
// JSON → 400 "The request content was malformed:\n<detail>"; a body with a non-JSON Content-Type → 415.
// Invoke and fire bodies are capped by the namespace's payload limit (1 MB by default) before anything is read,
// → 413 "Request larger than allowed: N > M bytes." (`CTL/Entities.scala isWhithinRange`); other bodies by the
// HTTP layer's 50 MB entity limit.
import { MalformedRequestError, TooLargeError, UnsupportedMediaTypeError } from '../../shared/errors.ts';
import { effectiveLimits, type SystemLimits } from '../entities/models/limits.ts';
import { type AppContext, type AppMiddleware, identityOf } from './state.ts';

/** Pekko's `max-content-length` in OpenWhisk's controller. */
export const MAX_ENTITY_BYTES = 50 * 1024 * 1024;

/** The parsed body set by `jsonBody`. */
export const bodyOf = (ctx: AppContext): unknown => ctx.state.body;

/** The whole body as bytes; past `maxBytes` read, `tooLarge(bytes read)` is thrown. */
export async function readRaw(ctx: AppContext, maxBytes: number, tooLarge: (n: number) => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const take = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(size);
    chunks.push(chunk);
  };
  if (ctx.req.complete) {
    // The whole body has arrived (a small one comes with its headers) and waits in the stream's buffer: taken
    // synchronously, without the async iterator's promises per chunk.
    for (let chunk = ctx.req.read() as Buffer | null; chunk !== null; chunk = ctx.req.read() as Buffer | null) take(chunk);
  } else {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) take(chunk);
  }
  return Buffer.concat(chunks, size);
}

function isJsonContentType(ctx: AppContext): boolean {
  const type = ctx.get('Content-Type');
  if (!type) return true; // lenient: a JSON body sent without a Content-Type is still read as JSON
  const mime = (type.split(';')[0] ?? '').trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json');
}

/** Reads the whole body as JSON; `{}` when empty. */
export async function readJson(ctx: AppContext, maxBytes: number, tooLarge: (n: number) => Error): Promise<unknown> {
  const raw = await readRaw(ctx, maxBytes, tooLarge);
  if (raw.length === 0) return {};
  if (!isJsonContentType(ctx)) {
    throw new UnsupportedMediaTypeError("The request's Content-Type is not supported. Expected:\napplication/json");
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw MalformedRequestError.content((err as Error).message);
  }
}

function declaredLength(ctx: AppContext): number | undefined {
  const header = ctx.get('Content-Length');
  if (!header) return undefined;
  const n = Number(header);
  return Number.isFinite(n) ? n : undefined;
}

const entityTooLarge = (n: number) =>
  new TooLargeError(`Request Content-Length of ${n} bytes exceeds the configured limit of ${MAX_ENTITY_BYTES} bytes`);

/** Parses a JSON body (PUT of an entity) into the request; size checks per field are the entity's business. */
export function jsonBody(): AppMiddleware {
  return async (ctx, next) => {
    const length = declaredLength(ctx);
    if (length !== undefined && length > MAX_ENTITY_BYTES) throw entityTooLarge(length);
    ctx.state.body = await readJson(ctx, MAX_ENTITY_BYTES, entityTooLarge);
    await next();
  };
}

/**
 * Refuses an invoke (or fire) whose declared Content-Length exceeds the caller's payload limit, before anything
 * else looks at the request (as OpenWhisk does). Bodies without a Content-Length are capped while being read.
 */
export function invokePayloadLimit(system: SystemLimits): AppMiddleware {
  return async (ctx, next) => {
    const max = effectiveLimits(system, identityOf(ctx).limits).maxPayloadSize;
    const length = declaredLength(ctx);
    if (length !== undefined && length > max) throw TooLargeError.field('Request', length, max);
    await next();
  };
}

/** Reads the body of an invoke (or fire): a JSON object, `{}` when empty, within the caller's payload limit. */
export async function readInvokePayload(ctx: AppContext, system: SystemLimits): Promise<Record<string, unknown>> {
  const max = effectiveLimits(system, identityOf(ctx).limits).maxPayloadSize;
  const body = await readJson(ctx, max, (n) => TooLargeError.field('Request', n, max));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw MalformedRequestError.content('JSON object expected');
  }
  return body as Record<string, unknown>;
}
