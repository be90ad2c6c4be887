// Reading the fields every entity PUT body shares (`version`, `publish`, and the JSON helpers around them), with
// spray-json's texts, so actions, packages, triggers and rules reject the same mistakes the same way.
import { MalformedRequestError } from '../../shared/errors.ts';
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
