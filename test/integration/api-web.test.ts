// Web actions (OpenWhisk `WebActions.scala`) against the real apps and test Redis; the scripted activator plays the
// invoker, answering with the result each test sets, and keeps the plans so the action's arguments can be checked.
// Web actions answer on the web origin (api.webUrl); the REST API (api.url) only redirects there.
import assert from 'node:assert/strict';
import type { ActivationPlan } from '../../controller/activator/activator.ts';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';

const CODE = 'function main(params) { return params; }';

describe('api: web actions', () => {
  let api: ApiHarness;
  let t: Tenant;
  const web = (path: string, options: Parameters<typeof call>[1] = {}) => call(`${api.webUrl}/api/v1/web/${t.namespace}/${path}`, options);
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
    for (const res of [await web('default/private.json'), await web('default/nope.json'), await call(`${api.webUrl}/api/v1/web/no-such-ns/default/a.json`)]) {
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
    const png = await fetch(`${api.webUrl}/api/v1/web/${t.namespace}/default/page.http`);
    assert.deepEqual([...new Uint8Array(await png.arrayBuffer())], [0x89, 0x50, 0x4e, 0x47]);

    answer({ body: { structured: true } });
    res = await web('default/page.http');
    assert.deepEqual(res.json, { structured: true });
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);

    answer({ statusCode: 302, headers: { location: '/elsewhere' } });
    const redirect = await fetch(`${api.webUrl}/api/v1/web/${t.namespace}/default/page.http`, { redirect: 'manual' });
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
    await fetch(`${api.webUrl}/api/v1/web/${t.namespace}/default/b.json`, { method: 'PUT', body: new Uint8Array([1, 2, 3]), headers: { 'Content-Type': 'application/octet-stream' } });
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
  describe('tenant safety', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const seenHeaders = () => lastPlan().params.__ow_headers as Record<string, string>;

    it('never hands the caller\'s API key or the secret to the action; other Authorization headers pass', async () => {
      await exported('creds');
      answer({});
      await web('default/creds.json', { auth: t.auth, headers: { 'X-Require-Whisk-Auth': 'guess', 'X-Other': 'kept' } });
      assert.equal(lastPlan().params.__ow_user, t.namespace);
      assert.equal(seenHeaders().authorization, undefined, 'a valid key');
      assert.equal(seenHeaders()['x-require-whisk-auth'], undefined);
      assert.equal(seenHeaders()['x-other'], 'kept');

      await web('default/creds.json', { auth: basic(t.apiKey.split(':')[0]!, 'y'.repeat(64)) });
      assert.equal(seenHeaders().authorization, undefined, 'a wrong key of the same form');
      assert.equal(lastPlan().params.__ow_user, undefined);

      for (const own of [basic('alice', 'wonderland'), 'Bearer some-token']) {
        await web('default/creds.json', { auth: own });
        assert.equal(seenHeaders().authorization, own, 'the action\'s own credentials are its business');
      }
    });

    it('require-whisk-auth with a secret: only the exact secret passes, and it never reaches the action', async () => {
      await exported('secret', [{ key: 'require-whisk-auth', value: 's3cret' }]);
      await exported('numbered', [{ key: 'require-whisk-auth', value: 4711 }]);
      answer({ ok: true });
      for (const wrong of ['wrong', 's3cre', 's3crett', 'S3CRET', 'x'.repeat(1000), '']) {
        const res = await web('default/secret.json', { headers: { 'X-Require-Whisk-Auth': wrong } });
        assert.equal(res.status, 401, JSON.stringify(wrong));
      }
      assert.equal((await web('default/secret.json')).status, 401);
      assert.equal(api.activator.plans.length, 0);
      assert.equal((await web('default/secret.json', { headers: { 'X-Require-Whisk-Auth': 's3cret' } })).status, 200);
      assert.equal(seenHeaders()['x-require-whisk-auth'], undefined);
      assert.equal((await web('default/numbered.json', { headers: { 'X-Require-Whisk-Auth': '4711' } })).status, 200);
      assert.equal((await web('default/numbered.json', { headers: { 'X-Require-Whisk-Auth': '47110' } })).status, 401);
    });

    it('the REST API redirects web action URLs to the web origin (307, query kept) without running anything', async () => {
      await exported('moved');
      const res = await fetch(`${api.url}/api/v1/web/${t.namespace}/default/moved.json?x=1`, { redirect: 'manual' });
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), `${api.webUrl}/api/v1/web/${t.namespace}/default/moved.json?x=1`);
      assert.equal(api.activator.plans.length, 0);

      answer({ ok: true });
      const followed = await fetch(`${api.url}/api/v1/web/${t.namespace}/default/moved.json`, {
        method: 'POST',
        body: JSON.stringify({ name: 'posted' }),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(followed.status, 200);
      assert.equal(followed.url, `${api.webUrl}/api/v1/web/${t.namespace}/default/moved.json`);
      assert.equal(lastPlan().params.name, 'posted', 'the method and body survive the redirect');
    });

    it('the web origin serves web actions only, not the REST API', async () => {
      const res = await call(`${api.webUrl}/api/v1/namespaces/_/actions`, { auth: t.auth });
      assert.equal(res.status, 404);
      assert.equal(res.json.error, 'The requested resource could not be found.');
    });

    it('the REST API refuses what a browser sends from a web action page, credentials or not', async () => {
      const actions = `${api.url}/api/v1/namespaces/_/actions`;
      const fromPages: Record<string, string>[] = [
        { Origin: api.webUrl },
        { Origin: `${api.webUrl}/` },
        { Referer: `${api.webUrl}/api/v1/web/${t.namespace}/default/page` },
      ];
      for (const headers of fromPages) {
        const res = await call(actions, { auth: t.auth, headers });
        assert.equal(res.status, 403, JSON.stringify(headers));
        assert.equal(res.json.error, 'The API does not accept requests from web action pages.');
      }
      const preflight = await call(actions, { method: 'OPTIONS', headers: { Origin: api.webUrl, 'Access-Control-Request-Headers': 'authorization' } });
      assert.equal(preflight.status, 403);
      assert.equal(preflight.headers.get('access-control-allow-origin'), null);
      assert.equal((await call(actions, { auth: t.auth, headers: { Origin: 'https://console.example' } })).status, 200, 'other pages may read');
      assert.equal((await call(actions, { auth: t.auth })).status, 200);
    });

    it('the REST API refuses a browser POST that could skip the CORS preflight (not JSON)', async () => {
      await t.ow.actions.create({ name: 'target', action: CODE });
      const invoke = `${api.url}/api/v1/namespaces/_/actions/target`;
      for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await call(invoke, { method: 'POST', auth: t.auth, headers: { Origin: 'null', ...(type ? { 'Content-Type': type } : {}) } });
        assert.equal(res.status, 403, String(type));
        assert.equal(res.json.error, 'A POST from a browser page must send its body as application/json.');
      }
      assert.equal(api.activator.plans.length, 0);
      const json = await call(invoke, { method: 'POST', auth: t.auth, body: {}, headers: { Origin: 'https://console.example' } });
      assert.equal(json.status, 202);
      assert.equal(api.activator.plans.length, 1);
    });

    it('no response of the web origin claims the platform\'s realm; an action\'s own realm stays', async () => {
      await exported('prompt');
      answer({ statusCode: 401, headers: { 'WWW-Authenticate': 'Basic realm="OpenWhisk secure realm"' }, body: 'log in' });
      let res = await web('default/prompt.http');
      assert.equal(res.status, 401);
      assert.equal(res.text, 'log in');
      assert.equal(res.headers.get('www-authenticate'), null);

      answer({ statusCode: 401, headers: { 'www-authenticate': ['Basic realm="openwhisk  SECURE realm", charset="UTF-8"', 'Bearer realm="mine"'] } });
      res = await web('default/prompt.http');
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="mine"');

      answer({ statusCode: 401, headers: { 'WWW-Authenticate': 'Basic realm="My app"' } });
      assert.equal((await web('default/prompt.http')).headers.get('www-authenticate'), 'Basic realm="My app"');

      await exported('members', [{ key: 'require-whisk-auth', value: true }]);
      const refused = await web('default/members.json');
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get('www-authenticate'), null, 'the platform asks for no credentials on the web origin');
      assert.equal((await call(`${api.url}/api/v1/namespaces/_/actions`)).headers.get('www-authenticate'), 'Basic realm="OpenWhisk secure realm"');
    });

    it('GET /api/v1 names the web origin', async () => {
      assert.equal((await call(`${api.url}/api/v1`)).json.web_url, api.webUrl);
    });
  });
});
