// The HTTP server span of every request (semantic conventions for HTTP servers), parented on an incoming W3C
// `traceparent` so a caller's trace continues through the platform. The span is named by the Koa route once the
// router has matched one (`POST /api/v1/namespaces/:namespace/actions/:name`), else by the method alone.
// It records the path only, never the query string (web actions and clients may put secrets there), and names
// the request's tenant once one is known (`asTenant`), so the tenant can read it back through the trace route.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { extractContext, TENANT_ATTRIBUTE, tracer, withTenant } from '../../shared/tracing.ts';
import { type AppMiddleware, identityOf, matchedRoute } from './state.ts';

export function httpServerSpan(): AppMiddleware {
  return async (ctx, next) => {
    const parent = extractContext(ctx.headers);
    const span = tracer().startSpan(
      ctx.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': ctx.method,
          'url.path': ctx.path,
          'url.scheme': ctx.protocol,
          'server.port': ctx.socket.localPort ?? 0,
          'user_agent.original': ctx.get('user-agent'),
        },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = matchedRoute(ctx);
      if (route !== undefined) {
        span.updateName(`${ctx.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}

/** Runs `fn` for `namespace`: the request's HTTP span and every span started inside `fn` belong to that tenant. */
export function asTenant<T>(namespace: string, fn: () => Promise<T>): Promise<T> {
  trace.getActiveSpan()?.setAttribute(TENANT_ATTRIBUTE, namespace);
  return withTenant(namespace, fn);
}

/** Behind the auth middleware: the rest of the request works for the authenticated caller's namespace. */
export function traceTenant(): AppMiddleware {
  return (ctx, next) => asTenant(identityOf(ctx).namespace, next);
}
