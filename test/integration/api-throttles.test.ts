// Throttles (`ENT/RateThrottler.scala`, `ENT/ActivationThrottler.scala`): invokes and fires per minute, counted in the real test Redis, and activations in flight, as
// the activator reports them; 429 with OpenWhisk's texts. Limits are set per namespace, as operators do.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { redisKeys } from '../../shared/redis-keys.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import { throttles } from '../../controller/throttles/throttles.ts';
import type { Identity } from '../../shared/identity.ts';
import { ThrottledError } from '../../shared/errors.ts';
import { type ApiHarness, type Tenant, call, randomName, useApi } from '../support/api-harness.ts';
import { waitForRecord } from '../support/records.ts';
import { testRedis } from '../support/stack.ts';

const CODE = 'function main(params) { return params; }';

describe('api: throttles', () => {
  let api: ApiHarness;
  let t: Tenant;
  const invoke = (name = 'a') => call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { method: 'POST', auth: t.auth, body: {} });
  const fire = (name = 't') => call(`${api.url}/api/v1/namespaces/_/triggers/${name}`, { method: 'POST', auth: t.auth, body: {} });

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  it('refuses the invoke past invocationsPerMinute with 429, counting refused ones too', async () => {
    await t.ow.actions.create({ name: 'a', action: CODE });
    await api.identities.setLimits(t.namespace, { invocationsPerMinute: 2 });
    assert.equal((await invoke()).status, 202);
    assert.equal((await invoke()).status, 202);
    const third = await invoke();
    assert.equal(third.status, 429);
    assert.equal(third.json.error, 'Too many requests in the last minute (count: 3, allowed: 2).');
    assert.equal((await invoke()).json.error, 'Too many requests in the last minute (count: 4, allowed: 2).');
    assert.equal(api.activator.plans.length, 2);
  });

  it('refuses the invoke while concurrentInvocations are in flight', async () => {
    await t.ow.actions.create({ name: 'a', action: CODE });
    await api.identities.setLimits(t.namespace, { concurrentInvocations: 3 });
    api.activator.inFlight.set(t.namespace, 3);
    const res = await invoke();
    assert.equal(res.status, 429);
    assert.equal(res.json.error, 'Too many concurrent requests in flight (count: 3, allowed: 3).');
    api.activator.inFlight.set(t.namespace, 2);
    assert.equal((await invoke()).status, 202);
  });

  it('throttles fires by firesPerMinute, and a rule whose invoke is throttled records why', async () => {
    await t.ow.actions.create({ name: 'a', action: CODE });
    await t.ow.triggers.create({ name: 't' });
    await t.ow.rules.create({ name: 'r', trigger: 't', action: 'a' });
    await api.identities.setLimits(t.namespace, { firesPerMinute: 1, invocationsPerMinute: 1 });

    const first = await fire();
    assert.equal(first.status, 202);
    const refused = await fire();
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error, 'Too many requests in the last minute (count: 2, allowed: 1).');

    await api.identities.setLimits(t.namespace, { firesPerMinute: 10, invocationsPerMinute: 1 });
    const second = await fire(); // its rule's invoke is the namespace's second this minute
    assert.equal(second.status, 202);
    const record = await waitForRecord({ apiHost: api.url, apiKey: t.apiKey }, second.json.activationId, 10_000, 10);
    const [outcome] = (record.logs as string[]).map((l) => JSON.parse(l));
    assert.equal(outcome.statusCode, 1);
    assert.equal(outcome.error, 'Too many requests in the last minute (count: 2, allowed: 1).');
  });
});

