// `/api/v1/namespaces/{ns}/triggers[/{name}]` (`CTL/Triggers.scala`): create/update, get, delete, list and fire. Owner only.
import { newRouter } from './router.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { triggerJson, triggerSummary } from '../entities/models/trigger.ts';
import type { TriggerService } from '../entities/trigger-service.ts';
import { bodyOf, invokePayloadLimit, jsonBody, readInvokePayload } from '../middleware/body.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppRouter, identityOf, namespaceOf } from '../middleware/state.ts';
import { actionHeaders, type FireTrigger } from '../triggers/fire.ts';
import { booleanParam, entityNameParam, listParams } from './query.ts';

export interface TriggerRoutesDeps {
  triggers: TriggerService;
  fire: FireTrigger;
  limits: SystemLimits;
}

const BASE = '/api/v1/namespaces/:ns/triggers';

export function triggerRoutes({ triggers, fire, limits }: TriggerRoutesDeps): AppRouter {
  const router = newRouter();
  router.param('ns', resolveNamespace());
  const owner = ownerOnly(namespaceOf);

  router.get([BASE, `${BASE}/`], owner, async (ctx) => {
    const { skip, limit, count } = listParams(ctx, 'triggers');
    const namespace = namespaceOf(ctx);
    ctx.body = count ? { triggers: await triggers.count(namespace, { skip }) } : (await triggers.list(namespace, { skip, limit })).map(triggerSummary);
  });

  const path = `${BASE}/:name`;
  router.get(path, owner, async (ctx) => {
    ctx.body = triggerJson(await triggers.get(namespaceOf(ctx), entityNameParam(ctx)));
  });

  router.put(path, owner, jsonBody(), async (ctx) => {
    const doc = await triggers.put(identityOf(ctx), namespaceOf(ctx), entityNameParam(ctx), bodyOf(ctx), booleanParam(ctx, 'overwrite', false));
    ctx.body = triggerJson(doc);
  });

  router.delete(path, owner, async (ctx) => {
    ctx.body = triggerJson(await triggers.remove(namespaceOf(ctx), entityNameParam(ctx)));
  });

  router.post(path, owner, invokePayloadLimit(limits), async (ctx) => {
    const name = entityNameParam(ctx);
    const payload = await readInvokePayload(ctx, limits);
    const trigger = await triggers.get(namespaceOf(ctx), name);
    const { state } = ctx;
    const fired = await fire({
      identity: identityOf(ctx),
      trigger,
      payload,
      headers: actionHeaders(ctx.headers),
      transactionId: state.transactionId,
      receivedAt: state.receivedAt,
    });
    if (!fired) {
      ctx.status = 204; // no active rule: nothing runs and nothing is recorded
      return;
    }
    ctx.status = 202;
    ctx.body = { activationId: fired.activationId };
  });

  return router;
}
