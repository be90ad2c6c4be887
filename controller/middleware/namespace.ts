// The `{ns}` path segment and entitlement (`CTL/AuthorizedRouteDispatcher.scala`, `ENT/Entitlement.scala`).
// `_` stands for the caller's own namespace and is resolved before any check; any other value must be a valid
// namespace name (400 otherwise). Actions and activations are owner-only: a resource whose root namespace is
// not the caller's → 403 "The supplied authentication is not authorized to access '<ns[/path]>'."
import { ForbiddenError } from '../../shared/errors.ts';
import { DEFAULT_NAMESPACE, checkNamespaceName, rootNamespace } from '../../shared/entity-names.ts';
import { type ParamMiddleware, type RoutedContext, type RoutedMiddleware, identityOf } from './state.ts';

/** Router param middleware for `:ns`: validates and resolves it into `state.namespace`. */
export function resolveNamespace(): ParamMiddleware {
  return async (ns, ctx, next) => {
    ctx.state.namespace = ns === DEFAULT_NAMESPACE ? identityOf(ctx).namespace : checkNamespaceName(ns);
    return next();
  };
}

/**
 * Owner-only entitlement for the resource the request names. `resource` gives its fully qualified name
 * (`ns`, `ns/name` or `ns/pkg/name`), which the 403 text quotes.
 */
export function ownerOnly(resource: (ctx: RoutedContext) => string): RoutedMiddleware {
  return async (ctx, next) => {
    const fqname = resource(ctx);
    if (rootNamespace(fqname) !== identityOf(ctx).namespace) throw ForbiddenError.resource(fqname);
    await next();
  };
}
