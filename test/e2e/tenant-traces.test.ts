// Tenant safety of activations and traces on the real stack, two namespaces each: an attacker reads nothing of a
// bystander's activations (records, logs, results, traces) through any route, client or CLI command; the trace
// route shows each tenant only its own spans, even when the attacker joins the bystander's trace id; the spans of
// a published package's action are the invoker's, not the publisher's; and an action's error that quotes a bound
// secret, or a secret in a URL's query string, reaches no span of the trace backend.
// Every test ends with the bystander's invoke still answered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { waitFor } from '../../deploy/local/daemon.ts';
import { scratchConfig } from '../support/cli.ts';
import { hasSpans, jaegerTrace, type JaegerTrace } from '../support/jaeger.ts';
import { annotation, api, type TestNamespace } from '../support/platform.ts';
import { testPlatform } from '../support/stack.ts';
import { bystanderServed, twoTenants, type Tenants } from '../support/tenants.ts';
import { waitForRecord } from '../support/records.ts';

const NOT_FOUND = 'The requested resource does not exist.';
const forbidden = (resource: string) => `The supplied authentication is not authorized to access '${resource}'.`;

/** What `GET .../activations/{id}/trace` answers: the caller's spans in Jaeger's JSON model. */
interface TenantTrace extends JaegerTrace {
  traceID: string;
}

const tagOf = (span: { tags: Array<{ key: string; value: unknown }> }, key: string) => span.tags.find((t) => t.key === key)?.value;

/** A blocking invoke of the namespace's action, optionally joining the trace `traceparent` names; its activation id. */
async function invoke(ns: TestNamespace, action: string, query = '', headers: Record<string, string> = {}): Promise<string> {
  const res = await api(ns, 'POST', `/namespaces/_/actions/${action}?blocking=true${query}`, '{"word":"hi"}', headers);
  assert.ok(res.status === 200 || res.status === 502, `invoke answered ${res.status}: ${await res.clone().text()}`);
  return ((await res.json()) as { activationId: string }).activationId;
}

/** The caller's trace of an activation through the API, once the invoker's `run` span is in it. */
async function tenantTrace(ns: TestNamespace, activationId: string): Promise<TenantTrace> {
  return waitFor(
    `the trace of ${activationId} through the API`,
    async () => {
      const res = await api(ns, 'GET', `/namespaces/_/activations/${activationId}/trace`);
      if (res.status === 404) return undefined; // not in the backend yet
      assert.equal(res.status, 200, await res.clone().text());
      const trace = (await res.json()) as TenantTrace;
      return trace.spans.some((s) => s.operationName === 'run') && trace.spans.some((s) => /^POST /.test(s.operationName)) ? trace : undefined;
    },
    30_000,
    200,
  );
}

async function expectError(res: Response, status: number, error: string): Promise<void> {
  const body = (await res.json()) as { error?: string; code?: string };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error, error);
  assert.match(String(body.code), /\S/);
}

