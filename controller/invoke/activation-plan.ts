// From an invoke request to an ActivationPlan (`CTL/Actions.scala activate`, `E/WhiskAction.scala`,
// `INV/containerpool/ContainerProxy.scala` for the API-key rule).
import { BadRequestError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import type { InvokeActionRequest } from './invoke-action.ts';
import { type ActionDoc, type ActionRef, FINAL_ANNOTATION, PROVIDE_API_KEY_ANNOTATION, actionFqn } from '../entities/models/action.ts';
import type { ActivationPlan } from '../activator/activator.ts';
import { getParameter, isTruthy, parametersObject } from '../entities/models/parameters.ts';

/** An invoke as the activation path has resolved it (see controller/invoke/invoke-action.ts). */
export interface InvokeRequest extends Omit<InvokeActionRequest, 'scope'> {
  /** Where the action is stored (through a binding: in the bound package). */
  ref: ActionRef;
  /** The action with package and binding parameters already merged into its own. */
  action: ActionDoc;
  /** `ns/binding` when the action was named through a binding. */
  binding?: string;
}

/**
 * With annotation `final: true`, parameters that already have a (non-null) value may not be set by the request
 * (`immutableParameters`) → 400.
 */
export function checkFinalParameters(action: ActionDoc, payload: Record<string, unknown>): void {
  if (getParameter(action.annotations, FINAL_ANNOTATION) !== true) return;
  const fixed = new Set(action.parameters.filter((p) => p.value !== null && p.value !== undefined).map((p) => p.key));
  if (Object.keys(payload).some((key) => fixed.has(key))) {
    throw new BadRequestError('Request defines parameters that are not allowed (e.g., reserved properties).');
  }
}

export function planActivation(req: InvokeRequest): ActivationPlan {
  const { action, ref, identity } = req;
  checkFinalParameters(action, req.payload);
  const plan: ActivationPlan = {
    activationId: newActivationId(),
    transactionId: req.transactionId,
    receivedAt: req.receivedAt,
    action: {
      namespace: ref.namespace,
      name: action.name,
      path: actionFqn(ref),
      revision: action.revision,
      version: action.version,
      kind: action.exec.kind,
      binary: action.exec.binary,
      publish: action.publish,
    },
    limits: action.limits,
    // package < binding < action parameters (merged in `action`), and the body wins over all
    params: { ...parametersObject(action.parameters), ...req.payload },
    initParams: action.parameters.filter((p) => p.init).map((p) => p.key),
    identity: { subject: identity.subject, namespace: identity.namespace, uuid: identity.uuid },
    blocking: req.blocking,
    waitMs: req.waitMs,
  };
  if (ref.pkg !== undefined) plan.action.package = ref.pkg;
  if (action.exec.main !== undefined) plan.action.main = action.exec.main;
  // OpenWhisk passes the key when the annotation is truthy *or absent* (actions created before the annotation
  // existed); every action created here gets `provide-api-key: false` unless its author asked otherwise.
  if (identity.apiKey !== undefined && isTruthy(action.annotations, PROVIDE_API_KEY_ANNOTATION, true)) plan.apiKey = identity.apiKey;
  if (req.cause !== undefined) plan.cause = req.cause;
  if (req.binding !== undefined) plan.binding = req.binding;
  return plan;
}
