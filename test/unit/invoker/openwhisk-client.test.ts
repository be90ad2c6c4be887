// `require('openwhisk')` inside a real isolate, against a local HTTP server standing in for the platform's API (its
// host allowed as the API host is): the paths, query strings, headers and bodies the npm client sends, its results,
// its errors (statusCode, error, message), and when the module is offered at all.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionSandbox, type OwEnv } from '../../../invoker/runtime/action-sandbox.ts';
import type { ActivationOutcome, JsonObject } from '../../../invoker/runtime/classify.ts';
import { createFetchService, type FetchService } from '../../../invoker/runtime/fetch-host.ts';
import { makeZip } from './helpers.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  requestId: string | undefined;
  contentType: string | undefined;
  body: unknown;
}

const seen: Seen[] = [];
/** Answers by path: the fake API's replies. */
function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({
    method: req.method ?? '',
    url: req.url ?? '',
    authorization: req.headers.authorization,
    requestId: req.headers['x-request-id'] as string | undefined,
    contentType: req.headers['content-type'],
    body: body === '' ? undefined : JSON.parse(body),
  });
  const reply = (status: number, value: unknown) => {
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(value));
  };
  if (url.pathname.endsWith('/actions/missing')) return reply(404, { error: 'The requested resource does not exist.', code: 'abc' });
  if (url.pathname.endsWith('/actions/failing')) {
    return reply(502, { activationId: 'f1', response: { result: { error: 'it broke' }, success: false, status: 'application error' } });
  }
  if (req.method === 'POST' && url.pathname.includes('/actions/')) {
    return reply(200, { activationId: 'a1', response: { result: { echoed: JSON.parse(body || '{}') }, success: true, status: 'success' } });
  }
  if (req.method === 'POST' && url.pathname.includes('/triggers/')) return reply(202, { activationId: 't1' });
  return reply(200, { ok: true, path: url.pathname });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
});
let apiHost = '';
const services: FetchService[] = [];
const sandboxes: ActionSandbox[] = [];

async function run(action: { code: string; binary?: boolean }, owEnv: OwEnv, options: { fetch?: boolean } = {}, params: JsonObject = {}): Promise<ActivationOutcome> {
  let fetch: FetchService | undefined;
  if (options.fetch !== false) {
    // No allowed hosts: the fake API is reached only because it is the API host, as on the platform.
    fetch = createFetchService({ policy: { apiHost } });
    services.push(fetch);
  }
  const sandbox = await ActionSandbox.create({ memoryMB: 64, ...(fetch ? { fetch } : {}) });
  sandboxes.push(sandbox);
  return sandbox.activate({ action, params, owEnv, timeoutMs: 10_000, logLimitBytes: 1024 * 1024 });
}

const KEY = 'uuid-1:secret-key';
const env = (): OwEnv => ({ __OW_API_HOST: apiHost, __OW_API_KEY: KEY, __OW_NAMESPACE: 'guest', __OW_TRANSACTION_ID: 'tx-42' });

