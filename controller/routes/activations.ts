// `/api/v1/namespaces/{ns}/activations[/{id}[/result|/logs]]` (spec §1.3): GET only, owner only.
import type { Context, Middleware } from 'koa';
import { Router } from '@koa/router';
import { BadRequestError, NotFoundError } from '../../shared/errors.ts';
import { type ActivationRecord, extendedResponse, toExtendedJson } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { namespaceOf } from '../middleware/state.ts';
import { booleanParam, epochParam, listParams, nameFilterParam, pathParam } from './query.ts';

const BASE = '/api/v1/namespaces/:ns/activations';

/** OpenWhisk's `ActivationId.parse` checks and texts. */
export function checkActivationId(id: string): string {
  if (id.length !== 32) throw new BadRequestError(`Activation id length is ${id.length} but must be 32.`);
  if (!/^[0-9a-f]{32}$/.test(id)) throw new BadRequestError('The activation id is not valid.');
  return id;
}

const idParam = (ctx: Context) => pathParam(ctx, 'id');

export function activationRoutes(activations: ActivationStore): Router {
  const router = new Router({ strict: true });
  router.param('ns', resolveNamespace());

  router.get([BASE, `${BASE}/`], ownerOnly(namespaceOf), async (ctx) => {
    const namespace = namespaceOf(ctx);
    const { skip, limit, count } = listParams(ctx, 'activations');
    const docs = booleanParam(ctx, 'docs', false);
    const name = nameFilterParam(ctx);
    const since = epochParam(ctx, 'since');
    const upto = epochParam(ctx, 'upto');
    const query = { skip, limit, ...(name === undefined ? {} : { name }), ...(since === undefined ? {} : { since }), ...(upto === undefined ? {} : { upto }) };
    if (count && docs) throw new BadRequestError("The parameter 'docs' is not permitted with 'count'.");
    if (count) {
      ctx.body = { activations: await activations.count(namespace, query) };
      return;
    }
    // Without docs only the stored summaries are read: a page of records with large logs stays a small read.
    ctx.body = docs ? (await activations.list(namespace, query)).map(toExtendedJson) : await activations.listSummaries(namespace, query);
  });

  /** Checks the id (400), entitlement (403), then loads the caller's record (404 when missing or another namespace's). */
  const withRecord = (respond: (record: ActivationRecord) => unknown): Middleware[] => [
    async (ctx, next) => {
      checkActivationId(idParam(ctx));
      await next();
    },
    ownerOnly((ctx) => `${namespaceOf(ctx)}/${idParam(ctx)}`),
    async (ctx) => {
      const record = await activations.getRecord(idParam(ctx));
      if (!record || record.namespace !== namespaceOf(ctx)) throw new NotFoundError();
      ctx.body = respond(record);
    },
  ];

  router.get([`${BASE}/:id`, `${BASE}/:id/`], ...withRecord(toExtendedJson));
  router.get(`${BASE}/:id/result`, ...withRecord((r) => extendedResponse(r.response)));
  router.get(`${BASE}/:id/logs`, ...withRecord((r) => ({ logs: r.logs })));
  return router;
}
