// Redis key builders, and a round trip through the real server of the test stack (AOF on).
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { activationStore } from '../../shared/activation-store.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { newActivationId } from '../../shared/ids.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

describe('Redis keys and the real server', () => {
  const keys = redisKeys();
  let redis: Redis;

  before(async () => {
    redis = new Redis(await testRedis());
  });

  after(() => redis.disconnect());

  it('builds every key under the prefix, distinct per kind', () => {
    const id = newActivationId();
    const built = [
      keys.authKey('u'),
      keys.namespace('guest'),
      keys.namespaces(),
      keys.namespaceLimits('guest'),
      keys.entity('guest', 'actions', 'pkg/a'),
      keys.entityIndex('guest', 'actions'),
      keys.activation(id),
      keys.activationsByNamespace('guest'),
      keys.activationsByName('guest', 'pkg/a'),
      keys.activationClaim(id),
      keys.completions(3),
      keys.throttle('invoke', 'guest', 42),
    ];
    assert.ok(built.every((k) => k.startsWith('iw:')));
    assert.equal(new Set(built).size, built.length);
    assert.equal(keys.entity('guest', 'actions', 'pkg/a'), 'iw:entity:guest:actions:pkg/a');
    assert.equal(keys.activationClaim('abc'), 'iw:claim:abc');
    assert.equal(redisKeys('other:').completions(1), 'other:completions:1');
    assert.equal(redisKeys('other:', { hashTags: true }).completions(1), 'other:{activations}:completions:1', 'on a Cluster');
  });

  it('round-trips values, claims once, and runs with append-only persistence', async () => {
    const id = newActivationId();
    await redis.set(keys.activation(id), JSON.stringify({ id }), 'EX', 60);
    assert.deepEqual(JSON.parse((await redis.get(keys.activation(id)))!), { id });
    assert.equal(await redis.set(keys.activationClaim(id), 'invoker0', 'PX', 60_000, 'NX'), 'OK');
    assert.equal(await redis.set(keys.activationClaim(id), 'invoker1', 'PX', 60_000, 'NX'), null);
    const config = await redis.config('GET', 'appendonly');
    assert.deepEqual(config, ['appendonly', 'yes']);
  });

  it('stores an activation record once: a second write for the same activation changes nothing', async () => {
    const store = activationStore(redis, keys);
    const id = newActivationId();
    const record = (result: string): ActivationRecord => ({
      namespace: 'redis-test', name: 'a', subject: 'redis-test', activationId: id, start: Date.now(), end: Date.now(),
      response: { statusCode: 0, result: { result } }, logs: [], version: '0.0.1', publish: false, annotations: [],
    });
    assert.equal(await store.putRecord(record('first'), 60), true);
    assert.equal(await store.putRecord(record('second'), 60), false);
    assert.deepEqual((await store.getRecord(id))?.response.result, { result: 'first' });
    assert.equal(await store.count('redis-test', { skip: 0 }), 1);
  });
});
