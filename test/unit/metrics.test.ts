// Metrics helpers on fresh registries: names get the isowhisk_ prefix, the controller's and invoker's hooks move
// their counters, and labels stay templates and fixed words, never names.
import assert from 'node:assert/strict';
import Koa from 'koa';
import { Router } from '@koa/router';
import type { AddressInfo } from 'node:net';
import { activatorMetrics } from '../../controller/activator/metrics.ts';
import { httpMetrics, throttleReason } from '../../controller/middleware/metrics.ts';
import { invokerMetrics } from '../../invoker/metrics.ts';
import { startMetricsServer } from '../../invoker/metrics-server.ts';
import { activationStatusLabel, counter, createRegistry, exposition, gauge, histogram, processRestarts, sampleValue, spanBufferMetrics } from '../../shared/metrics.ts';

describe('metrics', () => {
  it('a fresh registry holds only what was registered on it, prefixed', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const c = counter(registry, 'things_total', 'things', ['kind']);
    c.inc({ kind: 'a' });
    c.inc({ kind: 'a' }, 2);
    gauge(registry, 'level', 'level').set(7);
    histogram(registry, 'wait_seconds', 'wait').observe(0.003);
    const { contentType, body } = await exposition(registry);
    assert.match(contentType, /^text\/plain/);
    assert.equal(sampleValue(body, 'isowhisk_things_total', { kind: 'a' }), 3);
    assert.equal(sampleValue(body, 'isowhisk_things_total', { kind: 'b' }), undefined);
    assert.equal(sampleValue(body, 'isowhisk_level'), 7);
    assert.equal(sampleValue(body, 'isowhisk_wait_seconds_count'), 1);
    assert.equal(sampleValue(body, 'isowhisk_wait_seconds_bucket', { le: '0.005' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_wait_seconds_bucket', { le: '0.0025' }), 0);
    assert.doesNotMatch(body, /process_cpu/);
  });

  it('default Node metrics carry the prefix too', async () => {
    const body = await createRegistry().metrics();
    assert.match(body, /^isowhisk_process_cpu_seconds_total /m);
    assert.doesNotMatch(body, /^process_/m);
  });

  it('activation status codes become the four OpenWhisk outcomes', () => {
    assert.deepEqual([0, 1, 2, 3, 9].map(activationStatusLabel), ['success', 'application_error', 'developer_error', 'whisk_internal_error', 'whisk_internal_error']);
  });

  it('the activator hooks count in flight, completed by status and forced', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const m = activatorMetrics(registry);
    m.inFlight(1);
    m.inFlight(1);
    m.inFlight(-1);
    m.completed(0);
    m.completed(2);
    m.forced();
    m.completed(3);
    const body = await registry.metrics();
    assert.equal(sampleValue(body, 'isowhisk_activations_in_flight'), 1);
    assert.equal(sampleValue(body, 'isowhisk_activations_completed_total', { status: 'success' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_activations_completed_total', { status: 'developer_error' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_activations_completed_total', { status: 'whisk_internal_error' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_activations_completed_total', { status: 'application_error' }), 0);
    assert.equal(sampleValue(body, 'isowhisk_activations_forced_total'), 1);
  });

  it('the invoker hooks count outcomes, cold and warm starts, run time and expired requests', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const m = invokerMetrics(registry);
    m.ran(true, 40);
    m.ran(false, 2);
    m.ran(false, 3);
    m.recorded(0);
    m.recorded(1);
    m.expired();
    m.recorded(3);
    const body = await registry.metrics();
    assert.equal(sampleValue(body, 'isowhisk_invoker_starts_total', { start: 'cold' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invoker_starts_total', { start: 'warm' }), 2);
    assert.equal(sampleValue(body, 'isowhisk_invoker_run_duration_seconds_count'), 3);
    assert.ok(Math.abs((sampleValue(body, 'isowhisk_invoker_run_duration_seconds_sum') ?? 0) - 0.045) < 1e-9);
    assert.equal(sampleValue(body, 'isowhisk_invoker_activations_total', { status: 'success' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invoker_activations_total', { status: 'application_error' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invoker_activations_total', { status: 'whisk_internal_error' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invoker_expired_total'), 1);
  });

  it('the HTTP middleware labels by route template, not path, and counts 429s by reason', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const router = new Router();
    router.get('/things/:name', (ctx) => void (ctx.body = ctx.params['name']));
    router.post('/busy', (ctx) => {
      ctx.status = 429;
      ctx.body = { error: 'Too many concurrent requests in flight (count: 3, allowed: 2).' };
    });
    const app = new Koa().use(httpMetrics(registry)).use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await fetch(`${base}/things/secret-a`).then((r) => r.text());
      await fetch(`${base}/things/secret-b`).then((r) => r.text());
      await fetch(`${base}/busy`, { method: 'POST' }).then((r) => r.text());
      await fetch(`${base}/nowhere`).then((r) => r.text());
    } finally {
      server.close();
    }
    const body = await registry.metrics();
    assert.equal(sampleValue(body, 'isowhisk_http_requests_total', { method: 'GET', route: '/things/:name', status: '200' }), 2);
    assert.equal(sampleValue(body, 'isowhisk_http_requests_total', { method: 'POST', route: '/busy', status: '429' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_http_request_duration_seconds_count', { method: 'GET', route: '/things/:name', status: '200' }), 2);
    assert.equal(sampleValue(body, 'isowhisk_throttled_requests_total', { reason: 'concurrency' }), 1);
    assert.doesNotMatch(body, /secret/);
  });

  it('tells the throttles apart by their texts', () => {
    assert.equal(throttleReason({ error: 'Too many requests in the last minute (count: 61, allowed: 60).' }), 'rate');
    assert.equal(throttleReason({ error: 'Too many concurrent requests in flight (count: 3, allowed: 2).' }), 'concurrency');
    assert.equal(throttleReason('x'), 'other');
    assert.equal(throttleReason(undefined), 'other');
  });

  it('the invoker metrics server answers /metrics and /ping, and 404 elsewhere', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    counter(registry, 'probe_total', 'probe').inc(5);
    const server = await startMetricsServer(registry, 0, '127.0.0.1');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const metrics = await fetch(`${base}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(sampleValue(await metrics.text(), 'isowhisk_probe_total'), 5);
      assert.equal(await (await fetch(`${base}/ping`)).text(), 'pong');
      assert.equal((await fetch(`${base}/other`)).status, 404);
      assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      server.close();
    }
  });
});

describe('process restarts metric', () => {
  it('starts at the count the supervisor passed', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    processRestarts(registry, 3);
    assert.equal(sampleValue((await exposition(registry)).body, 'isowhisk_process_restarts_total'), 3);
    const fresh = createRegistry({ defaultMetrics: false });
    processRestarts(fresh, 0);
    assert.equal(sampleValue((await exposition(fresh)).body, 'isowhisk_process_restarts_total'), 0);
  });
});

describe('span buffer metrics', () => {
  it('show the spans waiting and the running total of spans dropped, read at each scrape', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const stats = { buffered: 0, dropped: 0 };
    spanBufferMetrics(registry, () => stats);
    Object.assign(stats, { buffered: 40, dropped: 20 });
    let body = (await exposition(registry)).body;
    assert.equal(sampleValue(body, 'isowhisk_trace_spans_buffered'), 40);
    assert.equal(sampleValue(body, 'isowhisk_trace_spans_dropped_total'), 20);
    Object.assign(stats, { buffered: 0, dropped: 25 });
    body = (await exposition(registry)).body;
    assert.equal(sampleValue(body, 'isowhisk_trace_spans_buffered'), 0);
    assert.equal(sampleValue(body, 'isowhisk_trace_spans_dropped_total'), 25);
  });
});
