// The host side of the `fetch` actions call (docs/fetch.md): the guest (guest-fetch.js) sends a plain request
// description, this module carries it out with undici and answers with the response's status, headers and body
// bytes. It enforces what the guest cannot be trusted to: the egress policy (egress-policy.ts) on the first request
// and on every redirect, which it follows itself (at most 20), the request and response body bounds, the number of
// fetches one activation has in flight, and a process-wide bound on the bytes fetches hold. Each request is a
// CLIENT span that passes `traceparent` on; spans carry the method, server, port, scheme and status, never the
// path, query or bodies (docs/tenant-isolation.md).
import { Agent, request, type Dispatcher } from 'undici';
import { HostMemoryBudget, type Reservation } from '../host-memory.ts';
import { SpanKind, SpanStatusCode, traceHeaders, tracer } from '../../shared/tracing.ts';
import { context, trace } from '@opentelemetry/api';
import { EgressPolicy, EgressRefusedError, hostOf, portOf, type EgressPolicyOptions } from './egress-policy.ts';
import type { HostCall, HostFunction } from './action-sandbox.ts';

const MiB = 1024 * 1024;

export interface FetchLimits {
  /** Fetches one activation may have in flight; the guest queues the rest. */
  maxConcurrent: number;
  /** Bytes a request body may have. */
  maxRequestBodyBytes: number;
  /** Bytes a response body may have; a longer one fails the fetch with a TypeError. */
  maxResponseBodyBytes: number;
  /** Redirects one fetch follows (the fetch standard's 20). */
  maxRedirects: number;
  /** Characters a URL may have. */
  maxUrlChars: number;
  /** Characters a request's header names and values may have in all. */
  maxHeaderChars: number;
}

export const DEFAULT_FETCH_LIMITS: Readonly<FetchLimits> = Object.freeze({
  maxConcurrent: 8,
  maxRequestBodyBytes: 1 * MiB,
  maxResponseBodyBytes: 4 * MiB,
  maxRedirects: 20,
  maxUrlChars: 64 * 1024,
  maxHeaderChars: 64 * 1024,
});

/** Host heap all fetches of the process may hold at once (request bodies and response bodies at their bound). */
export const DEFAULT_FETCH_HOST_BYTES = 256 * MiB;

/** What the sandbox needs to offer `fetch` to actions. */
export interface FetchService {
  readonly limits: Readonly<FetchLimits>;
  readonly call: HostFunction;
  /** Closes the connection pools. */
  close(): Promise<void>;
}

export interface FetchServiceOptions {
  policy?: EgressPolicyOptions;
  limits?: Partial<FetchLimits>;
  /** Default `DEFAULT_FETCH_HOST_BYTES`. */
  hostBytes?: number;
}

/** The request as the guest describes it. */
interface GuestRequest {
  url: string;
  method: string;
  headers: Array<[string, string]>;
  body: Uint8Array | null;
  redirect: 'follow' | 'manual' | 'error';
}

/** The answer the guest turns into a Response, or into the error it rejects with. */
export type FetchReply =
  | { ok: true; status: number; statusText: string; headers: Array<[string, string]>; url: string; redirected: boolean; body: Uint8Array }
  | { ok: false; name: 'TypeError' | 'AbortError'; message: string };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers the connection itself decides; a guest's values for them are dropped. */
