// Who may call a web action, and what of the caller's credentials the action never sees (docs/tenant-isolation.md).
// `require-whisk-auth` (OpenWhisk `WebActions.scala`): `true` needs valid API credentials; a string or number needs
// header X-Require-Whisk-Auth to carry it, compared in constant time. The action's owner must never collect its
// callers' API keys, so the request headers handed to the action lose X-Require-Whisk-Auth always, and an
// Authorization header whenever it carries Basic credentials shaped like an API key (`<uuid>:<64 characters>`),
// valid or not: a caller who mistyped their key hands it over as surely as one who typed it right. Any other
// Authorization header (an action's own Basic users, a bearer token) is the action's business and is passed on.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthenticationError } from '../../shared/errors.ts';
import { parseApiKey } from '../../shared/ids.ts';
import { basicCredentials } from '../middleware/auth.ts';

export const SECRET_HEADER = 'x-require-whisk-auth';

/** Whether two secrets are equal, in time that depends on neither (digests have one length, whatever the input). */
export function secretMatches(expected: string, given: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/**
 * Throws 401 unless the request meets the action's `require-whisk-auth` annotation (`value`); `secret` is the
 * request's X-Require-Whisk-Auth header, `authenticated` whether it carried valid API credentials.
 */
export function checkWhiskAuth(value: unknown, request: { secret: string | undefined; authenticated: boolean }): void {
  if (value === undefined || value === false) return;
  const ok =
    value === true ? request.authenticated
    : typeof value === 'string' || typeof value === 'number' ? request.secret !== undefined && secretMatches(String(value), request.secret)
    : false; // any other annotation value denies everyone, as in OpenWhisk
  if (!ok) throw new AuthenticationError('invalid');
}

/** Whether an Authorization header carries Basic credentials of the API key's form. */
export function isApiKeyAuthorization(header: string | undefined): boolean {
  const credentials = basicCredentials(header);
  return credentials !== undefined && parseApiKey(`${credentials.username}:${credentials.password}`) !== undefined;
}

/** The request's headers as the action may see them (names lower-cased): whisk credentials and the secret removed. */
export function headersForAction(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === SECRET_HEADER) continue;
    if (name === 'authorization' && isApiKeyAuthorization(value)) continue;
    out[name] = value;
  }
  return out;
}
