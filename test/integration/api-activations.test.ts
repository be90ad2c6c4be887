// Activations API (`CTL/Activations.scala`) on records written through the activation store, read with the `openwhisk`
// client and raw HTTP.
import assert from 'node:assert/strict';
import { newActivationId } from '../../shared/ids.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { activationStore } from '../../shared/activation-store.ts';
import { watchReads } from '../support/redis-reads.ts';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';

function record(t: Tenant, fields: Partial<ActivationRecord> = {}): ActivationRecord {
  const start = fields.start ?? Date.now();
  const name = fields.name ?? 'hello';
  return {
    namespace: t.namespace,
    name,
    subject: t.namespace,
    activationId: newActivationId(),
    start,
    end: start + 42,
    response: { statusCode: 0, result: { ok: true }, size: 11 },
    logs: ['2024-01-01T00:00:00.123456789Z stdout: hello'],
    version: '0.0.1',
    publish: false,
    annotations: [
      { key: 'path', value: `${t.namespace}/${name}` },
      { key: 'kind', value: 'nodejs:24' },
      { key: 'waitTime', value: 3 },
    ],
    duration: 42,
    ...fields,
  };
}

describe('api: activations', () => {
  let api: ApiHarness;
  let t: Tenant;
  const url = (path = '', ns = '_') => `${api.url}/api/v1/namespaces/${ns}/activations${path}`;

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  it('gets a record in the extended form', async () => {
    const r = record(t);
    await api.activations.putRecord(r, 60);
    const got = (await t.ow.activations.get({ name: r.activationId })) as any;
    assert.deepEqual(got, {
      namespace: t.namespace,
      name: 'hello',
      subject: t.namespace,
      activationId: r.activationId,
      start: r.start,
      end: r.end,
      response: { result: { ok: true }, size: 11, success: true, status: 'success' },
      logs: r.logs,
      version: '0.0.1',
      publish: false,
      annotations: r.annotations,
      duration: 42,
    });
    const stored = JSON.parse((await api.redis.get(api.keys.activation(r.activationId))) ?? '{}');
    assert.equal(stored.response.statusCode, 0, 'the stored form keeps statusCode');
    assert.ok((await api.redis.ttl(api.keys.activation(r.activationId))) > 0);
  });

  it('maps every status code to its text', async () => {
    const texts = ['success', 'application error', 'action developer error', 'whisk internal error'];
    for (const code of [0, 1, 2, 3] as const) {
      const r = record(t, { response: { statusCode: code, result: code ? { error: 'x' } : {} } });
      await api.activations.putRecord(r, 60);
      const res = await call(url(`/${r.activationId}`), { auth: t.auth });
      assert.equal(res.json.response.success, code === 0);
      assert.equal(res.json.response.status, texts[code]);
      assert.equal(res.json.response.statusCode, undefined);
    }
  });

  it('drops end and duration when end is 0', async () => {
    const r = record(t, { end: 0, duration: undefined });
    delete (r as Partial<ActivationRecord>).duration;
    await api.activations.putRecord(r, 60);
    const res = await call(url(`/${r.activationId}`), { auth: t.auth });
    assert.equal(res.json.end, undefined);
    assert.equal(res.json.duration, undefined);
  });

  it('serves /result and /logs', async () => {
    const r = record(t);
    await api.activations.putRecord(r, 60);
    assert.deepEqual(await t.ow.activations.result({ name: r.activationId }), { result: { ok: true }, size: 11, success: true, status: 'success' });
    assert.deepEqual(await t.ow.activations.logs({ name: r.activationId }), { logs: r.logs });
  });

  it('validates ids and answers 404 for missing or foreign records', async () => {
    const short = await call(url('/abc'), { auth: t.auth });
    assert.equal(short.status, 400);
    assert.equal(short.json.error, 'Activation id length is 3 but must be 32.');
    const bad = await call(url(`/${'g'.repeat(32)}`), { auth: t.auth });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error, 'The activation id is not valid.');
    const missing = await call(url(`/${newActivationId()}`), { auth: t.auth });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'The requested resource does not exist.');
    const other = await api.newNamespace();
    const theirs = record(other);
    await api.activations.putRecord(theirs, 60);
    assert.equal((await call(url(`/${theirs.activationId}`), { auth: t.auth })).status, 404);
    assert.equal((await call(url(`/${theirs.activationId}/logs`), { auth: t.auth })).status, 404);
    const foreign = await call(url(`/${theirs.activationId}`, other.namespace), { auth: t.auth });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json.error, `The supplied authentication is not authorized to access '${other.namespace}/${theirs.activationId}'.`);
  });

  it('lists records with huge logs by reading only their summaries; docs=true still gives the full records', async () => {
    const MB = 1024 * 1024;
    const base = Date.now() - 10_000;
    const records = [0, 1, 2].map((i) => record(t, { start: base + i, logs: [`2024-01-01T00:00:00.000000000Z stdout: ${'x'.repeat(MB)}`] }));
    for (const r of records) await api.activations.putRecord(r, 60);

    // The store itself, on the real Redis: which keys a listing reads.
    const { redis: watched, read } = watchReads(api.redis);
    const summaries = await activationStore(watched, api.keys).listSummaries(t.namespace, { skip: 0, limit: 10 });
    assert.deepEqual(summaries.map((a) => a.activationId), records.map((r) => r.activationId).reverse());
    assert.deepEqual(read.sort(), records.map((r) => api.keys.activationSummary(r.activationId)).sort(), 'only summary keys were read');

    // Through the API: the summaries are small, the full docs carry the logs.
    const list = await call(url(), { auth: t.auth });
    assert.equal(list.status, 200);
    assert.equal(list.json.length, 3);
    assert.ok(list.text.length < 4096, `a list of 3 summaries is ${list.text.length} bytes`);
    assert.ok(list.json.every((a: Record<string, unknown>) => !('logs' in a) && !('response' in a)));
    const docs = await call(url('?docs=true'), { auth: t.auth });
    assert.equal(docs.json[0].logs[0].length, records[2]!.logs[0]!.length);
    assert.ok(docs.text.length > 3 * MB);
  });

  it('lists a record stored before summaries existed, summarised from the full record', async () => {
    const r = record(t);
    await api.activations.putRecord(r, 60);
    await api.redis.del(api.keys.activationSummary(r.activationId));
    const list = (await t.ow.activations.list()) as any[];
    assert.deepEqual(list.map((a) => [a.activationId, a.statusCode, 'logs' in a]), [[r.activationId, 0, false]]);
  });

  it('lists newest first, as summaries or full docs, with paging and count', async () => {
    const base = Date.now() - 10_000;
    const records = [0, 1, 2, 3].map((i) => record(t, { start: base + i * 1000, end: base + i * 1000 + 10 }));
    for (const r of records) await api.activations.putRecord(r, 60);
    const list = (await t.ow.activations.list()) as any[];
    assert.deepEqual(list.map((a) => a.activationId), records.map((r) => r.activationId).reverse());
    assert.deepEqual(list[0], {
      namespace: t.namespace,
      name: 'hello',
      version: '0.0.1',
      publish: false,
      annotations: records[3]!.annotations,
      activationId: records[3]!.activationId,
      start: records[3]!.start,
      end: records[3]!.end,
      duration: 10,
      statusCode: 0,
    });
    const docs = (await t.ow.activations.list({ docs: true })) as any[];
    assert.equal(docs[0].response.status, 'success');
    assert.deepEqual(docs[0].logs, records[3]!.logs);
    const page = (await t.ow.activations.list({ limit: 2, skip: 1 })) as any[];
    assert.deepEqual(page.map((a) => a.activationId), [records[2]!.activationId, records[1]!.activationId]);
    assert.deepEqual(await t.ow.activations.list({ count: true }), { activations: 4 });
    const window = (await t.ow.activations.list({ since: base + 1000, upto: base + 2000 })) as any[];
    assert.deepEqual(window.map((a) => a.activationId), [records[2]!.activationId, records[1]!.activationId]);
    const counted = await call(url(`?count=true&since=${base + 2000}`), { auth: t.auth });
    assert.deepEqual(counted.json, { activations: 2 });
  });

  it('filters by name and package/name', async () => {
    const a = record(t, { name: 'a' });
    const b = record(t, { name: 'b' });
    const inPkg = record(t, { name: 'a', annotations: [{ key: 'path', value: `${t.namespace}/pkg/a` }] });
    for (const r of [a, b, inPkg]) await api.activations.putRecord(r, 60);
    const onlyA = (await t.ow.activations.list({ name: 'a' })) as any[];
    assert.deepEqual(onlyA.map((x) => x.activationId), [a.activationId]);
    const pkgA = (await call(url('?name=pkg/a'), { auth: t.auth })).json as any[];
    assert.deepEqual(pkgA.map((x) => x.activationId), [inPkg.activationId]);
    const slashes = (await call(url('?name=/pkg/a/'), { auth: t.auth })).json as any[];
    assert.deepEqual(slashes.map((x) => x.activationId), [inPkg.activationId]);
  });

  it('validates list parameters with OpenWhisk texts', async () => {
    const cases: [string, string][] = [
      ['count=true&docs=true', "The parameter 'docs' is not permitted with 'count'."],
      ['name=a/b/c', "The query parameter 'name' was malformed:\nParameter may be a 'simple' name or 'package-name/simple' name: a/b/c"],
      ['name=bad!', "The query parameter 'name' was malformed:\nParameter may be a 'simple' name or 'package-name/simple' name: bad!"],
      ['since=yesterday', "The query parameter 'since' was malformed:\nParameter is not a valid value for epoch seconds: yesterday"],
      ['upto=1.5', "The query parameter 'upto' was malformed:\nParameter is not a valid value for epoch seconds: 1.5"],
      ['limit=500', "The query parameter 'limit' was malformed:\nThe value '500' is not in the range of 0 to 200 for activations."],
      ['skip=-2', "The query parameter 'skip' was malformed:\nThe value '-2' is not greater than or equal to 0 for activations."],
      ['docs=maybe', "The query parameter 'docs' was malformed:\n'maybe' is not a valid Boolean value"],
    ];
    for (const [query, message] of cases) {
      const res = await call(url(`?${query}`), { auth: t.auth });
      assert.equal(res.status, 400, query);
      assert.equal(res.json.error, message, query);
    }
  });

  it('serves GET only', async () => {
    const res = await call(url(`/${newActivationId()}`), { method: 'DELETE', auth: t.auth });
    assert.equal(res.status, 405);
    assert.equal(res.json.error, 'HTTP method not allowed, supported methods: GET');
  });

  it('skips index entries whose record expired', async () => {
    const r = record(t);
    await api.activations.putRecord(r, 60);
    // A record and its summary expire together (same TTL, set in one script).
    await api.redis.del(api.keys.activation(r.activationId), api.keys.activationSummary(r.activationId));
    assert.deepEqual(await t.ow.activations.list(), []);
    assert.equal(await api.redis.zscore(api.keys.activationsByNamespace(t.namespace), r.activationId), null);
  });
});