const CONNECTION_HEADERS = new Set(['connection', 'content-length', 'expect', 'host', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Dropped when a redirect changes the request to GET (fetch standard, "HTTP-redirect fetch"). */
const BODY_HEADERS = new Set(['content-encoding', 'content-language', 'content-location', 'content-type']);
/** Dropped when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A guest-caused failure: the guest rejects with a TypeError carrying this message. */
class FetchFailure extends Error {}

function parseRequest(value: unknown, limits: FetchLimits): GuestRequest {
  const r = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof r.url !== 'string') throw new FetchFailure('fetch needs a URL');
  if (r.url.length > limits.maxUrlChars) throw new FetchFailure(`fetch URL exceeds ${limits.maxUrlChars} characters`);
  const method = typeof r.method === 'string' ? r.method : 'GET';
  if (!METHOD.test(method)) throw new FetchFailure(`'${method}' is not a valid HTTP method`);
  const upper = method.toUpperCase();
  if (upper === 'CONNECT' || upper === 'TRACE' || upper === 'TRACK') throw new FetchFailure(`'${method}' HTTP method is unsupported`);
  const headers: Array<[string, string]> = [];
  let headerChars = 0;
  if (Array.isArray(r.headers)) {
    for (const pair of r.headers) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') throw new FetchFailure('fetch: malformed request');
      headerChars += pair[0].length + pair[1].length;
      if (headerChars > limits.maxHeaderChars) throw new FetchFailure(`fetch request headers exceed ${limits.maxHeaderChars} characters`);
      headers.push([pair[0].toLowerCase(), pair[1]]);
    }
  }
  let body: Uint8Array | null = null;
  if (r.body instanceof Uint8Array) body = r.body;
  else if (r.body instanceof ArrayBuffer) body = new Uint8Array(r.body);
  if (body !== null && body.byteLength > limits.maxRequestBodyBytes) {
    throw new FetchFailure(`fetch request body of ${body.byteLength} bytes exceeds the limit of ${limits.maxRequestBodyBytes} bytes`);
  }
  if (body !== null && (upper === 'GET' || upper === 'HEAD')) throw new FetchFailure('Request with GET/HEAD method cannot have body.');
  const redirect = r.redirect === 'manual' || r.redirect === 'error' ? r.redirect : 'follow';
  return { url: r.url, method: ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'].includes(upper) ? upper : method, headers, body, redirect };
}

function isRefusal(error: unknown): EgressRefusedError | undefined {
  for (let e: unknown = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof EgressRefusedError) return e;
    if (e instanceof AggregateError) {
      const inner = e.errors.find((x) => x instanceof EgressRefusedError) as EgressRefusedError | undefined;
      if (inner !== undefined) return inner;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

/** Reads a response body of at most `max` bytes; a longer one is abandoned (its connection closed). */
async function readBody(body: Dispatcher.ResponseData['body'], declared: string | string[] | undefined, max: number, host: string): Promise<Uint8Array> {
  const tooLong = () => new FetchFailure(`fetch response from ${host} exceeds the limit of ${max} bytes`);
  if (typeof declared === 'string' && Number(declared) > max) {
    body.on('error', () => {}); // destroying an unread body reports an abort nobody waits for
    body.destroy();
    throw tooLong();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  // Leaving the loop early (the throw) destroys the body and closes its connection.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.byteLength;
    if (total > max) throw tooLong();
    chunks.push(chunk);
  }
  const joined = Buffer.concat(chunks, total);
  // A Uint8Array of its own (not a view into Node's buffer pool), so exactly the body is copied into the isolate.
  return new Uint8Array(joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.byteLength));
}

export function createFetchService(options: FetchServiceOptions = {}): FetchService {
  const limits: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...options.limits };
  const policy = new EgressPolicy(options.policy);
  const budget = new HostMemoryBudget(options.hostBytes ?? DEFAULT_FETCH_HOST_BYTES);
  // Allow-listed hosts connect wherever their name resolves; every other host only to the public addresses the
  // guarded lookup hands over.
  const allowedAgent = new Agent();
  const guardedAgent = new Agent({ connect: { lookup: policy.guardedLookup } });
  const inFlight = new WeakMap<object, number>();

  /** One HTTP exchange (no redirects followed), as a CLIENT span; the response body is read into memory. */
  async function exchange(url: URL, req: GuestRequest, hop: number, signal: AbortSignal): Promise<FetchReply & { ok: true }> {
    const host = hostOf(url);
    const span = tracer().startSpan(req.method, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': req.method,
        'server.address': host,
        'server.port': portOf(url),
        'url.scheme': url.protocol.slice(0, -1),
        ...(hop > 0 ? { 'http.request.resend_count': hop } : {}),
      },
    });
    // The fetch span's trace context replaces one the action set; with tracing off, the action's own goes through.
    const propagated = Object.entries(traceHeaders(trace.setSpan(context.active(), span)));
    const replaced = new Set(propagated.length > 0 ? ['traceparent', 'tracestate'] : []);
    const headers = [...req.headers.filter(([name]) => !CONNECTION_HEADERS.has(name) && !replaced.has(name)), ...propagated];
    try {
      const res = await request(url, {
        dispatcher: policy.allowListed(url) ? allowedAgent : guardedAgent,
        method: req.method as Dispatcher.HttpMethod,
        headers: headers.flat(),
        body: req.body === null ? null : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength),
        signal,
      });
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 400) {
        span.setAttribute('error.type', String(res.statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'http error' });
      }
      const bodyBytes = REDIRECTS.has(res.statusCode) && req.redirect === 'follow' && res.headers.location !== undefined
        ? (await res.body.dump(), new Uint8Array(0))
        : await readBody(res.body, res.headers['content-length'], limits.maxResponseBodyBytes, host);
      return {
        ok: true,
        status: res.statusCode,
        statusText: res.statusText ?? '',
        headers: responseHeaders(res.headers),
        url: url.href,
        redirected: hop > 0,
        body: bodyBytes,
      };
    } catch (error) {
      span.setAttribute('error.type', error instanceof Error ? error.name : typeof error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'fetch failed' });
      throw error;
    } finally {
      span.end();
    }
  }

  /** The whole fetch: the first request and the redirects it is told to follow, each judged by the policy. */
  async function carryOut(req: GuestRequest, signal: AbortSignal): Promise<FetchReply> {
    if (!URL.canParse(req.url)) throw new FetchFailure(`Failed to parse URL from ${req.url.slice(0, 200)}`);
    let url = new URL(req.url);
    let current = req;
    for (let hop = 0; ; hop++) {
      const refused = policy.refusal(url);
      if (refused !== undefined) throw refused;
      const reply = await exchange(url, current, hop, signal);
      const location = reply.headers.find(([name]) => name === 'location')?.[1];
      if (!REDIRECTS.has(reply.status) || location === undefined || current.redirect === 'manual') return { ...reply, redirected: hop > 0 };
      if (current.redirect === 'error') throw new FetchFailure(`unexpected redirect from ${hostOf(url)}`);
      if (hop >= limits.maxRedirects) throw new FetchFailure('redirect count exceeded');
      if (!URL.canParse(location, url.href)) throw new FetchFailure(`invalid redirect location from ${hostOf(url)}`);
      const next = new URL(location, url);
      const toGet = (reply.status === 303 && current.method !== 'HEAD') || ((reply.status === 301 || reply.status === 302) && current.method === 'POST');
      let headers = current.headers;
      if (toGet) headers = headers.filter(([name]) => !BODY_HEADERS.has(name));
      if (next.origin !== url.origin) headers = headers.filter(([name]) => !CREDENTIAL_HEADERS.has(name));
      current = { ...current, method: toGet ? 'GET' : current.method, body: toGet ? null : current.body, headers };
      url = next;
    }
  }

  const call: HostFunction = async (args: unknown[], hostCall: HostCall): Promise<FetchReply> => {
    const activation = hostCall.activation;
    const running = inFlight.get(activation) ?? 0;
    if (running >= limits.maxConcurrent) {
      return { ok: false, name: 'TypeError', message: `too many fetches in flight (limit ${limits.maxConcurrent})` };
    }
    inFlight.set(activation, running + 1);
    let reservation: Reservation | undefined;
    try {
      const req = parseRequest(args[0], limits);
      // The bytes a fetch may hold at once: its request body, and its response body read, joined and copied.
      reservation = await budget.reserve((req.body?.byteLength ?? 0) + 3 * limits.maxResponseBodyBytes, { signal: hostCall.signal });
      return await carryOut(req, hostCall.signal);
    } catch (error) {
      if (hostCall.signal.aborted) return { ok: false, name: 'AbortError', message: 'This operation was aborted' };
      if (error instanceof FetchFailure || error instanceof TypeError) return { ok: false, name: 'TypeError', message: error.message };
      const refused = isRefusal(error);
      if (refused !== undefined) return { ok: false, name: 'TypeError', message: refused.message };
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, name: 'TypeError', message: `fetch failed: ${reason}` };
    } finally {
      reservation?.release();
      const left = (inFlight.get(activation) ?? 1) - 1;
      if (left > 0) inFlight.set(activation, left);
      else inFlight.delete(activation);
    }
  };

  return {
    limits,
    call,
    close: async () => {
      await Promise.allSettled([allowedAgent.close(), guardedAgent.close()]);
    },
  };
}
