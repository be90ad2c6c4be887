// `/api/v1/namespaces/{ns}/packages[/{name}]` (`CTL/Packages.scala`): create/update, get, delete and list packages and
// bindings. Writes are owner-only; reading a package is the package entitlement (owner, or published); any
// namespace's list may be asked for and shows non-owners only published packages. Packages are not invoked.
import { newRouter } from './router.ts';
import { ForbiddenError } from '../../shared/errors.ts';
import { packageJson, packageSummary, packageWithActionsJson } from '../entities/models/package.ts';
import type { PackageService } from '../entities/package-service.ts';
import { bodyOf, jsonBody } from '../middleware/body.ts';
import { ownerOnly, resolveNamespace } from '../middleware/namespace.ts';
import { type AppContext, type AppRouter, type RoutedMiddleware, identityOf, namespaceOf } from '../middleware/state.ts';
import { booleanParam, entityNameParam, listParams } from './query.ts';

const BASE = '/api/v1/namespaces/:ns/packages';

/** The package name `packageName` found in the path; only call this behind it. */
function nameOf(ctx: AppContext): string {
  const name = ctx.state.packageName;
  if (name === undefined) throw new Error('no package on the request: the route is not behind packageName');
  return name;
}

/** Validates the name in the path (400) before anything else looks at it. */
const packageName: RoutedMiddleware = async (ctx, next) => {
  ctx.state.packageName = entityNameParam(ctx);
  await next();
};

const fqname = (ctx: AppContext) => `${namespaceOf(ctx)}/${nameOf(ctx)}`;

export function packageRoutes(packages: PackageService): AppRouter {
  const router = newRouter();
  router.param('ns', resolveNamespace());
  const owner = ownerOnly(fqname);

  /** READ on the package: 403 naming it when refused (also for another namespace's missing package). */
  const readable: RoutedMiddleware = async (ctx, next) => {
    if (!(await packages.access.canRead(identityOf(ctx).namespace, namespaceOf(ctx), nameOf(ctx)))) throw ForbiddenError.resource(fqname(ctx));
    await next();
  };

  router.get([BASE, `${BASE}/`], async (ctx) => {
    const namespace = namespaceOf(ctx);
    const own = namespace === identityOf(ctx).namespace;
    const { skip, limit, count } = listParams(ctx, 'packages');
    ctx.body = count
      ? { packages: await packages.count(namespace, own, { skip }) }
      : (await packages.list(namespace, own, { skip, limit })).map(packageSummary);
  });

  const path = `${BASE}/:name`;
  router.get(path, packageName, readable, async (ctx) => {
    const { pkg, actions } = await packages.get(namespaceOf(ctx), nameOf(ctx));
    ctx.body = packageWithActionsJson(pkg, actions);
  });

  router.put(path, packageName, owner, jsonBody(), async (ctx) => {
    const overwrite = booleanParam(ctx, 'overwrite', false);
    ctx.body = packageJson(await packages.put(identityOf(ctx), namespaceOf(ctx), nameOf(ctx), bodyOf(ctx), overwrite));
  });

  router.delete(path, packageName, owner, async (ctx) => {
    const force = booleanParam(ctx, 'force', false);
    ctx.body = packageJson(await packages.remove(namespaceOf(ctx), nameOf(ctx), force));
  });

  return router;
}
