// Throttles (`ENT/RateThrottler.scala`, `ENT/ActivationThrottler.scala`): a namespace may start at most
// `invocationsPerMinute` action invokes and `firesPerMinute` trigger fires per wall-clock minute, and have at most
// `concurrentInvocations` activations in flight. Beyond → 429 with OpenWhisk's texts.
//
// The minute counters live in Redis, so the limits hold across all controllers exactly (OpenWhisk keeps them per
// controller and scales the limit by the cluster size). As in OpenWhisk every check counts, refused ones included.
// In-flight activations are counted by each controller's activator; each controller allows its share of the limit.
// Every invoke is checked, the components of sequences and compositions too, as if their caller had made each
// (OpenWhisk lets them skip the throttles; see docs/tenant-isolation.md). The counter is one Lua call and has no span
// of its own: it runs on every invoke, and the HTTP span's time already covers it.
import type { RedisClient } from '../../shared/redis-connection.ts';
import { ThrottledError } from '../../shared/errors.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import type { Identity } from '../../shared/identity.ts';
import { type SystemLimits, effectiveLimits } from '../entities/models/limits.ts';

export interface Throttles {
  /** Before an action invoke: the namespace's invoke rate, then its activations in flight. */
  invoke(identity: Identity): Promise<void>;
  /** Before a trigger fire: the namespace's fire rate. */
  fire(identity: Identity): Promise<void>;
}

export interface ThrottleDeps {
  redis: RedisClient;
  keys: RedisKeys;
  limits: SystemLimits;
  /** Activations of a namespace this controller has in flight. */
  inFlight: (namespace: string) => number;
  /** How many controllers share the concurrency limit. */
  controllerCount: number;
  now?: () => number;
}

const MINUTE_MS = 60_000;

// The minute's counter, incremented and given its expiry in one command (KEYS and ARGV: the file's header).
const COUNT = luaScript(import.meta.dirname, 'count-request.lua');

export function throttles(deps: ThrottleDeps): Throttles {
  const now = deps.now ?? Date.now;

  /** Counts this request in the namespace's current minute and refuses it past `allowed`. */
  const checkRate = async (kind: 'invoke' | 'fire', namespace: string, allowed: number) => {
    const key = deps.keys.throttle(kind, namespace, Math.floor(now() / MINUTE_MS));
    const count = Number(await runScript(deps.redis, COUNT, [key], [String(2 * MINUTE_MS)]));
    if (count > allowed) throw ThrottledError.rate(count, allowed);
  };

  return {
    async invoke(identity) {
      const limits = effectiveLimits(deps.limits, identity.limits);
      await checkRate('invoke', identity.namespace, limits.invocationsPerMinute);
      const allowed = Math.max(1, Math.ceil(limits.concurrentInvocations / deps.controllerCount));
      const inFlight = deps.inFlight(identity.namespace);
      if (inFlight >= allowed) throw ThrottledError.concurrency(inFlight, allowed);
    },

    async fire(identity) {
      await checkRate('fire', identity.namespace, effectiveLimits(deps.limits, identity.limits).firesPerMinute);
    },
  };
}
