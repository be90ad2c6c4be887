// Builds activation records in OpenWhisk's stored form (`E/WhiskActivation.scala`): from a run's outcome, or for a request that
// could not run (action gone, deadline passed, invoker failure). `namespace` and `subject` are the invoking
// identity's; `path` names the action's owner; `initTime` appears on cold starts only.
import type { ActivationRequest } from '../shared/avro/activation-request.ts';
import type { ActionDoc } from '../shared/action-doc.ts';
import type { ActivationRecord } from '../shared/activation-record.ts';
import type { ActivationOutcome } from './runtime/classify.ts';

export const Messages = {
  actionMissing: 'Action could not be found or may have been deleted.',
  expired: (lateMs: number) =>
    `The activation expired before an invoker could start it (its start deadline passed ${lateMs} ms before); it was not run.`,
  internal: 'The invoker failed while running the activation.',
} as const;

/** `name` of `[pkg/]name`. */
const simpleName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** The record of an activation that ran. */
export function outcomeRecord(request: ActivationRequest, action: ActionDoc, outcome: ActivationOutcome): ActivationRecord {
  const annotations: ActivationRecord['annotations'] = [
    { key: 'path', value: `${request.action.namespace}/${request.action.name}` },
    { key: 'waitTime', value: waitTime(request, outcome.start) },
    { key: 'kind', value: action.exec.kind },
    { key: 'timeout', value: outcome.timedOut },
    { key: 'limits', value: { concurrency: action.limits.concurrency, logs: action.limits.logs, memory: action.limits.memory, timeout: action.limits.timeout } },
  ];
  if (outcome.initTimeMs !== undefined) annotations.push({ key: 'initTime', value: outcome.initTimeMs });
  if (request.cause !== null) annotations.push({ key: 'causedBy', value: 'sequence' });
  if (request.binding !== null) annotations.push({ key: 'binding', value: request.binding });
  return {
    namespace: request.identity.namespace,
    name: simpleName(request.action.name),
    subject: request.identity.subject,
    activationId: request.activationId,
    start: outcome.start,
    end: outcome.end,
    duration: outcome.durationMs,
    ...(request.cause !== null ? { cause: request.cause } : {}),
    response: { statusCode: outcome.statusCode, result: outcome.result, ...(outcome.size !== undefined ? { size: outcome.size } : {}) },
    logs: outcome.logs,
    version: action.version,
    publish: action.publish,
    annotations,
  };
}

/** The record of an activation that did not run: an error result, no logs, zero duration. */
export function failureRecord(
  request: ActivationRequest,
  action: ActionDoc | undefined,
  statusCode: 1 | 3,
  error: string,
  now = Date.now(),
): ActivationRecord {
  const annotations: ActivationRecord['annotations'] = [
    { key: 'path', value: `${request.action.namespace}/${request.action.name}` },
    { key: 'waitTime', value: waitTime(request, now) },
    { key: 'kind', value: action?.exec.kind ?? 'unknown' },
    { key: 'timeout', value: false },
  ];
  if (action) {
    const { concurrency, logs, memory, timeout } = action.limits;
    annotations.push({ key: 'limits', value: { concurrency, logs, memory, timeout } });
  }
  if (request.binding !== null) annotations.push({ key: 'binding', value: request.binding });
  return {
    namespace: request.identity.namespace,
    name: simpleName(request.action.name),
    subject: request.identity.subject,
    activationId: request.activationId,
    start: now,
    end: now,
    duration: 0,
    ...(request.cause !== null ? { cause: request.cause } : {}),
    response: { statusCode, result: { error } },
    logs: [],
    version: action?.version ?? '0.0.1',
    publish: action?.publish ?? false,
    annotations,
  };
}

/** Controller receipt → start; 0 when the request came from a writer that did not send `receivedAt`. */
function waitTime(request: ActivationRequest, start: number): number {
  return request.receivedAt > 0 ? Math.max(0, start - request.receivedAt) : 0;
}
