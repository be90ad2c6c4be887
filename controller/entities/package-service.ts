// Package and binding operations behind the REST API (`CTL/Packages.scala`): create/update with the binding checks
// in OpenWhisk's order and texts, get (a binding shows its target's actions and merged parameters), delete (a
// package with actions only with `force`), and lists that show other namespaces only their published packages.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';
import { type ActionDoc, type ActionListing, actionListing } from './models/action.ts';
import { entityStore } from './entity-store.ts';
import { type SystemLimits, effectiveLimits } from './models/limits.ts';
import { checkParameterSizes } from './models/put-fields.ts';
import {
  type PackageBinding,
  type PackageDoc,
  type PackageListing,
  bindingFqn,
  checkPackageName,
  makePackage,
  overlayParameters,
  readPackagePut,
  updatePackage,
} from './models/package.ts';
import { type PackageAccess, circularBinding, packageAccess } from './package-access.ts';

/** What `GET` shows: the package (a binding with merged parameters) and the actions of the package it reaches. */
export interface PackageView {
  pkg: PackageDoc;
  actions: ActionListing[];
}

export interface PackageService {
  readonly access: PackageAccess;
  /** PUT: create, or with `overwrite` update; returns the stored package. */
  put(identity: Identity, namespace: string, name: string, body: unknown, overwrite: boolean): Promise<PackageDoc>;
  /** 404 when missing (or a binding whose target is), 422 for a binding to itself. */
  get(namespace: string, name: string): Promise<PackageView>;
  /** Deletes and returns the package; 409 when it holds actions, unless `force` (then they go first). */
  remove(namespace: string, name: string, force: boolean): Promise<PackageDoc>;
  /** The caller's own namespace: every package and binding; another: its published packages only. */
  list(namespace: string, own: boolean, options: { skip: number; limit: number }): Promise<PackageListing[]>;
  count(namespace: string, own: boolean, options: { skip: number }): Promise<number>;
}

export const Messages = {
  bindingDoesNotExist: 'Binding references a package that does not exist.',
  bindingNotAPackage: 'Cannot bind to a resource that is not a package.',
  bindingToBinding: 'Cannot bind to another package binding.',
  packageToBinding: 'Resource is a package and cannot be converted into a binding.',
  notEmpty: (n: number) => `Package not empty (contains ${n} ${n === 1 ? 'entity' : 'entities'}). Set force param or delete package contents.`,
} as const;

/** Enough to read every entry of an index in one range. */
const ALL = 2 ** 31 - 1;

export function packageService(redis: RedisClient, keys: RedisKeys, system: SystemLimits): PackageService {
  const access = packageAccess(redis, keys);
  const store = access.store;
  const actions = entityStore<ActionDoc, ActionListing>(redis, keys, 'actions', actionListing);

  const actionsIn = (namespace: string, pkg: string) => actions.listed(namespace, { pkg, skip: 0, limit: ALL });

  /**
   * READ on the package a PUT binds to, with the packages API's rewording of the owner's refusals: missing → 400,
   * not a package → 409; another namespace's private or missing package → 403.
   */
  const checkBindingEntitled = async (identity: Identity, b: PackageBinding): Promise<void> => {
    let allowed: boolean;
    try {
      allowed = await access.canRead(identity.namespace, b.namespace, b.name);
    } catch (err) {
      if (err instanceof NotFoundError) throw new BadRequestError(Messages.bindingDoesNotExist);
      if (err instanceof ConflictError) throw new ConflictError(Messages.bindingNotAPackage);
      throw err;
    }
    if (!allowed) throw ForbiddenError.resource(bindingFqn(b));
  };

  /** The bound package must exist, be a package, and not be a binding itself. */
  const checkBindingTarget = async (b: PackageBinding): Promise<void> => {
    const target = await store.get(b.namespace, b.name);
    if (!target) {
      if (await access.takenElsewhere(b.namespace, b.name)) throw new ConflictError(Messages.bindingNotAPackage);
      throw new BadRequestError(Messages.bindingDoesNotExist);
    }
    if (target.binding) throw new BadRequestError(Messages.bindingToBinding);
  };

  const visible = (own: boolean) => (doc: PackageListing) => own || (doc.publish && !doc.binding);

  /** Another namespace's list is filtered, so paging happens after the filter. */
  const listVisible = async (namespace: string, own: boolean): Promise<PackageListing[]> =>
    (await store.listed(namespace, { skip: 0, limit: ALL })).filter(visible(own));

  return {
    access,

    async put(identity, namespace, name, body, overwrite) {
      checkPackageName(name);
      const put = readPackagePut(body, namespace);
      checkParameterSizes(put, effectiveLimits(system, identity.limits));
      if (put.binding) await checkBindingEntitled(identity, put.binding);
      const old = await store.get(namespace, name);
      if (old && !overwrite) throw ConflictError.exists();
      if (!old && (await access.takenElsewhere(namespace, name))) throw ConflictError.otherCollection();
      if (put.binding) {
        if (old && !old.binding) throw new ConflictError(Messages.packageToBinding);
        await checkBindingTarget(put.binding);
      }
      const now = Date.now();
      const content = old ? updatePackage(old, put, Math.max(now, old.updated + 1)) : makePackage(namespace, name, put, now);
      return store.put(namespace, name, content, old?.revision);
    },

    async get(namespace, name) {
      const doc = await store.get(namespace, name);
      if (!doc) throw new NotFoundError();
      if (!doc.binding) return { pkg: doc, actions: await actionsIn(namespace, name) };
      const b = doc.binding;
      if (b.namespace === namespace && b.name === name) throw circularBinding(b);
      const target = await store.get(b.namespace, b.name);
      if (!target) throw new NotFoundError();
      return {
        pkg: { ...doc, parameters: overlayParameters(target.parameters, doc.parameters) },
        actions: await actionsIn(target.namespace, target.name),
      };
    },

    async remove(namespace, name, force) {
      const doc = await store.get(namespace, name);
      if (!doc) throw new NotFoundError();
      if (!doc.binding) {
        const contents = await actionsIn(namespace, name);
        if (contents.length > 0 && !force) throw new ConflictError(Messages.notEmpty(contents.length));
        for (const action of contents) await actions.delete(namespace, `${name}/${action.name}`);
      }
      const deleted = await store.delete(namespace, name);
      if (!deleted) throw new NotFoundError();
      return deleted;
    },

    async list(namespace, own, { skip, limit }) {
      if (own) return store.listed(namespace, { skip, limit });
      return (await listVisible(namespace, own)).slice(skip, skip + limit);
    },

    async count(namespace, own, { skip }) {
      if (own) return store.count(namespace, { skip });
      return Math.max(0, (await listVisible(namespace, own)).length - skip);
    },
  };
}
