// Conductor actions (`CTL/actions/PrimitiveActions.scala invokeComposition`): an action annotated `conductor: true`
// steers a composition. The controller runs the conductor; when its result names an `action`, it runs that action
// with the result's `params`, then runs the conductor again with the action's result and the `state` the conductor
// asked to keep; a result without `action` ends the composition. Errors of a step are handed back to the conductor
// as `{"error": ...}`. Every run is blocking and has `cause` = the composition's id; the composition's own record
// (kind sequence, conductor: true) lists them all. A component that is itself a sequence or a composition joins the
// run (run-scope.ts): the actions and conductor runs of all of them count against one budget, OpenWhisk's limits
// for one composition, so a conductor that steers to itself ends with "Too many actions in the composition.".
// The run's state (whether the conductor or a component runs next, with which input and kept state) is kept in
// Redis at every step, so another controller, or this one restarted, goes on with it (run-steps.ts, run-resumer.ts).
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { ForbiddenError, NotFoundError, ThrottledError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import { type ActionRef, actionFqn } from '../entities/models/action.ts';
import type { ActivationStarted } from '../activator/activator.ts';
import { actionRefOf, readEntityPath } from '../entities/models/entity-path.ts';
import type { InvokeActionRequest } from '../invoke/invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from '../invoke/record-writer.ts';
import { type RunScope, RunLimitError, enterRun } from './run-scope.ts';
import type { RunState } from './run-store.ts';
import { type Run, type RunSteps, RunHalted, newRun, storedRun } from './run-steps.ts';
import { type SequenceToRun, reportUnlessHalted, storeAndEnd } from './sequence-runner.ts';

export interface CompositionDeps {
  /** Starts steps (and, for a durable run, writes its state before each: run-steps.ts). */
  steps: RunSteps;
  storeRecord: StoreRecord;
  /** Most actions one top-level run may start; its conductors may run twice as often. */
  maxLength: number;
  /** The id of the controller that runs it (owner of its durable state). */
  controllerId: number;
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
  const runOne = async (run: Run, step: { ref: ActionRef; payload: Record<string, unknown>; atomic: boolean }): Promise<Step> => {
    const started = await deps.steps.start(run, step);
    const record = await started.result;
    deps.steps.check();
    if (!record) {
      const error = `Timeout reached when retrieving activation ${started.activationId} during composition.`;
      return { id: started.activationId, response: failure(STATUS_WHISK_ERROR, error), duration: 0 };
    }
    return { id: record.activationId, response: record.response, duration: record.duration ?? Math.max(0, record.end - record.start) };
  };

  /** Runs one composition (top-level or nested, new or resumed at its `phase`) and stores its record. */
  const compose = async (run: Run): Promise<ActivationRecord> => {
    const { state } = run;
    const fqn = actionFqn(state.location);
    const nested = state.root !== state.activationId;
    let response: StoredActivationResponse = { statusCode: STATUS_SUCCESS, result: {} };
    const note = (step: Step) => {
      state.current = undefined;
      if (step.id) state.ids.push(step.id);
      state.duration += step.duration;
    };
    /** The next conductor run gets the state it kept and the step's output. */
    const toConductor = (output: Record<string, unknown>) => {
      state.payload = { ...(state.keep ?? {}), ...output };
      state.phase = 'conductor';
      delete state.keep;
      delete state.componentName;
    };

    const steer = async () => {
      for (;;) {
        if (state.phase !== 'component') {
          const step = await runOne(run, { ref: state.location, payload: state.payload, atomic: true }).catch((err: unknown) => {
            throw err instanceof RunHalted ? err : stepFailure(err);
          });
          note(step);
          response = step.response;
          const result = response.result;
          if (response.statusCode !== STATUS_SUCCESS || !isObject(result) || result.action === undefined) {
            if (response.statusCode === STATUS_SUCCESS && isObject(result) && result.params !== undefined) response = { ...response, result: result.params };
            return;
          }
          state.keep = boxed(result.state, 'state');
          const name = result.action;
          if (typeof name !== 'string' || !readEntityPath(name, state.identity.namespace)) {
            toConductor({ error: `Failed to parse action name from json value ${JSON.stringify(name)} during composition.` });
            continue;
          }
          state.phase = 'component';
          state.componentName = name;
          state.payload = boxed(result.params, 'value');
        }
        const name = state.componentName ?? '';
        const ref = readEntityPath(name, state.identity.namespace);
        let output: Record<string, unknown>;
        try {
          if (!ref) throw new NotFoundError();
          const component = await runOne(run, { ref: actionRefOf(ref), payload: state.payload, atomic: false });
          note(component);
          output = boxed(component.response.result, 'value');
        } catch (err) {
          if (err instanceof RunHalted) throw err;
          output = componentRefusal(err, name);
        }
        toConductor(output);
      }
    };

    await inSpan(`composition ${fqn}`, { attributes: { 'faas.invocation_id': state.activationId, 'faas.name': fqn } }, () =>
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
      { key: 'waitTime', value: Math.max(0, state.start - state.receivedAt) },
      ...(state.binding !== undefined ? [{ key: 'binding', value: state.binding }] : []),
      { key: 'limits', value: state.action.limits },
    ];
    const done = controllerRunRecord({
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
    await storeAndEnd(deps, run, done, fqn);
    return done;
  };

  return {
    /**
     * Starts a composition: top-level, or nested in the run of `req.scope` (then refused with `RunLimitError` when
     * too deep). The result settles like an action's (undefined when a top-level blocking wait runs out).
     */
    start: async (req: InvokeActionRequest, conductor: SequenceToRun): Promise<ActivationStarted> => {
      const activationId = req.activationId ?? newActivationId();
      const scope = enterRun(req.scope, actionFqn(conductor.location), 'composition', deps.maxLength, activationId);
      const { name, version, publish, limits } = conductor.action;
      const target = { location: conductor.location, action: { name, version, publish, limits }, ...(conductor.binding !== undefined ? { binding: conductor.binding } : {}) };
      const run = newRun(req, scope, target, 'composition', activationId, deps.controllerId);
      run.state.phase = 'conductor';
      await req.beforeStart?.({ activationId, kind: 'run' });
      if (!req.scope) await deps.steps.begin(run);
      return controllerRun(activationId, compose(run), req, (err) => reportUnlessHalted(deps, err, actionFqn(conductor.location)));
    },
    /** Goes on with a composition from its stored state (run-resumer.ts). */
    resume: (state: RunState, scope: RunScope): ActivationStarted => {
      const run = storedRun(state, scope);
      return controllerRun(state.activationId, compose(run), { blocking: false, waitMs: state.waitMs }, (err) => reportUnlessHalted(deps, err, actionFqn(state.location)));
    },
  };
}
