// Web actions end to end: an action exported with `wsk action create --web true` answers plain HTTP at the URL
// `wsk action get --url` prints (on the web actions' own origin), run by a real invoker, without credentials.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliNamespace, type CliNamespace } from '../support/cli.ts';

const PAGE = `function main(params) {
  if (params.__ow_path === '/json') return { greeting: 'Hello ' + (params.name || 'nobody'), method: params.__ow_method };
  return { statusCode: 200, headers: { 'content-type': 'text/html' }, body: '<h1>Hello ' + (params.name || 'web') + '</h1>' };
}`;

describe('web actions (real stack)', function () {
  this.timeout(120_000);
  let ns: CliNamespace;
  let url: string;

  before(async function () {
    this.timeout(180_000);
    ns = await cliNamespace('web');
    writeFileSync(join(ns.dir, 'page.js'), PAGE);
    const created = await ns.wsk(['action', 'create', 'page', 'page.js', '--web', 'true']);
    assert.equal(created.code, 0, created.stderr);
    const got = await ns.wsk(['action', 'get', 'page', '--url']);
    assert.equal(got.code, 0, got.stderr);
    url = got.stdout.trim().split('\n').at(-1)!;
    assert.equal(url, `${ns.webUrl}/api/v1/web/${ns.name}/default/page`);
    assert.notEqual(new URL(ns.webUrl).origin, new URL(ns.apiHost).origin);
  });

  after(() => ns?.cleanup());

  it('serves HTML from the .http response, without credentials', async () => {
    const res = await fetch(`${url}?name=Isowhisk`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await res.text(), '<h1>Hello Isowhisk</h1>');
    assert.match(res.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
  });

  it('passes the path, method and a JSON body, and answers .json with the result', async () => {
    const res = await fetch(`${url}.json/json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'JSON' }) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { greeting: 'Hello JSON', method: 'post' });
  });

  it('answers a URL built from the API host (as OpenWhisk\'s clients build it) by redirecting to the web origin', async () => {
    const res = await fetch(`${ns.apiHost}/api/v1/web/${ns.name}/default/page?name=redirected`);
    assert.equal(res.url, `${url}?name=redirected`);
    assert.equal(await res.text(), '<h1>Hello redirected</h1>');
  });

  it('keeps an action without --web private', async () => {
    assert.equal((await ns.wsk(['action', 'update', 'page', '--web', 'false'])).code, 0);
    const res = await fetch(url);
    assert.equal(res.status, 404);
  });
});
