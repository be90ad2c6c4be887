// Parameters and annotations: `[{"key": k, "value": v, "init"?: true, "encryption"?: "..."}]` on the wire, a map
// by key in memory (OpenWhisk `E/Parameter.scala`): a repeated key keeps its first position and takes the last
// value, and `a ++ b` lets b's values win.
import { MalformedRequestError } from '../../../shared/errors.ts';
import type { Parameter } from '../../../shared/action-doc.ts';

export type { Parameter };

export type ParameterMap = Map<string, Parameter>;

const malformed = () => MalformedRequestError.content('parameters malformed!');

/** Reads a parameter (or annotation) array; throws OpenWhisk's "parameters malformed!" otherwise. */
export function readParameters(value: unknown): Parameter[] {
  if (!Array.isArray(value)) throw malformed();
  const out: ParameterMap = new Map();
  for (const item of value) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw malformed();
    const o = item as Record<string, unknown>;
    if (typeof o.key !== 'string' || !('value' in o)) throw malformed();
    if (o.init !== undefined && typeof o.init !== 'boolean') throw malformed();
    if (o.encryption !== undefined && o.encryption !== null && typeof o.encryption !== 'string') throw malformed();
    const p: Parameter = { key: o.key, value: o.value ?? null };
    if (o.init === true) p.init = true;
    if (typeof o.encryption === 'string') p.encryption = o.encryption;
    out.set(p.key, p);
  }
  return [...out.values()];
}

export function toParameterMap(params: readonly Parameter[]): ParameterMap {
  const out: ParameterMap = new Map();
  for (const p of params) out.set(p.key, p);
  return out;
}

/** `{key: value}` of all parameters (OpenWhisk `Parameters.toJsObject`). */
export function parametersObject(params: readonly Parameter[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) out[p.key] = p.value;
  return out;
}

/** The API form; `init` only when true, `encryption` only when set. */
export function parametersJson(params: readonly Parameter[]): Record<string, unknown>[] {
  return params.map((p) => {
    const out: Record<string, unknown> = { key: p.key, value: p.value };
    if (p.init) out.init = true;
    if (p.encryption !== undefined) out.encryption = p.encryption;
    return out;
  });
}

/** Bytes of keys plus JSON values (OpenWhisk `Parameters.size`), for the 1 MB checks. */
export function parametersSize(params: readonly Parameter[]): number {
  let size = 0;
  for (const p of params) size += Buffer.byteLength(p.key) + Buffer.byteLength(JSON.stringify(p.value ?? null));
  return size;
}

/** The value of a parameter or annotation, if present. */
export function getParameter(params: readonly Parameter[], key: string): unknown {
  return params.find((p) => p.key === key)?.value;
}

/** OpenWhisk's `Parameters.isTruthy`: false/0/""/null are false, anything else present is true. */
export function isTruthy(params: readonly Parameter[], key: string, valueForAbsent = false): boolean {
  const p = params.find((q) => q.key === key);
  if (!p) return valueForAbsent;
  const v = p.value;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  return v !== null && v !== undefined;
}
