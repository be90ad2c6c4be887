// The signature adapters (invoker/runtime/signatures/) inside a real isolate: each platform's documented examples
// (test/fixtures/signatures/, verbatim) run unmodified, directly and as web requests, and each platform's way of
// failing ends in the activation status docs/signatures.md names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ActionSandbox, type ActivateRequest } from '../../../invoker/runtime/action-sandbox.ts';
import type { ActivationOutcome } from '../../../invoker/runtime/classify.ts';
import { makeZip } from './helpers.ts';

const OW_ENV = {
  __OW_API_HOST: 'http://127.0.0.1:3233',
  __OW_NAMESPACE: 'guest',
  __OW_ACTION_NAME: '/guest/hello',
  __OW_ACTION_VERSION: '0.0.1',
  __OW_ACTIVATION_ID: 'c7bb1339cb4f40e3a6ccead6c99f804e',
  __OW_TRANSACTION_ID: 'tid123',
};

const fixture = (path: string): string => readFileSync(new URL(`../../fixtures/signatures/${path}`, import.meta.url), 'utf8');

const created: ActionSandbox[] = [];
afterEach(() => {
  for (const s of created.splice(0)) s.dispose();
});

async function activate(signature: string, code: string, params: Record<string, unknown> = {}, overrides: Partial<ActivateRequest> = {}): Promise<ActivationOutcome> {
  const sandbox = await ActionSandbox.create({ memoryMB: 64 });
  created.push(sandbox);
  return sandbox.activate({ action: { code, signature }, params: params as ActivateRequest['params'], owEnv: OW_ENV, timeoutMs: 5_000, logLimitBytes: 1 << 20, ...overrides });
}

/** The parameters the web origin gives an HTTP-shaped signature (raw: query and body unparsed). */
function web(method: string, options: { query?: string; path?: string; headers?: Record<string, string>; body?: string } = {}): Record<string, unknown> {
  return { __ow_method: method, __ow_headers: options.headers ?? {}, __ow_path: options.path ?? '', __ow_query: options.query ?? '', __ow_body: options.body ?? '' };
}

const texts = (o: ActivationOutcome): string => o.logs.map((line) => line.slice(31)).join('\n');
const result = (o: ActivationOutcome): Record<string, unknown> => o.result as Record<string, unknown>;
const fromBase64 = (text: unknown): string => Buffer.from(String(text), 'base64').toString('utf8');

