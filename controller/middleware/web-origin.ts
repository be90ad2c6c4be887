// The REST API's side of the web actions' own origin (docs/tenant-isolation.md). Web actions are served by a
// listener of their own (another port, so another origin): a tenant's page must never run where a browser holds a
// visitor's cached API credentials. Here the API
//   - redirects `/api/v1/web/...` to the web origin (307, method and body kept), so URLs that clients build from
//     the API host (`wsk action get --url` of OpenWhisk's own CLI) still work in browsers and with `curl -L`;
//   - refuses (403) any request a browser sends from a page of the web origin, known by its `Origin` header, or by
//     its `Referer` where a browser sends no Origin (a plain GET);
//   - refuses (403) a browser's POST from any page unless its body is declared JSON. Only such "simple" requests
//     reach the API without a CORS preflight, and the preflight is what keeps cached credentials out (the API
//     allows any origin, `*`, which browsers never combine with credentials); every other write needs one.
import type { AppContext, AppMiddleware } from './state.ts';
import { ForbiddenError } from '../../shared/errors.ts';
import { isJsonType } from '../web/web-args.ts';
import { WEB_PREFIX } from '../web/web-path.ts';

/** An origin as browsers serialize it (`scheme://host[:port]`, default port left out); the text itself when not a URL. */
export function originOf(text: string): string {
  return URL.canParse(text) ? new URL(text).origin : text;
}

export function redirectWebActions(webUrl: string): AppMiddleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith(WEB_PREFIX)) return next();
    ctx.status = 307;
    ctx.set('Location', `${webUrl}${ctx.url}`);
    ctx.body = '';
  };
}

/** The origin of the page a browser sent the request from, when it says. */
function pageOrigin(ctx: AppContext): string | undefined {
  const origin = ctx.get('Origin');
  if (origin) return originOf(origin);
  const referer = ctx.get('Referer');
  return referer ? originOf(referer) : undefined;
}

export function refuseBrowserPages(webUrl: string): AppMiddleware {
  const webOrigin = originOf(webUrl);
  return async (ctx, next) => {
    if (pageOrigin(ctx) === webOrigin) throw new ForbiddenError('The API does not accept requests from web action pages.');
    const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
    if (ctx.get('Origin') && ctx.method === 'POST' && !isJsonType(type)) {
      throw new ForbiddenError('A POST from a browser page must send its body as application/json.');
    }
    await next();
  };
}
