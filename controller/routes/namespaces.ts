// `GET /api/v1/namespaces` → `["<own namespace>"]` and `GET /api/v1/namespaces/{ns}/limits` (`CTL/Namespaces.scala`).
// `GET /api/v1/namespaces/{ns}` has no route, as in OpenWhisk.
import { newRouter } from './router.ts';
import { limitsResponse, type SystemLimits } from '../entities/models/limits.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppRouter, identityOf, namespaceOf } from '../middleware/state.ts';

export function namespaceRoutes(limits: SystemLimits): AppRouter {
  const router = newRouter();
  router.param('ns', resolveNamespace());

  router.get(['/api/v1/namespaces', '/api/v1/namespaces/'], (ctx) => {
    ctx.body = [identityOf(ctx).namespace];
  });

  router.get(['/api/v1/namespaces/:ns/limits', '/api/v1/namespaces/:ns/limits/'], ownerOnly(namespaceOf), (ctx) => {
    ctx.body = limitsResponse(limits, identityOf(ctx).limits);
  });
  return router;
}
