// Conductor actions (`CTL/actions/PrimitiveActions.scala invokeComposition`, spec §6.2): an action annotated
// `conductor: true` steers a composition. The controller runs the conductor; when its result names an `action`, it
// runs that action with the result's `params`, then runs the conductor again with the action's result and the
// `state` the conductor asked to keep; a result without `action` ends the composition. Errors of a step are handed
// back to the conductor as `{"error": ...}`. Every run is blocking and has `cause` = the composition's id; the
// composition's own record (kind sequence, conductor: true) lists them all.
import type { ActivationRecord, Annotation, StoredActivationResponse } from '../../shared/activation-record.ts';
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS, STATUS_WHISK_ERROR } from '../../shared/activation-record.ts';
import { ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import { inSpan } from '../../shared/tracing.ts';
import { actionFqn } from '../entities/actions.ts';
import type { ActivationStarted } from '../entities/activator.ts';
import { actionRefOf, readEntityPath } from '../entities/entity-path.ts';
import type { InvokeAction, InvokeActionRequest } from './invoke-action.ts';
import { controllerRun, controllerRunRecord } from './controller-run.ts';
import type { StoreRecord } from './record-writer.ts';
import type { SequenceToRun } from './sequence.ts';

export interface CompositionDeps {
  invoke: InvokeAction;
  storeRecord: StoreRecord;
  /** Most components one composition may run; the conductor may run twice as often. */
  maxLength: number;
  onError?: (err: unknown, action: string) => void;
}

/** A run's wait for its result: its timeout and a minute. A component's timeout is not known before it runs. */
const WAIT_MARGIN_MS = 60_000;
const MAX_ACTION_TIMEOUT_MS = 300_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const boxed = (v: unknown, key: string): Record<string, unknown> => (v === undefined ? {} : isObject(v) ? v : { [key]: v });

interface Step {
  id: string | undefined;
  response: StoredActivationResponse;
  duration: number;
}

export function compositionRunner(deps: CompositionDeps) {
  /** One blocking run with `cause` = the composition; a run that does not answer in time is a whisk error. */
  const runOne = async (
    req: InvokeActionRequest,
    run: { ref: InvokeActionRequest['ref']; payload: Record<string, unknown>; cause: string; atomic: boolean; timeoutMs: number },
  ): Promise<Step> => {
    const started = await deps.invoke({
      ...req,
      ref: run.ref,
      payload: run.payload,
      blocking: true,
      waitMs: run.timeoutMs + WAIT_MARGIN_MS,
      receivedAt: Date.now(),
      cause: run.cause,
      skipThrottles: true, // the composition itself was counted
      atomic: run.atomic,
    });
    const record = await started.result;
    if (!record) {
      const error = `Timeout reached when retrieving activation ${started.activationId} during composition.`;
      return { id: started.activationId, response: { statusCode: STATUS_WHISK_ERROR, result: { error } }, duration: 0 };
    }
    return { id: record.activationId, response: record.response, duration: record.duration ?? Math.max(0, record.end - record.start) };
  };

  const compose = async (req: InvokeActionRequest, conductor: SequenceToRun, activationId: string): Promise<ActivationRecord> => {
    const fqn = actionFqn(conductor.location);
    const start = Date.now();
    const ids: string[] = [];
    let duration = 0;
    let response: StoredActivationResponse = { statusCode: STATUS_SUCCESS, result: {} };

    await inSpan(`composition ${fqn}`, { attributes: { 'faas.invocation_id': activationId, 'faas.name': fqn } }, async () => {
      let input = req.payload;
      let components = 0;
      for (let conductorRuns = 1; ; conductorRuns++) {
        if (conductorRuns > 2 * deps.maxLength) {
          response = { statusCode: STATUS_APPLICATION_ERROR, result: { error: 'Too many actions in the composition.' } };
          return;
        }
        const step = await runOne(req, { ref: conductor.location, payload: input, cause: activationId, atomic: true, timeoutMs: conductor.action.limits.timeout });
        if (step.id) ids.push(step.id);
        duration += step.duration;
        response = step.response;
        const result = response.result;
        if (response.statusCode !== STATUS_SUCCESS || !isObject(result) || result.action === undefined) {
          if (response.statusCode === STATUS_SUCCESS && isObject(result) && result.params !== undefined) response = { ...response, result: result.params };
          return;
        }
        const state = boxed(result.state, 'state');
        const params = boxed(result.params, 'value');
        let output: Record<string, unknown>;
        const name = result.action;
        const ref = typeof name === 'string' ? readEntityPath(name, req.identity.namespace) : undefined;
        if (!ref) {
          output = { error: `Failed to parse action name from json value ${JSON.stringify(name)} during composition.` };
        } else if (++components > deps.maxLength) {
          output = { error: 'Too many actions in the composition.' };
        } else {
          try {
            const component = await runOne(req, { ref: actionRefOf(ref), payload: params, cause: activationId, atomic: false, timeoutMs: MAX_ACTION_TIMEOUT_MS });
            if (component.id) ids.push(component.id);
            duration += component.duration;
            output = boxed(component.response.result, 'value');
          } catch (err) {
            if (err instanceof NotFoundError) output = { error: `Failed to resolve action with name '${name}' during composition.` };
            else if (err instanceof ForbiddenError) output = { error: `Failed entitlement check for action with name '${name}' during composition.` };
            else throw err;
          }
        }
        input = { ...state, ...output };
      }
    });

    const annotations: Annotation[] = [
      { key: 'topmost', value: true },
      { key: 'path', value: fqn },
      { key: 'kind', value: 'sequence' },
      { key: 'conductor', value: true },
      { key: 'waitTime', value: Math.max(0, start - req.receivedAt) },
      ...(conductor.binding !== undefined ? [{ key: 'binding', value: conductor.binding }] : []),
      { key: 'limits', value: conductor.action.limits },
    ];
    const record = controllerRunRecord({ identity: req.identity, action: conductor.action, activationId, start, response, logs: ids, annotations, duration });
    await deps.storeRecord(record).catch((err: unknown) => deps.onError?.(err, fqn));
    return record;
  };

  /** Starts a composition; the result settles like an action's (undefined when a blocking wait runs out). */
  return (req: InvokeActionRequest, conductor: SequenceToRun): ActivationStarted => {
    const activationId = newActivationId();
    return controllerRun(activationId, compose(req, conductor, activationId), req, (err) => deps.onError?.(err, actionFqn(conductor.location)));
  };
}
