// ISOWHISK_CONTROLLER_ID=auto (shared/controller-id.ts) on the test stack's real Redis: controllers claim distinct
// ids, lowest first; a controller that dies (its connection gone, no release) frees its id once its lease expires;
// an id whose controller runs with a fixed id (its liveness key) is skipped; one that finds its lease held by another
// process is told to stop. Each claimant has a connection of its own, as each controller process has.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { type ControllerIdClaim, claimControllerId, controllerIdLeaseKey } from '../../shared/controller-id.ts';
import { waitFor } from '../../deploy/local/daemon.ts';
import { newActivationId } from '../../shared/ids.ts';
import { createLogger } from '../../shared/logger.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

describe('controller ids claimed with ISOWHISK_CONTROLLER_ID=auto (real Redis)', () => {
  // a prefix of this run's own: the test stack's controllers and other runs hold nothing here
  const keys = redisKeys(`iw-test-${newActivationId()}:`);
  const logger = createLogger('controller-id-test', 'silent');
  const TTL_MS = 1_000;
  const connections: Redis[] = [];
  const claims: ControllerIdClaim[] = [];
  const lost: number[] = [];

  const connection = async (): Promise<Redis> => {
    const redis = new Redis(await testRedis(), { maxRetriesPerRequest: 0 });
    redis.on('error', () => {});
    connections.push(redis);
    return redis;
  };
  const claim = async (redis?: Redis): Promise<ControllerIdClaim> => {
    const made = await claimControllerId(redis ?? (await connection()), keys, { ttlMs: TTL_MS, logger, onLost: (id) => lost.push(id) });
    claims.push(made);
    return made;
  };

  after(async () => {
    for (const c of claims) await c.release().catch(() => {});
    for (const r of connections) r.disconnect();
  });

  it('gives two controllers distinct ids, and a killed one\'s id to the next controller once its lease expired', async () => {
    const doomed = await connection();
    const first = await claim(doomed);
    const second = await claim();
    assert.deepEqual([first.id, second.id], [0, 1]);

    // killed: its connection is gone and nothing gives the id back; the other one keeps renewing
    doomed.disconnect();
    const redis = await connection();
    await waitFor('the killed controller\'s lease to expire', async () => ((await redis.exists(controllerIdLeaseKey(keys, 0))) === 0 ? true : undefined), 10 * TTL_MS, 50);
    const third = await claim();
    assert.equal(third.id, 0, 'the freed id');
    assert.equal(await redis.exists(controllerIdLeaseKey(keys, 1)), 1, 'the live controller still holds its id past the ttl');
    assert.deepEqual(lost, []);
  });

  it('skips an id a controller with a fixed id runs under, and stops a controller whose id another process took', async () => {
    const redis = await connection();
    await redis.set(keys.controllerAlive(2), String(Date.now()), 'PX', 60_000);
    const next = await claim();
    assert.equal(next.id, 3, 'ids 0 and 1 are claimed, 2 is alive under a fixed id');

    await redis.set(controllerIdLeaseKey(keys, 3), 'another process', 'PX', 60_000);
    await waitFor('the controller to be told its id is taken', async () => (lost.includes(3) ? true : undefined), 10 * TTL_MS, 50);
    assert.equal(await redis.get(controllerIdLeaseKey(keys, 3)), 'another process', 'the other holder keeps it');
  });
});
