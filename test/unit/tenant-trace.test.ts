// A tenant's share of a trace (controller/traces/): only spans stamped with its namespace, references and
// processes pruned to them; a trace counts as complete once no span below the platform's entry lacks its parent
// and a span names the activation that ran; the reader waits for that within a bound, and answers 503 when the
// backend is down. The backend here is a small HTTP server answering as Jaeger's query API does.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnavailableError } from '../../shared/errors.ts';
import { looksComplete, tenantView, type Trace, type TraceSpan } from '../../controller/traces/tenant-trace.ts';
import { jaegerTraceReader } from '../../controller/traces/trace-reader.ts';

const TRACE = 'a'.repeat(32);

function span(spanID: string, fields: { parent?: string; ns?: string; kind?: string; process?: string; id?: string; name?: string } = {}): TraceSpan {
  const tags: TraceSpan['tags'] = [];
  if (fields.ns) tags.push({ key: 'isowhisk.namespace', value: fields.ns });
  if (fields.kind) tags.push({ key: 'span.kind', value: fields.kind });
  if (fields.id) tags.push({ key: 'faas.invocation_id', value: fields.id });
  return {
    traceID: TRACE,
    spanID,
    operationName: fields.name ?? spanID,
    references: fields.parent ? [{ refType: 'CHILD_OF', traceID: TRACE, spanID: fields.parent }] : [],
    startTime: 1,
    duration: 1,
    tags,
    processID: fields.process ?? 'p1',
  };
}

const trace = (...spans: TraceSpan[]): Trace => ({
  traceID: TRACE,
  spans,
  processes: { p1: { serviceName: 'isowhisk-controller', tags: [{ key: 'host.name', value: 'box' }] }, p2: { serviceName: 'isowhisk-invoker' } },
});

/** An action activation of `ns`: HTTP span → send → process → run, the caller's span outside. */
const activation = (ns: string, id: string, prefix: string): TraceSpan[] => [
  span(`${prefix}http`, { parent: 'caller', ns, kind: 'server' }),
  span(`${prefix}send`, { parent: `${prefix}http`, ns, kind: 'producer', id }),
  span(`${prefix}process`, { parent: `${prefix}send`, ns, kind: 'consumer', id, process: 'p2' }),
  span(`${prefix}run`, { parent: `${prefix}process`, ns, id, process: 'p2' }),
];

