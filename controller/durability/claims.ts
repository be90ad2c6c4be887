// The controller's side of an activation's claim (`keys.activationClaim`, docs/durability.md): whoever sets it
// first (`SET NX`) decides the activation's fate. An invoker's claim (`invoker<N>`) means it runs; a controller's
// (`controller<N>`) means it stores the forced "lost" record; a tombstone (`tombstone:controller<N>`) means the
// caller was answered 503 and it never runs. Invokers skip any id already claimed and write nothing for it.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';

/** A claim outlives any request's start deadline by this much (the invoker's claims last as long). */
export const CLAIM_TTL_MS = 3_600_000;

export const TOMBSTONE_PREFIX = 'tombstone:';

export interface Claims {
  /**
   * Claims the activation as `holder` unless it is claimed already; resolves undefined when this call took it,
   * otherwise the current holder.
   */
  take(activationId: string, holder: string, ttlMs?: number): Promise<string | undefined>;
  /** Whether anybody holds the activation's claim. */
  held(activationId: string): Promise<boolean>;
}

export function activationClaims(redis: RedisClient, keys: RedisKeys): Claims {
  return {
    async take(activationId, holder, ttlMs = CLAIM_TTL_MS) {
      // SET NX GET (Redis 7): taken and previous holder in one round trip; null means this call set it.
      const previous = (await redis.call('SET', keys.activationClaim(activationId), holder, 'PX', String(ttlMs), 'NX', 'GET')) as string | null;
      return previous ?? undefined;
    },
    async held(activationId) {
      return (await redis.exists(keys.activationClaim(activationId))) === 1;
    },
  };
}

export const controllerHolder = (controllerId: number): string => `controller${controllerId}`;
export const tombstoneHolder = (controllerId: number): string => `${TOMBSTONE_PREFIX}${controllerHolder(controllerId)}`;
