// `/api/v1/namespaces/{ns}/activations[/{id}[/result|/logs|/trace]]` (OpenWhisk's controller/Activations.scala):
// GET only, owner only. `/trace` is Isowhisk's: the caller's spans of the activation's trace (docs/tenant-isolation.md).
import { newRouter } from './router.ts';
import { BadRequestError, NotFoundError, UnavailableError } from '../../shared/errors.ts';
import { type ActivationRecord, extendedResponse, toExtendedJson } from '../../shared/activation-record.ts';
import type { ActivationStore } from '../../shared/activation-store.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppRouter, type RoutedContext, type RoutedMiddleware, namespaceOf } from '../middleware/state.ts';
import { getParameter } from '../entities/models/parameters.ts';
import type { TraceReader } from '../traces/trace-reader.ts';
import { booleanParam, epochParam, listParams, nameFilterParam, pathParam } from './query.ts';

const BASE = '/api/v1/namespaces/:ns/activations';

/** OpenWhisk's `ActivationId.parse` checks and texts. */
export function checkActivationId(id: string): string {
  if (id.length !== 32) throw new BadRequestError(`Activation id length is ${id.length} but must be 32.`);
  if (!/^[0-9a-f]{32}$/.test(id)) throw new BadRequestError('The activation id is not valid.');
  return id;
}

const idParam = (ctx: RoutedContext) => pathParam(ctx, 'id');

/** The caller's spans of the activation's trace; `traces` is absent when the deployment has no trace backend. */
async function traceOf(record: ActivationRecord, traces: TraceReader | undefined): Promise<unknown> {
  if (!traces) throw new UnavailableError('Traces are not available: this deployment reads no trace backend.');
  const traceId = getParameter(record.annotations, 'traceId');
  if (typeof traceId !== 'string' || traceId === '') throw new NotFoundError('The activation has no trace: it ran while tracing was off.');
  // Actions and sequences (records with a `kind`) have spans naming their id; a trigger's record has none.
  const ranAs = getParameter(record.annotations, 'kind') === undefined ? undefined : record.activationId;
  const trace = await traces.read({ traceId, namespace: record.namespace, ...(ranAs === undefined ? {} : { ranAs }) });
  if (!trace) throw new NotFoundError(`The trace of activation ${record.activationId} is not in the trace backend (yet); try again later.`);
  return trace;
}

export function activationRoutes(activations: ActivationStore, traces?: TraceReader): AppRouter {
  const router = newRouter();
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
  const withRecord = (respond: (record: ActivationRecord) => unknown): RoutedMiddleware[] => [
    async (ctx, next) => {
      checkActivationId(idParam(ctx));
      await next();
    },
    ownerOnly((ctx) => `${namespaceOf(ctx)}/${idParam(ctx)}`),
    async (ctx) => {
      const record = await activations.getRecord(idParam(ctx));
      if (!record || record.namespace !== namespaceOf(ctx)) throw new NotFoundError();
      ctx.body = await respond(record);
    },
  ];

  router.get([`${BASE}/:id`, `${BASE}/:id/`], ...withRecord(toExtendedJson));
  router.get(`${BASE}/:id/result`, ...withRecord((r) => extendedResponse(r.response)));
  router.get(`${BASE}/:id/logs`, ...withRecord((r) => ({ logs: r.logs })));
  router.get(`${BASE}/:id/trace`, ...withRecord((r) => traceOf(r, traces)));
  return router;
}
