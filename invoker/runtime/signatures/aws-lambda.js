// AWS Lambda's Node.js handler (`exports.handler = async (event, context)`, or `(event, context, callback)`), and as a
// web action API Gateway's Lambda proxy integration: a REST API proxy event in, `{statusCode, headers, body,
// isBase64Encoded}` out. Evaluated by guest-bootstrap.js with the helpers (helpers.js). docs/signatures.md.
(function awsLambda(h) {
  'use strict';

  function context(finish) {
    const a = h.activation();
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName: a.name,
      functionVersion: a.version,
      invokedFunctionArn: a.fqn,
      memoryLimitInMB: String(a.memoryMB),
      awsRequestId: a.id,
      logGroupName: a.fqn,
      logStreamName: a.id,
      getRemainingTimeInMillis: h.remainingMs(a.deadline),
      done: (error, value) => finish(error, value),
      succeed: (value) => finish(null, value),
      fail: (error) => finish(error ?? new Error('context.fail')),
    };
  }

  /** API Gateway's REST API proxy event (payload format 1.0) for a web request. */
  function proxyEvent(request) {
    const values = h.queryValues(request.query);
    const hasQuery = Object.keys(values).length > 0;
    const multiValueHeaders = {};
    for (const name of Object.keys(request.headers)) multiValueHeaders[name] = [request.headers[name]];
    const binary = h.isBinaryType(request.type) && request.bytes.length > 0;
    const a = h.activation();
    return {
      resource: '/{proxy+}',
      path: request.path,
      httpMethod: request.method,
      headers: request.headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? h.lastValues(values) : null,
      multiValueQueryStringParameters: hasQuery ? values : null,
      pathParameters: request.path === '/' ? null : { proxy: request.path.slice(1) },
      stageVariables: null,
      requestContext: { requestId: a.id, resourcePath: '/{proxy+}', httpMethod: request.method, path: request.path, requestTimeEpoch: Date.now() },
      body: request.bytes.length === 0 ? null : binary ? h.base64Encode(request.bytes) : h.utf8Decode(request.bytes),
      isBase64Encoded: binary,
    };
  }

  /** A proxy result as the web response; any other value is a 200 JSON body (as API Gateway's HTTP APIs read it). */
  function proxyResponse(request, value) {
    if (value === null || typeof value !== 'object' || value.statusCode === undefined) {
      return h.httpResult(request, 200, { 'content-type': 'application/json' }, value === undefined ? '' : JSON.stringify(value));
    }
    const headers = { 'content-type': 'application/json', ...h.headerMap(value.headers) };
    const multi = h.headerMap(value.multiValueHeaders);
    for (const name of Object.keys(multi)) headers[name] = multi[name];
    const body = value.body === undefined || value.body === null ? undefined : typeof value.body === 'string' ? value.body : JSON.stringify(value.body);
    return h.httpResult(request, Number(value.statusCode), headers, value.isBase64Encoded === true && body !== undefined ? h.base64Decode(body) : body);
  }

  const isServerError = (value) => value !== null && typeof value === 'object' && Number(value.statusCode) >= 500;

  function wrap(fn) {
    return (params) => {
      const request = typeof params.__ow_method === 'string' ? h.httpRequest(params) : undefined;
      const event = request === undefined ? params : proxyEvent(request);
      const ended = h.invoke(fn, (finish) => [event, context(finish), finish], h.unlessCallback(fn, 2));
      if (request === undefined) return ended.then((value) => (isServerError(value) ? { error: value } : h.asResult(value)));
      return ended.then(
        (value) => proxyResponse(request, value),
        (error) => {
          h.logError(error);
          return h.httpResult(request, 502, { 'content-type': 'application/json' }, '{"message": "Internal server error"}');
        },
      );
    };
  }

  return { names: ['handler'], wrap };
});
