// Azure Functions' JavaScript function (programming model v3: `module.exports = async function (context, req)`): the
// response is `context.res` (or the returned value), `context.done` ends the older, non-async style. A web
// invocation is an HTTP trigger; a direct invoke is one whose request is a POST of the parameters. Evaluated by
// guest-bootstrap.js with the helpers (helpers.js). docs/signatures.md.
(function azure(h) {
  'use strict';
  const levels = [['error', 'stderr'], ['warn', 'stderr'], ['info', 'stdout'], ['verbose', 'stdout']];

  function makeRequest(request) {
    const url = request.path + (request.query === '' ? '' : '?' + request.query);
    const body = h.parsedBody(request);
    return {
      method: request.method,
      url,
      originalUrl: url,
      headers: request.headers,
      query: h.lastValues(h.queryValues(request.query)),
      params: {},
      body: body !== undefined && h.isBytes(body) ? h.utf8Decode(body) : body,
      rawBody: request.bytes.length === 0 ? undefined : h.utf8Decode(request.bytes),
    };
  }

  /** `context.res` (`{status, headers, body}`) as the HTTP result; Azure serializes objects as JSON, strings as text. */
  function response(request, res) {
    if (res === undefined || res === null || typeof res !== 'object') return h.httpResult(request, 204, {}, undefined);
    const headers = h.headerMap(res.headers);
    let body = res.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !h.isBytes(body)) {
      headers['content-type'] ??= 'application/json; charset=utf-8';
      body = JSON.stringify(body);
    } else if (typeof body === 'string') headers['content-type'] ??= 'text/plain; charset=utf-8';
    else if (body !== undefined && body !== null) headers['content-type'] ??= 'application/octet-stream';
    const status = Number(res.status ?? res.statusCode ?? 200);
    return h.httpResult(request, status, headers, body === null ? undefined : body);
  }

  function wrap(fn) {
    return (params) => {
      const request = h.httpRequest(params);
      const a = h.activation();
      const req = makeRequest(request);
      const context = {
        invocationId: a.id,
        executionContext: { invocationId: a.id, functionName: a.name, functionDirectory: '/action' },
        bindings: { req },
        bindingData: { invocationId: a.id, query: req.query, headers: req.headers },
        log: h.logger(levels),
        req,
        res: undefined,
      };
      const ended = h.invoke(
        fn,
        (finish) => {
          context.done = (error, outputs) => {
            if (outputs !== null && typeof outputs === 'object') Object.assign(context.bindings, outputs);
            finish(error, undefined);
          };
          return [context, req];
        },
        (value, thenable) => thenable,
      );
      return ended.then(
        (returned) => {
          const res = context.res ?? context.bindings.res ?? (returned !== null && typeof returned === 'object' ? returned : undefined);
          if (!request.web && res === undefined) return h.asResult(returned);
          return response(request, res);
        },
        (error) => {
          if (!request.web) throw error;
          h.logError(error);
          return h.httpResult(request, 500, {}, undefined);
        },
      );
    };
  }

  return { names: [], wrap };
});
