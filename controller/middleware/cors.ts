// CORS on the REST API (OpenWhisk `CorsSettings.RestAPIs`): every response under the prefix carries the three
// headers, and an OPTIONS request is answered 200 without authentication (a browser's preflight has no
// credentials). OpenWhisk adds the headers only to responses its routes complete; we add them to errors too, so
// a browser can read a 401/404 body.
import type { AppMiddleware } from './state.ts';

export const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, DELETE, POST, PUT, HEAD',
  'Access-Control-Allow-Headers': 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent',
} as const;

export function cors(prefix: string): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    ctx.set(CORS_HEADERS);
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = 'OK';
      return;
    }
    await next();
  };
}
