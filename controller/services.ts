// The controller's services, built once from its connections and shared by the HTTP app and the Kafka feed
// consumers (which fire triggers without an HTTP request).
import type { RedisClient } from '../shared/redis-connection.ts';
import { activationStore, type ActivationStore } from '../shared/activation-store.ts';
import type { RedisKeys } from '../shared/redis-keys.ts';
import { runningInvoker, type InvokeAction } from './invoke/invoke-action.ts';
import { KnownActions, writingThrough } from './invoke/admission.ts';
import { runStore } from './runs/run-store.ts';
import { DEFAULT_RECORD_TTL_SECONDS, recordWriter, type StoreRecord } from './invoke/record-writer.ts';
import { identityStore, type IdentityStore } from '../shared/identities.ts';
import { actionService, type ActionService } from './entities/action-service.ts';
import type { ActivationStarted, Activator } from './activator/activator.ts';
import type { SystemLimits } from './entities/models/limits.ts';
import { ruleService, type RuleService } from './entities/rule-service.ts';
import { triggerService, type TriggerService } from './entities/trigger-service.ts';
import type { Logger } from './middleware/logging.ts';
import { throttles } from './throttles/throttles.ts';
import { type FireTrigger, triggerFirer } from './triggers/fire.ts';

export interface ServiceDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /** A pino logger fits. */
  logger: Logger;
  /** System limits; `DEFAULT_LIMITS` from entities/models/limits.ts are OpenWhisk's defaults. */
  limits: SystemLimits;
  activator: Activator;
  /** Defaults to a store on `redis`/`keys` with a 5 s identity cache. */
  identities?: IdentityStore;
  /** Defaults to a store on `redis`/`keys`. */
  activations?: ActivationStore;
  /** How long records the controller writes (trigger activations) live; 7 days by default. */
  recordTtlSeconds?: number;
  /** How many controllers share the concurrency throttle (default 1). */
  controllerCount?: number;
  /**
   * Keep the state of sequences and compositions in Redis, so they survive this controller (its id and its
   * requests' start grace, ISOWHISK_COMPLETION_GRACE_MS); none → runs live in memory only (API tests).
   */
  durableRuns?: { controllerId: number; startGraceMs: number };
}

export interface Services {
  identities: IdentityStore;
  activations: ActivationStore;
  actions: ActionService;
  invoke: InvokeAction;
  triggers: TriggerService;
  rules: RuleService;
  fire: FireTrigger;
  /** Writes a record the controller makes itself, retrying through a short Redis outage. */
  storeRecord: StoreRecord;
  /** Goes on with a stored top-level sequence or composition (controller/runs/run-resumer.ts). */
  resumeRun: (activationId: string) => Promise<ActivationStarted | undefined>;
  /** Stops durable runs after their current step, without a record, for a resume (the controller shuts down). */
  haltRuns: () => void;
}

export function createServices(deps: ServiceDeps): Services {
  const activations = deps.activations ?? activationStore(deps.redis, deps.keys);
  // a script may not span the document's, the counter's and the pending entry's nodes on a Cluster
  const known = deps.keys.hashTags ? undefined : new KnownActions(deps.keys);
  const stored = actionService(deps.redis, deps.keys, deps.limits);
  const actions = known ? writingThrough(stored, known) : stored;
  const storeRecord = recordWriter(activations, deps.recordTtlSeconds);
  const limiter = throttles({
    redis: deps.redis,
    keys: deps.keys,
    limits: deps.limits,
    inFlight: (namespace) => deps.activator.inFlightFor(namespace),
    controllerCount: deps.controllerCount ?? 1,
  });
  const runs = deps.durableRuns;
  const { invoke, resume, halt } = runningInvoker({
    actions,
    activator: deps.activator,
    throttles: limiter,
    ...(known ? { known } : {}),
    storeRecord,
    sequenceMaxLength: deps.limits.sequenceMaxLength,
    ...(runs
      ? {
          durable: {
            redis: deps.redis,
            keys: deps.keys,
            runs: runStore(deps.redis, deps.keys),
            activations,
            controllerId: runs.controllerId,
            startGraceMs: runs.startGraceMs,
            recordTtlSeconds: deps.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS,
            logger: deps.logger,
          },
        }
      : {}),
    onError: (err, action) => deps.logger.error({ err, action }, 'a sequence or composition failed, or storing its record did'),
  });
  const triggers = triggerService(deps.redis, deps.keys, deps.limits);
  return {
    identities: deps.identities ?? identityStore(deps.redis, deps.keys),
    activations,
    actions,
    invoke,
    triggers,
    rules: ruleService(deps.redis, deps.keys, triggers, actions),
    fire: triggerFirer({
      invoke,
      throttles: limiter,
      storeRecord,
      waitMs: deps.limits.maxWaitForBlockingActivation,
      onError: (err, trigger) => deps.logger.error({ err, trigger }, 'storing a trigger activation record failed'),
    }),
    storeRecord,
    resumeRun: resume,
    haltRuns: halt,
  };
}
