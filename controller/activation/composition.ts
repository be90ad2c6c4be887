// Conductor actions (`CTL/actions/PrimitiveActions.scala invokeComposition`): an action annotated `conductor: true`
// steers a composition. The controller runs the conductor; when its result names an `action`, it runs that action
// with the result's `params`, then runs the conductor again with the action's result and the `state` the conductor
// asked to keep; a result without `action` ends the composition. Errors of a step are handed back to the conductor
// as `{"error": ...}`. Every run is blocking and has `cause` = the composition's id; the composition's own record
// (kind sequence, conductor: true) lists them all. A component that is itself a sequence or a composition joins the
// run (run-scope.ts): the actions and conductor runs of all of them count against one budget, OpenWhisk's limits
// for one composition, so a conductor that steers to itself ends with "Too many actions in the composition.".
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { ForbiddenError, NotFoundError, ThrottledError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import { type ActionRef, actionFqn } from '../entities/actions.ts';
import type { ActivationStarted } from '../entities/activator.ts';
import { actionRefOf, readEntityPath } from '../entities/entity-path.ts';
import { type InvokeAction, type InvokeActionRequest, componentRequest } from './invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from './record-writer.ts';
import { type RunScope, RunLimitError, enterRun } from './run-scope.ts';
import type { SequenceToRun } from './sequence.ts';

export interface CompositionDeps {
  invoke: InvokeAction;
  storeRecord: StoreRecord;
  /** Most actions one top-level run may start; its conductors may run twice as often. */
  maxLength: number;
  onError?: (err: unknown, action: string) => void;
}

const TOO_LONG = 'Too many actions in the composition.';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const boxed = (v: unknown, key: string): Record<string, unknown> => (v === undefined ? {} : isObject(v) ? v : { [key]: v });
const failure = (statusCode: 1 | 3, error: string): StoredActivationResponse => ({ statusCode, result: { error } });

interface Step {
  id: string | undefined;
  response: StoredActivationResponse;
  duration: number;
}

/** Ends the composition with this response (the step could not be run and there is no conductor to tell). */
class CompositionEnded extends Error {
  readonly response: StoredActivationResponse;
  constructor(response: StoredActivationResponse) {
    super('composition ended');
    this.response = response;
  }
}

/** What a component that could not be started becomes: an error handed to the conductor, or the end of the run. */
function componentRefusal(err: unknown, name: string): Record<string, unknown> {
  if (err instanceof NotFoundError) return { error: `Failed to resolve action with name '${name}' during composition.` };
  if (err instanceof ForbiddenError) return { error: `Failed entitlement check for action with name '${name}' during composition.` };
  if (err instanceof RunLimitError) return { error: err.limit === 'cycle' ? 'Sequence may not refer to itself.' : TOO_LONG };
  throw stepFailure(err);
}

/** A conductor run (or a component) that could not be started ends the composition. */
function stepFailure(err: unknown): CompositionEnded {
  if (err instanceof RunLimitError) return new CompositionEnded(failure(STATUS_APPLICATION_ERROR, TOO_LONG));
  // the caller's own limits: the run ends with the throttle's text rather than waiting for the minute to pass
  if (err instanceof ThrottledError) return new CompositionEnded(failure(STATUS_APPLICATION_ERROR, err.message));
  return new CompositionEnded(failure(STATUS_WHISK_ERROR, 'Activation failure during composition.'));
}

export function compositionRunner(deps: CompositionDeps) {
  /** One blocking run with `cause` = the composition; a run that does not answer in time is a whisk error. */
  const runOne = async (req: InvokeActionRequest, scope: RunScope, run: { ref: ActionRef; payload: Record<string, unknown>; cause: string; atomic: boolean }): Promise<Step> => {
    const started = await deps.invoke(componentRequest(req, { ...run, scope }));
    const record = await started.result;
    if (!record) {
      const error = `Timeout reached when retrieving activation ${started.activationId} during composition.`;
      return { id: started.activationId, response: failure(STATUS_WHISK_ERROR, error), duration: 0 };
    }
    return { id: record.activationId, response: record.response, duration: record.duration ?? Math.max(0, record.end - record.start) };
  };

  const compose = async (req: InvokeActionRequest, scope: RunScope, conductor: SequenceToRun, activationId: string): Promise<ActivationRecord> => {
    const fqn = actionFqn(conductor.location);
    const nested = req.scope !== undefined;
    const start = Date.now();
    const ids: string[] = [];
    let duration = 0;
    let response: StoredActivationResponse = { statusCode: STATUS_SUCCESS, result: {} };
    const note = (step: Step) => {
      if (step.id) ids.push(step.id);
      duration += step.duration;
    };

    const steer = async () => {
      let input = req.payload;
      for (;;) {
        const step = await runOne(req, scope, { ref: conductor.location, payload: input, cause: activationId, atomic: true }).catch((err: unknown) => {
          throw stepFailure(err);
        });
        note(step);
        response = step.response;
        const result = response.result;
        if (response.statusCode !== STATUS_SUCCESS || !isObject(result) || result.action === undefined) {
          if (response.statusCode === STATUS_SUCCESS && isObject(result) && result.params !== undefined) response = { ...response, result: result.params };
          return;
        }
        const state = boxed(result.state, 'state');
        const params = boxed(result.params, 'value');
        const name = result.action;
        const ref = typeof name === 'string' ? readEntityPath(name, req.identity.namespace) : undefined;
        let output: Record<string, unknown>;
        if (!ref) {
          output = { error: `Failed to parse action name from json value ${JSON.stringify(name)} during composition.` };
        } else {
          try {
            const component = await runOne(req, scope, { ref: actionRefOf(ref), payload: params, cause: activationId, atomic: false });
            note(component);
            output = boxed(component.response.result, 'value');
          } catch (err) {
            output = componentRefusal(err, String(name));
          }
        }
        input = { ...state, ...output };
      }
    };

    await inSpan(`composition ${fqn}`, { attributes: { 'faas.invocation_id': activationId, 'faas.name': fqn } }, () =>
      steer().catch((err: unknown) => {
        if (!(err instanceof CompositionEnded)) throw err;
        response = err.response;
      }),
    );

    const annotations: Annotation[] = [
      { key: 'topmost', value: !nested },
      { key: 'path', value: fqn },
      { key: 'kind', value: 'sequence' },
      { key: 'conductor', value: true },
      ...(nested ? [{ key: 'causedBy', value: 'sequence' }] : []),
      { key: 'waitTime', value: Math.max(0, start - req.receivedAt) },
      ...(conductor.binding !== undefined ? [{ key: 'binding', value: conductor.binding }] : []),
      { key: 'limits', value: conductor.action.limits },
    ];
    const done = controllerRunRecord({
      identity: req.identity,
      action: conductor.action,
      activationId,
      start,
      ...(nested && req.cause !== undefined ? { cause: req.cause } : {}),
      response,
      logs: ids,
      annotations,
      duration,
    });
    await deps.storeRecord(done).catch((err: unknown) => deps.onError?.(err, fqn));
    return done;
  };

  /**
   * Starts a composition: top-level, or nested in the run of `req.scope` (then refused with `RunLimitError` when
   * too deep). The result settles like an action's (undefined when a top-level blocking wait runs out).
   */
  return (req: InvokeActionRequest, conductor: SequenceToRun): ActivationStarted => {
    const scope = enterRun(req.scope, actionFqn(conductor.location), 'composition', deps.maxLength);
    const activationId = newActivationId();
    return controllerRun(activationId, compose(req, scope, conductor, activationId), req, (err) => deps.onError?.(err, actionFqn(conductor.location)));
  };
}