describe('signatures: aws-lambda', () => {
  it('runs the Lambda guide example: the context names the activation, console.log goes to the logs', async () => {
    const o = await activate('aws-lambda', fixture('aws-lambda/index.js'), { key1: 'value1' });
    assert.equal(o.statusCode, 0, JSON.stringify(o.result));
    assert.deepEqual(o.result, { body: OW_ENV.__OW_ACTIVATION_ID });
    assert.match(texts(o), /stdout: EVENT: \nstdout: \{\nstdout: {3}"key1": "value1"\nstdout: \}/);
  });

  it('gives context.awsRequestId, functionName and getRemainingTimeInMillis()', async () => {
    const code = 'exports.handler = async (event, context) => ({ id: context.awsRequestId, name: context.functionName, left: context.getRemainingTimeInMillis() })';
    const o = await activate('aws-lambda', code, {}, { timeoutMs: 3_000 });
    const r = result(o);
    assert.deepEqual([r.id, r.name], [OW_ENV.__OW_ACTIVATION_ID, 'hello']);
    assert.ok(typeof r.left === 'number' && r.left > 0 && r.left <= 3_000, String(r.left));
  });

  it('waits for the callback of a non-async handler', async () => {
    const code = 'exports.handler = function (event, context, callback) { setTimeout(() => callback(null, { doubled: event.n * 2 }), 5) }';
    assert.deepEqual((await activate('aws-lambda', code, { n: 21 })).result, { doubled: 42 });
  });

  it('callback(err) and a rejection are application errors, a synchronous throw a developer error', async () => {
    const byCallback = await activate('aws-lambda', 'exports.handler = (e, c, cb) => cb(new Error("no such order"))');
    assert.equal(byCallback.statusCode, 1);
    assert.equal((result(byCallback).error as { message: string }).message, 'no such order');
    const rejected = await activate('aws-lambda', 'exports.handler = async () => { throw new TypeError("bad") }');
    assert.deepEqual([rejected.statusCode, (result(rejected).error as { name: string }).name], [1, 'TypeError']);
    const thrown = await activate('aws-lambda', 'exports.handler = () => { throw new Error("sync") }');
    assert.deepEqual([thrown.statusCode, thrown.result], [2, { error: 'An error has occurred: Error: sync' }]);
  });

  it('serves the Serverless template as a web action: proxy event in, proxy result out', async () => {
    const o = await activate('aws-lambda', fixture('aws-lambda/handler.js'), web('get', { path: '/orders/7', query: 'a=1&a=2&b=x%20y', headers: { 'user-agent': 't' } }));
    assert.equal(o.statusCode, 0);
    const r = result(o);
    assert.equal(r.statusCode, 200);
    assert.equal((r.headers as Record<string, string>)['content-type'], 'application/json');
    const body = JSON.parse(fromBase64(r.body)) as { message: string; input: Record<string, unknown> };
    assert.equal(body.message, 'Go Serverless v1.0! Your function executed successfully!');
    assert.equal(body.input.httpMethod, 'GET');
    assert.equal(body.input.path, '/orders/7');
    assert.deepEqual(body.input.queryStringParameters, { a: '2', b: 'x y' });
    assert.deepEqual(body.input.multiValueQueryStringParameters, { a: ['1', '2'], b: ['x y'] });
    assert.deepEqual(body.input.headers, { 'user-agent': 't' });
  });

  it('passes a JSON body as text and a binary one base64-encoded', async () => {
    const code = 'exports.handler = async (event) => ({ statusCode: 200, headers: { "content-type": "text/plain" }, body: event.isBase64Encoded + ":" + event.body })';
    const json = await activate('aws-lambda', code, web('post', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}').toString('base64') }));
    assert.equal(result(json).body, 'false:{"a":1}');
    const binary = await activate('aws-lambda', code, web('post', { headers: { 'content-type': 'image/png' }, body: 'AAEC' }));
    assert.equal(result(binary).body, 'true:AAEC');
  });

  it('a proxy result with statusCode >= 500 is an application error carrying the response', async () => {
    const code = 'exports.handler = async () => ({ statusCode: 503, body: "down" })';
    const o = await activate('aws-lambda', code, web('get'));
    assert.equal(o.statusCode, 1);
    assert.equal((result(o).error as { statusCode: number }).statusCode, 503);
    const direct = await activate('aws-lambda', code);
    assert.deepEqual([direct.statusCode, direct.result], [1, { error: { statusCode: 503, body: 'down' } }]);
  });

  it('a failing web invocation answers API Gateway\'s 502 and logs the error', async () => {
    const o = await activate('aws-lambda', 'exports.handler = async () => { throw new Error("db gone") }', web('get'));
    assert.equal(o.statusCode, 1);
    const error = result(o).error as { statusCode: number; body: string };
    assert.equal(error.statusCode, 502);
    assert.equal(fromBase64(error.body), '{"message": "Internal server error"}');
    assert.match(texts(o), /stderr: Error: db gone/);
  });

  it('finds `file.handler` in an archive, as Lambda\'s handler setting names it', async () => {
    const zip = await makeZip({ 'src/app.js': 'exports.run = async (e) => ({ got: e.x })', 'package.json': '{}' });
    const o = await activate('aws-lambda', zip.toString('base64'), { x: 1 }, { action: { code: zip.toString('base64'), binary: true, main: 'src/app.run', signature: 'aws-lambda' } });
    assert.deepEqual([o.statusCode, o.result], [0, { got: 1 }]);
  });
});

describe('signatures: gcp-http', () => {
  it('runs the Functions Framework sample (functions.http registration)', async () => {
    const o = await activate('gcp-http', fixture('gcp-http/helloworldGet.js'), web('get'));
    assert.equal(o.statusCode, 0, JSON.stringify(o.result));
    assert.deepEqual(o.result, { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: 'Hello World!' });
  });

  it('runs the console\'s exports.helloWorld with req.query, res.status().set().send()', async () => {
    const o = await activate('gcp-http', fixture('gcp-http/helloWorld.js'), web('get', { query: 'message=from%20query' }));
    const r = result(o);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(r.headers, { 'content-type': 'text/html' });
    assert.match(String(r.body), /Hello my <b>from query<\/b>/);
    const direct = await activate('gcp-http', fixture('gcp-http/helloWorld.js'), { message: 'from params' });
    assert.match(String(result(direct).body), /Hello my <b>from params<\/b>/);
  });

  it('gives req.method, headers, path and a parsed body; res.json sends JSON', async () => {
    const code = 'exports.echo = (req, res) => res.status(201).json({ method: req.method, path: req.path, agent: req.get("User-Agent"), body: req.body })';
    const o = await activate('gcp-http', code, web('put', { path: '/x', headers: { 'user-agent': 'ua', 'content-type': 'application/json' }, body: Buffer.from('{"n":1}').toString('base64') }));
    const r = result(o);
    assert.equal(r.statusCode, 201);
    assert.deepEqual(JSON.parse(fromBase64(r.body)), { method: 'PUT', path: '/x', agent: 'ua', body: { n: 1 } });
  });

  it('a 500 response is an application error; a function that never answers times out as a native action does', async () => {
    const failed = await activate('gcp-http', 'exports.f = (req, res) => res.status(500).send("broken")', web('get'));
    assert.deepEqual([failed.statusCode, (result(failed).error as { body: string }).body], [1, 'broken']);
    const silent = await activate('gcp-http', 'exports.f = (req, res) => {}', web('get'), { timeoutMs: 200 });
    assert.deepEqual([silent.statusCode, silent.timedOut], [2, true]);
  });
});

describe('signatures: azure', () => {
  it('runs the HTTP trigger template as a web request and directly; context.log goes to the logs', async () => {
    const o = await activate('azure', fixture('azure/index.js'), web('get', { query: 'name=Ada' }));
    assert.equal(o.statusCode, 0, JSON.stringify(o.result));
    assert.deepEqual(o.result, { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Hello, Ada. This HTTP triggerred function executed successfully.' });
    assert.match(texts(o), /stdout: JavaScript HTTP trigger function processed a request\./);
    const direct = await activate('azure', fixture('azure/index.js'), { name: 'Grace' });
    assert.match(String(result(direct).body), /^Hello, Grace\./);
  });

  it('supports context.done and context.bindings of the older style, and JSON bodies', async () => {
    const code = 'module.exports = function (context, req) { context.log.warn("careful"); context.done(null, { res: { status: 201, body: { n: req.body.n, same: context.bindings.req === req } } }); }';
    const o = await activate('azure', code, { n: 3 });
    assert.deepEqual(o.result, { statusCode: 201, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"n":3,"same":true}' });
    assert.match(texts(o), /stderr: careful/);
  });

  it('context.done(err) is an application error', async () => {
    const o = await activate('azure', 'module.exports = function (context) { context.done(new Error("nope")) }');
    assert.equal(o.statusCode, 1);
  });
});

describe('signatures: aliyun-fc', () => {
  it('runs the Function Compute example: the event is a Buffer of the JSON payload', async () => {
    const o = await activate('aliyun-fc', fixture('aliyun-fc/index.js'), { a: 1 });
    assert.deepEqual([o.statusCode, o.result], [0, { body: 'hello world' }]);
    assert.match(texts(o), /stdout: event: \nstdout: \{"a":1\}/);
    const parsed = await activate('aliyun-fc', fixture('aliyun-fc/myHandler.js'), { key1: 'one', key2: 'two' }, {
      action: { code: fixture('aliyun-fc/myHandler.js'), main: 'myHandler', signature: 'aliyun-fc' },
    });
    assert.deepEqual(parsed.result, { body: 'some success message' });
    assert.match(texts(parsed), /value1 = one\n.*value2 = two/);
  });

  it('gives context.requestId and context.function.name; callback("text") is an application error', async () => {
    const code = 'exports.handler = (event, context, callback) => callback(null, { id: context.requestId, name: context.function.name })';
    assert.deepEqual((await activate('aliyun-fc', code)).result, { id: OW_ENV.__OW_ACTIVATION_ID, name: 'hello' });
    const failed = await activate('aliyun-fc', 'exports.handler = (event, context, callback) => callback("some error type")');
    assert.deepEqual([failed.statusCode, failed.result], [1, { error: 'some error type' }]);
  });
});

describe('signatures: tencent-scf', () => {
  it('runs both documented forms (async return, callback)', async () => {
    const first = await activate('tencent-scf', fixture('tencent-scf/example1.js'), { hello: 'scf' });
    assert.deepEqual([first.statusCode, first.result], [0, { hello: 'scf' }]);
    assert.match(texts(first), /request_id: 'c7bb1339cb4f40e3a6ccead6c99f804e'/);
    const second = await activate('tencent-scf', fixture('tencent-scf/example2.js'));
    assert.deepEqual(second.result, { body: 'hello world' });
  });

  it('finds exports.main as well', async () => {
    assert.deepEqual((await activate('tencent-scf', 'exports.main = async (event) => ({ n: event.n })', { n: 1 })).result, { n: 1 });
  });
});

describe('signatures: openfaas', () => {
  it('runs the node20 template handler: succeed(object) sends JSON text', async () => {
    const o = await activate('openfaas', fixture('openfaas/handler.js'), web('post', { headers: { 'content-type': 'text/plain' }, body: 'hi' }));
    assert.equal(o.statusCode, 0, JSON.stringify(o.result));
    const r = result(o);
    assert.equal(r.statusCode, 200);
    assert.deepEqual(JSON.parse(String(r.body)), { body: '"hi"', 'content-type': 'text/plain' });
  });

  it('context.fail answers 500 (an application error); a status below 500 is a response', async () => {
    const failed = await activate('openfaas', 'module.exports = (event, context) => context.fail("Unable to process this event.")', web('get'));
    assert.equal(failed.statusCode, 1);
    assert.deepEqual((result(failed).error as { statusCode: number; body: string }).body, 'Unable to process this event.');
    const notFound = await activate('openfaas', 'module.exports = (event, context) => context.status(404).succeed({ message: "The record requested was not found." })', web('get'));
    assert.deepEqual([notFound.statusCode, result(notFound).statusCode], [0, 404]);
  });
});

describe('signatures: kubeless', () => {
  it('runs the hellowithdata example: parameters as event.data', async () => {
    const o = await activate('kubeless', fixture('kubeless/hellowithdata.js'), { kubeless: 'rocks' });
    assert.deepEqual([o.statusCode, o.result], [0, { kubeless: 'rocks' }]);
    assert.match(texts(o), /data: \{ kubeless: 'rocks' \}/);
  });
});

describe('signatures: declaring one', () => {
  it('an unknown name fails the init with the known ones listed', async () => {
    const o = await activate('azure-functions', 'module.exports = () => {}');
    assert.equal(o.statusCode, 2);
    assert.match(String(result(o).error), /The signature 'azure-functions' is not known; known signatures: openwhisk, aws-lambda, gcp-http/);
  });

  it('`openwhisk` is the native main(params)', async () => {
    assert.deepEqual((await activate('openwhisk', 'function main(p) { return { p } }', { a: 1 })).result, { p: { a: 1 } });
  });

  it('an entry point that is not there is reported as natively', async () => {
    const o = await activate('aws-lambda', 'exports.other = 1');
    assert.deepEqual([o.statusCode, o.result], [2, { error: "Initialization has failed due to: Action entrypoint 'handler' is not a function." }]);
  });
});
