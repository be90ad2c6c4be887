// OpenFaaS's node templates (node18, node20: `module.exports = async (event, context) =>
// context.status(200).succeed(result)`), mapped as the template's index.js answers: `succeed` with an object or array
// sends it as JSON text, `fail` (or a rejection) answers 500 with the error's text. A web invocation is the HTTP
// request; a direct invoke is a POST of the parameters. Evaluated by guest-bootstrap.js with the helpers (helpers.js).
// docs/signatures.md.
(function openfaas(h) {
  'use strict';

  /** The template's body parsers: text/* as text, JSON and forms parsed; with no Content-Type, text. */
  function eventOf(request) {
    const typed = request.headers['content-type'] === undefined ? { ...request, type: 'text/plain' } : request;
    const parsed = h.parsedBody(typed);
    const body = parsed === undefined || h.isBytes(parsed) ? {} : parsed;
    return { body, headers: request.headers, method: request.method, query: h.expressValues(h.queryValues(request.query)), path: request.path };
  }

  class FunctionContext {
    constructor(cb) {
      this.statusCode = 200;
      this.cb = cb;
      this.headerValues = {};
      this.cbCalled = 0;
    }
    status(statusCode) {
      if (!statusCode) return this.statusCode;
      this.statusCode = statusCode;
      return this;
    }
    headers(value) {
      if (!value) return this.headerValues;
      this.headerValues = value;
      return this;
    }
    succeed(value) {
      this.cbCalled++;
      this.cb(undefined, value);
    }
    fail(value) {
      if (this.status() == '200') this.status(500);
      this.cbCalled++;
      this.cb(value);
    }
  }

  /** Express's `res.send`: strings as text/html, objects as JSON, unless the function set a Content-Type. */
  function send(request, status, headers, value) {
    const out = h.headerMap(headers);
    let body = value;
    if (typeof value === 'string') out['content-type'] ??= 'text/html; charset=utf-8';
    else if (h.isBytes(value)) out['content-type'] ??= 'application/octet-stream';
    else if (value !== undefined && value !== null) {
      out['content-type'] ??= 'application/json; charset=utf-8';
      body = JSON.stringify(value);
    }
    return h.httpResult(request, Number(status), out, body === null ? undefined : body);
  }

  function wrap(fn) {
    return (params) => {
      const request = h.httpRequest(params);
      let context;
      const ended = h.invoke(
        fn,
        (finish) => {
          context = new FunctionContext(finish);
          return [eventOf(request), context, finish];
        },
        () => true,
      );
      return ended.then(
        (value) => send(request, context.status(), context.headers(), Array.isArray(value) || (value !== null && typeof value === 'object' && !h.isBytes(value)) ? JSON.stringify(value) : value),
        (error) => {
          h.logError(error);
          return send(request, context.status() == '200' ? 500 : context.status(), {}, error !== null && error !== undefined && error.toString ? error.toString() : String(error));
        },
      );
    };
  }

  return { names: [], wrap };
});
