// Tenant safety of web actions on the real stack (docs/tenant-isolation.md, "Web actions"): an attacker's web action
// never collects its callers' API keys, secrets are checked exactly, its pages run on an origin of their own from
// which the REST API takes no requests, and it cannot show the platform's login prompt. Every test ends with the
// bystander's own invoke answered.
import assert from 'node:assert/strict';
import { api } from '../support/platform.ts';
import { bystanderServed, twoTenants, type Tenants } from '../support/tenants.ts';

const COLLECTOR = 'function main(p) { return { headers: p.__ow_headers, user: p.__ow_user || null }; }';
const FAKE_PROMPT = `function main() {
  return { statusCode: 401, headers: { 'WWW-Authenticate': 'Basic realm="OpenWhisk secure realm"' }, body: '<h1>Sign in to OpenWhisk</h1>' };
}`;
const PAGE = `function main() { return { body: '<script>fetch("/api/v1/namespaces/_/actions")</script>' }; }`;

const basic = (key: string) => `Basic ${Buffer.from(key).toString('base64')}`;

describe('tenant safety: web actions (real stack)', function () {
  this.timeout(120_000);
  let tenants: Tenants;
  /** The URL of one of the attacker's web actions on the web origin. */
  const webAction = (name: string) => `${tenants.attacker.webUrl}/api/v1/web/${tenants.attacker.name}/default/${name}`;
  const exportAs = (name: string, action: string, annotations: Record<string, unknown> = {}) =>
    tenants.attacker.ow.actions.create({ name, action, annotations: { 'web-export': true, ...annotations } });

  before(async function () {
    this.timeout(180_000);
    tenants = await twoTenants();
  });

  it('a web action requiring whisk auth learns who called, never the caller\'s key', async () => {
    const { bystander } = tenants;
    await exportAs('collector', COLLECTOR, { 'require-whisk-auth': true });
    const res = await fetch(`${webAction('collector')}.json`, { headers: { authorization: basic(bystander.apiKey), 'x-require-whisk-auth': 'probe' } });
    assert.equal(res.status, 200);
    const seen = (await res.json()) as { headers: Record<string, string>; user: string | null };
    assert.equal(seen.user, bystander.name);
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-require-whisk-auth'], undefined);
    assert.ok(!JSON.stringify(seen).includes(bystander.apiKey.split(':')[1]!), 'the key appears nowhere in what the action saw');

    await exportAs('open-collector', COLLECTOR);
    const mistyped = `${bystander.apiKey.slice(0, -1)}${bystander.apiKey.endsWith('x') ? 'y' : 'x'}`;
    const probe = await fetch(`${webAction('open-collector')}.json`, { headers: { authorization: basic(mistyped) } });
    const probed = (await probe.json()) as { headers: Record<string, string>; user: string | null };
    assert.equal(probed.user, null);
    assert.equal(probed.headers.authorization, undefined, 'a mistyped key is withheld too');
    await bystanderServed(bystander);
  });

  it('a web action secured by a secret answers only the exact secret', async () => {
    await exportAs('vault', COLLECTOR, { 'require-whisk-auth': 'correct-horse' });
    for (const wrong of ['wrong-horse', 'correct-hors', 'correct-horsee', 'correct-horse'.repeat(50)]) {
      const res = await fetch(`${webAction('vault')}.json`, { headers: { 'x-require-whisk-auth': wrong } });
      assert.equal(res.status, 401, wrong.slice(0, 20));
    }
    const ok = await fetch(`${webAction('vault')}.json`, { headers: { 'x-require-whisk-auth': 'correct-horse' } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { headers: Record<string, string> }).headers['x-require-whisk-auth'], undefined);
    await bystanderServed(tenants.bystander);
  });

  it('oversized __ow_headers and bodies are refused before an action runs', async () => {
    await exportAs('headers', COLLECTOR);
    // Node's HTTP parser bounds the header block (16 KB): the request never becomes an activation.
    const huge = await fetch(`${webAction('headers')}.json`, { headers: { 'x-bomb': 'a'.repeat(64 * 1024) } }).then(
      (res) => res.status,
      () => 'connection closed',
    );
    assert.ok(huge === 431 || huge === 'connection closed', `a 64 KB header answered ${huge}`);
    const many: Record<string, string> = {};
    for (let i = 0; i < 2_000; i++) many[`x-h${i}`] = 'v';
    const flood = await fetch(`${webAction('headers')}.json`, { headers: many }).then(
      (res) => res.status,
      () => 'connection closed',
    );
    assert.ok(flood === 431 || flood === 'connection closed', `2,000 headers answered ${flood}`);
    const body = await fetch(`${webAction('headers')}.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'b'.repeat(2 * 1024 * 1024) }) });
    assert.equal(body.status, 413);
    await bystanderServed(tenants.bystander);
  });

  it('web pages run on the web origin; the API origin only redirects there', async () => {
    const { attacker, bystander } = tenants;
    await exportAs('page', PAGE);
    const onApi = await fetch(`${attacker.apiHost}/api/v1/web/${attacker.name}/default/page.html`, { redirect: 'manual' });
    assert.equal(onApi.status, 307);
    assert.equal(await onApi.text(), '', 'no page content from the API origin');
    const location = onApi.headers.get('location')!;
    assert.equal(location, `${webAction('page')}.html`);
    assert.notEqual(new URL(location).origin, new URL(attacker.apiHost).origin);
    const page = await fetch(location);
    assert.match(await page.text(), /<script>/);
    await bystanderServed(bystander);
  });

  it('the API refuses a web page riding on a visitor\'s cached credentials', async () => {
    const { attacker, bystander } = tenants;
    const fromPage = { origin: attacker.webUrl };
    for (const path of ['/namespaces/_/actions', '/namespaces/_/actions/echo']) {
      const res = await api(bystander, 'GET', path, undefined, fromPage);
      assert.equal(res.status, 403, path);
      assert.deepEqual(Object.keys((await res.json()) as object).sort(), ['code', 'error']);
    }
    const preflight = await fetch(`${bystander.apiHost}/api/v1/namespaces/_/actions`, {
      method: 'OPTIONS',
      headers: { ...fromPage, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.status, 403);
    const linked = await api(bystander, 'GET', '/namespaces/_/actions', undefined, { referer: `${attacker.webUrl}/api/v1/web/${attacker.name}/default/page` });
    assert.equal(linked.status, 403, 'a plain GET from the page, known by its Referer');

    // from any page, a write that a browser sends without a preflight (and so with cached credentials) is refused
    const before = (await bystander.ow.activations.list({ name: 'echo' })).length;
    const simple = await api(bystander, 'POST', '/namespaces/_/actions/echo', '', { origin: 'https://elsewhere.example', 'content-type': 'text/plain' });
    assert.equal(simple.status, 403);
    assert.equal((await bystander.ow.activations.list({ name: 'echo' })).length, before, 'nothing ran');
    await bystanderServed(bystander);
  });

  it('a web action cannot show the platform\'s login prompt', async () => {
    await exportAs('login', FAKE_PROMPT);
    const res = await fetch(webAction('login'));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), null);
    assert.match(await res.text(), /Sign in/);
    await bystanderServed(tenants.bystander);
  });
});
