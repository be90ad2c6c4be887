// Entity and namespace names (OpenWhisk `EntityPath.scala EntityName`): a first word character, then up to 254
// of `[\w@ .&-]`, and a last character that is not a space; at most 256 characters. `&` is allowed although
// OpenWhisk's docs omit it. The same rule applies to each namespace path segment.
import { BadRequestError } from './errors.ts';

export const ENTITY_NAME_MAX_LENGTH = 256;
const ENTITY_NAME = /^(?:\w|\w[\w@ .&-]{0,254}[\w@.&-])$/;

/** `_` in a path stands for the caller's own namespace. */
export const DEFAULT_NAMESPACE = '_';

export function isEntityName(name: string): boolean {
  return ENTITY_NAME.test(name);
}

/** Throws OpenWhisk's 400 for an illegal entity name (path segment). */
export function checkEntityName(name: string): string {
  if (isEntityName(name)) return name;
  if (name.length > ENTITY_NAME_MAX_LENGTH) {
    // "segement" (sic) is OpenWhisk's spelling
    throw new BadRequestError(`Name segement longer than allowed: ${name.length} > ${ENTITY_NAME_MAX_LENGTH}.`);
  }
  throw new BadRequestError('The name of the entity contains illegal characters.');
}

/** Throws OpenWhisk's 400 for an illegal namespace segment. */
export function checkNamespaceName(name: string): string {
  if (isEntityName(name)) return name;
  if (name.length > ENTITY_NAME_MAX_LENGTH) {
    throw new BadRequestError(`Namespace longer than allowed: ${name.length} > ${ENTITY_NAME_MAX_LENGTH}.`);
  }
  throw new BadRequestError('The namespace contains illegal characters.');
}

/** The root namespace of a path such as `ns/pkg` (entitlement compares roots). */
export function rootNamespace(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? path : path.slice(0, i);
}

/** The platform's own namespace (OpenWhisk's `whisk.system`): no key authenticates as it, so only the platform writes its entities. */
export const SYSTEM_NAMESPACE = 'whisk.system';