describe('tenant isolation: activations and traces (real stack)', function () {
  this.timeout(180_000);
  let tenants: Tenants;

  before(async function () {
    this.timeout(240_000); // the first suite to run starts the platform
    await testPlatform();
    tenants = await twoTenants();
  });

  it("refuses every read of another namespace's activation: REST routes with _ and with its name, the openwhisk client, wsk", async () => {
    const { attacker, bystander } = tenants;
    const victimId = await invoke(bystander, 'echo');
    await waitForRecord(bystander, victimId);
    const own = await attacker.ow.actions.create({ name: 'mine', action: 'function main() { return { mine: true }; }' }).then(() => invoke(attacker, 'mine'));
    await waitForRecord(attacker, own);

    // the list with `_` is the caller's own; with the other namespace's name it is refused
    const listed = (await (await api(attacker, 'GET', '/namespaces/_/activations?docs=true&limit=200')).json()) as Array<{ activationId: string; namespace: string }>;
    assert.ok(listed.some((a) => a.activationId === own), 'the attacker sees its own activation');
    assert.deepEqual(listed.filter((a) => a.namespace !== attacker.name || a.activationId === victimId), []);
    assert.deepEqual(await (await api(attacker, 'GET', '/namespaces/_/activations?count=true')).json(), { activations: 1 });
    await expectError(await api(attacker, 'GET', `/namespaces/${bystander.name}/activations`), 403, forbidden(bystander.name));
    await expectError(await api(attacker, 'GET', `/namespaces/${bystander.name}/activations?count=true`), 403, forbidden(bystander.name));

    for (const suffix of ['', '/logs', '/result', '/trace']) {
      await expectError(await api(attacker, 'GET', `/namespaces/_/activations/${victimId}${suffix}`), 404, NOT_FOUND);
      await expectError(await api(attacker, 'GET', `/namespaces/${attacker.name}/activations/${victimId}${suffix}`), 404, NOT_FOUND);
      await expectError(await api(attacker, 'GET', `/namespaces/${bystander.name}/activations/${victimId}${suffix}`), 403, forbidden(`${bystander.name}/${victimId}`));
    }
    // an id that exists nowhere answers exactly as the bystander's does: no oracle for which ids exist
    const nowhere = randomBytes(16).toString('hex');
    await expectError(await api(attacker, 'GET', `/namespaces/_/activations/${nowhere}/trace`), 404, NOT_FOUND);

    // the openwhisk client, as a tenant's code would call it
    const status = (p: Promise<unknown>) => p.then(() => 200, (err: { statusCode?: number }) => err.statusCode);
    const ow = attacker.ow;
    assert.equal(await status(ow.activations.get({ name: victimId })), 404);
    assert.equal(await status(ow.activations.logs({ name: victimId })), 404);
    assert.equal(await status(ow.activations.result({ name: victimId })), 404);
    assert.equal(await status(ow.activations.get({ name: victimId, namespace: bystander.name })), 403);
    assert.equal(await status(ow.activations.logs({ name: victimId, namespace: bystander.name })), 403);
    assert.equal(await status(ow.activations.result({ name: victimId, namespace: bystander.name })), 403);
    assert.equal(await status(ow.activations.list({ namespace: bystander.name })), 403);
    const clientList = (await ow.activations.list({ limit: 200 })) as Array<{ activationId: string }>;
    assert.ok(!clientList.some((a) => a.activationId === victimId));

    // wsk, with the attacker's key
    const cli = scratchConfig('tenant-traces');
    try {
      writeFileSync(cli.configFile, `APIHOST=${attacker.apiHost}\nAUTH=${attacker.apiKey}\n`);
      for (const command of ['get', 'logs', 'result', 'trace']) {
        const res = await cli.wsk(['activation', command, victimId]);
        assert.notEqual(res.code, 0, `wsk activation ${command}: ${res.stdout}`);
        assert.equal(res.stdout, '');
        assert.match(res.stderr, new RegExp(`^error: Unable to [^\\n]*'${victimId}': ${NOT_FOUND.replace('.', '\\.')} \\(code \\S+\\)\\n$`));
      }
      const list = await cli.wsk(['activation', 'list', '--limit', '200']);
      assert.equal(list.code, 0, list.stderr);
      assert.ok(!list.stdout.includes(victimId) && list.stdout.includes(own), list.stdout);
    } finally {
      cli.cleanup();
    }
    await bystanderServed(bystander);
  });

  it("shows each tenant only its own spans, even when the attacker joins the bystander's trace id", async () => {
    const { attacker, bystander } = tenants;
    await attacker.ow.actions.create({ name: 'joiner', action: 'function main() { return { joined: true }; }' });
    const traceId = randomBytes(16).toString('hex');
    const parent = (span: string) => ({ traceparent: `00-${traceId}-${span}-01` });
    const victimId = await invoke(bystander, 'echo', '', parent(randomBytes(8).toString('hex')));
    const attackId = await invoke(attacker, 'joiner', '', parent(randomBytes(8).toString('hex')));
    assert.equal(annotation(await waitForRecord(bystander, victimId), 'traceId'), traceId);
    assert.equal(annotation(await waitForRecord(attacker, attackId), 'traceId'), traceId);

    // in the backend (the operator's view) the one trace holds both tenants' activations ...
    const runs = (t: JaegerTrace) => t.spans.filter((s) => s.operationName === 'run').map((s) => tagOf(s, 'faas.invocation_id'));
    const full = await jaegerTrace(traceId, (t) => runs(t).includes(victimId) && runs(t).includes(attackId) && t.spans.filter((s) => /^POST /.test(s.operationName)).length === 2);
    assert.deepEqual(new Set(full.spans.map((s) => tagOf(s, 'isowhisk.namespace')).filter((ns) => ns !== undefined)), new Set([bystander.name, attacker.name]));

    // ... and through the API each tenant gets its own part of it, nothing of the other's
    for (const [ns, id, other, otherId] of [[bystander, victimId, attacker, attackId], [attacker, attackId, bystander, victimId]] as const) {
      const trace = await tenantTrace(ns, id);
      assert.equal(trace.traceID, traceId);
      assert.ok(trace.spans.length >= 4, `${ns.name}: ${trace.spans.map((s) => s.operationName).join(', ')}`);
      for (const span of trace.spans) assert.equal(tagOf(span, 'isowhisk.namespace'), ns.name, `${span.operationName} is ${ns.name}'s`);
      const text = JSON.stringify(trace);
      assert.ok(!text.includes(other.name) && !text.includes(otherId), `${ns.name}'s trace names nothing of ${other.name}'s`);
      assert.deepEqual(runs(trace), [id]);
      for (const span of trace.spans) for (const ref of span.references) assert.ok(trace.spans.some((s) => s.spanID === ref.spanID), 'references stay inside the view');
    }
    await bystanderServed(bystander);
  });

  it("gives the spans of a published package's action to the namespace that invoked it, not to the publisher", async () => {
    const { attacker, bystander } = tenants;
    await bystander.ow.packages.create({ name: 'shared', package: { publish: true } });
    await bystander.ow.actions.create({ name: 'shared/tool', action: 'function main() { return { tool: true }; }' });
    const res = await api(attacker, 'POST', `/namespaces/${bystander.name}/actions/shared/tool?blocking=true`, '{}');
    assert.equal(res.status, 200, await res.clone().text());
    const { activationId } = (await res.json()) as { activationId: string };

    const trace = await tenantTrace(attacker, activationId);
    for (const span of trace.spans) assert.equal(tagOf(span, 'isowhisk.namespace'), attacker.name, `${span.operationName} is the invoker's`);
    const run = trace.spans.find((s) => s.operationName === 'run')!;
    assert.equal(tagOf(run, 'faas.name'), `/${bystander.name}/shared/tool`, 'the action as the caller named it');
    // the publisher has no record of it, so no trace either
    await expectError(await api(bystander, 'GET', `/namespaces/_/activations/${activationId}/trace`), 404, NOT_FOUND);
    await bystanderServed(bystander);
  });

  it("keeps an action's error text, its bound secret and URL query strings out of every span", async () => {
    const { attacker, bystander } = tenants;
    const secret = `s3cret-${randomBytes(8).toString('hex')}`;
    const inQuery = `q-${randomBytes(8).toString('hex')}`;
    const code = `function main(p) {
      if (p.mode === 'throw') throw new Error('cannot log in with ' + p.password);
      return { error: 'wrong password: ' + p.password };
    }`;
    const put = await api(
      bystander,
      'PUT',
      '/namespaces/_/actions/leaky',
      JSON.stringify({ exec: { kind: 'nodejs:default', code }, parameters: [{ key: 'password', value: secret }], annotations: [{ key: 'web-export', value: true }] }),
    );
    assert.equal(put.status, 200, await put.text());

    const applicationError = await invoke(bystander, 'leaky', `&token=${inQuery}`);
    const thrown = await api(bystander, 'POST', `/namespaces/_/actions/leaky?blocking=true&token=${inQuery}`, '{"mode":"throw"}');
    const developerError = ((await thrown.json()) as { activationId: string }).activationId;
    const web = await fetch(`${bystander.apiHost}/api/v1/web/${bystander.name}/default/leaky.json?token=${inQuery}`);
    await web.arrayBuffer();
    const webId = web.headers.get('x-openwhisk-activation-id');
    assert.match(String(webId), /^[0-9a-f]{32}$/);

    const isServer = (span: JaegerTrace['spans'][number]) => tagOf(span, 'span.kind') === 'server';
    for (const [id, status] of [
      [applicationError, 'application error'],
      [developerError, 'action developer error'],
      [webId!, 'application error'],
    ] as const) {
      const record = await waitForRecord(bystander, id);
      assert.ok(JSON.stringify(record.response).includes(secret), 'the record, the owner\'s own, has the error as the action wrote it');
      const traceId = String(annotation(record, 'traceId'));
      // the HTTP span ends last, with the response: wait for it too
      const trace = await jaegerTrace(traceId, (t) => hasSpans(['run', 'process invoker0'])(t) && t.spans.some(isServer));
      const everything = JSON.stringify(trace); // every span, tag, log (event) and process of the trace
      assert.ok(!everything.includes(secret), `the secret is in trace ${traceId}`);
      assert.ok(!everything.includes(inQuery), `the query string is in trace ${traceId}`);
      const run = trace.spans.find((s) => s.operationName === 'run')!;
      assert.equal(tagOf(run, 'otel.status_code'), 'ERROR');
      assert.equal(tagOf(run, 'otel.status_description'), status);
      const http = trace.spans.find(isServer)!;
      assert.equal(tagOf(http, 'isowhisk.namespace'), bystander.name, 'a web action\'s request is its owner\'s');
    }

    // the attacker cannot read it through the API either
    await expectError(await api(attacker, 'GET', `/namespaces/_/activations/${applicationError}/trace`), 404, NOT_FOUND);
    await bystanderServed(bystander);
  });
});
