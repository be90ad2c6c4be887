// HTTP Basic authentication with an OpenWhisk API key (`uuid:key`, `CTL/BasicAuthenticationDirective.scala`).
// No Basic credentials → 401 "The resource requires authentication, which was not supplied with the request";
// credentials that do not name a valid key → 401 "The supplied authentication is invalid"; both with
// `WWW-Authenticate: Basic realm="OpenWhisk secure realm"` (added by the error mapping).
import { AuthenticationError } from '../../shared/errors.ts';
import type { IdentityStore } from '../../shared/identities.ts';
import type { AppMiddleware } from './state.ts';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Basic credentials from an Authorization header; undefined when absent or another scheme. */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  const m = header ? /^Basic\s+(\S*)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i < 0 ? { username: decoded, password: '' } : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function authenticate(identities: IdentityStore): AppMiddleware {
  return async (ctx, next) => {
    const credentials = basicCredentials(ctx.get('Authorization') || undefined);
    if (!credentials) throw new AuthenticationError('missing');
    const identity = await identities.authenticate(credentials.username, credentials.password);
    if (!identity) throw new AuthenticationError('invalid');
    ctx.state.identity = identity;
    await next();
  };
}
