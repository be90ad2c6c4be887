// Who may read a package, and which package a name finally stands for (`ENT/PackageCollection.scala`,
// `E/WhiskPackage.scala resolveBinding`). Shared by the packages API and by actions reached through a package.
//
// READ on a package: the owner, or anyone when it is published. READ on a binding: only its owner, and only when
// the owner may read the bound package. A missing package is 404 for its owner and a plain refusal for anyone
// else, so other namespaces learn nothing about what exists.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Collection, RedisKeys } from '../../shared/redis-keys.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../shared/errors.ts';
import { entityStore, type EntityStore } from './entity-store.ts';
import { type PackageBinding, type PackageDoc, type PackageListing, bindingFqn, overlayParameters, packageListing } from './models/package.ts';
import type { Parameter } from './models/parameters.ts';

/** The package that holds the actions a package name reaches. */
export interface ResolvedPackage {
  /** Where the actions are: the package itself, or a binding's target. */
  namespace: string;
  name: string;
  /** Target parameters overlaid by the binding's (a plain package: its own). */
  parameters: Parameter[];
  /** `ns/binding` when the name was a binding. */
  binding?: string;
}

export interface PackageAccess {
  readonly store: EntityStore<PackageDoc, PackageListing>;
  /**
   * May `caller` read package `namespace/name`? false means 403. Throws 404 (owner, missing), 409 (owner, the name
   * belongs to another collection) and 422 (a binding to itself).
   */
  canRead(caller: string, namespace: string, name: string): Promise<boolean>;
  /** Follows a binding to its target, merging parameters; 404 when the package or its target is missing. */
  resolve(namespace: string, name: string): Promise<ResolvedPackage>;
  /** Whether the top-level name is taken by an action, trigger or rule (OpenWhisk's document type mismatch). */
  takenElsewhere(namespace: string, name: string): Promise<boolean>;
}

const OTHER_COLLECTIONS: readonly Collection[] = ['actions', 'triggers', 'rules'];

/** Bindings cannot be bound (the API refuses it); the bound guards against stored documents that loop anyway. */
const MAX_BINDING_DEPTH = 4;

export const circularBinding = (b: PackageBinding) => new UnprocessableError(`Package binding '${bindingFqn(b)}' contains a circular reference.`);

const refersToItself = (doc: PackageDoc, b: PackageBinding) => b.namespace === doc.namespace && b.name === doc.name;

export function packageAccess(redis: RedisClient, keys: RedisKeys): PackageAccess {
  const store = entityStore<PackageDoc, PackageListing>(redis, keys, 'packages', packageListing);

  const takenElsewhere = async (namespace: string, name: string): Promise<boolean> =>
    (await redis.exists(...OTHER_COLLECTIONS.map((c) => keys.entity(namespace, c, name)))) > 0;

  const readable = async (caller: string, namespace: string, name: string, isOwner: boolean, depth: number): Promise<boolean> => {
    const doc = await store.get(namespace, name);
    if (!doc) {
      if (!isOwner) return false;
      if (await takenElsewhere(namespace, name)) throw ConflictError.otherCollection();
      throw new NotFoundError();
    }
    if (!doc.binding) return doc.publish || isOwner;
    if (!isOwner) return false;
    if (refersToItself(doc, doc.binding) || depth >= MAX_BINDING_DEPTH) throw circularBinding(doc.binding);
    return readable(caller, doc.binding.namespace, doc.binding.name, doc.binding.namespace === caller, depth + 1);
  };

  const follow = async (namespace: string, name: string, depth: number): Promise<ResolvedPackage> => {
    const doc = await store.get(namespace, name);
    if (!doc) throw new NotFoundError();
    if (!doc.binding) return { namespace, name, parameters: doc.parameters };
    if (refersToItself(doc, doc.binding) || depth >= MAX_BINDING_DEPTH) throw circularBinding(doc.binding);
    const target = await follow(doc.binding.namespace, doc.binding.name, depth + 1);
    return { ...target, parameters: overlayParameters(target.parameters, doc.parameters) };
  };

  return {
    store,
    takenElsewhere,

    canRead: (caller, namespace, name) => readable(caller, namespace, name, namespace === caller, 0),

    async resolve(namespace, name) {
      const found = await follow(namespace, name, 0);
      return found.namespace === namespace && found.name === name ? found : { ...found, binding: `${namespace}/${name}` };
    },
  };
}
