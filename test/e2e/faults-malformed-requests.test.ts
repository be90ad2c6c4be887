// Fault injection, malformed requests: a body that is not JSON, not an object, or over the 1 MB limit (with and
// without Content-Length) is refused with a clear error and creates no activation. Runs on the shared fault stack
// (test/support/fault-suite.ts).
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { api, basicAuth, countActivations, invoke } from '../support/faults.ts';
import { answerOk, useFaultSuite } from '../support/fault-suite.ts';
import { waitForRecord } from '../support/records.ts';

describe('fault injection: malformed requests are refused and create no activation', () => {
  const suite = useFaultSuite('faults-malformed');

  it('an invalid JSON body → 400 {error, code}; a JSON array body → 400; over 1 MB → 413 (with and without Content-Length)', async function () {
    this.timeout(30_000);
    const { ns } = suite;
    const before = await countActivations(ns);

    const malformed = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', '{"name": ');
    assert.equal(malformed.status, 400);
    assert.deepEqual(Object.keys(malformed.body as object).sort(), ['code', 'error']);
    assert.match((malformed.body as { error: string }).error, /^The request content was malformed:\n/);
    assert.equal(malformed.activationId, undefined);

    const array = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', '[1, 2, 3]');
    assert.equal(array.status, 400, `a JSON array is not a parameter object: ${JSON.stringify(array.body)}`);
    assert.match((array.body as { error: string }).error, /^The request content was malformed:\n/);
    assert.equal(array.activationId, undefined);

    const big = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', JSON.stringify({ big: 'x'.repeat(1_100_000) }));
    assert.equal(big.status, 413);
    assert.match((big.body as { error: string }).error, /^Request larger than allowed: \d+ > 1048576 bytes\.$/);
    assert.equal(big.activationId, undefined);

    // The same payload streamed without a Content-Length (chunked): capped while it is read.
    const chunked = await postChunked(`${ns.apiHost}/api/v1/namespaces/_/actions/echo?blocking=true`, ns.apiKey, 1_100_000);
    assert.equal(chunked.status, 413, `chunked body over 1 MB: ${chunked.body}`);
    assert.match(JSON.parse(chunked.body).error, /^Request larger than allowed: \d+ > 1048576 bytes\.$/);
    assert.equal(chunked.activationId, undefined);

    // Nothing was accepted, so nothing is recorded; one accepted invoke shows the count does move when something is.
    assert.equal(await countActivations(ns), before);
    const ok = answerOk(await invoke(ns, 'echo', { a: 1 }));
    await waitForRecord(ns, ok.activationId!, 10_000);
    assert.equal(await countActivations(ns), before + 1);
  });
});

/** POST with a chunked body of `bytes` bytes (no Content-Length); resolves with the answer even if the server stops reading. */
function postChunked(url: string, apiKey: string, bytes: number): Promise<{ status: number; body: string; activationId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, activationId: (res.headers['x-openwhisk-activation-id'] as string | undefined) ?? undefined }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer to the chunked request within 20 s')));
    req.on('error', (err) => {
      // The server may answer 413 and close while we are still writing: the answer has been handled above.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE' && (err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    req.write('{"big":"');
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end('"}');
    };
    pump();
  });
}
