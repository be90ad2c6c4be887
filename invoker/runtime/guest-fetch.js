// Guest side of `fetch` (docs/fetch.md): the WHATWG fetch, Request, Response, Headers, AbortController and
// AbortSignal (with DOMException for their errors) inside the isolate, for actions that run on Node's globals.
// guest-bootstrap.js evaluates this file once, before any action code, and calls the function it evaluates to with
// the runtime's private means of calling the host. Node never imports it.
//
// The guest only describes a request ({ url, method, headers, body bytes, redirect }), which the bootstrap checks and
// copies (startFetch); the host (fetch-host.ts) judges and carries it out and answers with the status, headers and body bytes, or with an error to reject with.
// Everything the host enforces (egress policy, body bounds, fetches in flight) it enforces itself; the checks here
// only fail early and keep bytes that would be refused from being copied out. Bodies are read whole: there are no
// streams (`response.body` is not offered), and no Blob or FormData bodies.
'use strict';
(function makeFetch(runtime) {
  const startFetch = runtime.startFetch; // (description) -> { id, promise }; throws a TypeError past the bounds
  const cancelHost = runtime.cancelHost; // (id)
  const setTimer = runtime.setTimeout;
  const maxConcurrent = runtime.maxConcurrent;
  const maxRequestBodyBytes = runtime.maxRequestBodyBytes;

  const apply = Reflect.apply;
  const uncurry = Function.prototype.bind.bind(Function.prototype.call);
  const arrayPush = uncurry(Array.prototype.push);
  const arrayShift = uncurry(Array.prototype.shift);
  const arraySplice = uncurry(Array.prototype.splice);
  const arraySort = uncurry(Array.prototype.sort);
  const stringCharCodeAt = uncurry(String.prototype.charCodeAt);
  const stringToLowerCase = uncurry(String.prototype.toLowerCase);
  const stringToUpperCase = uncurry(String.prototype.toUpperCase);
  const stringReplace = uncurry(String.prototype.replace);
  const regexpTest = uncurry(RegExp.prototype.test);
  const fromCharCode = String.fromCharCode;
  const promiseThen = uncurry(Promise.prototype.then);
  const PromiseCtor = Promise;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const StringCtor = String;
  const NumberCtor = Number;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const ErrorCtor = Error;
  const Uint8ArrayCtor = Uint8Array;
  const ArrayBufferCtor = ArrayBuffer;
  const ArrayBufferIsView = ArrayBuffer.isView;
  const typedArraySet = uncurry(Uint8Array.prototype.set);
  const ArrayIsArray = Array.isArray;
  const ObjectKeys = Object.keys;
  const SymbolIterator = Symbol.iterator;
  const ObjectDefineProperty = Object.defineProperty;

  // ------------------------------------------------------------------------------------------------------------
  // UTF-8 (the isolate has no TextEncoder/TextDecoder)

  function utf8Encode(text) {
    const out = new Uint8ArrayCtor(text.length * 3);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      let c = stringCharCodeAt(text, i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = stringCharCodeAt(text, i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        } else c = 0xfffd;
      } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out[n++] = c;
      else if (c < 0x800) {
        out[n++] = 0xc0 | (c >> 6);
        out[n++] = 0x80 | (c & 63);
      } else if (c < 0x10000) {
        out[n++] = 0xe0 | (c >> 12);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      } else {
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
      }
    }
    return new Uint8ArrayCtor(out.buffer.slice(0, n));
  }

  function utf8Decode(bytes) {
    let out = '';
    let chunk = [];
    const flush = () => {
      out += apply(fromCharCode, undefined, chunk);
      chunk = [];
    };
    let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // BOM
    while (i < bytes.length) {
      const b = bytes[i];
      let c = 0xfffd;
      let need = 0;
      let min = 0;
      if (b < 0x80) (c = b), (need = 0);
      else if (b >= 0xc2 && b <= 0xdf) (c = b & 31), (need = 1), (min = 0x80);
      else if (b >= 0xe0 && b <= 0xef) (c = b & 15), (need = 2), (min = 0x800);
      else if (b >= 0xf0 && b <= 0xf4) (c = b & 7), (need = 3), (min = 0x10000);
      else need = -1;
      i++;
      if (need > 0) {
        let k = 0;
        for (; k < need && i < bytes.length && (bytes[i] & 0xc0) === 0x80; k++, i++) c = (c << 6) | (bytes[i] & 63);
        if (k < need || c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) c = 0xfffd;
      } else if (need < 0) c = 0xfffd;
      if (c >= 0x10000) {
        c -= 0x10000;
        arrayPush(chunk, 0xd800 + (c >> 10), 0xdc00 + (c & 1023));
      } else arrayPush(chunk, c);
      if (chunk.length >= 8192) flush();
    }
    flush();
    return out;
  }

  // ------------------------------------------------------------------------------------------------------------
  // DOMException, AbortSignal, AbortController

  class DOMException extends ErrorCtor {
    constructor(message = '', name = 'Error') {
      super(StringCtor(message));
      ObjectDefineProperty(this, 'name', { value: StringCtor(name), writable: true, configurable: true, enumerable: false });
    }
  }

  const abortError = () => new DOMException('This operation was aborted', 'AbortError');
  const internal = Symbol('internal');

  class AbortSignal {
    constructor(token) {
      if (token !== internal) throw new TypeErrorCtor('Illegal constructor');
      this._aborted = false;
      this._reason = undefined;
      this._listeners = [];
      this.onabort = null;
    }
    get aborted() {
      return this._aborted;
    }
    get reason() {
      return this._reason;
    }
    throwIfAborted() {
      if (this._aborted) throw this._reason;
    }
    addEventListener(type, listener, options) {
      if (type !== 'abort' || listener === null || listener === undefined) return;
      const once = typeof options === 'object' && options !== null && options.once === true;
      for (let i = 0; i < this._listeners.length; i++) if (this._listeners[i].listener === listener) return;
      arrayPush(this._listeners, { listener, once });
    }
    removeEventListener(type, listener) {
      if (type !== 'abort') return;
      for (let i = 0; i < this._listeners.length; i++) {
        if (this._listeners[i].listener === listener) {
          arraySplice(this._listeners, i, 1);
          return;
        }
      }
    }
    dispatchEvent(event) {
      const listeners = this._listeners;
      this._listeners = [];
      for (let i = 0; i < listeners.length; i++) if (!listeners[i].once) arrayPush(this._listeners, listeners[i]);
      const handlers = typeof this.onabort === 'function' ? [this.onabort] : [];
      for (let i = 0; i < listeners.length; i++) arrayPush(handlers, listeners[i].listener);
      for (let i = 0; i < handlers.length; i++) {
        const h = handlers[i];
        try {
          if (typeof h === 'function') apply(h, this, [event]);
          else if (h !== null && typeof h === 'object' && typeof h.handleEvent === 'function') h.handleEvent(event);
        } catch (error) {
          runtime.reportError(error);
        }
      }
      return true;
    }
    static abort(reason) {
      const signal = new AbortSignal(internal);
      signalAbort(signal, reason === undefined ? abortError() : reason);
      return signal;
    }
    static timeout(ms) {
      const signal = new AbortSignal(internal);
      setTimer(() => signalAbort(signal, new DOMException('The operation was aborted due to timeout', 'TimeoutError')), NumberCtor(ms));
      return signal;
    }
    static any(signals) {
      const signal = new AbortSignal(internal);
      const list = [];
      for (const s of signals) arrayPush(list, s);
      for (let i = 0; i < list.length; i++) {
        if (list[i].aborted) {
          signalAbort(signal, list[i].reason);
          return signal;
        }
      }
      for (let i = 0; i < list.length; i++) list[i].addEventListener('abort', () => signalAbort(signal, list[i].reason), { once: true });
      return signal;
    }
  }

  function signalAbort(signal, reason) {
    if (signal._aborted) return;
    signal._aborted = true;
    signal._reason = reason;
    signal.dispatchEvent({ type: 'abort', target: signal, currentTarget: signal });
  }

  class AbortController {
    constructor() {
      this._signal = new AbortSignal(internal);
    }
    get signal() {
      return this._signal;
    }
    abort(reason) {
      signalAbort(this._signal, reason === undefined ? abortError() : reason);
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Headers

  const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
  const BAD_VALUE = /[\0\r\n]/;

  function headerName(name) {
    const text = StringCtor(name);
    if (!regexpTest(TOKEN, text)) throw new TypeErrorCtor('Headers: invalid header name "' + text + '"');
    return stringToLowerCase(text);
  }

  function headerValue(value) {
    const text = stringReplace(StringCtor(value), /^[\t\n\r ]+|[\t\n\r ]+$/g, '');
    if (regexpTest(BAD_VALUE, text)) throw new TypeErrorCtor('Headers: invalid header value');
    return text;
  }

  class Headers {
    constructor(init) {
      this._list = [];
      if (init === undefined || init === null) return;
      if (init instanceof Headers) {
        for (let i = 0; i < init._list.length; i++) arrayPush(this._list, [init._list[i][0], init._list[i][1]]);
      } else if (typeof init === 'object' && typeof init[SymbolIterator] === 'function') {
        for (const pair of init) {
          const items = [];
          for (const item of pair) arrayPush(items, item);
          if (items.length !== 2) throw new TypeErrorCtor('Headers: each header must be a [name, value] pair');
          this.append(items[0], items[1]);
        }
      } else if (typeof init === 'object') {
        const keys = ObjectKeys(init);
        for (let i = 0; i < keys.length; i++) this.append(keys[i], init[keys[i]]);
      } else {
        throw new TypeErrorCtor('Headers: init must be an object, an array of pairs or Headers');
      }
    }
    append(name, value) {
      arrayPush(this._list, [headerName(name), headerValue(value)]);
    }
    delete(name) {
      const key = headerName(name);
      for (let i = this._list.length - 1; i >= 0; i--) if (this._list[i][0] === key) arraySplice(this._list, i, 1);
    }
    get(name) {
      const key = headerName(name);
      let out = null;
      for (let i = 0; i < this._list.length; i++) if (this._list[i][0] === key) out = out === null ? this._list[i][1] : out + ', ' + this._list[i][1];
      return out;
    }
    getSetCookie() {
      const out = [];
      for (let i = 0; i < this._list.length; i++) if (this._list[i][0] === 'set-cookie') arrayPush(out, this._list[i][1]);
      return out;
    }
    has(name) {
      const key = headerName(name);
      for (let i = 0; i < this._list.length; i++) if (this._list[i][0] === key) return true;
      return false;
    }
    set(name, value) {
      const key = headerName(name);
      const text = headerValue(value);
      let at = -1;
      for (let i = this._list.length - 1; i >= 0; i--) {
        if (this._list[i][0] !== key) continue;
        if (at >= 0) arraySplice(this._list, at, 1);
        at = i;
      }
      if (at >= 0) this._list[at][1] = text;
      else arrayPush(this._list, [key, text]);
    }
    /** Sorted by name, values of one name joined, set-cookie kept apart (the fetch standard's "sort and combine"). */
    _sorted() {
      const names = [];
      for (let i = 0; i < this._list.length; i++) if (names.indexOf(this._list[i][0]) < 0) arrayPush(names, this._list[i][0]);
      arraySort(names);
      const out = [];
      for (let i = 0; i < names.length; i++) {
        if (names[i] === 'set-cookie') {
          const cookies = this.getSetCookie();
          for (let k = 0; k < cookies.length; k++) arrayPush(out, ['set-cookie', cookies[k]]);
        } else arrayPush(out, [names[i], this.get(names[i])]);
      }
      return out;
    }
    forEach(callback, thisArg) {
      const pairs = this._sorted();
      for (let i = 0; i < pairs.length; i++) apply(callback, thisArg, [pairs[i][1], pairs[i][0], this]);
    }
    *entries() {
      const pairs = this._sorted();
      for (let i = 0; i < pairs.length; i++) yield pairs[i];
    }
    *keys() {
      const pairs = this._sorted();
      for (let i = 0; i < pairs.length; i++) yield pairs[i][0];
    }
    *values() {
      const pairs = this._sorted();
      for (let i = 0; i < pairs.length; i++) yield pairs[i][1];
    }
    [SymbolIterator]() {
      return this.entries();
    }
  }

  // ------------------------------------------------------------------------------------------------------------
  // Bodies

  /** BodyInit → { bytes, type } (bytes null for no body); strings are UTF-8, binary bodies are copied. */
  function extractBody(body) {
    if (body === undefined || body === null) return { bytes: null, type: null };
    if (body instanceof ArrayBufferCtor) return { bytes: new Uint8ArrayCtor(body.slice(0)), type: null };
    if (ArrayBufferIsView(body)) {
      const copy = new Uint8ArrayCtor(body.byteLength);
      typedArraySet(copy, new Uint8ArrayCtor(body.buffer, body.byteOffset, body.byteLength));
      return { bytes: copy, type: null };
    }
    if (typeof body === 'object' && typeof body.getReader === 'function') throw new TypeErrorCtor('fetch: stream bodies are not supported');
    const isParams = typeof body === 'object' && body !== null && body.constructor !== undefined && body.constructor.name === 'URLSearchParams';
    return { bytes: utf8Encode(StringCtor(body)), type: isParams ? 'application/x-www-form-urlencoded;charset=UTF-8' : 'text/plain;charset=UTF-8' };
  }

  function consume(holder) {
    if (holder._bodyUsed) return PromiseCtor.reject(new TypeErrorCtor('Body is unusable: Body has already been read'));
    holder._bodyUsed = true;
    return PromiseCtor.resolve(holder._bytes === null ? new Uint8ArrayCtor(0) : holder._bytes);
  }

  const bodyMethods = {
    arrayBuffer() {
      return promiseThen(consume(this), (bytes) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
    bytes() {
      return promiseThen(consume(this), (bytes) => new Uint8ArrayCtor(bytes));
    },
    text() {
      return promiseThen(consume(this), (bytes) => utf8Decode(bytes));
    },
    json() {
      return promiseThen(consume(this), (bytes) => JSONParse(utf8Decode(bytes)));
    },
    blob() {
      return PromiseCtor.reject(new TypeErrorCtor('Blob bodies are not supported; use arrayBuffer() or text()'));
    },
    formData() {
      return PromiseCtor.reject(new TypeErrorCtor('FormData bodies are not supported; use text()'));
    },
  };

  function defineBody(Class) {
    for (const name of ObjectKeys(bodyMethods)) {
      ObjectDefineProperty(Class.prototype, name, { value: bodyMethods[name], writable: true, configurable: true, enumerable: false });
    }
    ObjectDefineProperty(Class.prototype, 'bodyUsed', { get() { return this._bodyUsed; }, configurable: true, enumerable: false });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Request and Response

  const STANDARD_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'];
  const REDIRECT_MODES = ['follow', 'manual', 'error'];

  class Request {
    constructor(input, init) {
      const options = init === undefined || init === null ? {} : init;
      const from = input instanceof Request ? input : null;
      this._url = from !== null ? from._url : StringCtor(input);
      let method = options.method !== undefined ? StringCtor(options.method) : from !== null ? from._method : 'GET';
      if (!regexpTest(TOKEN, method)) throw new TypeErrorCtor("'" + method + "' is not a valid HTTP method.");
      const upper = stringToUpperCase(method);
      if (STANDARD_METHODS.indexOf(upper) >= 0) method = upper;
      this._method = method;
      this._headers = new Headers(options.headers !== undefined ? options.headers : from !== null ? from._headers : undefined);
      const redirect = options.redirect !== undefined ? StringCtor(options.redirect) : from !== null ? from._redirect : 'follow';
      if (REDIRECT_MODES.indexOf(redirect) < 0) throw new TypeErrorCtor("Request: redirect must be 'follow', 'manual' or 'error'");
      this._redirect = redirect;
      const signal = options.signal !== undefined ? options.signal : from !== null ? from._signal : null;
      if (signal !== null && !(signal instanceof AbortSignal)) throw new TypeErrorCtor('Request: signal must be an AbortSignal');
      this._signal = signal === null ? new AbortController().signal : signal;
      if (options.body !== undefined && options.body !== null) {
        if (method === 'GET' || method === 'HEAD') throw new TypeErrorCtor('Request with GET/HEAD method cannot have body.');
        const { bytes, type } = extractBody(options.body);
        this._bytes = bytes;
        if (type !== null && !this._headers.has('content-type')) this._headers.set('content-type', type);
      } else if (from !== null) {
        if (from._bodyUsed) throw new TypeErrorCtor('Cannot construct a Request with a Request object that has already been used.');
        this._bytes = from._bytes;
      } else this._bytes = null;
      this._bodyUsed = false;
    }
    get url() {
      return this._url;
    }
    get method() {
      return this._method;
    }
    get headers() {
      return this._headers;
    }
    get redirect() {
      return this._redirect;
    }
    get signal() {
      return this._signal;
    }
    clone() {
      if (this._bodyUsed) throw new TypeErrorCtor('Request.clone: Body has already been consumed.');
      return new Request(this);
    }
  }
  defineBody(Request);

  const NULL_BODY_STATUSES = [101, 103, 204, 205, 304];
  const REDIRECT_STATUSES = [301, 302, 303, 307, 308];

  class Response {
    constructor(body, init) {
      const options = init === undefined || init === null ? {} : init;
      const status = options.status === undefined ? 200 : NumberCtor(options.status);
      if (!(status >= 200 && status <= 599 && status === (status | 0))) throw new RangeErrorCtor('init["status"] must be in the range of 200 to 599, inclusive.');
      this._status = status;
      this._statusText = options.statusText === undefined ? '' : StringCtor(options.statusText);
      this._headers = new Headers(options.headers);
      this._url = '';
      this._redirected = false;
      this._type = 'default';
      this._bodyUsed = false;
      this._bytes = null;
      if (body !== undefined && body !== null) {
        if (NULL_BODY_STATUSES.indexOf(status) >= 0) throw new TypeErrorCtor('Response constructor: Invalid response status code ' + status);
        const { bytes, type } = extractBody(body);
        this._bytes = bytes;
        if (type !== null && !this._headers.has('content-type')) this._headers.set('content-type', type);
      }
    }
    get status() {
      return this._status;
    }
    get statusText() {
      return this._statusText;
    }
    get ok() {
      return this._status >= 200 && this._status <= 299;
    }
    get headers() {
      return this._headers;
    }
    get url() {
      return this._url;
    }
    get redirected() {
      return this._redirected;
    }
    get type() {
      return this._type;
    }
    clone() {
      if (this._bodyUsed) throw new TypeErrorCtor('Response.clone: Body has already been consumed.');
      const copy = new Response(null, { status: 200 });
      copy._status = this._status;
      copy._statusText = this._statusText;
      copy._headers = new Headers(this._headers);
      copy._url = this._url;
      copy._redirected = this._redirected;
      copy._type = this._type;
      copy._bytes = this._bytes;
      return copy;
    }
    static json(data, init) {
      const text = JSONStringify(data);
      if (text === undefined) throw new TypeErrorCtor('Value is not JSON serializable');
      const response = new Response(text, init);
      response._headers.set('content-type', 'application/json');
      return response;
    }
    static error() {
      const response = new Response(null, { status: 200 });
      response._status = 0;
      response._type = 'error';
      return response;
    }
    static redirect(url, status = 302) {
      if (REDIRECT_STATUSES.indexOf(status) < 0) throw new RangeErrorCtor('Invalid status code ' + status);
      const response = new Response(null, { status });
      response._headers.set('location', StringCtor(url));
      return response;
    }
  }
  defineBody(Response);

  // ------------------------------------------------------------------------------------------------------------
  // fetch: at most `maxConcurrent` requests at the host at once; the rest wait here, in order.

  let active = 0;
  let waiting = [];

  function release() {
    active--;
    while (waiting.length > 0 && active < maxConcurrent) {
      const next = arrayShift(waiting);
      if (!next.cancelled) {
        active++;
        next.start();
      }
    }
  }

  function fetch(input, init) {
    return new PromiseCtor((resolve, reject) => {
      const request = new Request(input, init);
      const signal = request._signal;
      if (signal.aborted) return reject(signal.reason);
      const bytes = request._bytes;
      if (bytes !== null && bytes.byteLength > maxRequestBodyBytes) {
        return reject(new TypeErrorCtor('fetch request body of ' + bytes.byteLength + ' bytes exceeds the limit of ' + maxRequestBodyBytes + ' bytes'));
      }
      const pairs = [];
      for (let i = 0; i < request._headers._list.length; i++) arrayPush(pairs, [request._headers._list[i][0], request._headers._list[i][1]]);
      const description = { url: request._url, method: request._method, headers: pairs, body: bytes, redirect: request._redirect };
      let settled = false;
      let hostId;
      const entry = { cancelled: false, start: undefined };
      const onAbort = () => {
        if (settled) return;
        settled = true;
        if (hostId !== undefined) {
          cancelHost(hostId);
          release();
        } else entry.cancelled = true;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.start = () => {
        let call;
        try {
          call = startFetch(description);
        } catch (error) {
          settled = true;
          signal.removeEventListener('abort', onAbort);
          release();
          return reject(error);
        }
        hostId = call.id;
        promiseThen(
          call.promise,
          (reply) => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            release();
            if (reply === null || typeof reply !== 'object') return reject(new TypeErrorCtor('fetch failed'));
            if (!reply.ok) return reject(reply.name === 'AbortError' ? abortError() : new TypeErrorCtor(StringCtor(reply.message)));
            const response = new Response(null, { status: 200 });
            response._status = reply.status;
            response._statusText = reply.statusText;
            response._headers = new Headers(reply.headers);
            response._url = reply.url;
            response._redirected = reply.redirected;
            response._type = 'basic';
            response._bytes = NULL_BODY_STATUSES.indexOf(reply.status) >= 0 || request._method === 'HEAD' ? null : reply.body;
            resolve(response);
          },
          (error) => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            release();
            reject(new TypeErrorCtor('fetch failed: ' + (error !== null && typeof error === 'object' ? error.message : StringCtor(error))));
          },
        );
      };
      if (active < maxConcurrent) {
        active++;
        entry.start();
      } else arrayPush(waiting, entry);
    });
  }

  /** A new activation: requests of the last one are gone (the host ended them with it). */
  function reset() {
    active = 0;
    waiting = [];
  }

  return { globals: { fetch, Request, Response, Headers, AbortController, AbortSignal, DOMException }, reset };
})
