// Leases (shared/lease.ts) and controller liveness (controller/cluster/liveness.ts) on the test stack's real Redis:
// the two pieces every take-over of a dead process's work rests on.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ControllerLiveness } from '../../controller/cluster/liveness.ts';
import { createLogger } from '../../shared/logger.ts';
import { tryLease, withLease } from '../../shared/lease.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { newActivationId } from '../../shared/ids.ts';
import { testRedis } from '../support/stack.ts';

describe('leases and controller liveness (real Redis)', () => {
  // A prefix of this run's own, so controllers of other suites or runs are not counted.
  const keys = redisKeys(`iw-test-${newActivationId()}:`);
  const logger = createLogger('lease-test', 'silent');
  let redis: Redis;

  before(async () => {
    redis = new Redis(await testRedis());
  });
  after(() => redis.disconnect());

  it('one holder at a time; renew and release only by the holder; an expired lease is free again', async () => {
    const key = keys.lease('sweep:0');
    const first = await tryLease(redis, key, 'controller0', 200);
    assert.ok(first);
    assert.equal(await tryLease(redis, key, 'controller1', 200), undefined, 'taken while held');
    assert.equal(await first.renew(), true);

    await waitUntil(async () => (await redis.exists(key)) === 0);
    const second = await tryLease(redis, key, 'controller1', 5_000);
    assert.ok(second, 'free once expired');
    assert.equal(await first.renew(), false, 'the first holder cannot renew a lease it lost');
    await first.release();
    assert.equal(await redis.get(key), 'controller1', 'nor release it');
    await second.release();
    assert.equal(await redis.exists(key), 0);
  });

  it('withLease runs nothing while the lease is held elsewhere, and the work once it is free', async () => {
    const key = keys.lease('redispatch:2');
    const held = await tryLease(redis, key, 'other', 5_000);
    assert.equal(await withLease(redis, key, 'me', 5_000, async () => 'ran'), undefined);
    await held!.release();
    assert.equal(await withLease(redis, key, 'me', 5_000, async () => 'ran'), 'ran');
    assert.equal(await redis.exists(key), 0, 'given back after the work');
  });

  it('a controller whose key expires is dead to the others; one that leaves is dead at once', async () => {
    const make = (controllerId: number) => new ControllerLiveness({ redis, keys, controllerId, logger, intervalMs: 50, ttlMs: 300 });
    const [c0, c1, c2] = [make(0), make(1), make(2)];
    await Promise.all([c0.start(), c1.start(), c2.start()]);
    assert.deepEqual(await c0.deadOthers(), []);

    await c1.stop(); // stops refreshing: dead once its key expires
    await c2.stop(true); // leaves: dead now
    assert.deepEqual(await c0.deadOthers(), [2]);
    await waitUntil(async () => (await c0.deadOthers()).length === 2);
    assert.deepEqual((await c0.deadOthers()).sort(), [1, 2]);

    await c1.start(); // restarted under the same id: alive again
    assert.deepEqual(await c0.deadOthers(), [2]);
    await Promise.all([c0.stop(true), c1.stop(true)]);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
