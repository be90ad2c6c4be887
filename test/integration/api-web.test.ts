// Web actions (spec §1.7) against the real app and test Redis; the scripted activator plays the invoker, answering
// with the result each test sets, and keeps the plans so the action's arguments can be checked.
import assert from 'node:assert/strict';
import type { ActivationPlan } from '../../controller/entities/activator.ts';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';

const CODE = 'function main(params) { return params; }';

describe('api: web actions', () => {
  let api: ApiHarness;
  let t: Tenant;
  const web = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${api.url}/api/v1/web/${t.namespace}/${path}`, options);
  const lastPlan = (): ActivationPlan => api.activator.plans.at(-1)!;
  /** The action answers with `result` (status code 0 unless given). */
  const answer = (result: unknown, statusCode: 0 | 1 | 2 | 3 = 0) => api.activator.completeWith(() => ({ response: { statusCode, result } }));

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  /** Creates an action annotated `web-export: true` (plus `annotations`). */
  const exported = async (name: string, annotations: { key: string; value: unknown }[] = []) => {
    const body = { exec: { kind: 'nodejs:default', code: CODE }, annotations: [{ key: 'web-export', value: true }, ...annotations] };
    const res = await call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { method: 'PUT', auth: t.auth, body });
    assert.equal(res.status, 200, res.text);
  };

  it('answers 404 for an action that is not exported, missing, or in a namespace that does not exist', async () => {
    await t.ow.actions.create({ name: 'private', action: CODE });
    for (const res of [await web('default/private.json'), await web('default/nope.json'), await call(`${api.url}/api/v1/web/no-such-ns/default/a.json`)]) {
      assert.equal(res.status, 404);
      assert.equal(res.json.error, 'The requested resource does not exist.');
    }
    assert.equal(api.activator.plans.length, 0);
  });

  it('passes method, headers, path, query and a JSON body; .json answers the result as JSON; runs as the owner', async () => {
    await exported('echo');
    answer({ hello: 'web' });
    const res = await web('default/echo.json/extra/path?q=1&name=query', { method: 'POST', body: { name: 'body', n: 2 }, headers: { 'X-Thing': 'yes' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(res.json, { hello: 'web' });
    assert.match(res.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');

    const plan = lastPlan();
    assert.equal(plan.identity.namespace, t.namespace);
    assert.equal(plan.blocking, true);
    const p = plan.params as Record<string, any>;
    assert.equal(p.__ow_method, 'post');
    assert.equal(p.__ow_path, '/extra/path');
    assert.equal(p.__ow_headers['x-thing'], 'yes');
    assert.equal(p.q, '1');
    assert.equal(p.name, 'body', 'the body wins over the query');
    assert.equal(p.n, 2);
    assert.equal(p.__ow_user, undefined, 'anonymous');
    assert.equal(p.__ow_body, undefined);
  });

  it('.http: statusCode, headers and body from the result; a binary content type is base64-decoded; no body is 204', async () => {
    await exported('page');
    answer({ statusCode: 201, headers: { 'X-Made': 'here', 'Set-Cookie': ['a=1', 'b=2'] }, body: '<p>hi</p>' });
    let res = await web('default/page');
    assert.equal(res.status, 201);
    assert.equal(res.text, '<p>hi</p>');
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(res.headers.get('x-made'), 'here');
    assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);

    answer({ headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') });
    const png = await fetch(`${api.url}/api/v1/web/${t.namespace}/default/page.http`);
    assert.deepEqual([...new Uint8Array(await png.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);

    answer({ body: { structured: true } });
    res = await web('default/page.http');
    assert.deepEqual(res.json, { structured: true });
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);

    answer({ statusCode: 302, headers: { location: '/elsewhere' } });
    const redirect = await fetch(`${api.url}/api/v1/web/${t.namespace}/default/page.http`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/elsewhere');

    answer({});
    assert.equal((await web('default/page.http')).status, 204);

    answer('not an object');
    res = await web('default/page.http');
    assert.equal(res.status, 400);
    assert.equal(res.json.error, "Response is not valid 'message/http'.");
  });

  it('.html, .svg and .text pick their field; .text without one is 404; .json of a string is 400', async () => {
    await exported('f');
    answer({ html: '<b>x</b>', svg: '<svg/>', text: 'plain' });
    assert.equal((await web('default/f.html')).text, '<b>x</b>');
    const svg = await web('default/f.svg');
    assert.equal(svg.text, '<svg/>');
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.equal((await web('default/f.text')).text, 'plain');
    answer({ other: 1 });
    const missing = await web('default/f.text');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'Response does not include requested property.');
    answer('just text');
    const json = await web('default/f.json');
    assert.equal(json.status, 400);
    assert.equal(json.json.error, "Response is not valid 'application/json'.");
  });

  it('maps an application error through its error object, other failures to 400, and a long run to 202', async () => {
    await exported('e');
    answer({ error: { statusCode: 418, body: 'teapot' } }, 1);
    const teapot = await web('default/e.http');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.text, 'teapot');

    answer({ error: 'boom' }, 2);
    const failed = await web('default/e.json');
    assert.equal(failed.status, 400);
    assert.equal(failed.json.error, 'There was an error processing your request.');

    api.activator.handler = async (plan) => ({ activationId: plan.activationId, result: Promise.resolve(undefined) });
    const later = await web('default/e.json');
    assert.equal(later.status, 202);
    assert.equal(later.json.error, 'Response not yet ready.');
    assert.equal(typeof later.json.code, 'string');
  });

  it('text and binary bodies arrive as __ow_body; raw-http passes the query and body unparsed', async () => {
    await exported('b');
    answer({});
    await web('default/b.json', { method: 'POST', body: 'hello text', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(lastPlan().params.__ow_body, 'hello text');
    await fetch(`${api.url}/api/v1/web/${t.namespace}/default/b.json`, { method: 'PUT', body: new Uint8Array([1, 2, 3]), headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(lastPlan().params.__ow_body, 'AQID');
    await web('default/b.json', { method: 'POST', body: [1, 2] });
    assert.deepEqual(lastPlan().params.__ow_body, [1, 2]);
    await web('default/b.json', { method: 'POST', body: 'a=1&b=two', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(lastPlan().params.b, 'two');

    await exported('raw', [{ key: 'raw-http', value: true }]);
    await web('default/raw.json?x=1&y=2', { method: 'POST', body: { a: 1 } });
    const p = lastPlan().params;
    assert.equal(p.__ow_query, 'x=1&y=2');
    assert.equal(p.__ow_body, Buffer.from('{"a":1}').toString('base64'));
    assert.equal(p.x, undefined);
  });

  it('refuses reserved properties in the query or body with 400, and a payload over the limit with 413', async () => {
    await exported('r');
    const reserved = await web('default/r.json?__ow_method=get');
    assert.equal(reserved.status, 400);
    assert.equal(reserved.json.error, 'Request defines parameters that are not allowed (e.g., reserved properties).');
    const big = await web('default/r.json', { method: 'POST', body: { blob: 'x'.repeat(1024 * 1024) } });
    assert.equal(big.status, 413);
    assert.equal(api.activator.plans.length, 0);
  });

  it('answers a CORS preflight itself, unless web-custom-options hands OPTIONS to the action', async () => {
    await exported('c');
    const pre = await web('default/c.json', { method: 'OPTIONS', headers: { 'Access-Control-Request-Headers': 'x-custom' } });
    assert.equal(pre.status, 200);
    assert.equal(pre.headers.get('access-control-allow-headers'), 'x-custom');
    assert.equal(pre.headers.get('access-control-allow-methods'), 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH');
    assert.equal(api.activator.plans.length, 0);

    await exported('custom', [{ key: 'web-custom-options', value: true }]);
    answer({ statusCode: 200, headers: { 'Access-Control-Allow-Origin': 'https://example.org' } });
    const own = await web('default/custom.http', { method: 'OPTIONS' });
    assert.equal(own.headers.get('access-control-allow-origin'), 'https://example.org');
    assert.equal(lastPlan().params.__ow_method, 'options');
  });

  it('require-whisk-auth: true needs valid credentials (then __ow_user is set); a string needs the matching header', async () => {
    await exported('secure', [{ key: 'require-whisk-auth', value: true }]);
    answer({ ok: true });
    assert.equal((await web('default/secure.json')).status, 401);
    const authed = await web('default/secure.json', { auth: t.auth });
    assert.equal(authed.status, 200);
    assert.equal(lastPlan().params.__ow_user, t.namespace);

    await exported('secret', [{ key: 'require-whisk-auth', value: 's3cret' }]);
    assert.equal((await web('default/secret.json', { headers: { 'X-Require-Whisk-Auth': 'wrong' } })).status, 401);
    assert.equal((await web('default/secret.json', { headers: { 'X-Require-Whisk-Auth': 's3cret' } })).status, 200);

    await exported('open');
    const wrongKey = `Basic ${Buffer.from(`${t.apiKey.split(':')[0]}:${'x'.repeat(64)}`).toString('base64')}`;
    assert.equal((await web('default/open.json', { auth: wrongKey })).status, 200, 'bad credentials fall back to anonymous');
  });

  it('reaches an exported action in a package', async () => {
    await t.ow.packages.create({ name: 'site' });
    await exported('site/home');
    answer({ body: 'home' });
    const res = await web('site/home');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'home');
    assert.equal(lastPlan().action.path, `${t.namespace}/site/home`);
  });
});
