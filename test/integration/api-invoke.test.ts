// The invoke route (`CTL/Actions.scala` POST, `CTL/actions/PrimitiveActions.scala` blocking) with an in-test Activator: what the plan carries, and how each
// outcome maps to status and body. The real activator (Kafka, invokers) is tested elsewhere.
import assert from 'node:assert/strict';
import { NoInvokerError, ThrottledError, TooLargeError } from '../../shared/errors.ts';
import { type ApiHarness, type Tenant, call, recordFor, useApi } from '../support/api-harness.ts';

const CODE = 'function main(p) { return p; }';

describe('api: invoke', () => {
  let api: ApiHarness;
  let t: Tenant;
  const invokeUrl = (name: string, query = '') => `${api.url}/api/v1/namespaces/_/actions/${name}${query ? `?${query}` : ''}`;
  const create = (name: string, body: object = {}) =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE }, ...body } });

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  it('accepts a non-blocking invoke with 202 and builds the plan', async () => {
    await create('echo', { parameters: [{ key: 'a', value: 1 }, { key: 'b', value: 'action' }, { key: 'secret', value: 's', init: true }], limits: { memory: 128 } });
    const res = await call(invokeUrl('echo'), { method: 'POST', auth: t.auth, body: { b: 'body', c: true }, headers: { 'X-Request-ID': 'tid-1' } });
    assert.equal(res.status, 202);
    const plan = api.activator.plans[0]!;
    assert.deepEqual(res.json, { activationId: plan.activationId });
    assert.equal(res.headers.get('x-openwhisk-activation-id'), plan.activationId);
    assert.match(plan.activationId, /^[0-9a-f]{32}$/);
    assert.equal(plan.transactionId, 'tid-1');
    assert.deepEqual(plan.params, { a: 1, b: 'body', secret: 's', c: true });
    assert.deepEqual(plan.initParams, ['secret']);
    assert.equal(plan.blocking, false);
    assert.equal(plan.waitMs, 60000);
    assert.deepEqual(plan.limits, { timeout: 60000, memory: 128, logs: 10, concurrency: 1 });
    assert.deepEqual(plan.identity, { subject: t.namespace, namespace: t.namespace, uuid: t.apiKey.split(':')[0] });
    assert.equal(plan.apiKey, undefined, 'new actions get provide-api-key: false');
    assert.equal(plan.action.namespace, t.namespace);
    assert.equal(plan.action.name, 'echo');
    assert.equal(plan.action.path, `${t.namespace}/echo`);
    assert.equal(plan.action.kind, 'nodejs:24');
    assert.equal(plan.action.version, '0.0.1');
    assert.equal(typeof plan.action.revision, 'number');
    assert.ok(plan.receivedAt <= Date.now());
  });

  it('passes the key only when provide-api-key asks for it', async () => {
    await create('keyed', { annotations: [{ key: 'provide-api-key', value: true }] });
    await call(invokeUrl('keyed'), { method: 'POST', auth: t.auth });
    const plan = api.activator.plans[0]!;
    assert.equal(plan.apiKey, t.apiKey);
  });

  it('answers a blocking success with 200 and the extended record, or only the result', async () => {
    await create('ok');
    api.activator.completeWith(() => ({ response: { statusCode: 0, result: { hello: 'world' }, size: 17 } }));
    const res = await call(invokeUrl('ok', 'blocking=true'), { method: 'POST', auth: t.auth });
    assert.equal(res.status, 200);
    assert.equal(res.json.activationId, api.activator.plans[0]!.activationId);
    assert.deepEqual(res.json.response, { result: { hello: 'world' }, size: 17, success: true, status: 'success' });
    assert.equal(res.headers.get('x-openwhisk-activation-id'), res.json.activationId);
    assert.equal(api.activator.plans[0]!.blocking, true);

    const result = await call(invokeUrl('ok', 'blocking=true&result=true'), { method: 'POST', auth: t.auth });
    assert.equal(result.status, 200);
    assert.deepEqual(result.json, { hello: 'world' });
  });

  it('maps application and developer errors to 502, whisk errors to 500', async () => {
    await create('fails');
    const cases: [0 | 1 | 2 | 3, number][] = [
      [1, 502],
      [2, 502],
      [3, 500],
    ];
    for (const [statusCode, status] of cases) {
      api.activator.completeWith(() => ({ response: { statusCode, result: { error: `code ${statusCode}` } } }));
      const res = await call(invokeUrl('fails', 'blocking=true'), { method: 'POST', auth: t.auth });
      assert.equal(res.status, status);
      assert.equal(res.json.response.success, false);
      assert.ok(res.headers.get('x-openwhisk-activation-id'));
      const result = await call(invokeUrl('fails', 'blocking=true&result=true'), { method: 'POST', auth: t.auth });
      assert.equal(result.status, status);
      assert.deepEqual(result.json, { error: `code ${statusCode}` });
    }
  });

  it('answers an array result as the body, even without result=true', async () => {
    await create('list');
    api.activator.completeWith(() => ({ response: { statusCode: 0, result: [1, 2, 3] } }));
    const res = await call(invokeUrl('list', 'blocking=true'), { method: 'POST', auth: t.auth });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, [1, 2, 3]);
  });

  it('answers 202 when the blocking wait runs out, and honours ?timeout', async () => {
    await create('slow');
    const res = await call(invokeUrl('slow', 'blocking=true&timeout=100'), { method: 'POST', auth: t.auth });
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { activationId: api.activator.plans[0]!.activationId });
    assert.equal(api.activator.plans[0]!.waitMs, 100);
  });

  it('validates ?timeout and boolean flags', async () => {
    await create('t');
    for (const timeout of ['0', '60001', 'soon', '-5']) {
      const res = await call(invokeUrl('t', `blocking=true&timeout=${timeout}`), { method: 'POST', auth: t.auth });
      assert.equal(res.status, 400, timeout);
      assert.equal(res.json.error, "The query parameter 'timeout' was malformed:\nTimeout must be number of milliseconds up to 60000.");
    }
    const flag = await call(invokeUrl('t', 'blocking=perhaps'), { method: 'POST', auth: t.auth });
    assert.equal(flag.status, 400);
    assert.equal(flag.json.error, "The query parameter 'blocking' was malformed:\n'perhaps' is not a valid Boolean value");
    assert.equal(api.activator.plans.length, 0);
  });

  it('requires a JSON object body', async () => {
    await create('b');
    for (const body of ['[1,2]', '"text"', '42']) {
      const res = await call(invokeUrl('b'), { method: 'POST', auth: t.auth, body });
      assert.equal(res.status, 400, body);
      assert.equal(res.json.error, 'The request content was malformed:\nJSON object expected');
    }
    const broken = await call(invokeUrl('b'), { method: 'POST', auth: t.auth, body: '{"a":' });
    assert.equal(broken.status, 400);
    assert.match(broken.json.error, /^The request content was malformed:\n.+/);
    const empty = await call(invokeUrl('b'), { method: 'POST', auth: t.auth, body: '' , headers: { 'Content-Type': 'application/json' } });
    assert.equal(empty.status, 202);
    assert.deepEqual(api.activator.plans[0]!.params, {});
  });

  it('refuses a payload over 1 MB with 413', async () => {
    await create('big');
    const body = JSON.stringify({ blob: 'x'.repeat(1024 * 1024) });
    const res = await call(invokeUrl('big'), { method: 'POST', auth: t.auth, body });
    assert.equal(res.status, 413);
    assert.equal(res.json.error, `Request larger than allowed: ${Buffer.byteLength(body)} > 1048576 bytes.`);
    assert.equal(api.activator.plans.length, 0);
  });

  it('answers 404 for a missing action', async () => {
    const res = await call(invokeUrl('nope'), { method: 'POST', auth: t.auth });
    assert.equal(res.status, 404);
    assert.equal(res.json.error, 'The requested resource does not exist.');
  });

  it('protects parameters of a final action', async () => {
    await create('fixed', { parameters: [{ key: 'locked', value: 1 }, { key: 'open', value: null }], annotations: [{ key: 'final', value: true }] });
    const refused = await call(invokeUrl('fixed'), { method: 'POST', auth: t.auth, body: { locked: 2 } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error, 'Request defines parameters that are not allowed (e.g., reserved properties).');
    const allowed = await call(invokeUrl('fixed'), { method: 'POST', auth: t.auth, body: { open: 2, other: 3 } });
    assert.equal(allowed.status, 202);
  });

  it('maps activator refusals: no invoker 503, too large 413, throttled 429', async () => {
    await create('x');
    const cases: [Error, number, string][] = [
      [new NoInvokerError(), 503, 'Service Unavailable'],
      [new TooLargeError(), 413, 'Content Too Large'],
      [ThrottledError.rate(61, 60), 429, 'Too many requests in the last minute (count: 61, allowed: 60).'],
      [new Error('boom'), 500, 'Internal Server Error'],
    ];
    for (const [err, status, message] of cases) {
      api.activator.handler = async () => {
        throw err;
      };
      const res = await call(invokeUrl('x'), { method: 'POST', auth: t.auth });
      assert.equal(res.status, status);
      assert.deepEqual(res.json, { error: message, code: res.headers.get('x-request-id') });
    }
  });

  it('works with the openwhisk client', async () => {
    await t.ow.actions.create({ name: 'client', action: CODE });
    const accepted = (await t.ow.actions.invoke({ name: 'client', params: { n: 1 } })) as any;
    assert.match(accepted.activationId, /^[0-9a-f]{32}$/);

    api.activator.completeWith((plan) => ({ response: { statusCode: 0, result: plan.params } }));
    const record = (await t.ow.actions.invoke({ name: 'client', blocking: true, params: { n: 2 } })) as any;
    assert.equal(record.response.status, 'success');
    assert.deepEqual(record.response.result, { n: 2 });
    const result = await t.ow.actions.invoke({ name: 'client', blocking: true, result: true, params: { n: 3 } });
    assert.deepEqual(result, { n: 3 });

    api.activator.completeWith(() => ({ response: { statusCode: 1, result: { error: 'nope' } } }));
    await assert.rejects(t.ow.actions.invoke({ name: 'client', blocking: true }), (err: any) => err.statusCode === 502 && /nope/.test(err.message));
  });

  it('stores and reads back a record written for an activation', async () => {
    await create('rec');
    api.activator.handler = async (plan) => {
      const record = recordFor(plan, { response: { statusCode: 3, result: { error: 'The action did not produce a valid response.' } } });
      await api.activations.putRecord(record, 60);
      return { activationId: plan.activationId, result: Promise.resolve(record) };
    };
    const res = await call(invokeUrl('rec', 'blocking=true'), { method: 'POST', auth: t.auth });
    assert.equal(res.status, 500);
    const got = await call(`${api.url}/api/v1/namespaces/_/activations/${res.json.activationId}`, { auth: t.auth });
    assert.equal(got.status, 200);
    assert.equal(got.json.response.status, 'whisk internal error');
  });
});
