// fetch through the whole platform: an action created through the API fetches an HTTP server of the test's own
// (allowed by the test platform's ISOWHISK_FETCH_ALLOWED_HOSTS) and returns its answer; loopback ports that are not
// allowed are refused, the API host is not. The fetch is a CLIENT span of the activation's trace, in the caller's
// namespace, that passed `traceparent` to the server and carries neither the path nor the query.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { annotation, api, freshNamespace } from '../support/platform.ts';
import { hasSpans, jaegerTrace, traceView } from '../support/jaeger.ts';
import { TEST_FETCH_TARGET_PORT, TEST_LAYOUT, testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const ACTION = `async function main(p) {
  const res = await fetch(p.target + '/greet?secret=s3cr3t', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ n: p.n }),
  });
  const answer = await res.json();
  const refused = await fetch('http://127.0.0.1:' + p.otherPort + '/').then(() => 'allowed', (e) => e.name + ': ' + e.message);
  const apiPing = await fetch(process.env.__OW_API_HOST + '/ping').then((r) => r.status, (e) => e.message);
  return { status: res.status, answer, refused, apiPing };
}`;

describe('fetch from actions (real platform)', function () {
  this.timeout(120_000);
  const seen: Seen[] = [];
  let server: Server;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const n = (JSON.parse(body || '{}') as { n?: number }).n ?? 0;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ greeting: 'hello from the test server', doubled: n * 2 }));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(TEST_FETCH_TARGET_PORT, '127.0.0.1', resolve);
    });
    await testPlatform();
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('an action fetches an allowed server and returns its answer; the fetch is a span of the activation\'s trace', async () => {
    const ns = await freshNamespace('fetch');
    await ns.ow.actions.create({ name: 'caller', action: { exec: { kind: 'nodejs:default', code: ACTION } } });
    const params = { target: `http://127.0.0.1:${TEST_FETCH_TARGET_PORT}`, n: 21, otherPort: TEST_LAYOUT.redis.port };
    const res = await api(ns, 'POST', '/namespaces/_/actions/caller?blocking=true', JSON.stringify(params));
    assert.equal(res.status, 200);
    const { activationId } = (await res.json()) as { activationId: string };
    const record = await waitForRecord(ns, activationId);

    assert.deepEqual(record.response.result, {
      status: 200,
      answer: { greeting: 'hello from the test server', doubled: 42 },
      refused: 'TypeError: fetch to 127.0.0.1 refused: loopback address',
      apiPing: 200,
    });
    const request = seen.find((s) => s.url === '/greet?secret=s3cr3t');
    assert.ok(request, 'the test server saw the action\'s request');
    assert.equal(request.method, 'POST');
    assert.equal(request.body, '{"n":21}');

    // The server got the trace context of the activation's trace, from the fetch's own span.
    const traceId = annotation(record, 'traceId') as string;
    const traceparent = String(request.headers.traceparent);
    const [, sentTrace, sentParent] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceparent) ?? [];
    assert.equal(sentTrace, traceId, `traceparent ${traceparent} continues the activation's trace`);

    const trace = await jaegerTrace(traceId, hasSpans(['POST', 'process invoker0']));
    const { span, parentOf, service, tag } = traceView(trace);
    const client = span('POST');
    assert.equal(client.spanID, sentParent, 'the server\'s parent is the fetch span');
    assert.equal(service(client), 'isowhisk-invoker');
    assert.equal(tag(client, 'span.kind'), 'client');
    assert.equal(parentOf(client), span('process invoker0').spanID);
    assert.equal(tag(client, 'isowhisk.namespace'), ns.name, 'the span belongs to the caller');
    assert.equal(tag(client, 'server.port'), TEST_FETCH_TARGET_PORT);
    assert.equal(tag(client, 'http.response.status_code'), 200);
    const values = client.tags.map((t) => String(t.value)).join(' ');
    assert.ok(!values.includes('greet') && !values.includes('s3cr3t'), `no path or query in the span's tags: ${values}`);
  });
});
