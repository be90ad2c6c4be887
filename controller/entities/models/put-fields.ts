// The fields every entity shares (`version`, `publish`, parameters and annotations): reading them from a PUT body
// with spray-json's texts, their size checks, and the head of their API JSON, so actions, packages, triggers and
// rules treat them the same way.
import { MalformedRequestError, TooLargeError } from '../../../shared/errors.ts';
import type { EffectiveLimits } from './limits.ts';
import { type Parameter, parametersJson, parametersSize } from './parameters.ts';
import { parseSemVer } from './semver.ts';

export const malformed = (detail: string) => MalformedRequestError.content(detail);

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** spray-json reads an absent field and a JSON null alike as "not given". */
export const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/** `version`: a semantic version string (`0.0.1`), normalised. */
export function readVersion(value: unknown): string {
  const version = typeof value === 'string' ? parseSemVer(value) : undefined;
  if (!version) throw malformed('semantic version malformed');
  return version;
}

export function readPublish(value: unknown): boolean {
  if (typeof value !== 'boolean') throw malformed(`Expected Boolean as JsBoolean, but got ${JSON.stringify(value)}`);
  return value;
}

/** Parameters and annotations are each capped by the namespace's parameter size limit → 413. */
export function checkParameterSizes(put: { parameters?: Parameter[]; annotations?: Parameter[] }, limits: EffectiveLimits): void {
  for (const field of ['parameters', 'annotations'] as const) {
    const params = put[field];
    if (!params) continue;
    const size = parametersSize(params);
    if (size > limits.maxParameterSize) throw TooLargeError.field(field, size, limits.maxParameterSize);
  }
}

interface EntityFields {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: Parameter[];
}

/** The fields every entity's API JSON starts with, in OpenWhisk's order. */
export function entityHead(doc: EntityFields): Record<string, unknown> {
  return { namespace: doc.namespace, name: doc.name, version: doc.version, publish: doc.publish, annotations: parametersJson(doc.annotations) };
}
