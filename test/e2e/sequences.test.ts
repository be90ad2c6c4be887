// Sequences end to end: the controller chains two actions run by a real invoker, the component records name the
// sequence as their cause, and the whole run is one trace in Jaeger (sequence span → each component's Kafka send
// → invoker → run).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HTTP_SPAN, hasSpans, jaegerTrace, traceView } from '../support/jaeger.ts';
import { annotation, api, freshNamespace } from '../support/platform.ts';
import { testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

describe('sequences (real stack)', function () {
  this.timeout(120_000);

  it('chains split → reverse, records the components with their cause, and traces the run as one trace', async () => {
    await testPlatform();
    const ns = await freshNamespace('seq');
    const action = (code: string) => ({ exec: { kind: 'nodejs:default', code } });
    await ns.ow.actions.create({ name: 'split', action: action('function main(p) { return { words: p.text.split(" ") }; }') });
    await ns.ow.actions.create({ name: 'reverse', action: action('function main(p) { return { text: p.words.reverse().join(" ") }; }') });
    const created = await api(ns, 'PUT', '/namespaces/_/actions/flip', JSON.stringify({ exec: { kind: 'sequence', components: ['/_/split', '/_/reverse'] } }));
    assert.equal(created.status, 200, await created.clone().text());

    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const res = await api(ns, 'POST', '/namespaces/_/actions/flip?blocking=true&result=true', JSON.stringify({ text: 'one two three' }), {
      traceparent: `00-${traceId}-${caller}-01`,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { text: 'three two one' });

    const id = res.headers.get('x-openwhisk-activation-id')!;
    const seq = await waitForRecord(ns, id);
    assert.equal(annotation(seq, 'kind'), 'sequence');
    assert.equal(annotation(seq, 'traceId'), traceId);
    assert.equal(seq.logs.length, 2);
    for (const componentId of seq.logs) {
      const component = (await waitForRecord(ns, componentId)) as typeof seq & { cause?: string };
      assert.equal(component.cause, id);
      assert.equal(annotation(component, 'causedBy'), 'sequence');
      assert.equal(annotation(component, 'traceId'), traceId);
    }

    const trace = await jaegerTrace(traceId, (t) => t.spans.filter((s) => s.operationName === 'run').length === 2 && hasSpans([HTTP_SPAN])(t));
    const { span, spans, parentOf } = traceView(trace);
    const sequence = span(`sequence ${ns.name}/flip`);
    assert.equal(parentOf(sequence), span(HTTP_SPAN).spanID);
    const sends = spans('send invoker0');
    assert.equal(sends.length, 2);
    for (const send of sends) assert.equal(parentOf(send), sequence.spanID, 'each component is published under the sequence');
    const processes = spans('process invoker0');
    assert.deepEqual(processes.map(parentOf).sort(), sends.map((s) => s.spanID).sort());
  });

  it('runs a conductor action\'s composition on the real invoker', async () => {
    await testPlatform();
    const ns = await freshNamespace('cond');
    const action = (code: string) => ({ exec: { kind: 'nodejs:default', code } });
    await ns.ow.actions.create({ name: 'double', action: action('function main(p) { return { n: p.n * 2 }; }') });
    const conductor = `function main(p) {
      if (p.$step === undefined) return { action: 'double', params: { n: p.n }, state: { $step: 1 } };
      if (p.$step === 1) return { action: 'double', params: { n: p.n }, state: { $step: 2 } };
      return { params: { result: p.n } };
    }`;
    const created = await api(ns, 'PUT', '/namespaces/_/actions/twice', JSON.stringify({ ...action(conductor), annotations: [{ key: 'conductor', value: true }] }));
    assert.equal(created.status, 200);
    const res = await api(ns, 'POST', '/namespaces/_/actions/twice?blocking=true&result=true', JSON.stringify({ n: 5 }));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { result: 20 });
    const record = await waitForRecord(ns, res.headers.get('x-openwhisk-activation-id')!);
    assert.equal(annotation(record, 'conductor'), true);
    assert.equal(record.logs.length, 5, 'three conductor runs and two components');
  });
});
