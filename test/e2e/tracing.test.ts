// One trace per activation, read back from the real trace backend (Jaeger's HTTP API): the caller's span →
// controller HTTP span → Kafka send → invoker process → init/run and Redis spans, with parent links across the
// two processes, and the record's `traceId` annotation naming that trace.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { annotation, api, freshNamespace } from '../support/platform.ts';
import { HTTP_SPAN, hasSpans, jaegerTrace, traceView } from '../support/jaeger.ts';
import { testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

describe('tracing (real Jaeger)', function () {
  this.timeout(120_000);

  it('puts one activation in one trace across controller, Kafka, invoker and isolate, joining the caller\'s trace', async () => {
    await testPlatform();
    const ns = await freshNamespace('traced');
    await ns.ow.actions.create({ name: 'traced', action: { exec: { kind: 'nodejs:default', code: 'function main() { console.log("x"); return { ok: 1 }; }' } } });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');

    const res = await api(ns, 'POST', '/namespaces/_/actions/traced?blocking=true', '{}', { traceparent: `00-${traceId}-${callerSpan}-01` });
    assert.equal(res.status, 200);
    const { activationId } = (await res.json()) as { activationId: string };
    const record = await waitForRecord(ns, activationId);
    assert.equal(annotation(record, 'traceId'), traceId);

    const names = ['send invoker0', 'process invoker0', 'init', 'run', 'SET', 'EVALSHA'];
    // two EVALSHA spans: the controller's pending entry and the invoker's record
    const evalshas = (t: { spans: { operationName: string }[] }) => t.spans.filter((s) => s.operationName === 'EVALSHA').length;
    const trace = await jaegerTrace(traceId, (t) => hasSpans([...names, HTTP_SPAN])(t) && evalshas(t) >= 2);
    const { span, spans, parentOf, service, tag } = traceView(trace);

    const http = span(HTTP_SPAN);
    assert.equal(service(http), 'isowhisk-controller');
    assert.equal(parentOf(http), callerSpan, 'the HTTP span continues the caller\'s span');
    assert.equal(parentOf(span('send invoker0')), http.spanID);
    assert.equal(tag(span('send invoker0'), 'messaging.system'), 'kafka');
    assert.equal(tag(span('send invoker0'), 'messaging.message.id'), activationId);

    const process = span('process invoker0');
    assert.equal(service(process), 'isowhisk-invoker');
    assert.equal(parentOf(process), span('send invoker0').spanID, 'the invoker continues the trace from the Kafka headers');
    for (const child of ['init', 'run', 'SET', 'EVALSHA']) assert.ok(spans(child).some((s) => parentOf(s) === process.spanID), `${child} under process`);
    assert.equal(tag(span('run'), 'faas.invocation_id'), activationId);
    assert.equal(tag(span('run'), 'faas.coldstart'), true);
    assert.equal(tag(span('run'), 'isowhisk.activation.log_lines'), 1);
    assert.equal(tag(span('SET'), 'db.system.name'), 'redis');
    // The controller's own Redis work (the pending entry's write, with the action's revision check) is in the trace
    // too, under the HTTP span.
    assert.ok(
      trace.spans.some((s) => s.operationName === 'EVALSHA' && service(s) === 'isowhisk-controller' && parentOf(s) === http.spanID),
      'a controller Redis EVALSHA under the HTTP span',
    );
  });
});
