// The one way the controller builds a router. Every path-based middleware in front of the routers (web actions,
// CORS, authentication, the HEAD refusal) decides by comparing `ctx.path` with literal prefixes, byte for byte.
// The routers must match by the same rule, or a path one side skips reaches the other: with @koa/router's
// default case-insensitive matching, `GET /API/v1/namespaces` passed by the auth middleware (whose prefix is
// `/api/v1`) and still reached a handler. OpenWhisk's routes are case-sensitive too.
import { Router } from '@koa/router';
import type { AppRouter, AppState } from '../middleware/state.ts';

export function newRouter(): AppRouter {
  // sensitive: `/API/v1` is not `/api/v1`. strict: `/actions/` is not `/actions`, as the prefix checks see them.
  return new Router<AppState>({ sensitive: true, strict: true });
}
