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
  /**
   * The invoke rate check, for a caller that counts it in a command of its own (the pending entry's write:
   * controller/invoke/admission.ts); undefined when the concurrency check would refuse already (take `invoke`).
   */
  invokeRateCheck(identity: Identity): RateCheck | undefined;
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

/** A minute counter to increment, and how many counts it allows (count-request.lua's KEYS and ARGV, and the limit). */
export interface RateCheck {
  key: string;
  lifetimeMs: number;
  allowed: number;
}

// The minute's counter, incremented and given its expiry in one command (KEYS and ARGV: the file's header).
const COUNT = luaScript(import.meta.dirname, 'count-request.lua');

export function throttles(deps: ThrottleDeps): Throttles {
  const now = deps.now ?? Date.now;

  const rateCheck = (kind: 'invoke' | 'fire', namespace: string, allowed: number): RateCheck => ({
    key: deps.keys.throttle(kind, namespace, Math.floor(now() / MINUTE_MS)),
    lifetimeMs: 2 * MINUTE_MS,
    allowed,
  });

  /** Counts this request in the namespace's current minute and refuses it past `allowed`. */
  const checkRate = async ({ key, lifetimeMs, allowed }: RateCheck) => {
    const count = Number(await runScript(deps.redis, COUNT, [key], [String(lifetimeMs)]));
    if (count > allowed) throw ThrottledError.rate(count, allowed);
  };

  /** The namespace's invoke rate check, and this controller's share of its concurrency limit. */
  const invokeLimits = (identity: Identity) => {
    const limits = effectiveLimits(deps.limits, identity.limits);
    return {
      rate: rateCheck('invoke', identity.namespace, limits.invocationsPerMinute),
      concurrent: Math.max(1, Math.ceil(limits.concurrentInvocations / deps.controllerCount)),
    };
  };

  return {
    async invoke(identity) {
      const { rate, concurrent } = invokeLimits(identity);
      await checkRate(rate);
      const inFlight = deps.inFlight(identity.namespace);
      if (inFlight >= concurrent) throw ThrottledError.concurrency(inFlight, concurrent);
    },

    invokeRateCheck(identity) {
      const { rate, concurrent } = invokeLimits(identity);
      return deps.inFlight(identity.namespace) >= concurrent ? undefined : rate;
    },

    async fire(identity) {
      await checkRate(rateCheck('fire', identity.namespace, effectiveLimits(deps.limits, identity.limits).firesPerMinute));
    },
  };
}
