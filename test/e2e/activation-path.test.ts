// The activation path end to end, through the `openwhisk` npm client: controller → Kafka → invoker isolate →
// record in Redis → completion → HTTP answer, with OpenWhisk's statuses, shapes and texts (`CTL/Actions.scala`, `E/WhiskActivation.scala`, `ActivationResult.scala`).
import assert from 'node:assert/strict';
import { annotation, api, freshNamespace, type Activation, type TestNamespace } from '../support/platform.ts';
import { waitForRecord } from '../support/records.ts';
import { makeZip } from '../unit/invoker/helpers.ts';

const HELLO = `function main(params) {
  console.log('hello', params.name);
  return { greeting: 'Hello ' + (params.name || 'world') };
}`;
const REVERSE = `function main(params) {
  return { payload: params.payload.split('').reverse().join('') };
}`;

/** Creates an action and returns its name. */
async function action(ns: TestNamespace, name: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
  await ns.ow.actions.create({ name, action: { exec: { kind: 'nodejs:default', code }, ...extra } });
  return name;
}

/** A blocking invoke through raw HTTP: status and body, whatever the status. */
async function invoke(ns: TestNamespace, name: string, params: unknown = {}, query = 'blocking=true') {
  const res = await api(ns, 'POST', `/namespaces/_/actions/${name}?${query}`, JSON.stringify(params));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Activation, headers: res.headers };
}

