// A web action may not ask for credentials in the platform's name (docs/tenant-isolation.md). The REST API
// challenges with `WWW-Authenticate: Basic realm="OpenWhisk secure realm"`; a web action answering 401 with that
// challenge would show visitors the platform's own login prompt and collect whatever key they type. Challenges
// naming that realm (in any case or spacing) are dropped from every response of the web origin; the 401 and its
// body stay. Other challenges, an action's own realm included, pass unchanged.
import type { AppMiddleware } from '../middleware/state.ts';
import { WWW_AUTHENTICATE } from '../middleware/errors.ts';

const PLATFORM_REALM = /realm="([^"]*)"/i.exec(WWW_AUTHENTICATE)?.[1] ?? '';

const normalized = (text: string): string => text.toLowerCase().replace(/\s+/g, ' ').trim();

/** Whether a WWW-Authenticate value names the platform's realm in any of its challenges. */
export function claimsPlatformRealm(value: string): boolean {
  for (const [, quoted, bare] of value.matchAll(/realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/gi)) {
    const realm = (quoted ?? bare ?? '').replace(/\\(.)/g, '$1');
    if (normalized(realm) === normalized(PLATFORM_REALM)) return true;
  }
  return false;
}

/** The response headers without WWW-Authenticate values that claim the platform's realm. */
export function withoutPlatformChallenge(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'www-authenticate') {
      out[name] = value;
      continue;
    }
    const kept = (Array.isArray(value) ? value : [value]).filter((v) => !claimsPlatformRealm(v));
    if (kept.length > 0) out[name] = Array.isArray(value) ? kept : kept[0]!;
  }
  return out;
}

/**
 * Drops platform-realm challenges from every response of the web origin, the web actions' and the platform's own
 * (a 401 for `require-whisk-auth: true`): a browser then never prompts for, nor caches, API credentials on the
 * origin where every tenant's pages run. Programs still authenticate by sending credentials with the request.
 */
export function noPlatformChallenge(): AppMiddleware {
  return async (ctx, next) => {
    await next();
    const value = ctx.response.headers['www-authenticate'];
    if (value === undefined) return;
    const kept = withoutPlatformChallenge({ 'www-authenticate': Array.isArray(value) ? value : String(value) })['www-authenticate'];
    if (kept === undefined) ctx.remove('WWW-Authenticate');
    else ctx.set('WWW-Authenticate', kept);
  };
}
