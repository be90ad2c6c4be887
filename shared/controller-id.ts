// ISOWHISK_CONTROLLER_ID=auto: controllers of a Deployment have no ordinal, so each claims at start-up the lowest
// id that no live controller uses, with a lease in Redis (`keys.lease('controller-id:<id>')`, shared/lease.ts),
// and renews it every third of its ttl while it lives. The id names the controller's completion stream, its
// pending activations, its runs and the alarm fires it claimed (docs/durability.md): two live controllers under one
// id would read each other's completions and take over each other's work, so a controller that finds its lease held
// by another process stops at once. A killed controller's id is free again once its lease and its liveness key
// (controller/cluster/liveness.ts) have expired; the controller that then claims it takes over what was left under
// it, as a controller restarted under a fixed id does.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Lease, tryLease } from './lease.ts';
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './redis-keys.ts';

/** The ids tried, 0 up to this one excluded (ISOWHISK_CONTROLLER_COUNT's largest value). */
export const MAX_AUTO_CONTROLLER_IDS = 1024;

export interface ControllerIdOptions {
  /** How long the id stays claimed after the last renewal. */
  ttlMs: number;
  logger: Logger;
  /** Called once when the lease is found held by another process: the caller must stop at once. */
  onLost: (id: number) => void;
  /** Who claims (default: host name, pid and a random part). */
  holder?: string;
}

export interface ControllerIdClaim {
  readonly id: number;
  /** Stops renewing and gives the id back (a clean shutdown, after the liveness key is gone). */
  release(): Promise<void>;
}

export const controllerIdLeaseKey = (keys: RedisKeys, id: number): string => keys.lease(`controller-id:${id}`);

/** Claims the lowest free id and keeps it while the process lives; throws when all MAX_AUTO_CONTROLLER_IDS are taken. */
export async function claimControllerId(redis: RedisClient, keys: RedisKeys, options: ControllerIdOptions): Promise<ControllerIdClaim> {
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  for (let id = 0; id < MAX_AUTO_CONTROLLER_IDS; id++) {
    // a controller with a fixed id holds no lease: its liveness key says the id is in use
    if ((await redis.exists(keys.controllerAlive(id))) === 1) continue;
    const lease = await tryLease(redis, controllerIdLeaseKey(keys, id), holder, options.ttlMs);
    if (lease) return keep(redis, id, lease, options);
  }
  throw new Error(`no free controller id: ids 0 to ${MAX_AUTO_CONTROLLER_IDS - 1} are all held`);
}

function keep(redis: RedisClient, id: number, first: Lease, { ttlMs, logger, onLost }: ControllerIdOptions): ControllerIdClaim {
  let lease = first;
  let failing = false;
  const renew = async (): Promise<void> => {
    try {
      if (!(await lease.renew())) {
        // expired (Redis was out of reach longer than the ttl): take it again unless another process has it
        const again = await tryLease(redis, lease.key, lease.holder, ttlMs);
        if (!again) {
          clearInterval(timer);
          logger.fatal({ controllerId: id, lease: lease.key }, 'another process holds this controller\'s id; stopping');
          onLost(id);
          return;
        }
        lease = again;
        logger.warn({ controllerId: id }, 'controller id lease had expired; claimed it again');
      }
      if (failing) logger.info({ controllerId: id }, 'controller id lease renewed again');
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ err, controllerId: id }, 'renewing the controller id lease failed; retrying');
      failing = true;
    }
  };
  const timer = setInterval(() => void renew(), Math.max(100, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    id,
    async release() {
      clearInterval(timer);
      await lease.release();
    },
  };
}
