// The record a controller stores for an activation that no invoker completed in time (invoker died, message
// lost): a whisk internal error, so that no accepted activation ends without a record.
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationPlan } from './activator.ts';

export const LOST_ACTIVATION_MESSAGE = 'The activation was not completed by any invoker in time; it was lost and did not run to completion.';

/** The parts of a plan the forced record needs: what the pending table keeps (no parameters, no API key). */
export type ForcedRecordPlan = Pick<ActivationPlan, 'activationId' | 'receivedAt' | 'cause' | 'binding' | 'identity'> & {
  action: Pick<ActivationPlan['action'], 'name' | 'path' | 'kind' | 'version' | 'publish'>;
  limits: Pick<ActivationPlan['limits'], 'concurrency' | 'logs' | 'memory' | 'timeout'>;
};

/** Copies exactly the fields `forcedErrorRecord` reads, so nothing else of the plan is persisted. */
export function forcedRecordPlan(plan: ForcedRecordPlan): ForcedRecordPlan {
  const { action, limits, identity } = plan;
  return {
    activationId: plan.activationId,
    receivedAt: plan.receivedAt,
    ...(plan.cause !== undefined ? { cause: plan.cause } : {}),
    ...(plan.binding !== undefined ? { binding: plan.binding } : {}),
    identity: { subject: identity.subject, namespace: identity.namespace, uuid: identity.uuid },
    action: { name: action.name, path: action.path, kind: action.kind, version: action.version, publish: action.publish },
    limits: { concurrency: limits.concurrency, logs: limits.logs, memory: limits.memory, timeout: limits.timeout },
  };
}

export function forcedErrorRecord(plan: ForcedRecordPlan, now: number, traceId?: string): ActivationRecord {
  return {
    namespace: plan.identity.namespace,
    name: plan.action.name,
    subject: plan.identity.subject,
    activationId: plan.activationId,
    start: plan.receivedAt,
    end: now,
    duration: now - plan.receivedAt,
    ...(plan.cause !== undefined ? { cause: plan.cause } : {}),
    response: { statusCode: 3, result: { error: LOST_ACTIVATION_MESSAGE } },
    logs: [],
    version: plan.action.version,
    publish: plan.action.publish,
    annotations: [
      { key: 'path', value: plan.action.path },
      { key: 'kind', value: plan.action.kind },
      { key: 'limits', value: { concurrency: plan.limits.concurrency, logs: plan.limits.logs, memory: plan.limits.memory, timeout: plan.limits.timeout } },
      { key: 'timeout', value: false },
      ...(plan.binding !== undefined ? [{ key: 'binding', value: plan.binding }] : []),
      ...(traceId ? [{ key: 'traceId', value: traceId }] : []),
    ],
  };
}
