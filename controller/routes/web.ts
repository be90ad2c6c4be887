// Web actions (OpenWhisk `WebActions.scala`): `/api/v1/web/{namespace}/{package|default}/{action}[.ext][/rest]`,
// any verb, credentials optional. The action must be annotated `web-export: true`; it runs as its owner (the owner's
// throttles apply and the record is the owner's), blocking, and its result becomes the HTTP response by the URL's
// extension.
// Served on the web origin, a listener apart from the REST API's (see app.ts); web actions have their own rules for
// CORS and credentials, and never see the caller's whisk credentials (web/web-auth.ts).
import { STATUS_APPLICATION_ERROR, STATUS_SUCCESS } from '../../shared/activation-record.ts';
import { BadRequestError, NotFoundError, TooLargeError } from '../../shared/errors.ts';
import type { InvokeAction } from '../invoke/invoke-action.ts';
import type { IdentityStore } from '../../shared/identities.ts';
import type { ActionService } from '../entities/action-service.ts';
import { type SystemLimits, effectiveLimits } from '../entities/models/limits.ts';
import { getParameter, isTruthy } from '../entities/models/parameters.ts';
import { basicCredentials } from '../middleware/auth.ts';
import { readRaw } from '../middleware/body.ts';
import { CORS_HEADERS } from '../middleware/cors.ts';
import type { AppContext, AppMiddleware } from '../middleware/state.ts';
import { asTenant } from '../middleware/tracing.ts';
import { ACTIVATION_ID_HEADER } from './actions.ts';
import { webArguments } from '../web/web-args.ts';
import { SECRET_HEADER, checkWhiskAuth, headersForAction } from '../web/web-auth.ts';
import { parseWebPath, WEB_PREFIX } from '../web/web-path.ts';
import { transcode } from '../web/web-response.ts';
import { HTTP_SIGNATURES, SIGNATURE_ANNOTATION, isSignature } from '../../shared/signatures.ts';

const isHttpSignature = (value: unknown): boolean => isSignature(value) && HTTP_SIGNATURES.has(value);

export interface WebRoutesDeps {
  identities: IdentityStore;
  actions: ActionService;
  invoke: InvokeAction;
  limits: SystemLimits;
}

const WEB_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
};

async function readBody(ctx: AppContext, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('Content-Length') || NaN);
  if (declared > maxBytes) throw TooLargeError.field('Request', declared, maxBytes);
  return readRaw(ctx, maxBytes, (size) => TooLargeError.field('Request', size, maxBytes));
}

function requestHeaders(ctx: AppContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.headers)) if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export function webRoutes(deps: WebRoutesDeps): AppMiddleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(WEB_PREFIX)) return next();
    const path = parseWebPath(ctx.path);
    if (!path) throw new NotFoundError();
    // Asked in one tick, so their first Redis commands leave in one write (auto-pipelining); the owner decides first.
    // The owner may come from the identity cache: a block takes effect within its lifetime, as for API keys.
    const [ownerRead, found] = await Promise.allSettled([
      deps.identities.namespaceIdentity(path.ref.namespace, { cached: true }),
      deps.actions.resolve(path.ref),
    ]);
    if (ownerRead.status === 'rejected') throw ownerRead.reason;
    const owner = ownerRead.value;
    // A blocked subject's web actions are not found, as OpenWhisk's identities view leaves blocked subjects out.
    if (!owner || owner.blocked) throw new NotFoundError();
    if (found.status === 'rejected' && !(found.reason instanceof NotFoundError)) throw found.reason;
    const action = found.status === 'fulfilled' ? found.value.action : undefined;
    if (!action || getParameter(action.annotations, 'web-export') !== true) throw new NotFoundError();

    const customOptions = isTruthy(action.annotations, 'web-custom-options');
    if (!customOptions) {
      ctx.set(WEB_CORS);
      ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers') || CORS_HEADERS['Access-Control-Allow-Headers']);
      if (ctx.method === 'OPTIONS') {
        ctx.status = 200;
        ctx.body = '';
        return;
      }
    }

    // Credentials are optional: valid ones name the caller (`__ow_user`), anything else is an anonymous call.
    const headers = requestHeaders(ctx);
    const credentials = basicCredentials(headers.authorization);
    const caller = credentials && (await deps.identities.authenticate(credentials.username, credentials.password));
    if (ctx.method !== 'OPTIONS') {
      checkWhiskAuth(getParameter(action.annotations, 'require-whisk-auth'), { secret: headers[SECRET_HEADER], authenticated: caller !== undefined });
    }

    const limits = effectiveLimits(deps.limits, owner.limits);
    const body = await readBody(ctx, limits.maxPayloadSize);
    const payload = webArguments(
      {
        method: ctx.method,
        headers: headersForAction(headers),
        rest: path.rest,
        ...(caller ? { user: caller.namespace } : {}),
        query: ctx.querystring,
        body,
        contentType: ctx.get('Content-Type') || undefined,
      },
      // HTTP-shaped signatures get the request raw, so their adapter can rebuild the platform's request (docs/signatures.md).
      { rawHttp: isTruthy(action.annotations, 'raw-http') || isHttpSignature(getParameter(action.annotations, SIGNATURE_ANNOTATION)) },
    );

    const { state } = ctx;
    // The owner pays for and owns the activation, so its trace is the owner's too (an anonymous caller has none).
    const started = await asTenant(owner.namespace, () => deps.invoke({
      identity: owner,
      ref: path.ref,
      payload,
      blocking: true,
      waitMs: deps.limits.maxWaitForBlockingActivation,
      transactionId: state.transactionId,
      receivedAt: state.receivedAt,
    }));
    ctx.set(ACTIVATION_ID_HEADER, started.activationId);
    const record = await started.result;
    if (!record) {
      ctx.status = 202;
      ctx.body = { error: 'Response not yet ready.', code: state.transactionId };
      return;
    }
    const { statusCode, result } = record.response;
    if (statusCode !== STATUS_SUCCESS && statusCode !== STATUS_APPLICATION_ERROR) throw new BadRequestError('There was an error processing your request.');
    const output = statusCode === STATUS_SUCCESS ? result : (result as { error?: unknown } | undefined)?.error;
    const response = transcode(output, path.extension);
    ctx.status = response.status;
    ctx.set(response.headers);
    ctx.body = response.body ?? ''; // an empty body keeps the status the action chose (Koa turns null into 204)
  };
}
