// The one place where errors become HTTP responses. Every failure leaves the controller as OpenWhisk's error
// body `{"error": "<message>", "code": "<transaction id>"}` (`ErrorResponse.scala`), whether it was thrown as a
// typed `WhiskError`, raised by Koa or the router (http-errors), left behind as a bare 404/405 by the router, or
// is an unexpected exception (500, logged with its stack).
import { STATUS_CODES } from 'node:http';
import { MethodNotAllowedError, NotFoundError, UnavailableError, WhiskError, type ErrorKind } from '../../shared/errors.ts';
import type { Logger } from './logging.ts';
import type { AppContext, AppMiddleware } from './state.ts';

const STATUS: Record<ErrorKind, number> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  'method-not-allowed': 405,
  conflict: 409,
  'too-large': 413,
  'unsupported-media-type': 415,
  unprocessable: 422,
  throttled: 429,
  internal: 500,
  'no-invoker': 503,
  unavailable: 503,
};

export const WWW_AUTHENTICATE = 'Basic realm="OpenWhisk secure realm"';

/** OpenWhisk's text for a status without a specific message (`ErrorResponse.response`). */
export function defaultMessage(status: number): string {
  switch (status) {
    case 403:
      return 'The supplied authentication is not authorized to access this resource.';
    case 404:
      return 'The requested resource does not exist.';
    case 413:
      return 'Content Too Large'; // Pekko's reason phrase (RFC 9110), where Node still says "Payload Too Large"
    default:
      return STATUS_CODES[status] ?? 'Error';
  }
}

export interface HttpError {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/**
 * ioredis's errors when Redis is down or slow: with the controller's client settings (no offline queue, one retry,
 * a command timeout) they arrive within a couple of seconds instead of a request hanging.
 */
function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; message?: string } | null;
  return (
    e?.name === 'MaxRetriesPerRequestError' ||
    /^(Connection is closed|Command timed out|Stream isn't writeable)/.test(e?.message ?? '')
  );
}

/** Maps anything thrown to a status, the client-facing message and extra headers. */
export function toHttpError(err: unknown): HttpError {
  if (isStoreUnavailable(err)) err = new UnavailableError('The entity store is unavailable; try again shortly.', { cause: err });
  if (err instanceof WhiskError) {
    const status = STATUS[err.kind];
    const headers: Record<string, string> = {};
    if (status === 401) headers['WWW-Authenticate'] = WWW_AUTHENTICATE;
    if (err instanceof MethodNotAllowedError) headers.Allow = err.allowed.join(', ');
    return { status, message: err.detail ?? defaultMessage(status), headers };
  }
  // http-errors as thrown by Koa (ctx.throw, ctx.assert) and the router
  const status = (err as { status?: unknown } | null)?.status;
  const expose = (err as { expose?: unknown } | null)?.expose === true;
  if (typeof status === 'number' && status >= 400 && status < 600) {
    const message = expose && err instanceof Error && err.message ? err.message : defaultMessage(status);
    return { status, message, headers: {} };
  }
  return { status: 500, message: defaultMessage(500), headers: {} };
}

function respond(ctx: AppContext, error: HttpError): void {
  ctx.status = error.status;
  ctx.set(error.headers);
  ctx.body = { error: error.message, code: ctx.state.transactionId };
}

/**
 * Catches errors from everything downstream and writes them as `{error, code}`. It also converts the bare
 * responses the router leaves behind: nothing matched → 404 "The requested resource could not be found.", and a
 * 405 with an `Allow` header → "HTTP method not allowed, supported methods: ..." (Pekko's texts).
 */
export function errorHandler(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw NotFoundError.route();
        if (ctx.status === 405) {
          const allowed = ctx.response.get('Allow').split(/\s*,\s*/).filter((m) => m && m !== 'HEAD');
          throw new MethodNotAllowedError(allowed);
        }
      }
    } catch (err) {
      const error = toHttpError(err);
      const where = { tid: ctx.state.transactionId, method: ctx.method, path: ctx.path };
      // An unavailable dependency is an expected condition: one line, not a stack trace per request.
      if (error.status === 503) logger.warn({ ...where, reason: error.message }, 'request refused');
      else if (error.status >= 500) logger.error({ err, ...where }, 'request failed');
      respond(ctx, error);
    }
  };
}