async function result(code: string, owEnv: OwEnv = env()): Promise<Record<string, unknown>> {
  const outcome = await run({ code }, owEnv);
  assert.equal(outcome.statusCode, 0, JSON.stringify(outcome.result));
  return outcome.result as Record<string, unknown>;
}

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  seen.length = 0;
  for (const s of sandboxes.splice(0)) s.dispose();
  await Promise.all(services.splice(0).map((s) => s.close()));
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("require('openwhisk') in actions", () => {
  it('invokes an action blocking with the result, with the action\'s key, namespace and transaction id', async () => {
    const r = await result(`const openwhisk = require('openwhisk');
      async function main() {
        const ow = openwhisk();
        const value = await ow.actions.invoke({ name: 'pkg/target', params: { n: 1 }, blocking: true, result: true });
        const record = await ow.actions.invoke('plain');
        return { value, id: record.activationId };
      }`);
    assert.deepEqual(r, { value: { echoed: { n: 1 } }, id: 'a1' });
    const auth = `Basic ${Buffer.from(KEY).toString('base64')}`;
    assert.deepEqual(seen, [
      { method: 'POST', url: '/api/v1/namespaces/guest/actions/pkg/target?blocking=true', authorization: auth, requestId: 'tx-42', contentType: 'application/json', body: { n: 1 } },
      { method: 'POST', url: '/api/v1/namespaces/guest/actions/plain', authorization: auth, requestId: 'tx-42', contentType: 'application/json', body: {} },
    ]);
  });

  it('reaches every resource with the npm client\'s paths and query strings', async () => {
    await result(`const ow = require('openwhisk')({ namespace: 'other' });
      async function main() {
        await ow.triggers.invoke({ name: 'tick', params: { at: 3 } });
        await ow.rules.enable('r1');
        await ow.rules.create({ name: 'r2', trigger: 'tick', action: '/ns2/act' });
        await ow.actions.create({ name: 'made', action: 'function main() { return {} }', params: { a: 1 }, annotations: { x: true } });
        await ow.actions.update({ name: 'made', limits: { timeout: 1000 } });
        await ow.actions.get({ name: '/ns3/p/a', code: false });
        await ow.actions.list({ limit: 5, skip: 1 });
        await ow.packages.list({ public: true });
        await ow.triggers.delete('tick');
        await ow.activations.list({ name: 'made', limit: 2, docs: true });
        await ow.activations.result('abc');
        await ow.feeds.create({ name: '/whisk.system/alarms/alarm', trigger: 'tick', params: { cron: '* * * * *' } });
        return {};
      }`);
    const auth = `Basic ${Buffer.from(KEY).toString('base64')}`;
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.body]),
      [
        ['POST', '/api/v1/namespaces/other/triggers/tick', { at: 3 }],
        ['POST', '/api/v1/namespaces/other/rules/r1', { status: 'active' }],
        ['PUT', '/api/v1/namespaces/other/rules/r2', { trigger: '/other/tick', action: '/ns2/act' }],
        ['PUT', '/api/v1/namespaces/other/actions/made', {
          annotations: [{ key: 'x', value: true }],
          exec: { kind: 'nodejs:default', code: 'function main() { return {} }' },
          parameters: [{ key: 'a', value: 1 }],
        }],
        ['PUT', '/api/v1/namespaces/other/actions/made?overwrite=true', { limits: { timeout: 1000 } }],
        ['GET', '/api/v1/namespaces/ns3/actions/p/a?code=false', undefined],
        ['GET', '/api/v1/namespaces/other/actions?skip=1&limit=5', undefined],
        ['GET', '/api/v1/namespaces/other/packages?public=true', undefined],
        ['DELETE', '/api/v1/namespaces/other/triggers/tick', undefined],
        ['GET', '/api/v1/namespaces/other/activations?name=made&limit=2&docs=true', undefined],
        ['GET', '/api/v1/namespaces/other/activations/abc/result', undefined],
        ['POST', '/api/v1/namespaces/whisk.system/actions/alarms/alarm?blocking=true', {
          lifecycleEvent: 'CREATE', authKey: KEY, triggerName: '/other/tick', cron: '* * * * *',
        }],
      ],
    );
    assert.ok(seen.every((s) => s.authorization === auth));
  });

  it('rejects an error status as the npm client does: statusCode, the body as error, a message naming the call', async () => {
    const r = await result(`const ow = require('openwhisk')();
      async function main() {
        const shape = (e) => ({ name: e.name, isError: e instanceof Error, statusCode: e.statusCode, error: e.error, message: e.message });
        const missing = await ow.actions.get('missing').then(() => 'found', shape);
        const failing = await ow.actions.invoke({ name: 'failing', blocking: true, result: true }).then(() => 'ok', shape);
        return { missing, failing };
      }`);
    assert.deepEqual(r.missing, {
      name: 'OpenWhiskError',
      isError: true,
      statusCode: 404,
      error: { error: 'The requested resource does not exist.', code: 'abc' },
      message: `GET ${apiHost}/api/v1/namespaces/guest/actions/missing Returned HTTP 404 (Not Found) --> "The requested resource does not exist."`,
    });
    const failing = r.failing as Record<string, unknown>;
    assert.equal(failing.statusCode, 502);
    assert.equal(failing.message, `POST ${apiHost}/api/v1/namespaces/guest/actions/failing?blocking=true Returned HTTP 502 (Bad Gateway) --> "it broke"`);
  });

  it('a refused or failed request rejects with "Unknown Error From API" and no statusCode', async () => {
    const r = await result(`const ow = require('openwhisk')({ apihost: 'http://127.0.0.1:1' });
      async function main() {
        return ow.actions.list().then(() => ({ listed: true }), (e) => ({ statusCode: e.statusCode === undefined, message: e.message, body: e.error }));
      }`);
    assert.deepEqual(r, {
      statusCode: true,
      message: 'Unknown Error From API: fetch to 127.0.0.1 refused: loopback address',
      body: { error: 'fetch to 127.0.0.1 refused: loopback address' },
    });
  });

  it('without __OW_API_KEY (no provide-api-key) the client says what is missing', async () => {
    const outcome = await run({ code: `const openwhisk = require('openwhisk'); function main() { openwhisk(); return {} }` }, { __OW_API_HOST: apiHost });
    assert.equal(outcome.statusCode, 2);
    assert.match(JSON.stringify(outcome.result), /Invalid constructor options\. Missing api_key parameter/);
  });

  it('is not offered without fetch, and an archive\'s own node_modules/openwhisk comes first', async () => {
    const plain = await run({ code: `function main() { require('openwhisk'); return {} }` }, env(), { fetch: false });
    assert.equal(plain.statusCode, 2);
    assert.match(JSON.stringify(plain.result), /Cannot find module 'openwhisk'/);

    const zip = await makeZip({
      'index.js': `exports.main = () => ({ which: require('openwhisk').which })`,
      'node_modules/openwhisk/index.js': `exports.which = 'bundled'`,
    });
    const bundled = await run({ code: zip.toString('base64'), binary: true }, env());
    assert.deepEqual(bundled.result, { which: 'bundled' });
    const zipped = await makeZip({ 'index.js': `exports.main = () => ({ type: typeof require('openwhisk') })` });
    const provided = await run({ code: zipped.toString('base64'), binary: true }, env());
    assert.deepEqual(provided.result, { type: 'function' });
  });
});
