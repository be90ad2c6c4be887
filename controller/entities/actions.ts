// Action operations behind the REST API (`CTL/Actions.scala`): create/update with OpenWhisk's checks in
// OpenWhisk's order, get, delete, list, and the lookups an invoke needs. Storage is the generic entity store.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../auth/identity.ts';
import { type ActionDoc, checkPutSizes, makeAction, readActionPut, updateAction } from './action.ts';
import { entityStore, type EntityStore, type StoredEntity } from './entity-store.ts';
import { type SystemLimits, checkActionLimits, checkInstanceLimit, effectiveLimits } from './limits.ts';

/** Where an action lives: its root namespace, and its package when it is in one. */
export interface ActionRef {
  namespace: string;
  pkg?: string;
  name: string;
}

/** The store path of an action: `name` or `pkg/name`. */
export const actionPath = (ref: ActionRef): string => (ref.pkg === undefined ? ref.name : `${ref.pkg}/${ref.name}`);

/** The fully qualified name (`ns/name`, `ns/pkg/name`). */
export const actionFqn = (ref: ActionRef): string => `${ref.namespace}/${actionPath(ref)}`;

/** What the actions API needs to know of a package (the package API will own the full document). */
interface PackageLike extends StoredEntity {
  binding?: unknown;
}

const isBinding = (p: PackageLike) => typeof p.binding === 'object' && p.binding !== null && Object.keys(p.binding).length > 0;

export interface ActionService {
  readonly store: EntityStore<ActionDoc>;
  /** PUT: create, or with `overwrite` update; returns the stored action. */
  put(identity: Identity, ref: ActionRef, body: unknown, overwrite: boolean): Promise<ActionDoc>;
  /** 404 when missing. */
  get(ref: ActionRef): Promise<ActionDoc>;
  /** Deletes and returns the action; 404 when missing. */
  remove(ref: ActionRef): Promise<ActionDoc>;
  /** Actions of a namespace (including those in its packages), or of one package; newest first. */
  list(namespace: string, options: { pkg?: string; skip: number; limit: number }): Promise<ActionDoc[]>;
  count(namespace: string, options: { pkg?: string; skip: number }): Promise<number>;
  /** Checks that a package exists (404) and, for writes, that it is not a binding (400). */
  checkPackage(namespace: string, pkg: string, write: boolean): Promise<void>;
}

export function actionService(redis: Redis, keys: RedisKeys, system: SystemLimits): ActionService {
  const store = entityStore<ActionDoc>(redis, keys, 'actions');
  const packages = entityStore<PackageLike>(redis, keys, 'packages');

  const service: ActionService = {
    store,

    async checkPackage(namespace, pkg, write) {
      const p = await packages.get(namespace, pkg);
      if (!p) throw new NotFoundError();
      // reads and invokes through a binding are not resolved yet; only their refusal for writes is in place
      if (write && isBinding(p)) throw new BadRequestError('Operation not permitted on package binding.');
    },

    async put(identity, ref, body, overwrite) {
      if (ref.pkg !== undefined) await service.checkPackage(ref.namespace, ref.pkg, true);
      const put = readActionPut(body);
      const limits = effectiveLimits(system, identity.limits);
      checkPutSizes(put, system, limits);
      checkActionLimits(put.limits, limits);
      if (put.exec && limits.allowedKinds !== undefined && !limits.allowedKinds.includes(put.exec.kind)) {
        throw new ForbiddenError(`The supplied authentication is not authorized to access actions of kind '${put.exec.kind}'.`);
      }
      const path = actionPath(ref);
      const old = await store.get(ref.namespace, path);
      if (old && !overwrite) throw ConflictError.exists();
      checkInstanceLimit(put.limits, limits);
      const now = Date.now();
      const content = old
        ? updateAction(old, put, Math.max(now, old.updated + 1))
        : makeAction(ref.pkg === undefined ? ref.namespace : `${ref.namespace}/${ref.pkg}`, ref.name, put, system, now);
      return store.put(ref.namespace, path, content, old?.revision);
    },

    async get(ref) {
      if (ref.pkg !== undefined) await service.checkPackage(ref.namespace, ref.pkg, false);
      const doc = await store.get(ref.namespace, actionPath(ref));
      if (!doc) throw new NotFoundError();
      return doc;
    },

    async remove(ref) {
      if (ref.pkg !== undefined) await service.checkPackage(ref.namespace, ref.pkg, true);
      const doc = await store.delete(ref.namespace, actionPath(ref));
      if (!doc) throw new NotFoundError();
      return doc;
    },

    list: (namespace, options) => store.list(namespace, options),
    count: (namespace, options) => store.count(namespace, options),
  };
  return service;
}
