// The trace viewer the local stack's real Jaeger serves from deploy/local/jaeger-ui (config ui.assets_path): its
// page for the viewer's routes, its modules with a JavaScript type, and its model over a trace Jaeger returns.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JAEGER_UI_DIR, jaegerConfig, startJaeger } from '../../deploy/local/jaeger.ts';
import type { JaegerEndpoints } from '../../deploy/local/jaeger.ts';
import { traceView } from '../../deploy/local/jaeger-ui/static/trace-model.js';
import type { ApiTrace } from '../../deploy/local/jaeger-ui/static/trace-model.js';
import { testStackLayout } from '../support/stack.ts';

const layout = testStackLayout();

/** In deploy/local/jaeger-ui/index.html; Jaeger's placeholder page and its own UI lack it. */
const MARKER = '<meta name="generator" content="isowhisk-trace-viewer">';
const POLL_MS = 15_000;

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const nanos = (us: number): string => (BigInt(us) * 1000n).toString();

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

describe('trace viewer served by the local Jaeger', function () {
  // The first start on a machine builds Jaeger with Go (minutes); later starts take a second or two.
  this.timeout(20 * 60_000);
  let endpoints: JaegerEndpoints;

  before(async () => {
    endpoints = await startJaeger(layout);
  });

  it('points Jaeger\'s config at the viewer\'s folder', () => {
    const config = jaegerConfig(layout);
    assert.ok(config.includes(`\n    ui:\n      assets_path: ${JSON.stringify(JAEGER_UI_DIR)}\n`), config);
    assert.doesNotMatch(config, /\{\{/, 'every placeholder filled in');
    assert.ok(existsSync(join(JAEGER_UI_DIR, 'index.html')), 'Jaeger refuses to start without index.html');
  });

  for (const path of ['/', '/search?service=isowhisk-invoker', `/trace/${'ab'.repeat(16)}`]) {
    it(`answers ${path} with the viewer's page`, async () => {
      const res = await get(`${endpoints.uiUrl}${path}`);
      assert.equal(res.status, 200);
      assert.match(res.type, /^text\/html/);
      assert.ok(
        res.body.includes(MARKER),
        `not the viewer's index.html (a Jaeger started before ui.assets_path was configured? restart the stack): ${res.body.slice(0, 200)}`,
      );
      assert.ok(res.body.includes('/static/app.js'));
      assert.match(res.body, /Operator's view: every tenant's traces/, 'the page says whom it is for');
    });
  }

  for (const file of ['app.js', 'trace-model.js', 'style.css']) {
    it(`serves /static/${file}`, async () => {
      const res = await get(`${endpoints.uiUrl}/static/${file}`);
      assert.equal(res.status, 200);
      assert.match(res.type, file.endsWith('.js') ? /^(text|application)\/javascript\b/ : /^text\/css\b/);
      assert.ok(res.body.length > 100);
    });
  }

  it('leaves the query API to Jaeger', async () => {
    const res = await get(`${endpoints.uiUrl}/api/services`);
    assert.equal(res.status, 200);
    assert.match(res.type, /json/);
  });

  it('builds the view of a two-service trace from the query API', async () => {
    const traceId = hex(16);
    const [parentId, childId] = [hex(8), hex(8)];
    const services = [`ui-test-a-${hex(3)}`, `ui-test-b-${hex(3)}`] as const;
    const start = Date.now() * 1000 - 10_000; // µs
    const resourceSpans = (service: string, spans: object[]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'isowhisk-jaeger-ui-test' }, spans }],
    });
    const payload = {
      resourceSpans: [
        resourceSpans(services[0], [
          { traceId, spanId: parentId, name: 'request', kind: 2, startTimeUnixNano: nanos(start), endTimeUnixNano: nanos(start + 8_000) },
        ]),
        resourceSpans(services[1], [
          {
            traceId, spanId: childId, parentSpanId: parentId, name: 'work', kind: 1,
            startTimeUnixNano: nanos(start + 2_000), endTimeUnixNano: nanos(start + 6_000),
            status: { code: 2, message: 'failed' },
          },
        ]),
      ],
    };
    const posted = await fetch(`${endpoints.otlpHttpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(posted.status, 200, await posted.text());

    let trace: ApiTrace | undefined;
    for (const deadline = Date.now() + POLL_MS; !trace || trace.spans.length < 2; await sleep(200)) {
      assert.ok(Date.now() < deadline, `trace ${traceId} not complete within ${POLL_MS / 1000} s`);
      const res = await get(`${endpoints.uiUrl}/api/traces/${traceId}`);
      if (res.status === 200) trace = (JSON.parse(res.body) as { data: ApiTrace[] }).data[0];
    }

    const view = traceView(trace);
    assert.deepEqual(
      view.rows.map((r) => [r.depth, r.operationName, r.service, r.error]),
      [[0, 'request', services[0], false], [1, 'work', services[1], true]],
    );
    assert.equal(view.traceID, traceId);
    assert.equal(view.duration, 8_000);
    assert.equal(view.rows[1]?.left, 0.25);
    assert.equal(view.rows[1]?.width, 0.5);
    assert.deepEqual(view.services, services);
    assert.equal(view.errorCount, 1);
  });
});
