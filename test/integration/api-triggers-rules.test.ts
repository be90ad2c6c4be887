// Triggers and rules API (`CTL/Triggers.scala`, `CTL/Rules.scala`) against the real app and the test Redis, with the scripted
// activator standing in for Kafka and the invokers (the end-to-end path is in test/e2e/triggers.test.ts).
import assert from 'node:assert/strict';
import { type ApiHarness, type Tenant, call, useApi } from '../support/api-harness.ts';
import { waitForRecord } from '../support/records.ts';

const CODE = 'function main(params) { return params; }';

describe('api: triggers and rules', () => {
  let api: ApiHarness;
  let t: Tenant;
  const url = (collection: string, name = '', ns = '_') => `${api.url}/api/v1/namespaces/${ns}/${collection}${name ? `/${name}` : ''}`;
  const put = (collection: string, name: string, body: unknown, query = '') =>
    call(`${url(collection, name)}${query}`, { method: 'PUT', auth: t.auth, body });
  const fire = (name: string, body: unknown = {}, headers: Record<string, string> = {}) =>
    call(url('triggers', name), { method: 'POST', auth: t.auth, body, headers });

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  /** Waits for the trigger activation's record (stored once every rule has been tried). */
  function triggerRecord(id: string): Promise<any> {
    return waitForRecord({ apiHost: api.url, apiKey: t.apiKey }, id, 10_000, 10);
  }

  describe('triggers', () => {
    it('creates, gets, updates, lists and deletes with the openwhisk client', async () => {
      const created = (await t.ow.triggers.create({ name: 't', trigger: { parameters: [{ key: 'a', value: 1 }] } })) as any;
      assert.deepEqual(
        { ...created, updated: 0 },
        { namespace: t.namespace, name: 't', version: '0.0.1', publish: false, parameters: [{ key: 'a', value: 1 }], annotations: [], limits: {}, updated: 0 },
      );
      assert.deepEqual(await t.ow.triggers.get({ name: 't' }), created);

      const updated = (await t.ow.triggers.update({ name: 't', trigger: { annotations: [{ key: 'x', value: true }] } })) as any;
      assert.equal(updated.version, '0.0.2');
      assert.deepEqual(updated.parameters, [{ key: 'a', value: 1 }], 'parameters kept when not given');
      assert.deepEqual(updated.annotations, [{ key: 'x', value: true }]);

      await t.ow.triggers.create({ name: 'u' });
      const list = (await t.ow.triggers.list()) as any[];
      assert.deepEqual(list.map((x) => x.name), ['u', 't']);
      assert.deepEqual(Object.keys(list[0]).sort(), ['annotations', 'name', 'namespace', 'publish', 'updated', 'version']);
      assert.deepEqual((await call(`${url('triggers')}?count=true`, { auth: t.auth })).json, { triggers: 2 });

      const deleted = (await t.ow.triggers.delete({ name: 't' })) as any;
      assert.equal(deleted.name, 't');
      assert.equal((await call(url('triggers', 't'), { auth: t.auth })).status, 404);
    });

    it('refuses a second create (409), a bad name (400), a bad feed annotation (400)', async () => {
      assert.equal((await put('triggers', 't', {})).status, 200);
      const again = await put('triggers', 't', {});
      assert.equal(again.status, 409);
      assert.equal(again.json.error, 'resource already exists');
      assert.equal((await put('triggers', 'b%24d', {})).status, 400);
      const feed = await put('triggers', 'f', { annotations: [{ key: 'feed', value: 'not a/valid//feed' }] });
      assert.equal(feed.status, 400);
      assert.equal(feed.json.error, 'Feed name is not valid');
      assert.equal((await put('triggers', 'g', { annotations: [{ key: 'feed', value: '/whisk.system/messaging/kafkaFeed' }] })).status, 200);
    });

    it('shares the namespace of names with actions', async () => {
      await t.ow.actions.create({ name: 'same', action: CODE });
      const res = await put('triggers', 'same', {});
      assert.equal(res.status, 409);
      assert.equal(res.json.error, 'Resource by this name exists but is not in this collection.');
    });

    it("never shows another namespace's trigger (403)", async () => {
      const other = await api.newNamespace();
      await other.ow.triggers.create({ name: 'theirs' });
      const res = await call(url('triggers', 'theirs', other.namespace), { auth: t.auth });
      assert.equal(res.status, 403);
      assert.equal(res.json.error, `The supplied authentication is not authorized to access '${other.namespace}'.`);
    });

    it('answers 204 to a fire with no active rule and records nothing', async () => {
      await t.ow.triggers.create({ name: 't' });
      const res = await fire('t', { x: 1 });
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      assert.equal(api.activator.plans.length, 0);
    });

    it('refuses a fire of a missing trigger (404) and a non-object or oversized payload', async () => {
      assert.equal((await fire('nope')).status, 404);
      await t.ow.triggers.create({ name: 't' });
      assert.equal((await fire('t', '[1]')).status, 400);
      const big = await fire('t', { blob: 'x'.repeat(1024 * 1024) });
      assert.equal(big.status, 413);
    });
  });

  describe('rules', () => {
    beforeEach(async () => {
      await t.ow.triggers.create({ name: 't', trigger: { parameters: [{ key: 'fromTrigger', value: 'p' }, { key: 'x', value: 'trigger' }] } });
      await t.ow.actions.create({ name: 'a', action: CODE });
    });

    it('creates an active rule linked in the trigger, with the openwhisk client', async () => {
      const rule = (await t.ow.rules.create({ name: 'r', trigger: 't', action: 'a' })) as any;
      assert.deepEqual(
        { ...rule, updated: 0 },
        {
          namespace: t.namespace,
          name: 'r',
          version: '0.0.1',
          publish: false,
          annotations: [],
          status: 'active',
          trigger: { path: t.namespace, name: 't' },
          action: { path: t.namespace, name: 'a' },
          updated: 0,
        },
      );
      const trigger = (await t.ow.triggers.get({ name: 't' })) as any;
      assert.deepEqual(trigger.rules, { [`${t.namespace}/r`]: { action: { path: t.namespace, name: 'a' }, status: 'active' } });
      const list = (await t.ow.rules.list()) as any[];
      assert.equal(list.length, 1);
      assert.equal(list[0].status, undefined, 'lists carry no status');
    });

    it('disables and enables with a plain-text OK, and GET reads the status from the trigger', async () => {
      await t.ow.rules.create({ name: 'r', trigger: 't', action: 'a' });
      const off = await call(url('rules', 'r'), { method: 'POST', auth: t.auth, body: { status: 'inactive' } });
      assert.equal(off.status, 200);
      assert.equal(off.text, 'OK');
      assert.match(off.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal(((await t.ow.rules.get({ name: 'r' })) as any).status, 'inactive');
      assert.equal((await call(url('rules', 'r'), { method: 'POST', auth: t.auth, body: { status: 'inactive' } })).text, 'OK');
      await t.ow.rules.enable({ name: 'r' });
      assert.equal(((await t.ow.rules.get({ name: 'r' })) as any).status, 'active');

      const bad = await call(url('rules', 'r'), { method: 'POST', auth: t.auth, body: { status: 'paused' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error, "'paused' is not a recognized rule state, must be one of ['active', 'inactive']");
    });

    it('checks both ends on create', async () => {
      const missing = await put('rules', 'r', { trigger: `/${t.namespace}/t` });
      assert.equal(missing.status, 400);
      assert.equal(missing.json.error, 'rule requires a valid trigger and a valid action');
      const noTrigger = await put('rules', 'r', { trigger: '/_/nope', action: '/_/a' });
      assert.equal(noTrigger.json.error, `trigger /${t.namespace}/nope does not exist`);
      const noAction = await put('rules', 'r', { trigger: '/_/t', action: '/_/nope' });
      assert.equal(noAction.json.error, `action /${t.namespace}/nope does not exist`);
      const other = await api.newNamespace();
      await other.ow.actions.create({ name: 'theirs', action: CODE });
      const foreign = await put('rules', 'r', { trigger: '/_/t', action: `/${other.namespace}/theirs` });
      assert.equal(foreign.status, 403);
    });

    it("may fire an action of another namespace's published package, never of a private one", async () => {
      const other = await api.newNamespace();
      await other.ow.packages.create({ name: 'shared', package: { publish: true } });
      await other.ow.packages.create({ name: 'private' });
      await other.ow.actions.create({ name: 'shared/act', action: CODE });
      await other.ow.actions.create({ name: 'private/act', action: CODE });

      const refused = await put('rules', 'r', { trigger: '/_/t', action: `/${other.namespace}/private/act` });
      assert.equal(refused.status, 403);
      const rule = await put('rules', 'r', { trigger: '/_/t', action: `/${other.namespace}/shared/act` });
      assert.equal(rule.status, 200, rule.text);
      assert.deepEqual(rule.json.action, { path: `${other.namespace}/shared`, name: 'act' });

      const fired = await fire('t');
      assert.equal(fired.status, 202);
      await triggerRecord(fired.json.activationId);
      assert.equal(api.activator.plans[0]?.action.path, `${other.namespace}/shared/act`);
      assert.equal(api.activator.plans[0]?.identity.namespace, t.namespace, 'the caller invokes');
    });

    it('keeps the status through an update that moves the rule to another trigger', async () => {
      await t.ow.rules.create({ name: 'r', trigger: 't', action: 'a' });
      await t.ow.rules.disable({ name: 'r' });
      await t.ow.triggers.create({ name: 't2' });
      const moved = await put('rules', 'r', { trigger: '/_/t2' }, '?overwrite=true');
      assert.equal(moved.status, 200);
      assert.equal(moved.json.status, 'inactive');
      assert.equal(moved.json.version, '0.0.2');
      assert.deepEqual(((await t.ow.triggers.get({ name: 't' })) as any).rules, {});
      assert.equal(((await t.ow.triggers.get({ name: 't2' })) as any).rules[`${t.namespace}/r`].status, 'inactive');
    });

    it('deletes an active rule and unlinks it; a rule whose trigger is gone reads inactive and cannot be enabled', async () => {
      await t.ow.rules.create({ name: 'r', trigger: 't', action: 'a' });
      const deleted = await call(url('rules', 'r'), { method: 'DELETE', auth: t.auth });
      assert.equal(deleted.status, 200);
      assert.equal(deleted.json.status, 'inactive');
      assert.deepEqual(((await t.ow.triggers.get({ name: 't' })) as any).rules, {});

      await t.ow.rules.create({ name: 'r2', trigger: 't', action: 'a' });
      await t.ow.triggers.delete({ name: 't' });
      assert.equal(((await t.ow.rules.get({ name: 'r2' })) as any).status, 'inactive');
      const enable = await call(url('rules', 'r2'), { method: 'POST', auth: t.auth, body: { status: 'active' } });
      assert.equal(enable.status, 404);
      assert.equal(enable.json.error, 'Only rules with existing triggers can be activated');
    });
  });

  describe('fire', () => {
    beforeEach(async () => {
      await t.ow.triggers.create({ name: 't', trigger: { parameters: [{ key: 'fromTrigger', value: 'p' }, { key: 'x', value: 'trigger' }] } });
      await t.ow.actions.create({ name: 'a', action: CODE });
      await t.ow.actions.create({ name: 'b', action: CODE });
    });

    it('invokes each active rule non-blocking with trigger parameters, headers and payload, and records the outcomes', async () => {
      await t.ow.rules.create({ name: 'r1', trigger: 't', action: 'a' });
      await t.ow.rules.create({ name: 'r2', trigger: 't', action: 'b' });
      await t.ow.rules.disable({ name: 'r2' });
      await t.ow.actions.create({ name: 'gone', action: CODE });
      await t.ow.rules.create({ name: 'r3', trigger: 't', action: 'gone' });
      await t.ow.actions.delete({ name: 'gone' });

      const res = await fire('t', { x: 'payload', y: 2 }, { 'X-Custom': 'yes' });
      assert.equal(res.status, 202);
      assert.match(res.json.activationId, /^[0-9a-f]{32}$/);

      const record = await triggerRecord(res.json.activationId);
      assert.equal(api.activator.plans.length, 1, 'only the active rule with an existing action ran');
      const plan = api.activator.plans[0]!;
      assert.equal(plan.blocking, false);
      assert.equal(plan.action.path, `${t.namespace}/a`);
      assert.equal(plan.params.fromTrigger, 'p');
      assert.equal(plan.params.x, 'payload', 'the payload wins over trigger parameters');
      assert.equal(plan.params.y, 2);
      const headers = plan.params.__ow_headers as Record<string, string>;
      assert.equal(headers['x-custom'], 'yes');
      assert.equal(headers.authorization, undefined, "the caller's credentials are not handed to the action");

      assert.equal(record.name, 't');
      assert.equal(record.namespace, t.namespace);
      assert.deepEqual(record.response, { result: { x: 'payload', y: 2 }, success: true, status: 'success' });
      assert.equal(record.end, undefined);
      assert.equal(record.duration, undefined);
      const logs = (record.logs as string[]).map((l) => JSON.parse(l)).sort((p, q) => p.rule.localeCompare(q.rule));
      assert.deepEqual(logs, [
        { statusCode: 0, success: true, activationId: plan.activationId, rule: `${t.namespace}/r1`, action: `${t.namespace}/a` },
        { statusCode: 1, success: false, error: `Rule '${t.namespace}/r2' is inactive, action '${t.namespace}/b' was not activated.`, rule: `${t.namespace}/r2`, action: `${t.namespace}/b` },
        { statusCode: 1, success: false, error: 'The requested resource does not exist.', rule: `${t.namespace}/r3`, action: `${t.namespace}/gone` },
      ]);
    });

    it('records a whisk error for a rule whose invoke finds no invoker', async () => {
      await t.ow.rules.create({ name: 'r1', trigger: 't', action: 'a' });
      const { NoInvokerError } = await import('../../shared/errors.ts');
      api.activator.handler = async () => {
        throw new NoInvokerError('No invokers available.');
      };
      const fired = (await t.ow.triggers.invoke({ name: 't', params: { n: 1 } })) as any;
      const record = await triggerRecord(fired.activationId);
      const [outcome] = (record.logs as string[]).map((l) => JSON.parse(l));
      assert.equal(outcome.statusCode, 3);
      assert.equal(outcome.success, false);
      assert.equal(outcome.error, 'No invokers available.');
    });
  });
});
