// Names that point at an entity from inside a document or a body: a rule's trigger and action, a trigger's `feed`
// annotation (`E/EntityPath.scala FullyQualifiedEntityName`). On the wire a name is a string (`/ns/pkg/name`,
// `/_/name`, or relative `name` / `pkg/name`) or an object `{path, name}`; stored it is always `{path, name}` with
// `path` = `ns` or `ns/pkg`.
import type { ActionRef } from './action.ts';
import { DEFAULT_NAMESPACE, isEntityName } from '../../../shared/entity-names.ts';

export interface EntityPath {
  /** `ns` or `ns/pkg`. */
  path: string;
  name: string;
}

/** `ns/name` or `ns/pkg/name`. */
export const fqnOf = (e: EntityPath): string => `${e.path}/${e.name}`;

/** The action a stored name points at (`path` = `ns` or `ns/pkg`). */
export function actionRefOf(e: EntityPath): ActionRef {
  const [namespace, pkg] = e.path.split('/') as [string, string?];
  return pkg === undefined ? { namespace, name: e.name } : { namespace, pkg, name: e.name };
}

/** The namespace at the root of `path`. */
export const rootOf = (e: EntityPath): string => e.path.split('/')[0]!;

/**
 * Reads a name, resolving `_` and relative names against `namespace`; undefined when it is not a valid name.
 * An absolute string is `/ns/name` or `/ns/pkg/name`; a relative one is `name` or `pkg/name`.
 */
export function readEntityPath(value: unknown, namespace: string): EntityPath | undefined {
  let segments: string[];
  if (typeof value === 'string') {
    const absolute = value.startsWith('/');
    segments = (absolute ? value.slice(1) : value).split('/');
    if (!absolute) segments.unshift(namespace);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { path, name } = value as Record<string, unknown>;
    if (typeof path !== 'string' || typeof name !== 'string') return undefined;
    segments = [...path.split('/'), name];
  } else {
    return undefined;
  }
  if (segments[0] === DEFAULT_NAMESPACE) segments[0] = namespace;
  if (segments.length < 2 || segments.length > 3 || !segments.every(isEntityName)) return undefined;
  return { path: segments.slice(0, -1).join('/'), name: segments.at(-1)! };
}
