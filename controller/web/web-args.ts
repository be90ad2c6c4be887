// A web request as the action's arguments (`WebActions.scala Context.toActionArgument`):
// `__ow_method`, `__ow_headers`, `__ow_path`, `__ow_user` (when authenticated), the query's fields and the body's.
// A JSON object or form body is merged field by field (body over query); any other body arrives as `__ow_body`
// (JSON values as they are, text as a string, binary as base64). With `raw-http` the query arrives unparsed as
// `__ow_query` and the body always as `__ow_body` (JSON base64-encoded, empty as "").
import { BadRequestError } from '../../shared/errors.ts';

export interface WebRequest {
  method: string;
  /** Lower-cased names; values joined when repeated. */
  headers: Record<string, string>;
  /** The path after the action segment (`__ow_path`). */
  rest: string;
  /** The authenticated caller's namespace, if any. */
  user?: string;
  /** The raw query string, without `?`. */
  query: string;
  body: Buffer;
  contentType: string | undefined;
}

/** Properties a request may not set (the action's final parameters are checked by the invoke itself). */
export const RESERVED = ['__ow_method', '__ow_headers', '__ow_path', '__ow_user', '__ow_body', '__ow_query'];

const reservedError = () => new BadRequestError('Request defines parameters that are not allowed (e.g., reserved properties).');

/** A body without a Content-Type is binary, as HTTP says (application/octet-stream). */
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream';

export const isJsonType = (type: string): boolean => type === 'application/json' || type.endsWith('+json');

/** Binary media: sent base64-encoded. Text (including JSON, XML, forms and scripts) is sent as a string. */
export function isBinaryType(type: string): boolean {
  if (/^(image|audio|video|font)\//.test(type)) return !type.endsWith('+xml'); // SVG is text
  if (!type.startsWith('application/')) return false;
  return !(isJsonType(type) || type.endsWith('+xml') || /^application\/(xml|javascript|x-www-form-urlencoded|graphql|x-yaml|yaml|x-sh|ecmascript)$/.test(type));
}

function queryObject(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}

/** The parsed body: fields to merge, or a value for `__ow_body`, or nothing. */
function readBody(req: WebRequest): { fields?: Record<string, unknown>; body?: unknown } {
  if (req.body.length === 0) return {};
  const type = mediaType(req.contentType);
  if (type === 'application/x-www-form-urlencoded') return { fields: queryObject(req.body.toString('utf8')) };
  if (isJsonType(type)) {
    let value: unknown;
    try {
      value = JSON.parse(req.body.toString('utf8'));
    } catch {
      throw new BadRequestError('The request content was malformed:\nthe body is not valid JSON');
    }
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    return isObject ? { fields: value as Record<string, unknown> } : { body: value };
  }
  return { body: isBinaryType(type) ? req.body.toString('base64') : req.body.toString('utf8') };
}

function rawBody(req: WebRequest): string {
  if (req.body.length === 0) return '';
  const type = mediaType(req.contentType);
  return isJsonType(type) || isBinaryType(type) ? req.body.toString('base64') : req.body.toString('utf8');
}

/** The action's arguments; 400 when the query or body sets a reserved property (raw-http merges neither). */
export function webArguments(req: WebRequest, options: { rawHttp: boolean }): Record<string, unknown> {
  const context: Record<string, unknown> = { __ow_method: req.method.toLowerCase(), __ow_headers: req.headers, __ow_path: req.rest };
  if (req.user !== undefined) context.__ow_user = req.user;
  if (options.rawHttp) return { ...context, __ow_query: req.query, __ow_body: rawBody(req) };

  const query = queryObject(req.query);
  const { fields, body } = readBody(req);
  const given = { ...query, ...fields };
  for (const key of Object.keys(given)) {
    if (RESERVED.includes(key)) throw reservedError();
  }
  return { ...given, ...context, ...(body !== undefined ? { __ow_body: body } : {}) };
}
