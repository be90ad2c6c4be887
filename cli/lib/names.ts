// Entity names as wsk reads them (`commands/qualified_name.go`):
//   foo → (default ns, foo)    pkg/foo → (default ns, pkg/foo)    /ns/foo → (ns, foo)    /ns/pkg/foo, ns/pkg/foo → (ns, pkg/foo)
// The default namespace is the NAMESPACE property, else `_` (the caller's own namespace, resolved by the server).
import { WskError } from './errors.ts';

export interface QualifiedName {
  /** Without a leading slash. */
  namespace: string;
  /** Empty when the entity is not in a package. */
  packageName: string;
  /** The entity's own name. */
  entity: string;
  /** `[package/]entity`: the path below the collection. */
  entityName: string;
}

function invalid(name: string): WskError {
  return new WskError(`'${name}' is not a valid qualified name: A valid qualified name must be specified.`, { usage: true });
}

/** A three-part name without the leading slash is read as `/ns/pkg/entity`. */
const addLeadSlash = (name: string): string => {
  const parts = name.split('/');
  return parts.length === 3 && parts[0] !== '' ? `/${name}` : name;
};

export function parseQualifiedName(input: string, defaultNamespace: string): QualifiedName {
  const name = addLeadSlash(input);
  const parts = name.split('/');
  if (name.startsWith('/')) {
    if (parts.length < 2 || parts.length > 4) throw invalid(input);
    for (const part of parts.slice(1)) if (part === '' || part === '.') throw invalid(input);
    return {
      namespace: parts[1] ?? '',
      packageName: parts.length === 4 ? (parts[2] ?? '') : '',
      entity: parts[parts.length - 1] ?? '',
      entityName: parts.slice(2).join('/'),
    };
  }
  if (name === '' || name === '.' || parts.length > 2 || parts.some((p) => p === '')) throw invalid(input);
  return {
    namespace: defaultNamespace,
    packageName: parts.length === 2 ? (parts[0] ?? '') : '',
    entity: parts[parts.length - 1] ?? '',
    entityName: name,
  };
}

/** `/ns/[pkg/]entity`, as wsk's getQualifiedName (sequence components, rule triggers and actions). */
export function fullyQualified(input: string, defaultNamespace: string): string {
  const name = addLeadSlash(input);
  if (name.startsWith('/')) return name;
  return `/${defaultNamespace}/${name}`;
}

/** wsk shows `_` as "default" in messages about a namespace. */
export const displayNamespace = (namespace: string): string => (namespace === '_' ? 'default' : namespace);
