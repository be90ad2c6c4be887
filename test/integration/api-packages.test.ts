// Packages and bindings (`CTL/Packages.scala`, `ENT/PackageCollection.scala`, `E/WhiskPackage.scala`) against the real app and the test Redis: the package
// API through the `openwhisk` client and raw HTTP, sharing across namespaces, and actions reached through a
// package or a binding (GET and invoke, with the plan the scripted activator records).
import assert from 'node:assert/strict';
import type { PackageDoc } from '../../controller/entities/models/package.ts';
import { entityStore } from '../../controller/entities/entity-store.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import { packageService } from '../../controller/entities/package-service.ts';
import { triggerService } from '../../controller/entities/trigger-service.ts';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';
import { watchReads } from '../support/redis-reads.ts';

const CODE = 'function main(p) { return p; }';

describe('api: packages and bindings', () => {
  let api: ApiHarness;
  let t: Tenant;
  const pkgUrl = (path = '', ns = '_') => `${api.url}/api/v1/namespaces/${ns}/packages${path}`;
  const actionUrl = (path: string, ns = '_') => `${api.url}/api/v1/namespaces/${ns}/actions/${path}`;
  const putPackage = (name: string, body: object = {}, tenant = t, query = '') =>
    call(`${pkgUrl(`/${name}`, tenant.namespace)}${query}`, { method: 'PUT', auth: tenant.auth, body });
  const putAction = (path: string, body: object = {}, tenant = t) =>
    call(actionUrl(path, tenant.namespace), { method: 'PUT', auth: tenant.auth, body: { exec: { kind: 'nodejs:24', code: CODE }, ...body } });
  const expectError = (res: { status: number; json: any }, status: number, error: string) => {
    assert.equal(res.status, status, JSON.stringify(res.json));
    assert.equal(res.json.error, error);
  };

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  describe('create, get, update, list, delete', () => {
    it('creates a package with the openwhisk client and gets it with its actions and feeds', async () => {
      const created = (await t.ow.packages.create({
        name: 'utils',
        package: { parameters: [{ key: 'region', value: 'eu' }], annotations: [{ key: 'description', value: 'tools' }] },
      })) as any;
      assert.deepEqual(Object.keys(created).sort(), ['annotations', 'binding', 'name', 'namespace', 'parameters', 'publish', 'updated', 'version']);
      assert.equal(created.namespace, t.namespace);
      assert.equal(created.name, 'utils');
      assert.deepEqual(created.binding, {});
      assert.deepEqual(created.parameters, [{ key: 'region', value: 'eu' }]);
      assert.deepEqual(created.annotations, [{ key: 'description', value: 'tools' }]);
      assert.equal(created.version, '0.0.1');
      assert.equal(created.publish, false);
      assert.equal(typeof created.updated, 'number');

      assert.equal((await putAction('utils/hello')).status, 200);
      assert.equal((await putAction('utils/changes', { annotations: [{ key: 'feed', value: true }] })).status, 200);
      const got = (await t.ow.packages.get({ name: 'utils' })) as any;
      assert.deepEqual({ ...got, actions: undefined, feeds: undefined }, { ...created, actions: undefined, feeds: undefined });
      assert.deepEqual(got.actions, [
        { name: 'hello', version: '0.0.1', annotations: [{ key: 'provide-api-key', value: false }, { key: 'exec', value: 'nodejs:24' }] },
      ]);
      assert.deepEqual(got.feeds.map((f: any) => f.name), ['changes']);
    });

    it('updates with overwrite: given fields replace old ones (annotations too), the version bumps', async () => {
      await putPackage('p', { parameters: [{ key: 'a', value: 1 }], annotations: [{ key: 'x', value: 1 }], publish: true });
      const conflict = await putPackage('p', {});
      expectError(conflict, 409, 'resource already exists');
      const updated = (await t.ow.packages.update({ name: 'p', package: { annotations: [{ key: 'y', value: 2 }] } })) as any;
      assert.equal(updated.version, '0.0.2');
      assert.deepEqual(updated.parameters, [{ key: 'a', value: 1 }]);
      assert.deepEqual(updated.annotations, [{ key: 'y', value: 2 }]);
      assert.equal(updated.publish, true);
      const again = await putPackage('p', { parameters: [], version: '1.2.3', publish: false }, t, '?overwrite=true');
      assert.equal(again.status, 200);
      assert.deepEqual(again.json.parameters, []);
      assert.equal(again.json.version, '1.2.3');
      assert.equal(again.json.publish, false);
    });

    it('lists packages and bindings newest first as summaries, and counts', async () => {
      await putPackage('a');
      await putPackage('b', { publish: true });
      await putPackage('c', { binding: { namespace: '_', name: 'a' } });
      const list = (await t.ow.packages.list()) as any[];
      assert.deepEqual(list.map((p) => p.name), ['c', 'b', 'a']);
      assert.deepEqual(Object.keys(list[2]).sort(), ['annotations', 'binding', 'name', 'namespace', 'publish', 'updated', 'version']);
      assert.equal(list[2].binding, false);
      assert.deepEqual(list[0].binding, { namespace: t.namespace, name: 'a' });
      assert.deepEqual((await t.ow.packages.list({ limit: 1, skip: 1 })).map((p: any) => p.name), ['b']);
      assert.deepEqual(await t.ow.packages.list({ count: true } as any), { packages: 3 });
      expectError(await call(`${pkgUrl()}?limit=201`, { auth: t.auth }), 400, "The query parameter 'limit' was malformed:\nThe value '201' is not in the range of 0 to 200 for packages.");
    });

    it('deletes an empty package and returns it; then 404', async () => {
      await putPackage('gone', { parameters: [{ key: 'k', value: 'v' }] });
      const deleted = (await t.ow.packages.delete({ name: 'gone' })) as any;
      assert.equal(deleted.name, 'gone');
      assert.deepEqual(deleted.parameters, [{ key: 'k', value: 'v' }]);
      assert.equal(deleted.actions, undefined);
      expectError(await call(pkgUrl('/gone'), { auth: t.auth }), 404, 'The requested resource does not exist.');
      expectError(await call(pkgUrl('/gone'), { method: 'DELETE', auth: t.auth }), 404, 'The requested resource does not exist.');
    });

    it('reserves the name default, with or without overwrite', async () => {
      expectError(await putPackage('default'), 400, "Package name 'default' is reserved.");
      expectError(await putPackage('default', {}, t, '?overwrite=true'), 400, "Package name 'default' is reserved.");
    });

    it('refuses a name another collection uses, bad bodies, and POST', async () => {
      await putAction('taken');
      expectError(await putPackage('taken'), 409, 'Resource by this name exists but is not in this collection.');
      const badPublish = await putPackage('p', { publish: 'yes' });
      assert.equal(badPublish.status, 400);
      assert.match(badPublish.json.error, /^The request content was malformed:\n/);
      const badBinding = await putPackage('p', { binding: { name: 'x' } });
      expectError(badBinding, 400, "The request content was malformed:\nObject is missing required member 'namespace'");
      const post = await call(pkgUrl('/p'), { method: 'POST', auth: t.auth });
      assert.equal(post.status, 405);
    });

    it('refuses a parameter set over the limit with 413', async () => {
      const res = await putPackage('big', { parameters: [{ key: 'k', value: 'x'.repeat(1024 * 1024) }] });
      assert.equal(res.status, 413);
      assert.match(res.json.error, /^parameters larger than allowed: \d+ > 1048576 bytes\.$/);
    });
  });

  describe('listings read list forms only', () => {
    it('lists packages, a package\'s actions and triggers without reading their parameters or code', async () => {
      const params = [{ key: 'blob', value: 'p'.repeat(256 * 1024) }];
      assert.equal((await putPackage('heavy', { parameters: params })).status, 200);
      assert.equal((await putAction('heavy/act', { parameters: params })).status, 200);
      const trigger = await call(`${api.url}/api/v1/namespaces/_/triggers/heavyt`, { method: 'PUT', auth: t.auth, body: { parameters: params } });
      assert.equal(trigger.status, 200);
      const { redis, read } = watchReads(api.redis);
      const packages = await packageService(redis, api.keys, DEFAULT_LIMITS).list(t.namespace, true, { skip: 0, limit: 10 });
      const triggers = await triggerService(redis, api.keys, DEFAULT_LIMITS).list(t.namespace, { skip: 0, limit: 10 });
      const view = await packageService(redis, api.keys, DEFAULT_LIMITS).get(t.namespace, 'heavy');
      assert.deepEqual([packages.map((p) => p.name), triggers.map((p) => p.name), view.actions.map((a) => a.name)], [['heavy'], ['heavyt'], ['act']]);
      const readDocs = read.filter((k) => k.includes(':entity:'));
      assert.deepEqual(readDocs, [api.keys.entity(t.namespace, 'packages', 'heavy')], 'only the GET of the package itself reads a whole document');
      const listed = await call(pkgUrl(), { auth: t.auth });
      assert.ok(listed.text.length < 1024 && !('parameters' in listed.json[0]), listed.text.slice(0, 200));
    });
  });

  describe('deleting a package with actions', () => {
    it('answers 409 without force, naming the count', async () => {
      await putPackage('full');
      await putAction('full/one');
      expectError(await call(pkgUrl('/full'), { method: 'DELETE', auth: t.auth }), 409, 'Package not empty (contains 1 entity). Set force param or delete package contents.');
      await putAction('full/two');
      expectError(await call(pkgUrl('/full'), { method: 'DELETE', auth: t.auth }), 409, 'Package not empty (contains 2 entities). Set force param or delete package contents.');
    });

    it('deletes the actions first with force=true', async () => {
      await putPackage('full');
      await putAction('full/one');
      await putAction('full/two');
      const res = await call(pkgUrl('/full?force=true'), { method: 'DELETE', auth: t.auth });
      assert.equal(res.status, 200);
      assert.equal(res.json.name, 'full');
      assert.equal((await call(actionUrl('full/one'), { auth: t.auth })).status, 404);
      assert.deepEqual((await t.ow.actions.list()).map((a: any) => a.name), []);
      // the name is free again, and the re-created package is empty
      await putPackage('full');
      assert.deepEqual((await t.ow.packages.get({ name: 'full' }) as any).actions, []);
    });

    it('deletes a binding whatever its target holds', async () => {
      await putPackage('target');
      await putAction('target/a');
      await putPackage('bound', { binding: { namespace: t.namespace, name: 'target' } });
      const res = await call(pkgUrl('/bound'), { method: 'DELETE', auth: t.auth });
      assert.equal(res.status, 200);
      assert.equal((await call(actionUrl('target/a'), { auth: t.auth })).status, 200);
    });
  });

  describe('bindings', () => {
    it('binds a package: binding field and a server-set binding annotation', async () => {
      await putPackage('target', { parameters: [{ key: 'a', value: 'package' }, { key: 'b', value: 'package' }] });
      const res = await putPackage('bound', {
        binding: { namespace: '_', name: 'target' },
        parameters: [{ key: 'b', value: 'binding' }],
        annotations: [{ key: 'binding', value: 'forged' }, { key: 'note', value: 1 }],
      });
      assert.equal(res.status, 200);
      const binding = { namespace: t.namespace, name: 'target' };
      assert.deepEqual(res.json.binding, binding);
      assert.deepEqual(res.json.annotations, [{ key: 'note', value: 1 }, { key: 'binding', value: binding }]);
      assert.deepEqual(res.json.parameters, [{ key: 'b', value: 'binding' }]);

      // an update without `binding` keeps the target and the annotation
      const updated = await putPackage('bound', { annotations: [] }, t, '?overwrite=true');
      assert.deepEqual(updated.json.binding, binding);
      assert.deepEqual(updated.json.annotations, [{ key: 'binding', value: binding }]);
    });

    it('gets a binding with merged parameters and the target package\'s actions', async () => {
      await putPackage('target', { parameters: [{ key: 'a', value: 'package' }, { key: 'b', value: 'package' }] });
      await putAction('target/hello');
      await putPackage('bound', { binding: { namespace: t.namespace, name: 'target' }, parameters: [{ key: 'b', value: 'binding' }, { key: 'c', value: 'binding' }] });
      const got = (await t.ow.packages.get({ name: 'bound' })) as any;
      assert.equal(got.name, 'bound');
      assert.equal(got.namespace, t.namespace);
      assert.deepEqual(got.binding, { namespace: t.namespace, name: 'target' });
      assert.deepEqual(got.parameters, [
        { key: 'a', value: 'package' },
        { key: 'b', value: 'binding' },
        { key: 'c', value: 'binding' },
      ]);
      assert.deepEqual(got.actions.map((a: any) => a.name), ['hello']);
      assert.deepEqual(got.feeds, []);
    });

    it('refuses each invalid binding with OpenWhisk\'s status and text', async () => {
      expectError(await putPackage('b1', { binding: { namespace: '_', name: 'nothere' } }), 400, 'Binding references a package that does not exist.');
      await putAction('anaction');
      expectError(await putPackage('b2', { binding: { namespace: '_', name: 'anaction' } }), 409, 'Cannot bind to a resource that is not a package.');
      await putPackage('target');
      await putPackage('b3', { binding: { namespace: '_', name: 'target' } });
      expectError(await putPackage('b4', { binding: { namespace: '_', name: 'b3' } }), 400, 'Cannot bind to another package binding.');
      expectError(
        await putPackage('target', { binding: { namespace: '_', name: 'b3' } }, t, '?overwrite=true'),
        409,
        'Resource is a package and cannot be converted into a binding.',
      );
      expectError(await putPackage('b3', { binding: { namespace: '_', name: 'b3' } }, t, '?overwrite=true'), 400, 'Cannot bind to another package binding.');
      expectError(await putPackage('b3', { binding: { namespace: '_', name: 'target' } }), 409, 'resource already exists');
    });

    it('refuses binding another namespace\'s private or missing package with 403', async () => {
      const other = await api.newNamespace();
      await putPackage('private', {}, other);
      expectError(
        await putPackage('b', { binding: { namespace: other.namespace, name: 'private' } }),
        403,
        `The supplied authentication is not authorized to access '${other.namespace}/private'.`,
      );
      expectError(
        await putPackage('b', { binding: { namespace: other.namespace, name: 'nothere' } }),
        403,
        `The supplied authentication is not authorized to access '${other.namespace}/nothere'.`,
      );
    });

    it('answers 404 for a binding whose target is gone, and 422 for one that refers to itself', async () => {
      await putPackage('target');
      await putPackage('bound', { binding: { namespace: '_', name: 'target' } });
      await call(pkgUrl('/target'), { method: 'DELETE', auth: t.auth });
      expectError(await call(pkgUrl('/bound'), { auth: t.auth }), 404, 'The requested resource does not exist.');
      expectError(await call(actionUrl('bound/a'), { auth: t.auth }), 404, 'The requested resource does not exist.');

      // no request can make one; a stored document can still say so
      const store = entityStore<PackageDoc>(api.redis, api.keys, 'packages');
      const looped = (await store.get(t.namespace, 'bound'))!;
      const { revision, ...content } = looped;
      await store.put(t.namespace, 'bound', { ...content, binding: { namespace: t.namespace, name: 'bound' } }, revision);
      expectError(await call(pkgUrl('/bound'), { auth: t.auth }), 422, `Package binding '${t.namespace}/bound' contains a circular reference.`);
      expectError(await call(actionUrl('bound/a'), { method: 'POST', auth: t.auth }), 422, `Package binding '${t.namespace}/bound' contains a circular reference.`);
    });
  });

  describe('actions through a package or binding', () => {
    beforeEach(async () => {
      await putPackage('target', { parameters: [{ key: 'a', value: 'package' }, { key: 'b', value: 'package' }, { key: 'c', value: 'package' }, { key: 'd', value: 'package' }] });
      await putAction('target/echo', { parameters: [{ key: 'c', value: 'action' }, { key: 'd', value: 'action' }] });
      await putPackage('bound', { binding: { namespace: '_', name: 'target' }, parameters: [{ key: 'b', value: 'binding' }, { key: 'c', value: 'binding' }] });
    });

    it('gets a packaged action with the package parameters merged in', async () => {
      const res = await call(actionUrl('target/echo'), { auth: t.auth });
      assert.equal(res.status, 200);
      assert.equal(res.json.namespace, `${t.namespace}/target`);
      assert.deepEqual(res.json.parameters, [
        { key: 'a', value: 'package' },
        { key: 'b', value: 'package' },
        { key: 'c', value: 'action' },
        { key: 'd', value: 'action' },
      ]);
    });

    it('gets an action through a binding: the target\'s action, parameters package < binding < action', async () => {
      const res = await call(actionUrl('bound/echo?code=false'), { auth: t.auth });
      assert.equal(res.status, 200);
      assert.equal(res.json.namespace, `${t.namespace}/target`);
      assert.equal(res.json.name, 'echo');
      assert.equal(res.json.exec.code, undefined);
      assert.deepEqual(res.json.parameters, [
        { key: 'a', value: 'package' },
        { key: 'b', value: 'binding' },
        { key: 'c', value: 'action' },
        { key: 'd', value: 'action' },
      ]);
      const viaClient = (await t.ow.actions.get({ name: 'bound/echo' })) as any;
      assert.equal(viaClient.namespace, `${t.namespace}/target`);
    });

    it('invokes through a binding: merged parameters, the body last, the target\'s path and a binding annotation', async () => {
      const res = await call(actionUrl('bound/echo'), { method: 'POST', auth: t.auth, body: { d: 'body', e: 'body' } });
      assert.equal(res.status, 202);
      const plan = api.activator.plans[0]!;
      assert.deepEqual(plan.params, { a: 'package', b: 'binding', c: 'action', d: 'body', e: 'body' });
      assert.equal(plan.action.namespace, t.namespace);
      assert.equal(plan.action.package, 'target');
      assert.equal(plan.action.name, 'echo');
      assert.equal(plan.action.path, `${t.namespace}/target/echo`);
      assert.equal(plan.binding, `${t.namespace}/bound`);
    });

    it('invokes a packaged action without a binding annotation', async () => {
      await call(actionUrl('target/echo'), { method: 'POST', auth: t.auth, body: { e: 1 } });
      const plan = api.activator.plans[0]!;
      assert.deepEqual(plan.params, { a: 'package', b: 'package', c: 'action', d: 'action', e: 1 });
      assert.equal(plan.action.path, `${t.namespace}/target/echo`);
      assert.equal(plan.binding, undefined);
    });

    it('applies final across package and binding parameters', async () => {
      await putAction('target/fixed', { annotations: [{ key: 'final', value: true }] });
      expectError(
        await call(actionUrl('bound/fixed'), { method: 'POST', auth: t.auth, body: { b: 'mine' } }),
        400,
        'Request defines parameters that are not allowed (e.g., reserved properties).',
      );
      assert.equal((await call(actionUrl('bound/fixed'), { method: 'POST', auth: t.auth, body: { z: 'free' } })).status, 202);
    });

    it('still refuses writes through a binding', async () => {
      expectError(await putAction('bound/new'), 400, 'Operation not permitted on package binding.');
      expectError(await call(actionUrl('bound/echo'), { method: 'DELETE', auth: t.auth }), 400, 'Operation not permitted on package binding.');
    });

    it('answers 404 for a missing action behind a binding, and for a missing package', async () => {
      expectError(await call(actionUrl('bound/nothere'), { auth: t.auth }), 404, 'The requested resource does not exist.');
      expectError(await call(actionUrl('nopkg/echo'), { method: 'POST', auth: t.auth }), 404, 'The requested resource does not exist.');
    });

    it('works with the openwhisk client', async () => {
      await t.ow.actions.invoke({ name: 'bound/echo', params: { e: 'client' } });
      assert.deepEqual(api.activator.plans[0]!.params, { a: 'package', b: 'binding', c: 'action', d: 'action', e: 'client' });
    });
  });

  describe('other namespaces', () => {
    let other: Tenant;
    beforeEach(async () => {
      other = await api.newNamespace();
      await putPackage('shared', { publish: true, parameters: [{ key: 'owner', value: 'package' }] }, other);
      await putAction('shared/tool', {}, other);
      await putPackage('private', {}, other);
      await putAction('private/secret', {}, other);
      await putPackage('otherbinding', { binding: { namespace: other.namespace, name: 'shared' } }, other);
      await putAction('loose', {}, other);
    });
    const forbidden = (resource: string) => `The supplied authentication is not authorized to access '${resource}'.`;

    it('reads a published package and its actions', async () => {
      const pkg = await call(pkgUrl('/shared', other.namespace), { auth: t.auth });
      assert.equal(pkg.status, 200);
      assert.deepEqual(pkg.json.actions.map((a: any) => a.name), ['tool']);
      const action = await call(actionUrl('shared/tool', other.namespace), { auth: t.auth });
      assert.equal(action.status, 200);
      assert.equal(action.json.namespace, `${other.namespace}/shared`);
    });

    it('refuses private and missing packages, bindings and loose actions with 403', async () => {
      expectError(await call(pkgUrl('/private', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/private`));
      expectError(await call(pkgUrl('/nothere', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/nothere`));
      expectError(await call(pkgUrl('/otherbinding', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/otherbinding`));
      expectError(await call(actionUrl('private/secret', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/private`));
      expectError(await call(actionUrl('private/secret', other.namespace), { method: 'POST', auth: t.auth }), 403, forbidden(`${other.namespace}/private`));
      expectError(await call(actionUrl('otherbinding/tool', other.namespace), { method: 'POST', auth: t.auth }), 403, forbidden(`${other.namespace}/otherbinding`));
      expectError(await call(actionUrl('loose', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/loose`));
      expectError(await call(actionUrl('shared/', other.namespace), { auth: t.auth }), 403, forbidden(`${other.namespace}/shared`));
      assert.equal(api.activator.plans.length, 0);
    });

    it('never writes into another namespace, published or not', async () => {
      expectError(await call(pkgUrl('/shared', other.namespace), { method: 'PUT', auth: t.auth, body: {} }), 403, forbidden(`${other.namespace}/shared`));
      expectError(await call(pkgUrl('/shared', other.namespace), { method: 'DELETE', auth: t.auth }), 403, forbidden(`${other.namespace}/shared`));
      expectError(await call(actionUrl('shared/tool', other.namespace), { method: 'DELETE', auth: t.auth }), 403, forbidden(`${other.namespace}/shared/tool`));
      const put = await call(actionUrl('shared/mine', other.namespace), { method: 'PUT', auth: t.auth, body: { exec: { kind: 'nodejs:24', code: CODE } } });
      expectError(put, 403, forbidden(`${other.namespace}/shared/mine`));
    });

    it('lists only published packages that are not bindings', async () => {
      const list = (await t.ow.packages.list({ namespace: other.namespace })) as any[];
      assert.deepEqual(list.map((p) => p.name), ['shared']);
      const count = await call(`${pkgUrl('', other.namespace)}?count=true`, { auth: t.auth });
      assert.deepEqual(count.json, { packages: 1 });
      const own = (await other.ow.packages.list()) as any[];
      assert.deepEqual(own.map((p) => p.name).sort(), ['otherbinding', 'private', 'shared']);
    });

    it('invokes an action of a published package as the caller', async () => {
      const res = await call(actionUrl('shared/tool', other.namespace), { method: 'POST', auth: t.auth, body: { x: 1 } });
      assert.equal(res.status, 202);
      const plan = api.activator.plans[0]!;
      assert.equal(plan.identity.namespace, t.namespace);
      assert.equal(plan.action.namespace, other.namespace);
      assert.equal(plan.action.path, `${other.namespace}/shared/tool`);
      assert.deepEqual(plan.params, { owner: 'package', x: 1 });
    });

    it('binds a published package and invokes through the binding', async () => {
      const bound = await putPackage('mine', { binding: { namespace: other.namespace, name: 'shared' }, parameters: [{ key: 'mine', value: true }] });
      assert.equal(bound.status, 200);
      const got = (await t.ow.packages.get({ name: 'mine' })) as any;
      assert.deepEqual(got.actions.map((a: any) => a.name), ['tool']);
      await call(actionUrl('mine/tool'), { method: 'POST', auth: t.auth });
      const plan = api.activator.plans[0]!;
      assert.equal(plan.action.path, `${other.namespace}/shared/tool`);
      assert.equal(plan.binding, `${t.namespace}/mine`);
      assert.deepEqual(plan.params, { owner: 'package', mine: true });

      // once the target is private again, the binding's owner loses access
      await putPackage('shared', { publish: false }, other, '?overwrite=true');
      expectError(await call(pkgUrl('/mine'), { auth: t.auth }), 403, forbidden(`${t.namespace}/mine`));
      expectError(await call(actionUrl('mine/tool'), { method: 'POST', auth: t.auth }), 403, forbidden(`${t.namespace}/mine`));
    });
  });
});