describe('tenant traces', () => {
  describe('tenantView', () => {
    it("keeps the tenant's spans only, and drops references to and processes of what it does not keep", () => {
      // the attacker joined the victim's trace id, under the victim's HTTP span
      const victim = activation('victim', '1'.repeat(32), 'v');
      const attacker = activation('attacker', '2'.repeat(32), 'x').map((s) => (s.spanID === 'xhttp' ? { ...s, references: [{ refType: 'CHILD_OF', spanID: 'vhttp' }] } : s));
      const unstamped = span('auth', { parent: 'vhttp' });
      const full = trace(...victim, ...attacker, unstamped);

      const mine = tenantView(full, 'victim')!;
      assert.deepEqual(mine.spans.map((s) => s.spanID), ['vhttp', 'vsend', 'vprocess', 'vrun']);
      const theirs = tenantView(full, 'attacker')!;
      assert.deepEqual(theirs.spans.map((s) => s.spanID), ['xhttp', 'xsend', 'xprocess', 'xrun']);
      assert.deepEqual(theirs.spans[0]!.references, [], "no reference to the victim's span");
      assert.deepEqual(mine.processes, { p1: { serviceName: 'isowhisk-controller' }, p2: { serviceName: 'isowhisk-invoker' } });
      assert.equal(tenantView(full, 'someone-else'), undefined);
    });
  });

  describe('looksComplete', () => {
    const id = '1'.repeat(32);
    const [http, send, process, run] = activation('ns', id, '');

    it('holds when every span below the entry has its parent and the run is there', () => {
      assert.equal(looksComplete(trace(http!, send!, process!, run!), 'ns', id), true);
    });

    it('fails while the HTTP span (it ends last) or the invoker spans have not arrived', () => {
      assert.equal(looksComplete(trace(send!, process!, run!), 'ns', id), false, 'send lacks its parent');
      assert.equal(looksComplete(trace(http!, send!), 'ns', id), false, 'nothing but the send names the activation');
      assert.equal(looksComplete(trace(http!, process!, run!), 'ns', id), false, 'process lacks its parent');
    });

    it("does not wait for a parent outside the platform, nor for a run span of a trigger's record", () => {
      assert.equal(looksComplete(trace(http!), 'ns'), true);
      const feed = span('feed', { parent: 'producer-outside', ns: 'ns', kind: 'consumer' });
      assert.equal(looksComplete(trace(feed), 'ns'), true);
      const invokerConsumer = span('orphan', { parent: 'gone', ns: 'ns', kind: 'consumer', process: 'p2' });
      assert.equal(looksComplete(trace(http!, invokerConsumer), 'ns'), false, "the invoker's consumer is not an entry");
      assert.equal(looksComplete(trace(http!), 'other'), false, 'none of the spans are the tenant\'s');
    });
  });

  describe('jaegerTraceReader', () => {
    let server: Server;
    let url: string;
    let answers: Array<{ status: number; body: unknown }>;
    let reads: number;

    before(async () => {
      server = createServer((req, res) => {
        reads++;
        assert.equal(req.url, `/api/traces/${TRACE}`);
        const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => {
      reads = 0;
    });

    const id = '1'.repeat(32);
    const [http, send, process, run] = activation('ns', id, '');
    const found = (t: Trace) => ({ status: 200, body: { data: [t], errors: null } });
    const notFound = { status: 404, body: { data: null, errors: [{ code: 404, msg: 'trace not found' }] } };

    it('reads again until the trace looks complete, then returns the tenant\'s view', async () => {
      answers = [notFound, found(trace(send!, process!, run!)), found(trace(http!, send!, process!, run!, span('other', { ns: 'other' })))];
      const reader = jaegerTraceReader({ url, waitMs: 10_000, pollMs: 1 });
      const got = await reader.read({ traceId: TRACE, namespace: 'ns', ranAs: id });
      assert.equal(reads, 3);
      assert.deepEqual(got?.spans.map((s) => s.spanID), ['http', 'send', 'process', 'run']);
    });

    it('returns what there is once the wait is over, and undefined for a trace the backend does not have', async () => {
      answers = [found(trace(send!))];
      assert.deepEqual((await jaegerTraceReader({ url, waitMs: 0 }).read({ traceId: TRACE, namespace: 'ns', ranAs: id }))?.spans.map((s) => s.spanID), ['send']);
      answers = [notFound];
      assert.equal(await jaegerTraceReader({ url, waitMs: 0 }).read({ traceId: TRACE, namespace: 'ns' }), undefined);
    });

    it('rejects with UnavailableError when the backend is down or answers something else', async () => {
      const down = jaegerTraceReader({ url: 'http://127.0.0.1:1', waitMs: 0 });
      await assert.rejects(down.read({ traceId: TRACE, namespace: 'ns' }), (err: unknown) => err instanceof UnavailableError && /trace backend is not available/.test(err.message));
      answers = [{ status: 200, body: '<html>not the query API</html>' }];
      await assert.rejects(jaegerTraceReader({ url, waitMs: 0 }).read({ traceId: TRACE, namespace: 'ns' }), UnavailableError);
      answers = [{ status: 500, body: { errors: [{ msg: 'storage down' }] } }];
      await assert.rejects(jaegerTraceReader({ url, waitMs: 0 }).read({ traceId: TRACE, namespace: 'ns' }), UnavailableError);
    });
  });
});
