// What the middleware chain learns about a request, kept on `ctx.state` under one typed shape.
import type { Context } from 'koa';
import { AuthenticationError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';

export interface RequestState {
  /** OpenWhisk transaction id: echoed as `X-Request-ID` and used as `code` in error bodies. */
  transactionId: string;
  /** When the controller received the request (epoch ms); the activation's `waitTime` counts from here. */
  receivedAt: number;
  /** The authenticated caller (set by the auth middleware). */
  identity?: Identity;
  /** The namespace named in the path with `_` resolved to the caller's own (set by the namespace middleware). */
  namespace?: string;
}

export function requestState(ctx: Context): RequestState {
  return ctx.state as RequestState;
}

/**
 * The authenticated identity. Fails closed: a request that reaches a handler without passing the auth middleware
 * (a path the middleware and the router see differently) is answered 401, never served as nobody.
 */
export function identityOf(ctx: Context): Identity {
  const identity = requestState(ctx).identity;
  if (!identity) throw new AuthenticationError('missing');
  return identity;
}

/** The resolved namespace; only call this behind the namespace middleware. */
export function namespaceOf(ctx: Context): string {
  const namespace = requestState(ctx).namespace;
  if (namespace === undefined) throw new Error('no namespace on the request: the route is not behind the namespace middleware');
  return namespace;
}
