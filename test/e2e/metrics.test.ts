// Prometheus metrics of a running platform: after one blocking invoke of a new action, the controller's /metrics
// shows the request and a successful completion, and the invoker's /metrics a successful activation that needed a
// cold start. Counters are cumulative over the shared stack's life, so each check compares before and after.
import assert from 'node:assert/strict';
import { sampleValue } from '../../shared/metrics.ts';
import { freshNamespace, type TestNamespace } from '../support/platform.ts';
import { TEST_LAYOUT, testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

const INVOKE_ROUTE = '/api/v1/namespaces/:ns/actions/:name';

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

describe('metrics (controller and invoker /metrics)', function () {
  let ns: TestNamespace;
  let controllerUrl: string;
  const invokerUrl = `http://127.0.0.1:${TEST_LAYOUT.invoker.metricsPort}/metrics`;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    controllerUrl = `${(await testPlatform()).apiHost}/metrics`;
    ns = await freshNamespace('metrics');
    await ns.ow.actions.create({ name: 'ok', action: { exec: { kind: 'nodejs:default', code: 'function main() { return { ok: true }; }' } } });
  });

  it('counts a blocking invoke on both processes', async () => {
    const sample = (text: string, name: string, labels: Record<string, string> = {}) => sampleValue(text, name, labels) ?? 0;
    const invokeLabels = { method: 'POST', route: INVOKE_ROUTE, status: '200' };
    const [ctlBefore, invBefore] = await Promise.all([scrape(controllerUrl), scrape(invokerUrl)]);

    const activation = (await ns.ow.actions.invoke({ name: 'ok', blocking: true })) as unknown as { activationId: string; response: { success: boolean } };
    assert.equal(activation.response.success, true);
    await waitForRecord(ns, activation.activationId);

    const [ctl, inv] = await Promise.all([scrape(controllerUrl), scrape(invokerUrl)]);
    const delta = (before: string, after: string, name: string, labels?: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);

    // controller: the request by its route template (never the namespace or action name), and its completion
    assert.equal(delta(ctlBefore, ctl, 'isowhisk_http_requests_total', invokeLabels), 1);
    assert.equal(delta(ctlBefore, ctl, 'isowhisk_http_request_duration_seconds_count', invokeLabels), 1);
    assert.ok(delta(ctlBefore, ctl, 'isowhisk_http_request_duration_seconds_sum', invokeLabels) > 0);
    assert.equal(delta(ctlBefore, ctl, 'isowhisk_activations_completed_total', { status: 'success' }), 1);
    assert.equal(delta(ctlBefore, ctl, 'isowhisk_activations_completed_total', { status: 'whisk_internal_error' }), 0);
    assert.equal(sample(ctl, 'isowhisk_activations_in_flight'), 0);
    assert.ok(!ctl.includes(ns.name), 'no namespace in any label');
    assert.ok(sample(ctl, 'isowhisk_process_resident_memory_bytes') > 0, 'Node process metrics, prefixed');

    // invoker: a successful activation, run once, on a sandbox initialized for it (a new action is always cold)
    assert.equal(delta(invBefore, inv, 'isowhisk_invoker_activations_total', { status: 'success' }), 1);
    assert.equal(delta(invBefore, inv, 'isowhisk_invoker_starts_total', { start: 'cold' }), 1);
    assert.equal(delta(invBefore, inv, 'isowhisk_invoker_starts_total', { start: 'warm' }), 0);
    assert.equal(delta(invBefore, inv, 'isowhisk_invoker_run_duration_seconds_count'), 1);
    assert.equal(delta(invBefore, inv, 'isowhisk_invoker_expired_total'), 0);
    assert.ok(!inv.includes(ns.name), 'no namespace in any label');
  });

  it('a second invoke of the same action runs warm', async () => {
    const before = await scrape(invokerUrl);
    await ns.ow.actions.invoke({ name: 'ok', blocking: true, result: true });
    const after = await scrape(invokerUrl);
    const warm = (text: string) => sampleValue(text, 'isowhisk_invoker_starts_total', { start: 'warm' }) ?? 0;
    assert.equal(warm(after) - warm(before), 1);
  });

  it('the invoker answers /ping, and /metrics needs no credentials on the controller', async () => {
    assert.equal(await (await fetch(`http://127.0.0.1:${TEST_LAYOUT.invoker.metricsPort}/ping`)).text(), 'pong');
    const res = await fetch(controllerUrl);
    assert.equal(res.status, 200);
    await res.text();
  });
});
