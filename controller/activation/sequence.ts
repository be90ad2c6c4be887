// Running a sequence (`CTL/actions/SequenceActions.scala`, spec §6.1). The controller invokes the components one
// after another, each blocking, each with `cause` = the sequence's activation id: the first gets the request's
// payload, every next one the previous result when it is an object (or array), else nothing. A result with an
// `error` field stops the sequence. Nested sequences run inline and share the count of atomic actions. The
// sequence's own record (logs = the components' activation ids, duration = their sum) is written here, whatever
// happens, and the whole run is one span, so the components' Kafka and invoker spans sit beneath it.
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import type { ActionDoc } from '../entities/action.ts';
import { isSequence } from '../entities/action.ts';
import { type ActionRef, type ActionService, actionFqn } from '../entities/actions.ts';
import type { ActivationStarted } from '../entities/activator.ts';
import { componentRef } from '../entities/sequence-components.ts';
import type { InvokeAction, InvokeActionRequest } from './invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from './record-writer.ts';

export interface SequenceDeps {
  actions: ActionService;
  /** Invokes one atomic component. */
  invoke: InvokeAction;
  storeRecord: StoreRecord;
  /** Most atomic actions one top-level sequence may run. */
  maxLength: number;
  onError?: (err: unknown, sequence: string) => void;
}

export interface SequenceToRun {
  action: ActionDoc;
  /** Where it is stored (through a binding, the bound package). */
  location: ActionRef;
  binding?: string;
}

/** A component's wait for its result: its own timeout and a minute (OpenWhisk's). */
const COMPONENT_WAIT_MARGIN_MS = 60_000;

const failure = (statusCode: 1 | 3, error: string): StoredActivationResponse => ({ statusCode, result: { error } });

interface Run {
  req: InvokeActionRequest;
  /** Atomic actions started so far, across nested sequences. */
  atomic: number;
}

export function sequenceRunner(deps: SequenceDeps) {
  /** Runs one sequence (top-level or nested) and stores its record. */
  const execute = async (
    run: Run,
    seq: SequenceToRun,
    input: Record<string, unknown>,
    parent: string | undefined,
    activationId = newActivationId(),
  ): Promise<ActivationRecord> => {
    const fqn = actionFqn(seq.location);
    const start = Date.now();
    const ids: string[] = [];
    let duration = 0;
    let memory = 0;
    let response: StoredActivationResponse = { statusCode: 0, result: {} };
    let args: Record<string, unknown> = input;

    await inSpan(`sequence ${fqn}`, { attributes: { 'faas.invocation_id': activationId, 'faas.name': fqn } }, async () => {
      for (const name of seq.action.exec.components ?? []) {
        const step = await runComponent(run, name, args, activationId);
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
      { key: 'topmost', value: parent === undefined },
      { key: 'path', value: fqn },
      { key: 'kind', value: 'sequence' },
      ...(parent !== undefined ? [{ key: 'causedBy', value: 'sequence' }] : []),
      { key: 'waitTime', value: Math.max(0, start - run.req.receivedAt) },
      ...(seq.binding !== undefined ? [{ key: 'binding', value: seq.binding }] : []),
      { key: 'limits', value: { ...seq.action.limits, memory: memory || seq.action.limits.memory } },
    ];
    const record = controllerRunRecord({
      identity: run.req.identity,
      action: seq.action,
      activationId,
      start,
      ...(parent !== undefined ? { cause: parent } : {}),
      response,
      logs: ids,
      annotations,
      duration,
    });
    await deps.storeRecord(record).catch((err: unknown) => deps.onError?.(err, fqn));
    return record;
  };

  interface Step {
    id?: string;
    response: StoredActivationResponse;
    duration: number;
    memory: number;
    /** The sequence ends here: an error result, or a component that could not run. */
    stop: boolean;
  }

  const runComponent = async (run: Run, name: string, args: Record<string, unknown>, cause: string): Promise<Step> => {
    const ref = componentRef(name, run.req.identity.namespace);
    const found = ref && (await deps.actions.resolve(ref).catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err))));
    if (!ref || !found) return { response: failure(STATUS_APPLICATION_ERROR, 'Sequence component does not exist.'), duration: 0, memory: 0, stop: true };

    if (isSequence(found.action.exec)) {
      const inner = await execute(run, found, args, cause);
      return { id: inner.activationId, response: inner.response, duration: inner.duration ?? 0, memory: 0, stop: hasError(inner.response) || run.atomic > deps.maxLength };
    }
    run.atomic += 1;
    if (run.atomic > deps.maxLength) return { response: failure(STATUS_APPLICATION_ERROR, 'Too many actions in the sequence.'), duration: 0, memory: 0, stop: true };

    let started: ActivationStarted;
    try {
      started = await deps.invoke({
        ...run.req,
        ref,
        payload: args,
        blocking: true,
        waitMs: found.action.limits.timeout + COMPONENT_WAIT_MARGIN_MS,
        receivedAt: Date.now(),
        cause,
        skipThrottles: true, // the sequence itself was counted
      });
    } catch (err) {
      const response = err instanceof NotFoundError ? failure(STATUS_APPLICATION_ERROR, 'Sequence component does not exist.') : failure(STATUS_WHISK_ERROR, 'Sequence failed.');
      return { response, duration: 0, memory: 0, stop: true };
    }
    const record = await started.result;
    if (!record) {
      const response = failure(STATUS_WHISK_ERROR, `Timeout reached when retrieving activation ${started.activationId} for sequence component.`);
      return { id: started.activationId, response, duration: 0, memory: found.action.limits.memory, stop: true };
    }
    const duration = record.duration ?? Math.max(0, record.end - record.start);
    return { id: record.activationId, response: record.response, duration, memory: found.action.limits.memory, stop: hasError(record.response) };
  };

  /** Starts a top-level sequence; the result settles like an action's (undefined when a blocking wait runs out). */
  return (req: InvokeActionRequest, seq: SequenceToRun): ActivationStarted => {
    const activationId = newActivationId();
    const recorded = execute({ req, atomic: 0 }, seq, req.payload, undefined, activationId);
    return controllerRun(activationId, recorded, req, (err) => deps.onError?.(err, actionFqn(seq.location)));
  };
}

/** A result object with an `error` field ends the sequence, whatever its status code. */
function hasError(response: StoredActivationResponse): boolean {
  const result = response.result;
  return typeof result === 'object' && result !== null && !Array.isArray(result) && 'error' in result;
}
