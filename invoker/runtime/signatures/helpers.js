// Helpers the signature adapters share (one adapter per platform beside this file). guest-bootstrap.js evaluates this
// file, in the isolate of an action that declares a signature only, and hands what it returns to the adapter:
// completing a function by callback or promise, the activation's facts, bytes (the isolate has no Buffer,
// TextEncoder or atob), the web request and the HTTP result in OpenWhisk's web action form. docs/signatures.md.
(function signatureHelpers(rt, limits) {
  'use strict';
  const JSONStringify = JSON.stringify;
  const JSONParse = JSON.parse;
  const PromiseCtor = Promise;
  const Uint8ArrayCtor = Uint8Array;
  const fromCharCode = String.fromCharCode;
  const decodeComponent = decodeURIComponent;
  const ObjectKeys = Object.keys;
  const ArrayIsArray = Array.isArray;
  const DateNow = Date.now;

  // --- completion ------------------------------------------------------------------------------------------

  const isThenable = (value) => value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';

  /**
   * Calls `fn` with the arguments `build(finish)` makes, where `finish(err, value)` is the platform's callback, and
   * resolves with the first value it ends with: the callback, or its return (its promise's value) when
   * `settles(value, thenable)` says the return ends it. A rejected promise or a callback error rejects, as a native
   * action's rejection does (an application error). A synchronous throw is not caught: the run "threw", as natively.
   */
  function invoke(fn, build, settles) {
    let done = false;
    let resolve;
    let reject;
    const promise = new PromiseCtor((ok, fail) => {
      resolve = ok;
      reject = fail;
    });
    const succeed = (value) => {
      if (done) return;
      done = true;
      resolve(value);
    };
    const fail = (error) => {
      if (done) return;
      done = true;
      reject(error);
    };
    const finish = (error, value) => (error !== undefined && error !== null ? fail(error) : succeed(value));
    const returned = fn(...build(finish));
    if (isThenable(returned)) {
      returned.then(
        (value) => {
          if (settles(value, true)) succeed(value);
        },
        fail,
      );
    } else if (settles(returned, false)) succeed(returned);
    return promise;
  }

  /** Callback-style platforms: a declared callback (the `at`-th parameter) is awaited unless the function returns a value. */
  const unlessCallback = (fn, at) => (value, thenable) => fn.length <= at || (thenable && value !== undefined);

  // --- the activation --------------------------------------------------------------------------------------

  function activation() {
    const env = rt.env;
    const fqn = env.__OW_ACTION_NAME ?? '';
    const slash = fqn.lastIndexOf('/');
    return {
      id: env.__OW_ACTIVATION_ID ?? '',
      fqn,
      name: slash < 0 ? fqn : fqn.slice(slash + 1),
      namespace: env.__OW_NAMESPACE ?? '',
      version: env.__OW_ACTION_VERSION ?? '',
      deadline: Number(env.__OW_DEADLINE),
      memoryMB: limits.memoryMB,
      timeoutMs: limits.timeoutMs,
    };
  }

  const remainingMs = (deadline) => () => {
    const left = deadline - DateNow();
    return left > 0 ? left : 0;
  };

  /** console.log's formatting into the activation's logs; `level` methods as the platforms' loggers have them. */
  function logger(levels) {
    const log = (...args) => rt.log('stdout', args);
    for (const [name, stream] of levels) log[name] = (...args) => rt.log(stream, args);
    return log;
  }

  const logError = (...args) => rt.log('stderr', args);

  /** A function's value as an activation result: objects and arrays as they are, nothing as {}, anything else as `{body}`. */
  function asResult(value) {
    if (value === undefined) return {};
    if (isBytes(value)) return { body: utf8Decode(value) };
    if (value !== null && typeof value === 'object') return value;
    return { body: value };
  }

  // --- bytes ------------------------------------------------------------------------------------------------

  const isBytes = (value) => value instanceof Uint8ArrayCtor;

  function utf8Encode(text) {
    const out = new Uint8ArrayCtor(text.length * 3);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out[n++] = c;
      else if (c < 0x800) (out[n++] = 0xc0 | (c >> 6)), (out[n++] = 0x80 | (c & 63));
      else if (c < 0x10000) (out[n++] = 0xe0 | (c >> 12)), (out[n++] = 0x80 | ((c >> 6) & 63)), (out[n++] = 0x80 | (c & 63));
      else (out[n++] = 0xf0 | (c >> 18)), (out[n++] = 0x80 | ((c >> 12) & 63)), (out[n++] = 0x80 | ((c >> 6) & 63)), (out[n++] = 0x80 | (c & 63));
    }
    return out.slice(0, n);
  }

  function utf8Decode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      const b = bytes[i++];
      let c = 0xfffd;
      let need = 0;
      if (b < 0x80) c = b;
      else if (b >= 0xc2 && b <= 0xdf) (c = b & 31), (need = 1);
      else if (b >= 0xe0 && b <= 0xef) (c = b & 15), (need = 2);
      else if (b >= 0xf0 && b <= 0xf4) (c = b & 7), (need = 3);
      for (let k = 0; k < need; k++) {
        if (i >= bytes.length || (bytes[i] & 0xc0) !== 0x80) {
          c = 0xfffd;
          break;
        }
        c = (c << 6) | (bytes[i++] & 63);
      }
      if (c >= 0x10000) out += fromCharCode(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 1023));
      else out += fromCharCode(c);
    }
    return out;
  }

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

  function base64Encode(bytes) {
    let out = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < bytes.length ? B64[n & 63] : '=');
    }
    return out;
  }

  function base64Decode(text) {
    const clean = text.replace(/[^A-Za-z0-9+/]/g, '');
    const out = new Uint8ArrayCtor((clean.length * 3) >> 2);
    let n = 0;
    for (let i = 0; i < clean.length; i += 4) {
      const v = (B64.indexOf(clean[i]) << 18) | (B64.indexOf(clean[i + 1]) << 12) | ((B64.indexOf(clean[i + 2] ?? 'A') & 63) << 6) | (B64.indexOf(clean[i + 3] ?? 'A') & 63);
      if (n < out.length) out[n++] = (v >> 16) & 255;
      if (n < out.length) out[n++] = (v >> 8) & 255;
      if (n < out.length) out[n++] = v & 255;
    }
    return out;
  }

  /** Node's Buffer, as far as platforms hand one to functions: the bytes, `toString(encoding)` and `toJSON()`. */
  class BufferView extends Uint8ArrayCtor {
    toString(encoding) {
      if (encoding === 'base64') return base64Encode(this);
      if (encoding === 'hex') return Array.prototype.map.call(this, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
      if (encoding === 'latin1' || encoding === 'binary') return Array.prototype.map.call(this, (b) => fromCharCode(b)).join('');
      return utf8Decode(this);
    }
    toJSON() {
      return { type: 'Buffer', data: Array.from(this) };
    }
  }
  const bufferOf = (bytes) => new BufferView(bytes);

  // --- HTTP -------------------------------------------------------------------------------------------------

  /** The media type of a Content-Type, lower-cased; none is binary, as HTTP says (controller/web/web-args.ts). */
  const mediaType = (contentType) => (typeof contentType === 'string' ? contentType.split(';')[0].trim().toLowerCase() : '') || 'application/octet-stream';
  const isJsonType = (type) => type === 'application/json' || type.endsWith('+json');
  /** controller/web/web-args.ts `isBinaryType`: the bodies the web origin passes and takes base64-encoded. */
  function isBinaryType(type) {
    if (/^(image|audio|video|font)\//.test(type)) return !type.endsWith('+xml');
    if (!type.startsWith('application/')) return false;
    return !(isJsonType(type) || type.endsWith('+xml') || /^application\/(xml|javascript|x-www-form-urlencoded|graphql|x-yaml|yaml|x-sh|ecmascript)$/.test(type));
  }

  const decodeQueryPart = (text) => {
    try {
      return decodeComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };

  /** A query string as name -> [values], in order. */
  function queryValues(query) {
    const out = {};
    if (query === '') return out;
    for (const pair of query.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const name = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decodeQueryPart(pair.slice(eq + 1));
      (out[name] ??= []).push(value);
    }
    return out;
  }

  /** name -> value, the last of repeated names (API Gateway's `queryStringParameters`, Azure's `req.query`). */
  function lastValues(values) {
    const out = {};
    for (const name of ObjectKeys(values)) out[name] = values[name][values[name].length - 1];
    return out;
  }

  /** name -> value, or an array of the values of a repeated name (Express's `req.query`). */
  function expressValues(values) {
    const out = {};
    for (const name of ObjectKeys(values)) out[name] = values[name].length === 1 ? values[name][0] : values[name];
    return out;
  }

  /**
   * The HTTP request a function of an HTTP-shaped signature gets. A web invocation carries it raw (the web origin
   * gives these signatures `__ow_query` and `__ow_body`, JSON and binary bodies base64-encoded); a direct invoke is a
   * POST whose JSON body is the parameters.
   */
  function httpRequest(params) {
    if (typeof params.__ow_method === 'string') {
      const headers = params.__ow_headers !== null && typeof params.__ow_headers === 'object' ? params.__ow_headers : {};
      const type = mediaType(headers['content-type']);
      const raw = typeof params.__ow_body === 'string' ? params.__ow_body : '';
      const bytes = raw === '' ? new Uint8ArrayCtor(0) : isJsonType(type) || isBinaryType(type) ? base64Decode(raw) : utf8Encode(raw);
      const path = typeof params.__ow_path === 'string' && params.__ow_path !== '' ? params.__ow_path : '/';
      const query = typeof params.__ow_query === 'string' ? params.__ow_query : '';
      return { web: true, method: params.__ow_method.toUpperCase(), headers, path, query, bytes, type, hasBody: bytes.length > 0 || headers['content-type'] !== undefined };
    }
    const headers = { 'content-type': 'application/json' };
    return { web: false, method: 'POST', headers, path: '/', query: '', bytes: utf8Encode(JSONStringify(params)), type: 'application/json', hasBody: true };
  }

  /** The body as a framework's body parser reads it: JSON and forms as objects, text as a string, else the bytes. */
  function parsedBody(request) {
    const type = request.type;
    if (request.bytes.length === 0) return undefined;
    const text = () => utf8Decode(request.bytes);
    if (isJsonType(type)) {
      try {
        return JSONParse(text());
      } catch {
        return text();
      }
    }
    if (type === 'application/x-www-form-urlencoded') return expressValues(queryValues(text()));
    if (type.startsWith('text/') || !isBinaryType(type)) return text();
    return bufferOf(request.bytes);
  }

  /** Header names lower-cased; values as strings (arrays kept). */
  function headerMap(headers) {
    const out = {};
    if (headers === null || typeof headers !== 'object') return out;
    for (const name of ObjectKeys(headers)) {
      const value = headers[name];
      if (value === undefined || value === null) continue;
      out[name.toLowerCase()] = ArrayIsArray(value) ? value.map((v) => '' + v) : '' + value;
    }
    return out;
  }

  /**
   * A response as the activation's result: `{statusCode, headers, body}`, which a web action serves as it is (JSON
   * and binary bodies base64-encoded, as the web origin decodes them), with `statusCode >= 500` an application error
   * (`{error: response}`). `body`: a string, bytes or undefined.
   */
  function httpResult(request, statusCode, headers, body) {
    const response = { statusCode, headers: headerMap(headers) };
    if (body !== undefined && body !== null && body.length > 0) {
      const type = mediaType(response.headers['content-type']);
      if (isBytes(body)) response.body = request.web && !isBinaryType(type) && !isJsonType(type) ? utf8Decode(body) : base64Encode(body);
      else response.body = request.web && (isBinaryType(type) || isJsonType(type)) ? base64Encode(utf8Encode(body)) : body;
    }
    return statusCode >= 500 ? { error: response } : response;
  }

  /** Concatenates written chunks (strings and bytes). */
  function joinChunks(chunks) {
    if (chunks.every((chunk) => typeof chunk === 'string')) return chunks.join('');
    const parts = chunks.map((chunk) => (typeof chunk === 'string' ? utf8Encode(chunk) : chunk));
    const out = new Uint8ArrayCtor(parts.reduce((sum, part) => sum + part.length, 0));
    let at = 0;
    for (const part of parts) out.set(part, (at += part.length) - part.length);
    return out;
  }

  return {
    invoke,
    unlessCallback,
    activation,
    remainingMs,
    logger,
    logError,
    asResult,
    isBytes,
    utf8Encode,
    utf8Decode,
    base64Encode,
    base64Decode,
    bufferOf,
    mediaType,
    isJsonType,
    isBinaryType,
    queryValues,
    lastValues,
    expressValues,
    httpRequest,
    parsedBody,
    headerMap,
    httpResult,
    joinChunks,
    serializeError: rt.serializeError,
  };
});
