// An action's result as the HTTP response of a web action (`WebActions.scala`, its response mapping), by
// the extension the URL asked for. Errors are thrown as BadRequestError/NotFoundError with OpenWhisk's texts.
import { BadRequestError, NotFoundError } from '../../shared/errors.ts';
import type { Extension } from './web-path.ts';
import { isBinaryType, isJsonType } from './web-args.ts';

export interface WebResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const bad = (text: string) => new BadRequestError(text);

/** `.json`: the result itself, which must be an object or an array. */
function asJson(result: unknown): WebResponse {
  if (typeof result !== 'object' || result === null) throw bad("Response is not valid 'application/json'.");
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
}

/** `.html` / `.svg` / `.text`: a string field (`body` or the type's own), or a string result. */
function asField(result: unknown, field: 'html' | 'svg' | 'text', contentType: string): WebResponse {
  let value: unknown = result;
  if (isObject(result)) value = result.body ?? result[field];
  if (field === 'text' && isObject(result) && value === undefined) throw new NotFoundError('Response does not include requested property.');
  if (typeof value !== 'string') {
    if (field === 'text' && value !== undefined) return { status: 200, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
    throw bad(`Response is not valid '${contentType.split(';')[0]}'.`);
  }
  return { status: 200, headers: { 'content-type': contentType }, body: value };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function headerValues(headers: unknown): Record<string, string | string[]> {
  if (headers === undefined || headers === null) return {};
  if (!isObject(headers)) throw bad("Response is not valid 'message/http'.");
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const one = (v: unknown): string => {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw bad("Response is not valid 'message/http'.");
    };
    out[name.toLowerCase()] = Array.isArray(value) ? value.map(one) : one(value);
  }
  return out;
}

function statusOf(code: unknown): number | undefined {
  if (code === undefined || code === null) return undefined;
  const n = typeof code === 'number' ? code : typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : NaN;
  if (!Number.isInteger(n) || n < 100 || n > 999) throw bad("Response is not valid 'message/http'.");
  return n;
}

/** `.http`: `{headers?, statusCode?, body?}` becomes the response. */
function asHttp(result: unknown): WebResponse {
  if (!isObject(result)) throw bad("Response is not valid 'message/http'.");
  const headers = headerValues(result.headers);
  const status = statusOf(result.statusCode);
  const body = result.body;
  const declared = headers['content-type'];
  const contentType = Array.isArray(declared) ? declared[0] : declared;
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== undefined && !/^[\w.+-]+\/[\w.+-]+/.test(contentType)) throw bad('Response did not specify a known content-type.');

  if (body === undefined || body === null || body === '') return { status: status ?? 204, headers, body: undefined };
  if (typeof body === 'string') {
    const mime = type ?? 'text/html';
    if (type === undefined) headers['content-type'] = 'text/html; charset=UTF-8';
    // binary bodies travel base64-encoded in the result; so may JSON ones (an older convention)
    const decode = isBinaryType(mime) || (isJsonType(mime) && BASE64.test(body) && body.length % 4 === 0);
    return { status: status ?? 200, headers, body: decode ? Buffer.from(body, 'base64') : body };
  }
  if (type !== undefined && !isJsonType(type)) throw bad('Response type in header did not match generated content type.');
  if (type === undefined) headers['content-type'] = 'application/json';
  return { status: status ?? 200, headers, body: JSON.stringify(body) };
}

export function transcode(result: unknown, extension: Extension): WebResponse {
  switch (extension) {
    case 'json':
      return asJson(result);
    case 'html':
      return asField(result, 'html', 'text/html; charset=UTF-8');
    case 'svg':
      return asField(result, 'svg', 'image/svg+xml');
    case 'text':
      return asField(result, 'text', 'text/plain; charset=UTF-8');
    case 'http':
      return asHttp(result);
  }
}
