// Actions API (`CTL/Actions.scala`) against the real app and the test Redis, driven by the `openwhisk` npm client where
// it fits and by raw HTTP for exact statuses and texts.
import assert from 'node:assert/strict';
import { type ActionDoc, type ActionListing, actionListing } from '../../controller/entities/models/action.ts';
import { entityStore } from '../../controller/entities/entity-store.ts';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';
import { watchReads } from '../support/redis-reads.ts';

const CODE = 'function main(params) { return { greeting: `hello ${params.name}` }; }';

describe('api: actions', () => {
  let api: ApiHarness;
  let t: Tenant;
  const actionsUrl = (ns = '_') => `${api.url}/api/v1/namespaces/${ns}/actions`;

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  describe('create, get, list, delete with the openwhisk client', () => {
    it('creates an action with server annotations and defaults', async () => {
      const created = (await t.ow.actions.create({ name: 'hello', action: CODE })) as any;
      assert.equal(created.namespace, t.namespace);
      assert.equal(created.name, 'hello');
      assert.equal(created.version, '0.0.1');
      assert.equal(created.publish, false);
      assert.deepEqual(created.exec, { kind: 'nodejs:24', code: CODE, binary: false });
      assert.deepEqual(created.limits, { timeout: 60000, memory: 256, logs: 10, concurrency: 1 });
      assert.deepEqual(created.parameters, []);
      assert.deepEqual(created.annotations, [
        { key: 'provide-api-key', value: false },
        { key: 'exec', value: 'nodejs:24' },
      ]);
      assert.equal(typeof created.updated, 'number');
      assert.equal(created.revision, undefined, 'the revision is internal');

      const fetched = (await t.ow.actions.get({ name: 'hello' })) as any;
      assert.deepEqual(fetched, created);
    });

    it('gets without code when code=false', async () => {
      await t.ow.actions.create({ name: 'hello', action: CODE });
      const res = await call(`${actionsUrl()}/hello?code=false`, { auth: t.auth });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.exec, { kind: 'nodejs:24', binary: false });
    });

    it('keeps the kind asked for and detects binary code', async () => {
      const a = (await t.ow.actions.create({ name: 'old', action: CODE, kind: 'nodejs:20' })) as any;
      assert.equal(a.exec.kind, 'nodejs:20');
      const b = (await t.ow.actions.create({ name: 'zipped', action: { exec: { kind: 'nodejs:22', code: 'UEsDBAoAAAAAAA==', binary: false } } })) as any;
      assert.equal(b.exec.binary, true);
    });

    it('lists newest first with summaries, and counts', async () => {
      await t.ow.actions.create({ name: 'a', action: CODE });
      await t.ow.actions.create({ name: 'b', action: CODE });
      await t.ow.actions.create({ name: 'c', action: CODE });
      const list = (await t.ow.actions.list()) as any[];
      assert.deepEqual(list.map((a) => a.name), ['c', 'b', 'a']);
      assert.deepEqual(Object.keys(list[0]).sort(), ['annotations', 'exec', 'limits', 'name', 'namespace', 'publish', 'updated', 'version']);
      assert.deepEqual(list[0].exec, { binary: false });
      const page = (await t.ow.actions.list({ limit: 1, skip: 1 })) as any[];
      assert.deepEqual(page.map((a) => a.name), ['b']);
      const count = await t.ow.actions.list({ count: true } as any);
      assert.deepEqual(count, { actions: 3 });
    });

    it('deletes and returns the action; then 404', async () => {
      await t.ow.actions.create({ name: 'gone', action: CODE });
      const deleted = (await t.ow.actions.delete({ name: 'gone' })) as any;
      assert.equal(deleted.name, 'gone');
      assert.equal(deleted.exec.code, CODE);
      const res = await call(`${actionsUrl()}/gone`, { auth: t.auth });
      assert.equal(res.status, 404);
      assert.deepEqual(res.json, { error: 'The requested resource does not exist.', code: res.headers.get('x-request-id') });
      await assert.rejects(t.ow.actions.delete({ name: 'gone' }), (err: any) => err.statusCode === 404);
    });
  });

  describe('PUT semantics', () => {
    it('refuses a duplicate create with 409', async () => {
      await t.ow.actions.create({ name: 'dup', action: CODE });
      const res = await call(`${actionsUrl()}/dup`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:default', code: CODE } } });
      assert.equal(res.status, 409);
      assert.equal(res.json.error, 'resource already exists');
    });

    it('updates with overwrite: version bump, annotations merged, parameters replaced, exec kept', async () => {
      await call(`${actionsUrl()}/upd`, {
        method: 'PUT',
        auth: t.auth,
        body: {
          exec: { kind: 'nodejs:default', code: CODE, main: 'main' },
          parameters: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }],
          annotations: [{ key: 'x', value: 'old' }, { key: 'keep', value: true }, { key: 'drop', value: 1 }],
          limits: { memory: 128, timeout: 1000 },
        },
      });
      const res = await call(`${actionsUrl()}/upd?overwrite=true`, {
        method: 'PUT',
        auth: t.auth,
        body: { parameters: [{ key: 'c', value: 3 }], annotations: [{ key: 'x', value: 'new' }], delAnnotations: ['drop'], limits: { memory: 512 } },
      });
      assert.equal(res.status, 200);
      const a = res.json;
      assert.equal(a.version, '0.0.2');
      assert.deepEqual(a.exec, { kind: 'nodejs:24', code: CODE, binary: false, main: 'main' });
      assert.deepEqual(a.parameters, [{ key: 'c', value: 3 }]);
      assert.deepEqual(a.limits, { timeout: 1000, memory: 512, logs: 10, concurrency: 1 });
      assert.deepEqual(a.annotations, [
        { key: 'x', value: 'new' },
        { key: 'keep', value: true },
        { key: 'provide-api-key', value: false },
        { key: 'exec', value: 'nodejs:24' },
      ]);
      const again = await call(`${actionsUrl()}/upd?overwrite=true`, { method: 'PUT', auth: t.auth, body: {} });
      assert.equal(again.json.version, '0.0.3');
      assert.deepEqual(again.json.parameters, [{ key: 'c', value: 3 }]);
    });

    it('updates through the client (overwrite) and keeps a given version', async () => {
      await t.ow.actions.create({ name: 'v', action: CODE, version: '1.2.3' } as any);
      const updated = (await t.ow.actions.update({ name: 'v', action: { exec: { kind: 'nodejs:22', code: 'x' }, version: '2.0' } })) as any;
      assert.equal(updated.version, '2.0.0');
      assert.equal(updated.exec.kind, 'nodejs:22');
      const exec = updated.annotations.find((a: any) => a.key === 'exec');
      assert.equal(exec.value, 'nodejs:22');
    });

    it('requires exec on create', async () => {
      const res = await call(`${actionsUrl()}/noexec`, { method: 'PUT', auth: t.auth, body: { parameters: [] } });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'exec undefined');
    });

    it('creates with an empty body as exec undefined, and overwrite of a missing action as a create', async () => {
      const res = await call(`${actionsUrl()}/empty`, { method: 'PUT', auth: t.auth });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'exec undefined');
      const created = await call(`${actionsUrl()}/fresh?overwrite=true`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE } } });
      assert.equal(created.status, 200);
      assert.equal(created.json.version, '0.0.1');
    });

    it('refuses an unknown kind', async () => {
      const res = await call(`${actionsUrl()}/py`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'python:3', code: 'x' } } });
      assert.equal(res.status, 400);
      assert.equal(
        res.json.error,
        "The request content was malformed:\nThe specified runtime 'python:3' is not supported by this platform. Valid values are: 'nodejs:20', 'nodejs:22', 'nodejs:24'.",
      );
    });

    it('checks limits against the namespace bounds with OpenWhisk texts', async () => {
      const put = (limits: object) => call(`${actionsUrl()}/lim`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE }, limits } });
      const cases: [object, string][] = [
        [{ memory: 1024 }, 'memory size 1024 MB exceeds allowed threshold of 512 MB'],
        [{ memory: 64 }, 'memory size 64 MB below allowed threshold of 128 MB'],
        [{ timeout: 400000 }, 'duration 400000 milliseconds exceeds allowed threshold of 300000 milliseconds'],
        [{ timeout: 50 }, 'duration 50 milliseconds below allowed threshold of 100 milliseconds'],
        [{ logs: 11 }, 'log size 11 MB exceeds allowed threshold of 10 MB'],
        [{ concurrency: 5 }, 'concurrency 5 exceeds allowed threshold of 1'],
        [{ instances: 31 }, 'Max action instance concurrency must not exceed your namespace concurrency of 30.'],
        [{ memory: 'lots' }, 'The request content was malformed:\nmemory limit malformed'],
        [{ timeout: 1.5 }, 'The request content was malformed:\ntime limit must be whole number'],
      ];
      for (const [limits, message] of cases) {
        const res = await put(limits);
        assert.equal(res.status, 400, JSON.stringify(limits));
        assert.equal(res.json.error, message);
      }
      const ok = await put({ memory: 512, timeout: 300000, logs: 0, instances: 30 });
      assert.equal(ok.status, 200);
      assert.deepEqual(ok.json.limits, { timeout: 300000, memory: 512, logs: 0, concurrency: 1, instances: 30 });
    });

    it('applies per-namespace limit overrides', async () => {
      await api.identities.setLimits(t.namespace, { maxActionMemory: 256 });
      const res = await call(`${actionsUrl()}/small`, {
        method: 'PUT',
        auth: t.auth,
        body: { exec: { kind: 'nodejs:24', code: CODE }, limits: { memory: 512 } },
      });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'memory size 512 MB exceeds allowed threshold of 256 MB');
    });

    it('refuses malformed bodies, parameters and annotations', async () => {
      const res = await call(`${actionsUrl()}/bad`, { method: 'PUT', auth: t.auth, body: '{"exec": ' });
      assert.equal(res.status, 400);
      assert.match(res.json.error, /^The request content was malformed:\n/);
      const params = await call(`${actionsUrl()}/bad`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE }, parameters: { a: 1 } } });
      assert.equal(params.status, 400);
      assert.equal(params.json.error, 'The request content was malformed:\nparameters malformed!');
    });

    it('refuses parameters and annotations over 1 MB with 413', async () => {
      const big = 'x'.repeat(1024 * 1024);
      const res = await call(`${actionsUrl()}/big`, {
        method: 'PUT',
        auth: t.auth,
        body: { exec: { kind: 'nodejs:24', code: CODE }, parameters: [{ key: 'p', value: big }] },
      });
      assert.equal(res.status, 413);
      assert.equal(res.json.error, `parameters larger than allowed: ${1 + big.length + 2} > 1048576 bytes.`);
      const ann = await call(`${actionsUrl()}/big`, {
        method: 'PUT',
        auth: t.auth,
        body: { exec: { kind: 'nodejs:24', code: CODE }, annotations: [{ key: 'a', value: big }] },
      });
      assert.equal(ann.status, 413);
      assert.match(ann.json.error, /^annotations larger than allowed: \d+ > 1048576 bytes\.$/);
    });

    it('increases the stored revision on every write, also across delete and re-create', async () => {
      const store = async () => JSON.parse((await api.redis.get(api.keys.entity(t.namespace, 'actions', 'r'))) ?? 'null');
      await t.ow.actions.create({ name: 'r', action: CODE });
      const r1 = (await store()).revision;
      await t.ow.actions.update({ name: 'r', action: CODE });
      const r2 = (await store()).revision;
      await t.ow.actions.delete({ name: 'r' });
      await t.ow.actions.create({ name: 'r', action: CODE });
      const r3 = (await store()).revision;
      assert.ok(r1 < r2 && r2 < r3, `${r1} < ${r2} < ${r3}`);
    });

    it('refuses a write over a revision that changed, and a name another collection holds', async () => {
      const created = (await t.ow.actions.create({ name: 'cas', action: CODE })) as any;
      const store = entityStore<ActionDoc>(api.redis, api.keys, 'actions');
      const current = (await store.get(t.namespace, 'cas'))!;
      await t.ow.actions.update({ name: 'cas', action: CODE });
      const { revision: _stale, ...content } = current;
      await assert.rejects(store.put(t.namespace, 'cas', content, current.revision), /Concurrent modification to resource detected\./);
      assert.equal(created.name, 'cas');

      await api.redis.set(api.keys.entity(t.namespace, 'triggers', 'taken'), JSON.stringify({ revision: 1, name: 'taken' }));
      const res = await call(`${actionsUrl()}/taken`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE } } });
      assert.equal(res.status, 409);
      assert.equal(res.json.error, 'Resource by this name exists but is not in this collection.');
    });

    it('lists actions with large code by reading only their list forms, never code or parameters', async () => {
      const big = `// ${'x'.repeat(512 * 1024)}\n${CODE}`;
      for (const name of ['big1', 'big2']) await t.ow.actions.create({ name, action: big, params: { blob: 'y'.repeat(64 * 1024) } });
      const { redis, read } = watchReads(api.redis);
      const listed = await entityStore<ActionDoc, ActionListing>(redis, api.keys, 'actions', actionListing).listed(t.namespace, { skip: 0, limit: 10 });
      assert.deepEqual(listed.map((a) => a.name).sort(), ['big1', 'big2']);
      assert.deepEqual(read.sort(), ['big1', 'big2'].map((n) => api.keys.entityListing(t.namespace, 'actions', n)));
      const res = await call(actionsUrl(), { auth: t.auth });
      assert.equal(res.status, 200);
      assert.ok(res.text.length < 4096, `a list of 2 actions is ${res.text.length} bytes`);
      assert.deepEqual(res.json[0].exec, { binary: false });
    });

    it('lists an action stored before list forms existed, and forgets the list form on delete', async () => {
      await t.ow.actions.create({ name: 'older', action: CODE });
      await api.redis.del(api.keys.entityListing(t.namespace, 'actions', 'older'));
      const list = (await t.ow.actions.list()) as any[];
      assert.deepEqual(list.map((a) => [a.name, a.exec, 'parameters' in a]), [['older', { binary: false }, false]]);
      await t.ow.actions.create({ name: 'gone', action: CODE });
      await t.ow.actions.delete({ name: 'gone' });
      assert.equal(await api.redis.exists(api.keys.entityListing(t.namespace, 'actions', 'gone')), 0);
    });

    it('answers 404 for actions in a package that does not exist', async () => {
      const res = await call(`${actionsUrl()}/nopkg/a`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE } } });
      assert.equal(res.status, 404);
      const list = await call(`${actionsUrl()}/nopkg/`, { auth: t.auth });
      assert.equal(list.status, 404);
    });
  });

  describe('names, lists and methods', () => {
    it('validates entity names', async () => {
      const bad = await call(`${actionsUrl()}/${encodeURIComponent('bad name!')}`, { auth: t.auth });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error, 'The name of the entity contains illegal characters.');
      const long = 'a'.repeat(257);
      const tooLong = await call(`${actionsUrl()}/${long}`, { auth: t.auth });
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.json.error, 'Name segement longer than allowed: 257 > 256.');
      const ns = await call(`${api.url}/api/v1/namespaces/${encodeURIComponent('b@d!')}/actions`, { auth: t.auth });
      assert.equal(ns.status, 400);
      assert.equal(ns.json.error, 'The namespace contains illegal characters.');
    });

    it('accepts names with spaces, @, & and dots', async () => {
      const name = 'my act@v1.0 & more';
      const created = (await t.ow.actions.create({ name, action: CODE })) as any;
      assert.equal(created.name, name);
      const res = await call(`${actionsUrl()}/${encodeURIComponent(name)}`, { auth: t.auth });
      assert.equal(res.status, 200);
      assert.equal(res.json.name, name);
    });

    it('validates list parameters', async () => {
      const cases: [string, string][] = [
        ['limit=201', "The query parameter 'limit' was malformed:\nThe value '201' is not in the range of 0 to 200 for actions."],
        ['limit=x', "The query parameter 'limit' was malformed:\nThe value 'x' is not an integer for actions."],
        ['skip=-1', "The query parameter 'skip' was malformed:\nThe value '-1' is not greater than or equal to 0 for actions."],
        ['skip=y', "The query parameter 'skip' was malformed:\nThe value 'y' is not an integer for actions."],
      ];
      for (const [query, message] of cases) {
        const res = await call(`${actionsUrl()}?${query}`, { auth: t.auth });
        assert.equal(res.status, 400, query);
        assert.equal(res.json.error, message);
      }
      const zero = await call(`${actionsUrl()}?limit=0`, { auth: t.auth });
      assert.equal(zero.status, 200);
    });

    it('answers 405 for verbs a path does not serve, and HEAD', async () => {
      const put = await call(actionsUrl(), { method: 'PUT', auth: t.auth, body: {} });
      assert.equal(put.status, 405);
      assert.equal(put.json.error, 'HTTP method not allowed, supported methods: GET');
      const head = await fetch(`${actionsUrl()}/x`, { method: 'HEAD', headers: { Authorization: t.auth } });
      assert.equal(head.status, 405);
      const patch = await call(`${actionsUrl()}/x`, { method: 'PATCH', auth: t.auth, body: {} });
      assert.equal(patch.status, 405);
      assert.match(patch.json.error, /^HTTP method not allowed, supported methods: /);
    });

    it('answers 404 with the route text for unknown paths', async () => {
      const res = await call(`${api.url}/api/v1/namespaces/_/nothing`, { auth: t.auth });
      assert.equal(res.status, 404);
      assert.equal(res.json.error, 'The requested resource could not be found.');
      const ns = await call(`${api.url}/api/v1/namespaces/${t.namespace}`, { auth: t.auth });
      assert.equal(ns.status, 404);
    });
  });
});
