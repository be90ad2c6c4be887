// `/api/v1/namespaces/{ns}/actions[/{pkg}]/{name}` (`CTL/Actions.scala`): parses and checks the request, delegates to
// the action service and the activator, and shapes the responses (including the invoke status table).
import { newRouter } from './router.ts';
import { type ActionRef, actionJson, actionSummary } from '../entities/models/action.ts';
import type { ActionService } from '../entities/action-service.ts';
import { type ActivationRecord, STATUS_SUCCESS, STATUS_WHISK_ERROR, toExtendedJson } from '../../shared/activation-record.ts';
import type { InvokeAction } from '../invoke/invoke-action.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { checkEntityName } from '../../shared/entity-names.ts';
import { bodyOf, invokePayloadLimit, jsonBody, readInvokePayload } from '../middleware/body.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppContext, type AppRouter, type RoutedContext, type RoutedMiddleware, identityOf, namespaceOf } from '../middleware/state.ts';
import { booleanParam, listParams, waitParam } from './query.ts';

export const ACTIVATION_ID_HEADER = 'x-openwhisk-activation-id';

export interface ActionRoutesDeps {
  actions: ActionService;
  invoke: InvokeAction;
  limits: SystemLimits;
}

const BASE = '/api/v1/namespaces/:ns/actions';

/** The action named by the path; names are validated (400) before anything else looks at them. */
function refOf(ctx: RoutedContext): ActionRef {
  const { params } = ctx;
  const pkg = params.pkg === undefined ? undefined : checkEntityName(params.pkg);
  const ref: ActionRef = { namespace: namespaceOf(ctx), name: checkEntityName(params.name ?? '') };
  if (pkg !== undefined) ref.pkg = pkg;
  return ref;
}

/** The action `actionRef` found in the path; only call this behind it. */
function ref(ctx: AppContext): ActionRef {
  const action = ctx.state.action;
  if (!action) throw new Error('no action on the request: the route is not behind actionRef');
  return action;
}

/** Validates the names in the path and keeps the reference for the handlers. */
const actionRef: RoutedMiddleware = async (ctx, next) => {
  ctx.state.action = refOf(ctx);
  await next();
};

/** Writes are the owner's only, in a package or not. */
const entitled = ownerOnly((ctx) => {
  const r = ref(ctx);
  return r.pkg === undefined ? `${r.namespace}/${r.name}` : `${r.namespace}/${r.pkg}/${r.name}`;
});

/** The HTTP status of a completed blocking invoke (`Actions.scala doInvoke`). */
export function invokeStatus(record: ActivationRecord): number {
  const code = record.response.statusCode;
  if (code === STATUS_SUCCESS) return 200;
  if (code === STATUS_WHISK_ERROR) return 500;
  return 502; // application error and action developer error
}

/**
 * The body of a completed blocking invoke: an array result as is, else the result or the whole record. The record
 * goes out with `logs: []`, as OpenWhisk's does (it answers before collecting logs); the stored record has them.
 */
export function invokeBody(record: ActivationRecord, resultOnly: boolean): unknown {
  const result = record.response.result;
  if (Array.isArray(result)) return result;
  return resultOnly ? (result ?? {}) : toExtendedJson({ ...record, logs: [] });
}

/**
 * Answers an invoke: with its record when it completed in time, else (non-blocking, or the blocking wait ran out)
 * 202 with the id — the activation goes on; its record appears at /activations/{id}.
 */
export function answerInvoke(ctx: AppContext, activationId: string, record: ActivationRecord | undefined, resultOnly: boolean): void {
  ctx.set(ACTIVATION_ID_HEADER, activationId);
  if (!record) {
    ctx.status = 202;
    ctx.body = { activationId };
    return;
  }
  ctx.status = invokeStatus(record);
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(invokeBody(record, resultOnly));
}

export function actionRoutes(deps: ActionRoutesDeps): AppRouter {
  const { actions, invoke, limits } = deps;
  const router = newRouter();
  router.param('ns', resolveNamespace());

  /** Reads and invokes: an action in a package is open to whoever may read the package (a published one). */
  const readable: RoutedMiddleware = async (ctx, next) => {
    await actions.entitle(identityOf(ctx), ref(ctx));
    await next();
  };

  const list = (inPackage: boolean): RoutedMiddleware => async (ctx) => {
    const namespace = namespaceOf(ctx);
    const pkg = inPackage ? ref(ctx).name : undefined;
    const { skip, limit, count } = listParams(ctx, 'actions');
    if (pkg !== undefined) await actions.checkPackage(namespace, pkg, false);
    const options = pkg === undefined ? { skip, limit } : { skip, limit, pkg };
    ctx.body = count ? { actions: await actions.count(namespace, options) } : (await actions.list(namespace, options)).map(actionSummary);
  };

  router.get([BASE, `${BASE}/`], ownerOnly(namespaceOf), list(false));
  // `GET .../actions/{pkg}/` lists a package's actions; the package is the "name" segment here
  router.get(`${BASE}/:name/`, actionRef, ownerOnly((ctx) => `${namespaceOf(ctx)}/${ref(ctx).name}`), list(true));

  for (const path of [`${BASE}/:name`, `${BASE}/:pkg/:name`]) {
    router.get(path, actionRef, readable, async (ctx) => {
      const withCode = booleanParam(ctx, 'code', true);
      // through a package or binding: the stored action with the package's (and binding's) parameters merged in
      ctx.body = actionJson((await actions.resolve(ref(ctx))).action, withCode);
    });

    router.put(path, actionRef, entitled, jsonBody(), async (ctx) => {
      const overwrite = booleanParam(ctx, 'overwrite', false);
      const doc = await actions.put(identityOf(ctx), ref(ctx), bodyOf(ctx), overwrite);
      ctx.body = actionJson(doc);
    });

    router.delete(path, actionRef, entitled, async (ctx) => {
      ctx.body = actionJson(await actions.remove(ref(ctx)));
    });

    router.post(path, actionRef, readable, invokePayloadLimit(limits), async (ctx) => {
      const blocking = booleanParam(ctx, 'blocking', false);
      const resultOnly = booleanParam(ctx, 'result', false);
      const waitMs = waitParam(ctx, limits.maxWaitForBlockingActivation);
      const payload = await readInvokePayload(ctx, limits);
      const { state } = ctx;
      const started = await invoke({
        identity: identityOf(ctx),
        ref: ref(ctx),
        payload,
        blocking,
        waitMs,
        transactionId: state.transactionId,
        receivedAt: state.receivedAt,
      });
      answerInvoke(ctx, started.activationId, blocking ? await started.result : undefined, resultOnly);
    });
  }

  return router;
}
