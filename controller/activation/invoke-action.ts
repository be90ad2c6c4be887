// Invoking an action on behalf of an identity: the one path shared by the invoke route, trigger fires (one
// invocation per active rule) and anything else the controller starts. Loads the action, checks entitlement,
// plans the activation and hands it to the activator.
import { ForbiddenError } from '../../shared/errors.ts';
import type { Identity } from '../auth/identity.ts';
import type { ActionService, ActionRef } from '../entities/actions.ts';
import { actionFqn } from '../entities/actions.ts';
import type { ActivationStarted, Activator } from '../entities/activator.ts';
import { planActivation } from '../entities/invocation.ts';

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
}

export type InvokeAction = (req: InvokeActionRequest) => Promise<ActivationStarted>;

/**
 * Actions are owner-only (no shared packages yet): an action outside the caller's namespace → 403, missing → 404,
 * rejected by the activator → its typed error (503 no invoker, 413 too large, 429 throttled).
 */
export function actionInvoker(actions: ActionService, activator: Activator): InvokeAction {
  return async (req) => {
    if (req.ref.namespace !== req.identity.namespace) throw ForbiddenError.resource(actionFqn(req.ref));
    const action = await actions.get(req.ref);
    const plan = planActivation({ ...req, action });
    const started = await activator.activate(plan);
    if (!req.blocking) started.result.catch(() => {}); // nobody waits; the activator reports its own failures
    return started;
  };
}
