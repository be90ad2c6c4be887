// Sequences (`CTL/actions/SequenceActions.scala`, `CTL/Actions.scala` sequence checks) against the real app and test Redis; the scripted activator plays the
// invokers: each component "runs" by a rule of the test, chosen by the action's name.
import assert from 'node:assert/strict';
import type { ActivationPlan } from '../../controller/activator/activator.ts';
import { type ApiHarness, type Tenant, call, recordFor, useApi } from '../support/api-harness.ts';
import { waitForRecord } from '../support/records.ts';
import { forceSequence } from '../support/sequences.ts';

const CODE = 'function main(params) { return params; }';

describe('api: sequences', () => {
  let api: ApiHarness;
  let t: Tenant;
  const put = (name: string, components: string[], query = '') =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}${query}`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'sequence', components } } });
  const invoke = (name: string, body: unknown, query = 'blocking=true') =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}?${query}`, { method: 'POST', auth: t.auth, body });
  const record = (id: string): Promise<any> => waitForRecord({ apiHost: api.url, apiKey: t.apiKey }, id, 10_000, 10);

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  /** Components: `split` splits params.text into words, `count` counts them, `fail` answers with an error. */
  beforeEach(async () => {
    for (const name of ['split', 'count', 'fail', 'never']) await t.ow.actions.create({ name, action: CODE });
    const results: Record<string, (p: Record<string, unknown>) => { statusCode: 0 | 1 | 2 | 3; result: unknown } | undefined> = {
      split: (p) => ({ statusCode: 0, result: { words: String(p.text).split(' ') } }),
      count: (p) => ({ statusCode: 0, result: { n: (p.words as unknown[]).length } }),
      fail: () => ({ statusCode: 1, result: { error: 'nope' } }),
      never: () => undefined,
    };
    api.activator.handler = async (plan: ActivationPlan) => {
      const outcome = results[plan.action.name]!(plan.params);
      const done = outcome && recordFor(plan, { response: outcome, ...(plan.cause ? { cause: plan.cause } : {}) });
      if (done) await api.activations.putRecord(done, 60);
      return { activationId: plan.activationId, result: Promise.resolve(done) };
    };
  });

  it('creates a sequence: components resolved, stored as _actions, shown as exec.components', async () => {
    const res = await put('words', ['/_/split', `/${t.namespace}/count`]);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.exec, { kind: 'sequence', components: [`/${t.namespace}/split`, `/${t.namespace}/count`] });
    assert.deepEqual(res.json.parameters, [{ key: '_actions', value: [`/${t.namespace}/split`, `/${t.namespace}/count`] }]);
    assert.deepEqual(res.json.annotations.find((a: any) => a.key === 'exec'), { key: 'exec', value: 'sequence' });
  });

  it('refuses empty, self-referring, missing and foreign components with OpenWhisk\'s texts', async () => {
    assert.equal((await put('s', [])).json.error, 'No component specified for the sequence.');
    assert.equal((await put('s', ['/_/s'])).json.error, 'Sequence may not refer to itself.');
    assert.equal((await put('s', ['/_/nothing'])).json.error, 'Sequence component does not exist.');
    assert.equal((await put('s', ['relative'])).json.error, 'Sequence component does not exist.');
    const other = await api.newNamespace();
    await other.ow.actions.create({ name: 'theirs', action: CODE });
    assert.equal((await put('s', [`/${other.namespace}/theirs`])).status, 403);
  });

  it('counts atomic actions through nested sequences against the limit', async () => {
    assert.equal((await put('two', ['/_/split', '/_/count'])).status, 200);
    const many = Array.from({ length: 26 }, () => '/_/two'); // 52 atomic actions
    const res = await put('big', many);
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'Too many actions in the sequence.');
  });

  it('chains results, records the sequence with its components, and answers like an action', async () => {
    await put('words', ['/_/split', '/_/count']);
    const res = await invoke('words', { text: 'a b c' });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.response.result, { n: 3 });
    const id = res.json.activationId;
    const seq = await record(id);
    assert.equal(seq.logs.length, 2);
    const annotation = (r: any, key: string) => r.annotations.find((a: any) => a.key === key)?.value;
    assert.equal(annotation(seq, 'kind'), 'sequence');
    assert.equal(annotation(seq, 'topmost'), true);
    assert.equal(annotation(seq, 'path'), `${t.namespace}/words`);
    const [first, second] = api.activator.plans;
    assert.deepEqual(first!.params, { text: 'a b c' });
    assert.deepEqual(second!.params, { words: ['a', 'b', 'c'] });
    assert.equal(first!.cause, id);
    assert.deepEqual(seq.logs, [first!.activationId, second!.activationId]);
    assert.equal(seq.duration, 10, 'the sum of the components\' durations (5 ms each here)');
  });

  it('stops at a component whose result has an error field, with that component\'s response', async () => {
    await put('broken', ['/_/split', '/_/fail', '/_/count']);
    const res = await invoke('broken', { text: 'x' });
    assert.equal(res.status, 502);
    assert.deepEqual(res.json.response.result, { error: 'nope' });
    assert.equal(res.json.response.status, 'application error');
    assert.equal(api.activator.plans.length, 2);
  });

  it('a component deleted after creation ends the sequence with an application error', async () => {
    await put('gone', ['/_/split', '/_/count']);
    await t.ow.actions.delete({ name: 'count' });
    const res = await invoke('gone', { text: 'x' });
    assert.equal(res.status, 502);
    assert.deepEqual(res.json.response.result, { error: 'Sequence component does not exist.' });
  });

  it('runs nested sequences inline: the inner one has its own record with cause and causedBy', async () => {
    await put('inner', ['/_/split']);
    await put('outer', ['/_/inner', '/_/count']);
    const res = await invoke('outer', { text: 'a b' });
    assert.deepEqual(res.json.response.result, { n: 2 });
    const outer = await record(res.json.activationId);
    const inner = await record(outer.logs[0]);
    assert.equal(inner.cause, outer.activationId);
    assert.equal(inner.annotations.find((a: any) => a.key === 'causedBy')?.value, 'sequence');
    assert.equal(inner.annotations.find((a: any) => a.key === 'topmost')?.value, false);
  });

  it('non-blocking answers 202 at once; the record appears when the sequence ends', async () => {
    await put('words', ['/_/split', '/_/count']);
    const res = await invoke('words', { text: 'q' }, 'blocking=false');
    assert.equal(res.status, 202);
    const seq = await record(res.json.activationId);
    assert.deepEqual(seq.response.result, { n: 1 });
  });

  it('a component with no answer in time ends the sequence as a whisk internal error', async () => {
    await t.ow.actions.update({ name: 'never', action: CODE, limits: { timeout: 100 } } as never);
    await put('slow', ['/_/never']);
    api.activator.handler = async (plan) => ({ activationId: plan.activationId, result: new Promise((r) => setTimeout(() => r(undefined), 5)) });
    const res = await invoke('slow', {});
    assert.equal(res.status, 500);
    assert.match(res.json.response.result.error, /^Timeout reached when retrieving activation [0-9a-f]{32} for sequence component\.$/);
  });

  describe('cycles and depth', () => {
    const components = async (name: string) =>
      (await call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { auth: t.auth })).json.exec.components;
    const putPackage = (name: string, body: object) => call(`${api.url}/api/v1/namespaces/_/packages/${name}`, { method: 'PUT', auth: t.auth, body });

    it('refuses the update that closes a cycle A → B → A, and keeps A as it was', async () => {
      assert.equal((await put('a', ['/_/split'])).status, 200);
      assert.equal((await put('b', ['/_/a'])).status, 200);
      const res = await put('a', ['/_/b'], '?overwrite=true');
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'Sequence may not refer to itself.');
      assert.deepEqual(await components('a'), [`/${t.namespace}/split`]);
    });

    it('refuses a cycle closed through a package binding, directly or through another sequence', async () => {
      assert.equal((await putPackage('pkg', {})).status, 200);
      assert.equal((await putPackage('bound', { binding: { namespace: t.namespace, name: 'pkg' } })).status, 200);
      assert.equal((await put('pkg/inner', ['/_/split'])).status, 200);
      assert.equal((await put('outer', ['/_/bound/inner'])).status, 200);

      const direct = await put('pkg/inner', ['/_/bound/inner'], '?overwrite=true');
      assert.equal(direct.status, 400);
      assert.equal(direct.json.error, 'Sequence may not refer to itself.');
      const indirect = await put('pkg/inner', ['/_/outer'], '?overwrite=true');
      assert.equal(indirect.status, 400);
      assert.equal(indirect.json.error, 'Sequence may not refer to itself.');
      assert.deepEqual(await components('pkg/inner'), [`/${t.namespace}/split`]);
    });

    it('refuses a sequence over a stored cycle it is not part of, as too long, rather than walking it forever', async () => {
      await put('x', ['/_/split']);
      await put('y', ['/_/x']);
      await forceSequence(api.redis, api.keys, t.namespace, 'x', [`/${t.namespace}/y`]);
      const res = await put('z', ['/_/x']);
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'Too many actions in the sequence.');
    });

    it('ends a run that meets a stored cycle with an application error naming it, each sequence recorded', async () => {
      await put('a', ['/_/split']);
      await put('b', ['/_/a']);
      await forceSequence(api.redis, api.keys, t.namespace, 'a', [`/${t.namespace}/b`]);
      const res = await invoke('a', { text: 'x' });
      assert.equal(res.status, 502, res.text);
      assert.equal(res.json.response.status, 'application error');
      assert.deepEqual(res.json.response.result, { error: 'Sequence may not refer to itself.' });
      assert.equal(api.activator.plans.length, 0, 'no action ran');
      const a = await record(res.json.activationId);
      assert.equal(a.logs.length, 1);
      const b = await record(a.logs[0]);
      assert.equal(b.cause, a.activationId);
      assert.deepEqual(b.response.result, { error: 'Sequence may not refer to itself.' });
      assert.deepEqual(b.logs, [], 'b did not enter a again');
    });

    it('bounds how deep sequences nest at run time, however the chain was built', async () => {
      // Built top-down, each update sees one level below it: a chain of 52 sequences the create checks allowed.
      const chain = Array.from({ length: 52 }, (_, i) => `s${i}`);
      for (const name of chain) await t.ow.actions.create({ name, action: CODE });
      for (const [i, name] of chain.entries()) {
        const next = chain[i + 1] ?? 'split';
        assert.equal((await put(name, [`/_/${next}`], '?overwrite=true')).status, 200);
      }
      const res = await invoke('s0', { text: 'x' });
      assert.equal(res.status, 502, res.text);
      assert.deepEqual(res.json.response.result, { error: 'Too many actions in the sequence.' });
      assert.equal(api.activator.plans.length, 0, 'the action at the bottom never ran');
    });
  });
});
