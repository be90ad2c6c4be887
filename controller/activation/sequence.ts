// Running a sequence (`CTL/actions/SequenceActions.scala`). The controller invokes the components one after
// another, each blocking, each with `cause` = the sequence's activation id: the first gets the request's payload,
// every next one the previous result when it is an object (or array), else nothing. A result with an `error` field
// stops the sequence. A nested sequence or composition joins the run: it shares its budget and chain (run-scope.ts),
// so a sequence that reaches itself again ends with "Sequence may not refer to itself." and one that runs more
// actions than the limit with "Too many actions in the sequence.", both application errors. The sequence's own
// record (logs = the components' activation ids, duration = their sum) is written here, whatever happens, and the
// whole run is one span, so the components' Kafka and invoker spans sit beneath it.
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { NotFoundError, ThrottledError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import type { ActionDoc } from '../entities/action.ts';
import { type ActionRef, actionFqn } from '../entities/actions.ts';
import type { ActivationStarted } from '../entities/activator.ts';
import { componentRef } from '../entities/sequence-components.ts';
import { type InvokeAction, type InvokeActionRequest, componentRequest } from './invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from './record-writer.ts';
import { type RunScope, RunLimitError, enterRun } from './run-scope.ts';

export interface SequenceDeps {
  /** Invokes one component (an action, or a nested sequence or composition). */
  invoke: InvokeAction;
  storeRecord: StoreRecord;
  /** Most actions one top-level run may start, nested sequences and compositions counted in. */
  maxLength: number;
  onError?: (err: unknown, sequence: string) => void;
}

export interface SequenceToRun {
  action: ActionDoc;
  /** Where it is stored (through a binding, the bound package). */
  location: ActionRef;
  binding?: string;
}

const failure = (statusCode: 1 | 3, error: string): StoredActivationResponse => ({ statusCode, result: { error } });

const DOES_NOT_EXIST = 'Sequence component does not exist.';

/** OpenWhisk's answer for a component that could not be started, as the sequence's response. */
function componentFailure(err: unknown): StoredActivationResponse {
  if (err instanceof NotFoundError) return failure(STATUS_APPLICATION_ERROR, DOES_NOT_EXIST);
  if (err instanceof RunLimitError) {
    return failure(STATUS_APPLICATION_ERROR, err.limit === 'cycle' ? 'Sequence may not refer to itself.' : 'Too many actions in the sequence.');
  }
  // the caller's own limits: the run ends with the throttle's text rather than waiting for the minute to pass
  if (err instanceof ThrottledError) return failure(STATUS_APPLICATION_ERROR, err.message);
  return failure(STATUS_WHISK_ERROR, 'Sequence failed.');
}

interface Step {
  id?: string;
  response: StoredActivationResponse;
  duration: number;
  memory: number;
  /** The sequence ends here: an error result, or a component that could not run. */
  stop: boolean;
}

export function sequenceRunner(deps: SequenceDeps) {
  const runComponent = async (req: InvokeActionRequest, scope: RunScope, name: string, args: Record<string, unknown>, cause: string): Promise<Step> => {
    const ref = componentRef(name, req.identity.namespace);
    if (!ref) return { response: failure(STATUS_APPLICATION_ERROR, DOES_NOT_EXIST), duration: 0, memory: 0, stop: true };
    let started: ActivationStarted;
    try {
      started = await deps.invoke(componentRequest(req, { ref, payload: args, cause, scope }));
    } catch (err) {
      return { response: componentFailure(err), duration: 0, memory: 0, stop: true };
    }
    const record = await started.result;
    if (!record) {
      const response = failure(STATUS_WHISK_ERROR, `Timeout reached when retrieving activation ${started.activationId} for sequence component.`);
      return { id: started.activationId, response, duration: 0, memory: 0, stop: true };
    }
    const duration = record.duration ?? Math.max(0, record.end - record.start);
    return { id: record.activationId, response: record.response, duration, memory: recordMemory(record), stop: hasError(record.response) };
  };

  /** Runs one sequence (top-level or nested) and stores its record. */
  const execute = async (req: InvokeActionRequest, scope: RunScope, seq: SequenceToRun, activationId: string): Promise<ActivationRecord> => {
    const fqn = actionFqn(seq.location);
    const nested = req.scope !== undefined;
    const start = Date.now();
    const ids: string[] = [];
    let duration = 0;
    let memory = 0;
    let response: StoredActivationResponse = { statusCode: STATUS_SUCCESS, result: {} };
    let args: Record<string, unknown> = req.payload;

    await inSpan(`sequence ${fqn}`, { attributes: { 'faas.invocation_id': activationId, 'faas.name': fqn } }, async () => {
      for (const name of seq.action.exec.components ?? []) {
        const step = await runComponent(req, scope, name, args, activationId);
        if (step.id !== undefined) ids.push(step.id);
        duration += step.duration;
        memory = Math.max(memory, step.memory);
        response = step.response;
        if (step.stop) break;
        const result = response.result;
        args = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
      }
    });

    const annotations: Annotation[] = [
      { key: 'topmost', value: !nested },
      { key: 'path', value: fqn },
      { key: 'kind', value: 'sequence' },
      ...(nested ? [{ key: 'causedBy', value: 'sequence' }] : []),
      { key: 'waitTime', value: Math.max(0, start - req.receivedAt) },
      ...(seq.binding !== undefined ? [{ key: 'binding', value: seq.binding }] : []),
      { key: 'limits', value: { ...seq.action.limits, memory: memory || seq.action.limits.memory } },
    ];
    const record = controllerRunRecord({
      identity: req.identity,
      action: seq.action,
      activationId,
      start,
      ...(nested && req.cause !== undefined ? { cause: req.cause } : {}),
      response,
      logs: ids,
      annotations,
      duration,
    });
    await deps.storeRecord(record).catch((err: unknown) => deps.onError?.(err, fqn));
    return record;
  };

  /**
   * Starts a sequence: top-level, or nested in the run of `req.scope` (then refused with `RunLimitError` when it is
   * already on the run's chain or too deep). The result settles like an action's (undefined when a top-level
   * blocking wait runs out).
   */
  return (req: InvokeActionRequest, seq: SequenceToRun): ActivationStarted => {
    const scope = enterRun(req.scope, actionFqn(seq.location), 'sequence', deps.maxLength);
    const activationId = newActivationId();
    const recorded = execute(req, scope, seq, activationId);
    return controllerRun(activationId, recorded, req, (err) => deps.onError?.(err, actionFqn(seq.location)));
  };
}

/** A result object with an `error` field ends the sequence, whatever its status code. */
function hasError(response: StoredActivationResponse): boolean {
  const result = response.result;
  return typeof result === 'object' && result !== null && !Array.isArray(result) && 'error' in result;
}

/** The memory a record's `limits` annotation names (a nested run's is the most its components used); 0 if none. */
function recordMemory(record: ActivationRecord): number {
  const limits = record.annotations.find((a) => a.key === 'limits')?.value;
  const memory = typeof limits === 'object' && limits !== null ? (limits as { memory?: unknown }).memory : undefined;
  return typeof memory === 'number' ? memory : 0;
}