describe('api: throttles count every component of a sequence or composition', () => {
  let api: ApiHarness;
  let t: Tenant;
  const invoke = (name: string) => call(`${api.url}/api/v1/namespaces/_/actions/${name}?blocking=true`, { method: 'POST', auth: t.auth, body: {} });
  const putSequence = (name: string, components: string[]) =>
    call(`${api.url}/api/v1/namespaces/_/actions/${name}`, { method: 'PUT', auth: t.auth, body: { exec: { kind: 'sequence', components } } });

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  beforeEach(async () => {
    await t.ow.actions.create({ name: 'a', action: CODE });
    api.activator.completeWith(() => ({ response: { statusCode: 0, result: {} } }));
  });

  it('counts each component as an invoke; the one past invocationsPerMinute ends the sequence with the 429 text', async () => {
    assert.equal((await putSequence('four', ['/_/a', '/_/a', '/_/a', '/_/a'])).status, 200);
    await api.identities.setLimits(t.namespace, { invocationsPerMinute: 3 });
    const res = await invoke('four'); // the sequence's own invoke, then two components: the third is the 4th invoke
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.response.status, 'application error');
    assert.deepEqual(res.json.response.result, { error: 'Too many requests in the last minute (count: 4, allowed: 3).' });
    assert.equal(api.activator.plans.length, 2);
  });

  it('checks each component against concurrentInvocations', async () => {
    assert.equal((await putSequence('two', ['/_/a', '/_/a'])).status, 200);
    await api.identities.setLimits(t.namespace, { concurrentInvocations: 2 });
    const complete = api.activator.handler;
    api.activator.handler = async (plan) => {
      api.activator.inFlight.set(t.namespace, 2); // other activations of the namespace started meanwhile
      return complete(plan);
    };
    const res = await invoke('two');
    assert.equal(res.status, 502, res.text);
    assert.deepEqual(res.json.response.result, { error: 'Too many concurrent requests in flight (count: 2, allowed: 2).' });
    assert.equal(api.activator.plans.length, 1);
  });

  it('counts each conductor run and component; a throttled step ends the composition with the 429 text', async () => {
    const conductor = { exec: { kind: 'nodejs:default', code: CODE }, annotations: [{ key: 'conductor', value: true }] };
    assert.equal((await call(`${api.url}/api/v1/namespaces/_/actions/cond`, { method: 'PUT', auth: t.auth, body: conductor })).status, 200);
    api.activator.completeWith((plan) => ({ response: { statusCode: 0, result: plan.action.name === 'cond' ? { action: 'a' } : {} } }));
    await api.identities.setLimits(t.namespace, { invocationsPerMinute: 4 });
    const res = await invoke('cond'); // the invoke, cond, a, cond: the next `a` is the 5th
    assert.equal(res.status, 502, res.text);
    assert.deepEqual(res.json.response.result, { error: 'Too many requests in the last minute (count: 5, allowed: 4).' });
    assert.deepEqual(api.activator.plans.map((p) => p.action.name), ['cond', 'a', 'cond']);
  });
});

describe('throttles: the minute window', () => {
  let redis: Redis;
  before(async () => {
    redis = new Redis(await testRedis());
  });
  after(() => redis.disconnect());

  it('starts counting afresh in the next minute, per namespace and per kind', async () => {
    let now = 60_000 * 1_000_000 + 59_000; // one second before a minute boundary
    const limiter = throttles({ redis, keys: redisKeys(), limits: { ...DEFAULT_LIMITS, invocationsPerMinute: 1, firesPerMinute: 1 }, inFlight: () => 0, controllerCount: 1, now: () => now });
    const identity = (namespace: string): Identity => ({ subject: namespace, namespace, uuid: namespace, limits: {} });
    const ns = randomName('window');

    await limiter.invoke(identity(ns));
    await assert.rejects(limiter.invoke(identity(ns)), ThrottledError);
    await limiter.fire(identity(ns)); // fires count separately
    await limiter.invoke(identity(randomName('other'))); // and so does every namespace
    now += 1_000;
    await limiter.invoke(identity(ns));
  });

  it('gives each of several controllers its share of the concurrency limit', async () => {
    const limiter = throttles({ redis, keys: redisKeys(), limits: { ...DEFAULT_LIMITS, concurrentInvocations: 10 }, inFlight: () => 4, controllerCount: 3 });
    const err = await limiter.invoke({ subject: 's', namespace: randomName('share'), uuid: 'u', limits: {} }).catch((e: unknown) => e);
    assert.ok(err instanceof ThrottledError);
    assert.equal(err.message, 'Too many concurrent requests in flight (count: 4, allowed: 4).');
  });
});
