// Running a sequence (`CTL/actions/SequenceActions.scala`). The controller invokes the components one after
// another, each blocking, each with `cause` = the sequence's activation id: the first gets the request's payload,
// every next one the previous result when it is an object (or array), else nothing. A result with an `error` field
// stops the sequence. A nested sequence or composition joins the run: it shares its budget and chain (run-scope.ts),
// so a sequence that reaches itself again ends with "Sequence may not refer to itself." and one that runs more
// actions than the limit with "Too many actions in the sequence.", both application errors. The sequence's own
// record (logs = the components' activation ids, duration = their sum) is written here, whatever happens, and the
// whole run is one span, so the components' Kafka and invoker spans sit beneath it. The run's state (the index of
// its component, its arguments, the ids so far) is kept in Redis at every step, so another controller, or this one
// restarted, goes on with it where it stopped (run-steps.ts, run-resumer.ts).
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { NotFoundError, ThrottledError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import { type ActionDoc, type ActionRef, actionFqn } from '../entities/models/action.ts';
import type { ActivationStarted } from '../activator/activator.ts';
import { componentRef } from '../entities/sequence-components.ts';
import type { InvokeActionRequest } from '../invoke/invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from '../invoke/record-writer.ts';
import { type RunScope, RunLimitError, enterRun } from './run-scope.ts';
import type { RunState } from './run-store.ts';
import { type Run, type RunSteps, RunHalted, newRun, storedRun } from './run-steps.ts';

export interface SequenceDeps {
  /** Starts components (and, for a durable run, writes its state before each: run-steps.ts). */
  steps: RunSteps;
  storeRecord: StoreRecord;
  /** Most actions one top-level run may start, nested sequences and compositions counted in. */
  maxLength: number;
  /** The id of the controller that runs it (owner of its durable state). */
  controllerId: number;
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
  const runComponent = async (run: Run, name: string): Promise<Step> => {
    const ref = componentRef(name, run.state.identity.namespace);
    if (!ref) return { response: failure(STATUS_APPLICATION_ERROR, DOES_NOT_EXIST), duration: 0, memory: 0, stop: true };
    let started: ActivationStarted;
    try {
      started = await deps.steps.start(run, { ref, payload: run.state.payload });
    } catch (err) {
      if (err instanceof RunHalted) throw err;
      return { response: componentFailure(err), duration: 0, memory: 0, stop: true };
    }
    const record = await started.result;
    deps.steps.check();
    if (!record) {
      const response = failure(STATUS_WHISK_ERROR, `Timeout reached when retrieving activation ${started.activationId} for sequence component.`);
      return { id: started.activationId, response, duration: 0, memory: 0, stop: true };
    }
    const duration = record.duration ?? Math.max(0, record.end - record.start);
    return { id: record.activationId, response: record.response, duration, memory: recordMemory(record), stop: hasError(record.response) };
  };

  /** Runs one sequence (top-level or nested, new or resumed at its `index`) and stores its record. */
  const execute = async (run: Run): Promise<ActivationRecord> => {
    const { state } = run;
    const fqn = actionFqn(state.location);
    const nested = state.root !== state.activationId;
    const components = state.action.components ?? [];
    let response: StoredActivationResponse = { statusCode: STATUS_SUCCESS, result: {} };

    await inSpan(`sequence ${fqn}`, { attributes: { 'faas.invocation_id': state.activationId, 'faas.name': fqn } }, async () => {
      for (; state.index < components.length; state.index++) {
        const step = await runComponent(run, components[state.index]!);
        state.current = undefined;
        if (step.id !== undefined) state.ids.push(step.id);
        state.duration += step.duration;
        state.memory = Math.max(state.memory, step.memory);
        response = step.response;
        if (step.stop) break;
        const result = response.result;
        state.payload = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
      }
    });

    const annotations: Annotation[] = [
      { key: 'topmost', value: !nested },
      { key: 'path', value: fqn },
      { key: 'kind', value: 'sequence' },
      ...(nested ? [{ key: 'causedBy', value: 'sequence' }] : []),
      { key: 'waitTime', value: Math.max(0, state.start - state.receivedAt) },
      ...(state.binding !== undefined ? [{ key: 'binding', value: state.binding }] : []),
      { key: 'limits', value: { ...state.action.limits, memory: state.memory || state.action.limits.memory } },
    ];
    const record = controllerRunRecord({
      identity: state.identity,
      action: state.action,
      activationId: state.activationId,
      start: state.start,
      ...(state.cause !== undefined ? { cause: state.cause } : {}),
      response,
      logs: state.ids,
      annotations,
      duration: state.duration,
    });
    await storeAndEnd(deps, run, record, fqn);
    return record;
  };

  return {
    /**
     * Starts a sequence: top-level, or nested in the run of `req.scope` (then refused with `RunLimitError` when it
     * is already on the run's chain or too deep). The result settles like an action's (undefined when a top-level
     * blocking wait runs out).
     */
    start: async (req: InvokeActionRequest, seq: SequenceToRun): Promise<ActivationStarted> => {
      const activationId = req.activationId ?? newActivationId();
      const scope = enterRun(req.scope, actionFqn(seq.location), 'sequence', deps.maxLength, activationId);
      const { name, version, publish, limits, exec } = seq.action;
      const target = { location: seq.location, action: { name, version, publish, limits, components: exec.components ?? [] }, ...(seq.binding !== undefined ? { binding: seq.binding } : {}) };
      const run = newRun(req, scope, target, 'sequence', activationId, deps.controllerId);
      await req.beforeStart?.({ activationId, kind: 'run' });
      if (!req.scope) await deps.steps.begin(run);
      return controllerRun(activationId, execute(run), req, (err) => reportUnlessHalted(deps, err, actionFqn(seq.location)));
    },
    /** Goes on with a sequence from its stored state (run-resumer.ts); nobody waits for it but its parent, if any. */
    resume: (state: RunState, scope: RunScope): ActivationStarted => {
      const run = storedRun(state, scope);
      return controllerRun(state.activationId, execute(run), { blocking: false, waitMs: state.waitMs }, (err) => reportUnlessHalted(deps, err, actionFqn(state.location)));
    },
  };
}

/** A run stopped by its controller's shutdown is no failure: it is resumed later. */
export function reportUnlessHalted(deps: { onError?: (err: unknown, what: string) => void }, err: unknown, fqn: string): void {
  if (!(err instanceof RunHalted)) deps.onError?.(err, fqn);
}

/** Stores a run's record; once it is stored, the run's durable state goes (kept if storing failed: a resume finishes it). */
export async function storeAndEnd(deps: { storeRecord: StoreRecord; steps: RunSteps; onError?: (err: unknown, what: string) => void }, run: Run, record: ActivationRecord, fqn: string): Promise<void> {
  try {
    await deps.storeRecord(record);
  } catch (err) {
    deps.onError?.(err, fqn);
    return;
  }
  await deps.steps.end(run).catch((err: unknown) => deps.onError?.(err, fqn));
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
