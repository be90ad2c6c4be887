// The health test action and its requests (OpenWhisk's `InvokerPool.healthAction` and `InvokerActor.invokeTestAction`
// in `InvokerSupervision.scala`): a trivial system action, `/whisk.system/invokerHealthTestAction<controllerId>`,
// that a controller sends straight to one invoker's topic to learn whether that invoker runs actions again. Each
// controller has its own, so one controller's writes never change another's test.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { ActivationRequest, InvokingIdentity } from '../../shared/avro/activation-request.ts';
import { ConflictError } from '../../shared/errors.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { actionListing, makeAction, type ActionDoc, type ActionListing } from '../entities/models/action.ts';
import { entityStore } from '../entities/entity-store.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { SYSTEM_NAMESPACE } from '../../shared/entity-names.ts';

export const HEALTH_ACTION_NAMESPACE = SYSTEM_NAMESPACE;

export const healthActionName = (controllerId: number): string => `invokerHealthTestAction${controllerId}`;

/** OpenWhisk's body: it only has to run. */
const HEALTH_ACTION_CODE = 'function main(params) { return params; }';

/** A stub identity, as OpenWhisk's `healthActionIdentity`: the test runs as whisk.system, with no API key. */
const HEALTH_IDENTITY: InvokingIdentity = { subject: HEALTH_ACTION_NAMESPACE, namespace: HEALTH_ACTION_NAMESPACE, uuid: randomUUID() };

/** The controller's test action, created (smallest memory, as OpenWhisk's) when it does not exist. */
export async function ensureHealthAction(redis: RedisClient, keys: RedisKeys, controllerId: number, system: SystemLimits): Promise<ActionDoc> {
  const store = entityStore<ActionDoc, ActionListing>(redis, keys, 'actions', actionListing);
  const name = healthActionName(controllerId);
  const existing = await store.get(HEALTH_ACTION_NAMESPACE, name);
  if (existing) return existing;
  const exec = { kind: 'nodejs:default', code: HEALTH_ACTION_CODE, binary: false };
  const content = makeAction(HEALTH_ACTION_NAMESPACE, name, { exec, limits: { memory: system.actionMemory.min } }, system, Date.now());
  try {
    return await store.put(HEALTH_ACTION_NAMESPACE, name, content, undefined);
  } catch (err) {
    // Written meanwhile by this controller's previous life (a restart racing itself): use that one.
    const written = err instanceof ConflictError ? await store.get(HEALTH_ACTION_NAMESPACE, name) : undefined;
    if (written) return written;
    throw err;
  }
}

/**
 * One test activation for `controllerId`'s action: not blocking (the controller only needs the completion's status),
 * with the same start deadline as any activation, so an invoker with a backlog records it as expired rather than
 * running it late.
 */
export function healthTestRequest(action: ActionDoc, controllerId: number, now: number, startGraceMs: number): ActivationRequest {
  return {
    activationId: newActivationId(),
    transactionId: newTransactionId(),
    action: { namespace: HEALTH_ACTION_NAMESPACE, name: action.name, revision: String(action.revision) },
    identity: HEALTH_IDENTITY,
    apiKey: null,
    params: '{}',
    blocking: false,
    controllerId,
    deadline: now + startGraceMs,
    cause: null,
    initArgs: [],
    receivedAt: now,
    binding: null,
  };
}
