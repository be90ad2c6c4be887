// The `signature` annotation at the API (docs/signatures.md): PUT refuses a name that is not known, with a 400 that
// lists the known ones; the web origin gives HTTP-shaped signatures the request raw (`__ow_query`, `__ow_body`), as
// with `raw-http`, and other signatures the usual merged arguments. The scripted activator plays the invoker.
import assert from 'node:assert/strict';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';

const CODE = 'exports.handler = async (event) => event';

describe('api: action signatures', () => {
  let api: ApiHarness;
  let t: Tenant;

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  const put = (name: string, annotations: { key: string; value: unknown }[], overwrite = false) =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}?overwrite=${overwrite}`, {
      method: 'PUT',
      auth: t.auth,
      body: { exec: { kind: 'nodejs:default', code: CODE }, annotations },
    });

  it('accepts a known signature and refuses any other name, on create and on update', async () => {
    const created = await put('lambda', [{ key: 'signature', value: 'aws-lambda' }]);
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(
      (created.json.annotations as { key: string; value: unknown }[]).find((a) => a.key === 'signature'),
      { key: 'signature', value: 'aws-lambda' },
    );
    const refused = await put('other', [{ key: 'signature', value: 'lambda' }]);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error, "The signature 'lambda' is not known; known signatures: openwhisk, aws-lambda, gcp-http, azure, aliyun-fc, tencent-scf, openfaas, kubeless.");
    const notText = await put('lambda', [{ key: 'signature', value: 7 }], true);
    assert.equal(notText.status, 400);
    assert.match(String(notText.json.error), /^The signature 7 is not known/);
    const kept = await call(`${api.url}/api/v1/namespaces/_/actions/lambda`, { auth: t.auth });
    assert.equal(kept.json.version, '0.0.1', 'a refused update leaves the action as it was');
    assert.equal((await put('native', [{ key: 'signature', value: 'openwhisk' }])).status, 200);
  });

  it('web actions of HTTP-shaped signatures get the raw request; the others the merged arguments', async () => {
    const web = (name: string) => `${api.webUrl}/api/v1/web/${t.namespace}/default/${name}?x=1`;
    api.activator.completeWith(() => ({ response: { statusCode: 0, result: { statusCode: 204 } } }));
    for (const [name, signature] of [['gcp', 'gcp-http'], ['kube', 'kubeless']] as const) {
      assert.equal((await put(name, [{ key: 'signature', value: signature }, { key: 'web-export', value: true }])).status, 200);
    }
    await call(web('gcp'), { method: 'POST', body: { a: 1 } });
    const raw = api.activator.plans.at(-1)!.params;
    assert.deepEqual([raw.__ow_query, raw.__ow_body, raw.x, raw.a], ['x=1', Buffer.from('{"a":1}').toString('base64'), undefined, undefined]);
    await call(web('kube'), { method: 'POST', body: { a: 1 } });
    const merged = api.activator.plans.at(-1)!.params;
    assert.deepEqual([merged.__ow_query, merged.__ow_body, merged.x, merged.a], [undefined, undefined, '1', 1]);
  });
});
