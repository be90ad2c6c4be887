// Conductor actions (`CTL/actions/PrimitiveActions.scala` invokeComposition) against the real app and test Redis; the scripted activator plays the invokers: the
// conductor steers by its input, `inc` adds one.
import assert from 'node:assert/strict';
import type { ActivationPlan } from '../../controller/activator/activator.ts';
import { type ApiHarness, type Tenant, call, recordFor, useApi } from '../support/api-harness.ts';

const CODE = 'function main(params) { return params; }';

describe('api: conductor actions', () => {
  let api: ApiHarness;
  let t: Tenant;
  const invoke = (name: string, body: unknown) =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}?blocking=true`, { method: 'POST', auth: t.auth, body });

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  /** `route` picks the conductor's answer for each input it gets. */
  async function setUp(route: (p: Record<string, any>) => unknown): Promise<void> {
    const conductor = { exec: { kind: 'nodejs:default', code: CODE }, annotations: [{ key: 'conductor', value: true }] };
    assert.equal((await call(`${api.url}/api/v1/namespaces/_/actions/cond`, { method: 'PUT', auth: t.auth, body: conductor })).status, 200);
    await t.ow.actions.create({ name: 'inc', action: CODE });
    api.activator.handler = async (plan: ActivationPlan) => {
      const p = plan.params as Record<string, any>;
      const result = plan.action.name === 'cond' ? route(p) : { n: p.n + 1 };
      const done = recordFor(plan, { response: { statusCode: 0, result }, ...(plan.cause ? { cause: plan.cause } : {}) });
      await api.activations.putRecord(done, 60);
      return { activationId: plan.activationId, result: Promise.resolve(done) };
    };
  }

  it('alternates conductor and components, carrying state, until the conductor names no action', async () => {
    await setUp((p) => {
      if (p.step === undefined) return { action: 'inc', params: { n: 1 }, state: { step: 1 } };
      if (p.step === 1) return { action: `/${t.namespace}/inc`, params: { n: p.n }, state: { step: 2 } };
      return { params: { final: p.n } };
    });
    const res = await invoke('cond', {});
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.response.result, { final: 3 });
    const names = api.activator.plans.map((p) => p.action.name);
    assert.deepEqual(names, ['cond', 'inc', 'cond', 'inc', 'cond']);
    const id = res.json.activationId;
    assert.ok(api.activator.plans.every((p) => p.cause === id));
    const record = (await call(`${api.url}/api/v1/namespaces/_/activations/${id}`, { auth: t.auth })).json;
    assert.deepEqual(record.logs, api.activator.plans.map((p) => p.activationId));
    const annotation = (key: string) => record.annotations.find((a: any) => a.key === key)?.value;
    assert.equal(annotation('conductor'), true);
    assert.equal(annotation('kind'), 'sequence');
  });

  it('hands a missing component back to the conductor as an error', async () => {
    await setUp((p) => (p.error === undefined ? { action: 'missing', state: { tried: true } } : { params: { saw: p.error, tried: p.tried } }));
    const res = await invoke('cond', {});
    assert.deepEqual(res.json.response.result, { saw: "Failed to resolve action with name 'missing' during composition.", tried: true });
  });

  it('ends a composition that never stops with "Too many actions in the composition."', async () => {
    await setUp((p) => ({ action: 'inc', params: { n: p.n ?? 0 } }));
    await api.identities.setLimits(t.namespace, { invocationsPerMinute: 1000 }); // each of its ~150 runs is an invoke
    const res = await invoke('cond', {});
    assert.equal(res.status, 502);
    assert.deepEqual(res.json.response.result, { error: 'Too many actions in the composition.' });
  });

  describe('one budget for the whole run', () => {
    /** Every conductor run and component is an invoke of the namespace: room for the longest run allowed. */
    beforeEach(() => api.identities.setLimits(t.namespace, { invocationsPerMinute: 1000 }));
    const putSequence = (name: string, components: string[]) =>
      call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'sequence', components } } });
    const record = async (id: string) => (await call(`${api.url}/api/v1/namespaces/_/activations/${id}`, { auth: t.auth })).json;

    it('stops a conductor that steers to itself at the limit: 2 × 50 conductor runs, each level an error', async () => {
      await setUp(() => ({ action: 'cond' }));
      const res = await invoke('cond', {});
      assert.equal(res.status, 502, res.text);
      assert.equal(res.json.response.status, 'application error');
      assert.deepEqual(res.json.response.result, { error: 'Too many actions in the composition.' });
      assert.equal(api.activator.plans.length, 100, 'conductor runs across all nested compositions');
      const top = await record(res.json.activationId);
      const nested = await record(top.logs[1]); // the conductor's run, then the composition it steered to
      assert.equal(nested.cause, top.activationId);
      assert.equal(nested.annotations.find((a: any) => a.key === 'topmost')?.value, false);
      assert.deepEqual(nested.response.result, { error: 'Too many actions in the composition.' });
    });

    it('counts a nested sequence\'s actions in the composition\'s budget', async () => {
      // steers `thirty` twice, then answers with whatever the second run gave
      await setUp((p) => (p.runs === undefined ? { action: 'thirty', params: { n: 0 }, state: { runs: 1 } } : p.runs === 1 ? { action: 'thirty', params: { n: 0 }, state: { runs: 2 } } : { params: p }));
      assert.equal((await putSequence('thirty', Array.from({ length: 30 }, () => '/_/inc'))).status, 200);
      const res = await invoke('cond', {});
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.response.result.error, 'Too many actions in the sequence.');
      assert.equal(api.activator.plans.filter((p) => p.action.name === 'inc').length, 50);
    });

    it('counts a nested composition\'s actions in the sequence\'s budget', async () => {
      // runs `inc` 30 times, then answers with n (or the error it was handed)
      await setUp((p) => {
        if (p.error !== undefined) return { params: { error: p.error } };
        const steps = p.steps ?? 0;
        return steps < 30 ? { action: 'inc', params: { n: p.n ?? 0 }, state: { steps: steps + 1 } } : { params: { n: p.n } };
      });
      assert.equal((await putSequence('twice', ['/_/cond', '/_/cond'])).status, 200);
      const res = await invoke('twice', {});
      assert.equal(res.status, 200, res.text); // the conductor handed the refusal back as its own result
      assert.deepEqual(res.json.response.result, { error: 'Too many actions in the composition.' });
      assert.equal(api.activator.plans.filter((p) => p.action.name === 'inc').length, 50);
    });
  });
});
