// Google Cloud Functions' Node.js HTTP function (`exports.helloWorld = (req, res) => res.send(...)`, or registered
// with `require('@google-cloud/functions-framework').http(name, fn)`): an Express-like `req` and `res`; the
// activation ends when the response is sent. Evaluated by guest-bootstrap.js with the helpers (helpers.js).
// docs/signatures.md.
(function gcpHttp(h) {
  'use strict';
  const registry = new Map();
  const framework = {
    http: (name, fn) => {
      registry.set(name, fn);
    },
    cloudEvent: () => {
      throw new Error('gcp-http runs HTTP functions; CloudEvent functions are not supported');
    },
  };
  const STATUS_TEXT = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

  function makeRequest(request) {
    const url = request.path + (request.query === '' ? '' : '?' + request.query);
    const get = (name) => request.headers[String(name).toLowerCase()];
    const body = h.parsedBody(request);
    return {
      method: request.method,
      headers: request.headers,
      query: h.expressValues(h.queryValues(request.query)),
      path: request.path,
      url,
      originalUrl: url,
      body: body === undefined ? {} : body,
      rawBody: h.bufferOf(request.bytes),
      get,
      header: get,
    };
  }

  function makeResponse(finish) {
    const headers = {};
    const chunks = [];
    const hasType = () => headers['content-type'] !== undefined;
    const res = {
      statusCode: 200,
      headersSent: false,
      locals: {},
      status(code) {
        res.statusCode = code;
        return res;
      },
      set(field, value) {
        if (field !== null && typeof field === 'object') for (const name of Object.keys(field)) res.set(name, field[name]);
        else headers[String(field).toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
        return res;
      },
      get: (name) => headers[String(name).toLowerCase()],
      getHeader: (name) => headers[String(name).toLowerCase()],
      removeHeader(name) {
        delete headers[String(name).toLowerCase()];
        return res;
      },
      type(type) {
        const short = { html: 'text/html; charset=utf-8', json: 'application/json; charset=utf-8', text: 'text/plain; charset=utf-8' };
        return res.set('content-type', short[type] ?? type);
      },
      write(chunk) {
        chunks.push(chunk);
        return true;
      },
      end(data) {
        if (res.headersSent) return res;
        if (data !== undefined && data !== null) chunks.push(data);
        res.headersSent = true;
        finish(null, { statusCode: res.statusCode, headers, body: chunks.length === 0 ? undefined : h.joinChunks(chunks) });
        return res;
      },
      send(body) {
        if (typeof body === 'string') {
          if (!hasType()) res.type('html');
          return res.end(body);
        }
        if (h.isBytes(body)) {
          if (!hasType()) res.set('content-type', 'application/octet-stream');
          return res.end(body);
        }
        if (body === undefined || body === null) return res.end();
        return res.json(body);
      },
      json(value) {
        if (!hasType()) res.type('json');
        return res.end(JSON.stringify(value));
      },
      sendStatus(code) {
        res.status(code);
        if (!hasType()) res.type('text');
        return res.end(STATUS_TEXT[code] ?? String(code));
      },
      redirect(status, url) {
        if (url === undefined) return res.status(302).set('location', status).end();
        return res.status(status).set('location', url).end();
      },
    };
    res.header = res.set;
    res.setHeader = res.set;
    return res;
  }

  function wrap(fn) {
    return (params) => {
      const request = h.httpRequest(params);
      return h.invoke(fn, (finish) => [makeRequest(request), makeResponse(finish)], () => false).then(
        (response) => h.httpResult(request, response.statusCode, response.headers, response.body),
        (error) => {
          if (!request.web) throw error;
          h.logError(error);
          return h.httpResult(request, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error');
        },
      );
    };
  }

  return {
    names: [],
    modules: { '@google-cloud/functions-framework': framework },
    registered: (name) => (name === undefined ? (registry.size === 1 ? registry.values().next().value : undefined) : registry.get(name)),
    wrap,
  };
});
