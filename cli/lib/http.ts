// The HTTP client for OpenWhisk's REST API, over undici. It turns transport failures into one-line
// NetworkErrors (never a stack trace), error answers into ApiErrors with wsk's texts and exit codes, and with
// --verbose prints every request and response as wsk does (on stderr here, so stdout stays parseable).
import type { Dispatcher } from 'undici';
import { ApiError, EXIT_USAGE, NetworkError, WskError } from './errors.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  /** Send the Basic credentials (default true). */
  auth?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON. */
  json: unknown;
}

export interface ClientOptions {
  /** `<scheme>://<host>/api` */
  baseUrl: URL;
  apiVersion: string;
  /** `uuid:key`; empty when not configured. */
  auth: string;
  insecure: boolean;
  /** Client certificate and key (PEM file contents), for hosts that want mutual TLS. */
  cert?: string;
  key?: string;
  userAgent: string;
  verbose: boolean;
  /** Full bodies and unredacted credentials in the verbose log. */
  debug: boolean;
  /** Where the verbose log goes. */
  log: (text: string) => void;
}

const VERBOSE_BODY_LIMIT = 1000; // wsk truncates logged bodies to this many bytes unless --debug

/** Encodes each segment of an entity path (`pkg/action`), keeping the separators. */
export const encodePath = (name: string): string => name.split('/').map(encodeURIComponent).join('/');

function firstCode(err: unknown): { code: string | undefined; message: string } {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown[] } | null;
  const nested = e?.errors?.[0] ?? e?.cause;
  const code = typeof e?.code === 'string' ? e.code : (nested as { code?: unknown } | undefined)?.code;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String((nested as Error | undefined)?.message ?? err);
  return { code: typeof code === 'string' ? code : undefined, message };
}

/** A short human reason for a transport failure. */
export function networkReason(err: unknown): string {
  const { code, message } = firstCode(err);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return 'host not found';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'no response in time';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'connection closed by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'TLS handshake failed; does the host speak plain http? then write http:// in the API host';
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
    return `TLS error: ${message}; --insecure (-i) skips certificate checking`;
  }
  return message;
}

/** wsk's texts for an error answer (`parseErrorResponse`): `<error> (code <request id>)` when the body has both. */
export function apiErrorOf(result: HttpResult): ApiError {
  const { status, text, json } = result;
  if (text === '') return new ApiError('Command failed due to an HTTP failure', status, undefined, undefined);
  const body = json as { error?: unknown; code?: unknown } | undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (body && typeof body === 'object' && body.error !== undefined && body.error !== null) {
    if (body.code !== undefined && body.code !== null) {
      return new ApiError(`${str(body.error)} (code ${str(body.code)})`, status, str(body.code), json);
    }
    return new ApiError(str(body.error), status, undefined, json);
  }
  return new ApiError(`The connection failed, or timed out. (HTTP status code ${status})`, status, undefined, json);
}

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;
/** undici is loaded on the first request: commands that need no API (help, property) start faster without it. */
const loadUndici = (): Promise<Undici> => (undici ??= import('undici'));

export class WhiskClient {
  readonly options: ClientOptions;
  #dispatcher: Dispatcher | undefined;

  constructor(options: ClientOptions) {
    this.options = options;
  }

  async #getDispatcher(): Promise<{ dispatcher: Dispatcher; request: Undici['request'] }> {
    const { Agent, EnvHttpProxyAgent, request } = await loadUndici();
    if (this.#dispatcher) return { dispatcher: this.#dispatcher, request };
    const options = this.options;
    const tls = {
      rejectUnauthorized: !options.insecure,
      ...(options.cert ? { cert: options.cert } : {}),
      ...(options.key ? { key: options.key } : {}),
    };
    const env = process.env;
    const proxied = [env.HTTPS_PROXY, env.https_proxy, env.HTTP_PROXY, env.http_proxy].some((v) => v);
    // Blocking invokes wait up to a minute on the server; allow well beyond that before calling it a failure.
    const timeouts = { headersTimeout: 300_000, bodyTimeout: 300_000 };
    this.#dispatcher = proxied
      ? new EnvHttpProxyAgent({ ...timeouts, connect: tls, requestTls: tls })
      : new Agent({ ...timeouts, connect: tls });
    return { dispatcher: this.#dispatcher, request };
  }

  /** `<base>/<version>/<path>?<query>` */
  url(path: string, query: Query = {}): URL {
    const base = this.options.baseUrl.href.replace(/\/+$/, '');
    const url = new URL(`${base}/${encodeURIComponent(this.options.apiVersion)}${path === '' ? '' : `/${path}`}`);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  /** One request; transport failures throw, every HTTP status is returned. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = { 'user-agent': this.options.userAgent, accept: 'application/json' };
    if (options.auth !== false) {
      if (this.options.auth === '') {
        throw new WskError('Authorization key is not configured (--auth is required)', { exitCode: EXIT_USAGE, usage: true });
      }
      headers.authorization = `Basic ${Buffer.from(this.options.auth).toString('base64')}`;
    }
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    if (this.options.verbose) this.#logRequest(method, url, headers, payload);

    let status: number;
    let responseHeaders: Record<string, string>;
    let text: string;
    const { dispatcher, request } = await this.#getDispatcher();
    try {
      const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body: payload, dispatcher });
      status = res.statusCode;
      responseHeaders = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]),
      );
      text = await res.body.text();
    } catch (err) {
      throw new NetworkError(`Unable to connect to ${url.origin} (${networkReason(err)})`, err);
    }
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined; // e.g. the plain "OK" of a rule state change
      }
    }
    if (this.options.verbose) this.#logResponse(status, responseHeaders, text);
    return { status, headers: responseHeaders, text, json };
  }

  /** A request whose non-2xx answer is an ApiError; returns the parsed body. */
  async call(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const result = await this.send(method, path, options);
    if (result.status < 200 || result.status > 299) throw apiErrorOf(result);
    return result.json;
  }

  async close(): Promise<void> {
    await this.#dispatcher?.close();
  }

  #body(text: string): string {
    if (this.options.debug || Buffer.byteLength(text) <= VERBOSE_BODY_LIMIT) return text;
    return `${Buffer.from(text).subarray(0, VERBOSE_BODY_LIMIT).toString()}...`;
  }

  #logRequest(method: string, url: URL, headers: Record<string, string>, body: string | undefined): void {
    const shown: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(headers).sort(([a], [b]) => a.localeCompare(b))) {
      // the key is a secret: only --debug shows it, where wsk's -v always does
      shown[k] = [k === 'authorization' && !this.options.debug ? 'Basic <redacted; --debug shows it>' : v];
    }
    const lines = ['REQUEST:', `[${method}]\t${url.href}`, 'Req Headers', JSON.stringify(shown, null, 2)];
    if (body !== undefined) lines.push('Req Body', this.#body(body));
    this.options.log(`${lines.join('\n')}\n`);
  }

  #logResponse(status: number, headers: Record<string, string>, text: string): void {
    const sorted = Object.fromEntries(Object.entries(headers).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, [v]]));
    const lines = [
      'RESPONSE:',
      `Got response with code ${status}`,
      'Resp Headers',
      JSON.stringify(sorted, null, 2),
      `Response body size is ${Buffer.byteLength(text)} bytes`,
      'Response body received:',
      this.#body(text),
    ];
    this.options.log(`${lines.join('\n')}\n`);
  }
}
