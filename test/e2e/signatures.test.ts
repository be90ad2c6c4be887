// Functions written for other platforms, created with `wsk action create ... --signature NAME` from each platform's
// documented examples (test/fixtures/signatures/, verbatim) and run by a real invoker: invoked directly and, for the
// HTTP-shaped platforms, as web actions; failures recorded with the status docs/signatures.md names.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activationIdIn, cliNamespace, type CliNamespace } from '../support/cli.ts';

const FIXTURES = new URL('../fixtures/signatures/', import.meta.url);

/** The activation record a `wsk ... --blocking` output holds (after its first line). */
const recordIn = (text: string): unknown => JSON.parse(text.slice(text.indexOf('{')));

describe('signatures (real stack)', function () {
  this.timeout(180_000);
  let ns: CliNamespace;

  /** `wsk action create NAME <fixture> --signature SIGNATURE ...extra`. */
  async function create(name: string, fixture: string, signature: string, extra: string[] = []): Promise<void> {
    const file = join(ns.dir, `${name}.js`);
    copyFileSync(new URL(fixture, FIXTURES), file);
    const created = await ns.wsk(['action', 'create', name, file, '--signature', signature, ...extra]);
    assert.equal(created.code, 0, created.stderr);
  }

  async function invokeResult(name: string, params: string[] = []): Promise<unknown> {
    const invoked = await ns.wsk(['action', 'invoke', name, '--result', ...params]);
    assert.equal(invoked.code, 0, invoked.stderr + invoked.stdout);
    return JSON.parse(invoked.stdout);
  }

  async function webUrl(name: string): Promise<string> {
    const got = await ns.wsk(['action', 'get', name, '--url']);
    assert.equal(got.code, 0, got.stderr);
    return got.stdout.trim().split('\n').at(-1)!;
  }

  before(async function () {
    this.timeout(240_000);
    ns = await cliNamespace('sig');
  });

  after(() => ns?.cleanup());

  it('refuses an unknown signature with the known ones listed', async () => {
    copyFileSync(new URL('aws-lambda/index.js', FIXTURES), join(ns.dir, 'x.js'));
    const refused = await ns.wsk(['action', 'create', 'x', 'x.js', '--signature', 'lambda']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /The signature 'lambda' is not known; known signatures: openwhisk, aws-lambda, gcp-http, azure, aliyun-fc, tencent-scf, openfaas, kubeless\./);
  });

  it('aws-lambda: the guide example invoked directly, with its log and the activation id as context.awsRequestId', async () => {
    await create('lambda', 'aws-lambda/index.js', 'aws-lambda');
    const invoked = await ns.wsk(['action', 'invoke', 'lambda', '-p', 'key1', 'value1', '--blocking']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const id = activationIdIn(invoked.stdout);
    const record = recordIn(invoked.stdout) as { response: { status: string; result: unknown } };
    assert.deepEqual([record.response.status, record.response.result], ['success', { body: id }]);
    const logs = await ns.wsk(['activation', 'logs', id]);
    assert.match(logs.stdout, /EVENT: /);
    assert.match(logs.stdout, /"key1": "value1"/);
  });

  it('aws-lambda: the Serverless template as a web action answers the proxy result', async () => {
    await create('hello', 'aws-lambda/handler.js', 'aws-lambda', ['--web', 'true']);
    const res = await fetch(`${await webUrl('hello')}/orders?id=7`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await res.json()) as { message: string; input: { httpMethod: string; path: string; queryStringParameters: unknown } };
    assert.equal(body.message, 'Go Serverless v1.0! Your function executed successfully!');
    assert.deepEqual([body.input.httpMethod, body.input.path, body.input.queryStringParameters], ['GET', '/orders', { id: '7' }]);
  });

  it('gcp-http: the console function as a web action and directly', async () => {
    await create('gcf', 'gcp-http/helloWorld.js', 'gcp-http', ['--web', 'true']);
    const res = await fetch(`${await webUrl('gcf')}?message=web`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /Hello my <b>web<\/b>/);
    const direct = (await invokeResult('gcf', ['-p', 'message', 'direct'])) as { statusCode: number; body: string };
    assert.equal(direct.statusCode, 200);
    assert.match(direct.body, /Hello my <b>direct<\/b>/);
  });

  it('azure: the HTTP trigger template as a web action with a JSON body', async () => {
    await create('az', 'azure/index.js', 'azure', ['--web', 'true']);
    const res = await fetch(await webUrl('az'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ada' }) });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'Hello, Ada. This HTTP triggerred function executed successfully.');
  });

  it('openfaas: the node20 template handler as a web action', async () => {
    await create('faas', 'openfaas/handler.js', 'openfaas', ['--web', 'true']);
    const res = await fetch(await webUrl('faas'), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { body: '"hi"', 'content-type': 'text/plain' });
  });

  it('aliyun-fc, tencent-scf and kubeless: the documented examples invoked directly', async () => {
    await create('fc', 'aliyun-fc/myHandler.js', 'aliyun-fc', ['--main', 'myHandler']);
    assert.deepEqual(await invokeResult('fc', ['-p', 'key1', 'a', '-p', 'key2', 'b']), { body: 'some success message' });
    await create('scf', 'tencent-scf/example1.js', 'tencent-scf');
    assert.deepEqual(await invokeResult('scf', ['-p', 'hello', 'scf']), { hello: 'scf' });
    await create('kube', 'kubeless/hellowithdata.js', 'kubeless');
    assert.deepEqual(await invokeResult('kube', ['-p', 'kubeless', 'rocks']), { kubeless: 'rocks' });
  });

  it('failures: a 5xx response is an application error (served as that response), a function that never answers times out', async () => {
    const failing = join(ns.dir, 'failing.js');
    writeFileSync(failing, "exports.broken = (req, res) => res.status(503).send('try later');\n");
    assert.equal((await ns.wsk(['action', 'create', 'broken', failing, '--signature', 'gcp-http', '--web', 'true'])).code, 0);
    const res = await fetch(await webUrl('broken'));
    assert.equal(res.status, 503);
    assert.equal(await res.text(), 'try later');
    // A failed blocking invoke: wsk prints the record on stderr and exits with 246 (502), as OpenWhisk's wsk does.
    const invoked = await ns.wsk(['action', 'invoke', 'broken', '--blocking']);
    assert.equal(invoked.code, 246, invoked.stdout + invoked.stderr);
    const record = recordIn(invoked.stderr) as { response: { status: string; result: { error: { statusCode: number } } } };
    assert.deepEqual([record.response.status, record.response.result.error.statusCode], ['application error', 503]);

    writeFileSync(join(ns.dir, 'silent.js'), 'exports.handler = (event, context, callback) => {};\n');
    assert.equal((await ns.wsk(['action', 'create', 'silent', 'silent.js', '--signature', 'aws-lambda', '--timeout', '500'])).code, 0);
    const timedOut = await ns.wsk(['action', 'invoke', 'silent', '--blocking']);
    const timedOutRecord = recordIn(timedOut.stderr) as { response: { status: string; result: { error: string } } };
    assert.equal(timedOutRecord.response.status, 'action developer error');
    assert.equal(timedOutRecord.response.result.error, 'The action exceeded its time limits of 500 milliseconds.');
  });
});
