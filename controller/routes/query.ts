// Query parameters with OpenWhisk's parsing and texts (`RestApiCommons`, Pekko's unmarshallers). A parameter
// that does not parse → 400 "The query parameter '<name>' was malformed:\n<reason>", the wrapping Pekko puts
// around OpenWhisk's own messages.
import type { AppContext, RoutedContext } from '../middleware/state.ts';
import { MalformedRequestError } from '../../shared/errors.ts';
import { checkEntityName, isEntityName } from '../../shared/entity-names.ts';

export const MAX_LIST_LIMIT = 200;
export const DEFAULT_LIST_LIMIT = 30;

/** A path parameter the router matched (`:name`, `:id`); `''` when the route has none by that name. */
export function pathParam(ctx: RoutedContext, name: string): string {
  return ctx.params[name] ?? '';
}

/** The `:name` path parameter, checked as an entity name (400 otherwise). */
export const entityNameParam = (ctx: RoutedContext): string => checkEntityName(pathParam(ctx, 'name'));

/** The first value of a query parameter, undefined when absent. */
export function queryValue(ctx: AppContext, name: string): string | undefined {
  const v = ctx.query[name];
  return Array.isArray(v) ? v[0] : v;
}

const malformed = (name: string, reason: string) => MalformedRequestError.queryParameter(name, reason);

/** Scala's `String.toInt`: optional sign, digits, 32-bit range. */
function toInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : undefined;
}

/** Scala's `String.toLong`. */
function toLong(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Pekko's Boolean unmarshaller: true/yes/on/1, false/no/off/0 (any case); empty → default. */
export function booleanParam(ctx: AppContext, name: string, fallback: boolean): boolean {
  const v = queryValue(ctx, name);
  if (v === undefined || v === '') return fallback;
  switch (v.toLowerCase()) {
    case 'true':
    case 'yes':
    case 'on':
    case '1':
      return true;
    case 'false':
    case 'no':
    case 'off':
    case '0':
      return false;
    default:
      throw malformed(name, `'${v}' is not a valid Boolean value`);
  }
}

export interface ListParams {
  skip: number;
  limit: number;
  count: boolean;
}

/** `limit` (default 30, 0 = 200, max 200), `skip` (≥ 0), `count`, with the collection named in the texts. */
export function listParams(ctx: AppContext, collection: string): ListParams {
  let skip = 0;
  const skipText = queryValue(ctx, 'skip');
  if (skipText !== undefined) {
    const n = toInt(skipText);
    if (n === undefined) throw malformed('skip', `The value '${skipText}' is not an integer for ${collection}.`);
    if (n < 0) throw malformed('skip', `The value '${n}' is not greater than or equal to 0 for ${collection}.`);
    skip = n;
  }
  let limit = DEFAULT_LIST_LIMIT;
  const limitText = queryValue(ctx, 'limit');
  if (limitText !== undefined) {
    const n = toInt(limitText);
    if (n === undefined) throw malformed('limit', `The value '${limitText}' is not an integer for ${collection}.`);
    if (n < 0 || n > MAX_LIST_LIMIT) {
      throw malformed('limit', `The value '${n}' is not in the range of 0 to ${MAX_LIST_LIMIT} for ${collection}.`);
    }
    limit = n === 0 ? MAX_LIST_LIMIT : n;
  }
  return { skip, limit, count: booleanParam(ctx, 'count', false) };
}

/** `?timeout=` of an invoke: 1..max ms (`Actions.scala stringToFiniteDuration`). */
export function waitParam(ctx: AppContext, max: number): number {
  const text = queryValue(ctx, 'timeout');
  if (text === undefined) return max;
  const n = toInt(text);
  if (n === undefined || n <= 0 || n > max) {
    throw malformed('timeout', `Timeout must be number of milliseconds up to ${max}.`);
  }
  return n;
}

/** `since`/`upto` of the activations list: epoch milliseconds (OpenWhisk's text says seconds). */
export function epochParam(ctx: AppContext, name: string): number | undefined {
  const text = queryValue(ctx, name);
  if (text === undefined) return undefined;
  const n = toLong(text);
  if (n === undefined) throw malformed(name, `Parameter is not a valid value for epoch seconds: ${text}`);
  return n;
}

/** `name` of the activations list: `action` or `pkg/action`; blank → no filter. */
export function nameFilterParam(ctx: AppContext): string | undefined {
  const text = queryValue(ctx, 'name');
  if (text === undefined) return undefined;
  const parts = text.split('/').filter((p) => p.length > 0);
  if (parts.length > 0 && parts.length <= 2 && parts.every(isEntityName)) return parts.join('/');
  if (text.trim() === '') return undefined;
  throw malformed('name', `Parameter may be a 'simple' name or 'package-name/simple' name: ${text}`);
}
