// Counts every HTTP request and times it, by method, route template and status code. The route is the router's
// template (`/api/v1/namespaces/:namespace/actions/:name`), never the path itself, so namespaces and action names
// never become label values; 429s are also counted by which throttle refused them.
import { counter, histogram, type Registry } from '../../shared/metrics.ts';
import { type AppMiddleware, matchedRoute } from './state.ts';

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

/** Requests no router matched (404s, web actions answered by their own middleware) share one label value. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Which limit a 429 hit, from the error text the throttles write (shared/errors.ts ThrottledError). */
export function throttleReason(body: unknown): 'rate' | 'concurrency' | 'other' {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error !== 'string') return 'other';
  if (error.startsWith('Too many concurrent')) return 'concurrency';
  if (error.startsWith('Too many requests')) return 'rate';
  return 'other';
}

export function httpMetrics(registry: Registry): AppMiddleware {
  const labels = ['method', 'route', 'status'] as const;
  const requests = counter(registry, 'http_requests_total', 'HTTP requests answered by the controller', labels);
  const duration = histogram(registry, 'http_request_duration_seconds', 'Time from receiving an HTTP request to its response', labels);
  const throttled = counter(registry, 'throttled_requests_total', 'Requests refused with 429, by the limit they hit', ['reason']);
  for (const reason of ['rate', 'concurrency']) throttled.inc({ reason }, 0); // shown from 0, before the first 429

  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = matchedRoute(ctx);
      const values = {
        method: METHODS.has(ctx.method) ? ctx.method : 'other', // any token is a legal method; keep the set closed
        route: route ?? UNMATCHED_ROUTE,
        status: String(ctx.status),
      };
      requests.inc(values);
      duration.observe(values, Number(process.hrtime.bigint() - started) / 1e9);
      if (ctx.status === 429) throttled.inc({ reason: throttleReason(ctx.body) });
    }
  };
}
