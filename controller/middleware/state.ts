// The controller's typed Koa context: what the middleware chain learns about a request, declared once as `AppState`
// (Koa's `ctx.state`), and the context, middleware and router types built on it (Koa's `ParameterizedContext`,
// @koa/router's `RouterContext`), so handlers read `ctx.state` and `ctx.params` without casts.
import type { Middleware, ParameterizedContext } from 'koa';
import type { Router, RouterContext, RouterMiddleware, RouterParameterMiddleware } from '@koa/router';
import { AuthenticationError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';
import type { ActionRef } from '../entities/models/action.ts';

export interface AppState {
  /** OpenWhisk transaction id: echoed as `X-Request-ID` and used as `code` in error bodies (request-id.ts, first). */
  transactionId: string;
  /** When the controller received the request (epoch ms); the activation's `waitTime` counts from here. */
  receivedAt: number;
  /** The authenticated caller (set by the auth middleware). */
  identity?: Identity;
  /** The namespace named in the path with `_` resolved to the caller's own (set by the namespace middleware). */
  namespace?: string;
  /** The parsed JSON body of an entity PUT (body.ts `jsonBody`). */
  body?: unknown;
  /** The action the path names, its names checked (routes/actions.ts). */
  action?: ActionRef;
  /** The package the path names, its name checked (routes/packages.ts). */
  packageName?: string;
}

/** Any request's context, in front of the routers or behind them. */
export type AppContext = ParameterizedContext<AppState>;
export type AppMiddleware = Middleware<AppState>;
/** A context behind a router: `ctx.params` holds the path's parameters, `ctx._matchedRoute` its template. */
export type RoutedContext = RouterContext<AppState>;
export type RoutedMiddleware = RouterMiddleware<AppState>;
export type ParamMiddleware = RouterParameterMiddleware<AppState>;
export type AppRouter = Router<AppState>;
/** The router's template for the request once one matched (`/api/v1/namespaces/:ns/actions/:name`), for spans and metrics. */
export const matchedRoute = (ctx: AppContext & Partial<Pick<RoutedContext, '_matchedRoute'>>): string | undefined =>
  typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;

/**
 * The authenticated identity. Fails closed: a request that reaches a handler without passing the auth middleware
 * (a path the middleware and the router see differently) is answered 401, never served as nobody.
 */
export function identityOf(ctx: AppContext): Identity {
  const identity = ctx.state.identity;
  if (!identity) throw new AuthenticationError('missing');
  return identity;
}

/** The resolved namespace; only call this behind the namespace middleware. */
export function namespaceOf(ctx: AppContext): string {
  const namespace = ctx.state.namespace;
  if (namespace === undefined) throw new Error('no namespace on the request: the route is not behind the namespace middleware');
  return namespace;
}
