// The local stack's real Jaeger (deploy/local/jaeger.ts): one trace sent as OTLP/HTTP JSON comes back through the
// query API with both spans, the parent link and the service name. Jaeger keeps running afterwards: the test
// run's root hook stops the stack.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jaegerPid, jaegerPorts, startJaeger } from '../../deploy/local/jaeger.ts';
import type { JaegerEndpoints } from '../../deploy/local/jaeger.ts';
import { testStackLayout } from '../support/stack.ts';

const layout = testStackLayout();

const POLL_MS = 15_000;

/** The parts of the query API's answer (Jaeger's UI model, /api/traces/{traceId}) the test reads. */
interface QueryTrace {
  traceID: string;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    processID: string;
    references: { refType: string; traceID: string; spanID: string }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const nanos = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();

/** Polls the query API until the trace holds `spans` spans, or fails after POLL_MS. */
async function readTrace(uiUrl: string, traceId: string, spans: number): Promise<QueryTrace> {
  const deadline = Date.now() + POLL_MS;
  let last = '';
  for (;;) {
    const res = await fetch(`${uiUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    last = `${res.status} ${body}`;
    if (res.status === 200) {
      const trace = (JSON.parse(body) as { data: QueryTrace[] }).data[0];
      if (trace && trace.spans.length >= spans) return trace;
    }
    if (Date.now() >= deadline) throw new Error(`trace ${traceId} not complete within ${POLL_MS / 1000} s; last answer: ${last.slice(0, 300)}`);
    await sleep(200);
  }
}

describe('local Jaeger', function () {
  // The first start on a machine builds Jaeger with Go (minutes); later starts take a second or two.
  this.timeout(20 * 60_000);
  let endpoints: JaegerEndpoints;

  before(async () => {
    endpoints = await startJaeger(layout);
  });

  it('listens on the layout ports of 127.0.0.1', () => {
    const ports = jaegerPorts(layout);
    assert.equal(endpoints.otlpHttpEndpoint, `http://127.0.0.1:${layout.jaeger.otlpHttpPort}`);
    assert.equal(endpoints.uiUrl, `http://127.0.0.1:${layout.jaeger.uiPort}`);
    assert.equal(new Set(Object.values(ports)).size, Object.values(ports).length, 'every port is distinct');
  });

  it('reuses the running process when started again', async () => {
    const pid = jaegerPid(layout);
    assert.ok(pid, 'Jaeger runs');
    const started = Date.now();
    assert.deepEqual(await startJaeger(layout), endpoints);
    assert.equal(jaegerPid(layout), pid);
    assert.ok(Date.now() - started < 2000, 'a second start only checks the running one');
  });

  it('stores an OTLP/HTTP JSON trace and returns it through the query API', async () => {
    const service = `jaeger-test-${hex(4)}`;
    const traceId = hex(16);
    const parentId = hex(8);
    const childId = hex(8);
    const now = Date.now();
    const payload = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
          scopeSpans: [
            {
              scope: { name: 'isowhisk-jaeger-test' },
              spans: [
                {
                  traceId,
                  spanId: parentId,
                  name: 'parent',
                  kind: 2, // SERVER
                  startTimeUnixNano: nanos(now - 50),
                  endTimeUnixNano: nanos(now),
                  attributes: [{ key: 'test.role', value: { stringValue: 'parent' } }],
                },
                {
                  traceId,
                  spanId: childId,
                  parentSpanId: parentId,
                  name: 'child',
                  kind: 1, // INTERNAL
                  startTimeUnixNano: nanos(now - 40),
                  endTimeUnixNano: nanos(now - 10),
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${endpoints.otlpHttpEndpoint}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(res.status, 200, await res.text());

    const trace = await readTrace(endpoints.uiUrl, traceId, 2);
    assert.equal(trace.traceID, traceId);
    assert.equal(trace.spans.length, 2);
    const byName = new Map(trace.spans.map((s) => [s.operationName, s]));
    const parent = byName.get('parent');
    const child = byName.get('child');
    assert.ok(parent && child, `spans: ${[...byName.keys()].join(', ')}`);
    assert.equal(parent.spanID, parentId);
    assert.equal(child.spanID, childId);
    assert.deepEqual(parent.references, []);
    assert.deepEqual(child.references, [{ refType: 'CHILD_OF', traceID: traceId, spanID: parentId }]);
    for (const span of trace.spans) assert.equal(trace.processes[span.processID]?.serviceName, service);

    const services = (await (await fetch(`${endpoints.uiUrl}/api/services`)).json()) as { data: string[] };
    assert.ok(services.data.includes(service), `services: ${services.data.join(', ')}`);
  });
});
