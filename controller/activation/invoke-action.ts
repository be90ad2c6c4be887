// Invoking an action on behalf of an identity: the one path shared by the invoke route, trigger fires (one
// invocation per active rule), web actions and sequence components. Loads the action, checks throttles and
// entitlement, and hands the activation to the activator (or, for a sequence, runs it here).
import type { Identity } from '../auth/identity.ts';
import type { ActionService, ActionRef } from '../entities/actions.ts';
import type { ActivationStarted, Activator } from '../entities/activator.ts';
import { planActivation } from '../entities/invocation.ts';
import type { Throttles } from '../throttles/throttles.ts';
import { CONDUCTOR_ANNOTATION, isSequence } from '../entities/action.ts';
import type { StoreRecord } from './record-writer.ts';
import { sequenceRunner } from './sequence.ts';
import { compositionRunner } from './composition.ts';
import { isTruthy } from '../entities/parameters.ts';

export interface InvokeActionRequest {
  identity: Identity;
  ref: ActionRef;
  /** The request body, a JSON object. */
  payload: Record<string, unknown>;
  blocking: boolean;
  /** How long a blocking caller waits (ms). */
  waitMs: number;
  transactionId: string;
  /** Epoch ms the request arrived; the record's `waitTime` counts from here. */
  receivedAt: number;
  cause?: string;
  /** Components of a sequence: the sequence was counted once by the throttles, its components are not. */
  skipThrottles?: boolean;
  /** Run a conductor action itself, as one step of its composition, rather than the composition. */
  atomic?: boolean;
}

export type InvokeAction = (req: InvokeActionRequest) => Promise<ActivationStarted>;

export interface ActionInvokerDeps {
  actions: ActionService;
  activator: Activator;
  throttles?: Throttles;
  /** Where sequences store their records; without it a sequence cannot be invoked (tests of atomic actions). */
  storeRecord?: StoreRecord;
  /** Most atomic actions one sequence may run. */
  sequenceMaxLength?: number;
  onError?: (err: unknown, action: string) => void;
}

/**
 * Throttles first (429), as OpenWhisk's entitlement check does. Then entitlement: an action outside a package is
 * the owner's only, one in a package needs READ on the package (its owner, or published) → 403. Then the name is
 * resolved, through a binding to the bound package's action with the parameters merged (missing → 404). A sequence
 * (sequence.ts) or a conductor's composition (composition.ts) is run by the controller; any other action goes to the activator, whose refusals keep their typed
 * errors (503 no invoker, 413 too large).
 */
export function actionInvoker(deps: ActionInvokerDeps): InvokeAction {
  const { actions, activator, throttles } = deps;
  const invoke: InvokeAction = async (req) => {
    // The throttle's counter and the action's lookup go to Redis together (one round trip, not two); a refusal by
    // the throttles still wins over whatever the lookup found.
    const throttled = throttles && !req.skipThrottles ? throttles.invoke(req.identity) : undefined;
    const lookup = actions.entitle(req.identity, req.ref).then(() => actions.resolve(req.ref));
    const [throttle, found] = await Promise.allSettled([throttled, lookup]);
    if (throttle.status === 'rejected') throw throttle.reason;
    if (found.status === 'rejected') throw found.reason;
    const { action, location, binding } = found.value;
    if (isSequence(action.exec)) {
      if (!runSequence) throw new Error('sequences need a record store');
      return runSequence(req, found.value);
    }
    if (!req.atomic && isTruthy(action.annotations, CONDUCTOR_ANNOTATION)) {
      if (!runComposition) throw new Error('compositions need a record store');
      return runComposition(req, found.value);
    }
    const plan = planActivation({ ...req, ref: location, action, binding });
    const started = await activator.activate(plan);
    if (!req.blocking) started.result.catch(() => {}); // nobody waits; the activator reports its own failures
    return started;
  };
  const controllerRuns = deps.storeRecord && {
    invoke,
    storeRecord: deps.storeRecord,
    maxLength: deps.sequenceMaxLength ?? 50,
    ...(deps.onError ? { onError: deps.onError } : {}),
  };
  const runSequence = controllerRuns && sequenceRunner({ ...controllerRuns, actions });
  const runComposition = controllerRuns && compositionRunner(controllerRuns);
  return invoke;
}