describe('activation path (controller → Kafka → invoker → Redis)', function () {
  let ns: TestNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    ns = await freshNamespace('path');
  });

  describe('the seed example actions', () => {
    it('hello world: blocking invoke returns the result; the stored record has the logs', async () => {
      await action(ns, 'hello', HELLO);
      const result = await ns.ow.actions.invoke({ name: 'hello', params: { name: 'Ada' }, blocking: true, result: true });
      assert.deepEqual(result, { greeting: 'Hello Ada' });

      const { status, body, headers } = await invoke(ns, 'hello', { name: 'Bob' });
      assert.equal(status, 200);
      assert.equal(headers.get('x-openwhisk-activation-id'), body.activationId);
      assert.match(body.activationId, /^[0-9a-f]{32}$/);
      assert.deepEqual(body.response, { result: { greeting: 'Hello Bob' }, size: 24, success: true, status: 'success' });
      assert.deepEqual(body.logs, [], 'blocking responses carry no logs, as in OpenWhisk');

      const record = await waitForRecord(ns, body.activationId);
      assert.equal(record.namespace, ns.name);
      assert.equal(record.name, 'hello');
      assert.equal(record.logs.length, 1);
      // RFC3339Nano drops the fraction's trailing zeros (as Go does), so the stamp is padded to 30 characters.
      const line = record.logs[0]!;
      assert.match(line.slice(0, 30), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z *$/);
      assert.equal(line.slice(30), ' stdout: hello Bob');
      assert.equal(annotation(record, 'path'), `${ns.name}/hello`);
      assert.equal(annotation(record, 'kind'), 'nodejs:24');
      assert.deepEqual(annotation(record, 'limits'), { concurrency: 1, logs: 10, memory: 256, timeout: 60000 });
      assert.equal(annotation(record, 'timeout'), false);
      assert.equal(typeof annotation(record, 'waitTime'), 'number');
      assert.equal(record.duration, record.end - record.start);

      const logs = await ns.ow.activations.logs({ name: body.activationId });
      assert.deepEqual(logs, { logs: record.logs });
      const stored = await ns.ow.activations.result({ name: body.activationId });
      assert.deepEqual(stored, { result: { greeting: 'Hello Bob' }, size: 24, success: true, status: 'success' });
    });

    it('reverse: non-blocking invoke answers 202 with an id, and the record appears', async () => {
      await action(ns, 'reverse', REVERSE);
      const { status, body } = await invoke(ns, 'reverse', { payload: 'hello' }, 'blocking=false');
      assert.equal(status, 202);
      assert.deepEqual(Object.keys(body), ['activationId']);
      const record = await waitForRecord(ns, body.activationId);
      assert.deepEqual(record.response.result, { payload: 'olleh' });
      const listed = (await ns.ow.activations.list({ name: 'reverse' })) as unknown as Activation[];
      assert.ok(listed.some((a) => a.activationId === body.activationId));
    });
  });

  describe('the JavaScript contract (ActivationResult.scala), one row each', () => {
    const rows: Array<{ what: string; code: string; status: number; statusText: string; result: unknown; limits?: object }> = [
      { what: 'an object', code: 'function main() { return { a: 1 }; }', status: 200, statusText: 'success', result: { a: 1 } },
      { what: 'undefined', code: 'function main() {}', status: 200, statusText: 'success', result: {} },
      { what: 'a promise of an object', code: 'async function main() { return { b: 2 }; }', status: 200, statusText: 'success', result: { b: 2 } },
      { what: 'an object with error', code: 'function main() { return { error: "nope" }; }', status: 502, statusText: 'application error', result: { error: 'nope' } },
      {
        what: 'a promise rejected with a string',
        code: 'function main() { return Promise.reject("bad"); }',
        status: 502,
        statusText: 'application error',
        result: { error: 'bad' },
      },
      {
        what: 'a synchronous throw',
        code: 'function main() { throw new Error("boom"); }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'An error has occurred: Error: boom' },
      },
      {
        what: 'a non-object',
        code: 'function main() { return "text"; }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'The action did not return a dictionary.' },
      },
      {
        what: 'null',
        code: 'function main() { return null; }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'The action did not produce a valid JSON or JSON Array response: null' },
      },
      {
        what: 'an endless loop',
        code: 'function main() { while (true) {} }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'The action exceeded its time limits of 300 milliseconds.' },
        limits: { timeout: 300 },
      },
      {
        what: 'a promise that never settles',
        code: 'function main() { return new Promise(() => {}); }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'The action exceeded its time limits of 300 milliseconds.' },
        limits: { timeout: 300 },
      },
      {
        what: 'a memory bomb',
        code: 'function main() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }',
        status: 502,
        statusText: 'action developer error',
        result: { error: 'The action exhausted its memory and was aborted.' },
        limits: { memory: 128 },
      },
    ];

    for (const row of rows) {
      it(`returns ${row.what}: ${row.status} ${row.statusText}`, async () => {
        const name = await action(ns, `row-${rows.indexOf(row)}`, row.code, row.limits ? { limits: row.limits } : {});
        const { status, body } = await invoke(ns, name);
        assert.equal(status, row.status);
        assert.equal(body.response.status, row.statusText);
        assert.deepEqual(body.response.result, row.result);
        const record = await waitForRecord(ns, body.activationId);
        assert.equal(annotation(record, 'timeout'), row.result === rows[8]!.result || row.result === rows[9]!.result);
      });
    }

    it('returns a rejected Error as an application error with the serialized error', async () => {
      const name = await action(ns, 'rejects-error', 'async function main() { throw new TypeError("wrong"); }');
      const { status, body } = await invoke(ns, name);
      assert.equal(status, 502);
      const error = (body.response.result as { error: { name: string; message: string; stack: string } }).error;
      assert.equal(error.name, 'TypeError');
      assert.equal(error.message, 'wrong');
      assert.match(error.stack, /TypeError: wrong/);
    });

    it('returns an array result as the body itself, even without result=true', async () => {
      const name = await action(ns, 'array', 'function main() { return [1, "two", { three: 3 }]; }');
      const { status, body } = await invoke(ns, name);
      assert.equal(status, 200);
      assert.deepEqual(body, [1, 'two', { three: 3 }]);
    });

    it('refuses a result over 1 MB as an application error with the truncation message', async () => {
      const name = await action(ns, 'huge', 'function main() { return { big: "x".repeat(1100000) }; }');
      const { status, body } = await invoke(ns, name);
      assert.equal(status, 502);
      assert.equal(body.response.status, 'application error');
      assert.match(String((body.response.result as { error: string }).error), /^The action produced a response that exceeded the allowed length: \d+ > 1048576 bytes\./);
    });

    it('runs a zip of CommonJS files from package.json main, as a base64 binary action', async () => {
      const zip = await makeZip({
        'package.json': JSON.stringify({ name: 'shout', main: 'lib/index.js' }),
        'lib/index.js': 'const { shout } = require("./shout"); exports.main = (p) => ({ text: shout(p.text) });',
        'lib/shout.js': 'exports.shout = (s) => s.toUpperCase() + "!";',
      });
      const put = await api(ns, 'PUT', '/namespaces/_/actions/shout', JSON.stringify({ exec: { kind: 'nodejs:default', code: zip.toString('base64') } }));
      assert.equal(put.status, 200);
      assert.equal(((await put.json()) as { exec: { binary: boolean } }).exec.binary, true);
      const result = await ns.ow.actions.invoke({ name: 'shout', params: { text: 'hi' }, blocking: true, result: true });
      assert.deepEqual(result, { text: 'HI!' });
    });

    it('calls the entry point named by exec.main', async () => {
      await ns.ow.actions.create({ name: 'entry', action: { exec: { kind: 'nodejs:default', code: 'function entry(p) { return { via: "entry", p }; }', main: 'entry' } } });
      const result = await ns.ow.actions.invoke({ name: 'entry', params: { x: 1 }, blocking: true, result: true });
      assert.deepEqual(result, { via: 'entry', p: { x: 1 } });
    });

    it('gives the action its __OW_* values; the API key only with provide-api-key', async () => {
      const code = `function main() {
        const e = process.env;
        return { ns: e.__OW_NAMESPACE, name: e.__OW_ACTION_NAME, version: e.__OW_ACTION_VERSION, id: e.__OW_ACTIVATION_ID,
                 tid: e.__OW_TRANSACTION_ID, host: e.__OW_API_HOST, key: e.__OW_API_KEY || null, deadline: e.__OW_DEADLINE };
      }`;
      await action(ns, 'env', code);
      const { body, headers } = await invoke(ns, 'env');
      const r = body.response.result as Record<string, string | null>;
      assert.equal(r.ns, ns.name);
      assert.equal(r.name, `/${ns.name}/env`);
      assert.equal(r.version, '0.0.1');
      assert.equal(r.id, body.activationId);
      assert.equal(r.tid, headers.get('x-request-id'));
      assert.equal(r.host, ns.apiHost);
      assert.equal(r.key, null, 'new actions get provide-api-key: false');
      assert.ok(Number(r.deadline) > Date.now() - 60_000);

      await action(ns, 'env-key', code, { annotations: [{ key: 'provide-api-key', value: true }] });
      const withKey = await invoke(ns, 'env-key');
      assert.equal((withKey.body.response.result as Record<string, string>).key, ns.apiKey);
    });
  });

  describe('warm isolates', () => {
    const COUNTER = 'let calls = 0; function main() { calls += 1; return { calls }; }';

    it('reuses the isolate: the second call has no initTime and sees the global state', async () => {
      await action(ns, 'counter', COUNTER);
      const first = await invoke(ns, 'counter');
      const second = await invoke(ns, 'counter');
      assert.deepEqual(first.body.response.result, { calls: 1 });
      assert.deepEqual(second.body.response.result, { calls: 2 });
      assert.equal(typeof annotation(await waitForRecord(ns, first.body.activationId), 'initTime'), 'number');
      assert.equal(annotation(await waitForRecord(ns, second.body.activationId), 'initTime'), undefined);
    });

    it('never shares an isolate with another namespace', async () => {
      const other = await freshNamespace('other');
      await action(other, 'counter', COUNTER);
      assert.deepEqual((await invoke(other, 'counter')).body.response.result, { calls: 1 });
      assert.deepEqual((await invoke(ns, 'counter')).body.response.result, { calls: 3 });
    });

    it('starts a new revision in a cold isolate', async () => {
      await ns.ow.actions.update({ name: 'counter', action: { exec: { kind: 'nodejs:default', code: COUNTER + ' // v2' } } });
      const after = await invoke(ns, 'counter');
      assert.deepEqual(after.body.response.result, { calls: 1 });
      assert.equal(typeof annotation(await waitForRecord(ns, after.body.activationId), 'initTime'), 'number');
    });
  });

  describe('waiting and refusing', () => {
    it('answers 202 with the id when a blocking wait (?timeout) runs out, and records the activation later', async () => {
      await action(ns, 'slow', 'function main() { return new Promise((r) => setTimeout(() => r({ done: true }), 1500)); }');
      const { status, body } = await invoke(ns, 'slow', {}, 'blocking=true&timeout=100');
      assert.equal(status, 202);
      assert.deepEqual(Object.keys(body), ['activationId']);
      const record = await waitForRecord(ns, body.activationId);
      assert.deepEqual(record.response.result, { done: true });
    });

    it('answers 404 for an unknown action', async () => {
      const { status, body } = await invoke(ns, 'no-such-action');
      assert.equal(status, 404);
      assert.equal(body.error, 'The requested resource does not exist.');
    });

    it('answers 401 for a bad key and 403 for another namespace', async () => {
      const bad = await api({ ...ns, apiKey: `${ns.apiKey.split(':')[0]}:${'x'.repeat(64)}` }, 'POST', '/namespaces/_/actions/hello?blocking=true', '{}');
      assert.equal(bad.status, 401);
      assert.equal(((await bad.json()) as { error: string }).error, 'The supplied authentication is invalid');
      const other = await freshNamespace('intruder');
      const res = await api(other, 'POST', `/namespaces/${ns.name}/actions/hello?blocking=true`, '{}');
      assert.equal(res.status, 403);
      assert.equal(((await res.json()) as { error: string }).error, `The supplied authentication is not authorized to access '${ns.name}/hello'.`);
    });

    it('answers 400 for a malformed body and 413 for a payload over 1 MB, creating no activation', async () => {
      const before = (await ns.ow.activations.list({ count: true } as never)) as unknown as { activations: number };
      const malformed = await api(ns, 'POST', '/namespaces/_/actions/hello?blocking=true', '{"name": ');
      assert.equal(malformed.status, 400);
      assert.match(((await malformed.json()) as { error: string }).error, /^The request content was malformed:\n/);
      const big = await api(ns, 'POST', '/namespaces/_/actions/hello?blocking=true', JSON.stringify({ big: 'x'.repeat(1_100_000) }));
      assert.equal(big.status, 413);
      assert.match(((await big.json()) as { error: string }).error, /^Request larger than allowed: \d+ > 1048576 bytes\.$/);
      const after = (await ns.ow.activations.list({ count: true } as never)) as unknown as { activations: number };
      assert.equal(after.activations, before.activations);
    });
  });
});
