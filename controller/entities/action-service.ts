// Action operations behind the REST API (`CTL/Actions.scala`): create/update with OpenWhisk's checks in
// OpenWhisk's order, get, delete, list, and the lookups an invoke needs. Storage is the generic entity store.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';
import { isSequence, type ActionDoc, type ActionRef, actionFqn, actionPath, type ActionListing, actionListing, checkPutSizes, checkSignature, makeAction, readActionPut, updateAction } from './models/action.ts';
import { checkSequenceComponents } from './sequence-components.ts';
import { entityStore, type EntityStore } from './entity-store.ts';
import { type SystemLimits, checkActionLimits, checkInstanceLimit, effectiveLimits } from './models/limits.ts';
import { overlayParameters } from './models/package.ts';
import type { Parameter } from './models/parameters.ts';
import { packageAccess } from './package-access.ts';

/** An action as reached by a name that may go through a binding (`resolveActionAndMergeParameters`). */
export interface ResolvedAction {
  /** Its parameters are the package's < the binding's < the action's own. */
  action: ActionDoc;
  /** Where the action is stored: through a binding, in the bound package. */
  location: ActionRef;
  /** `ns/binding` when reached through a binding. */
  binding?: string;
}

export interface ActionService {
  readonly store: EntityStore<ActionDoc, ActionListing>;
  /** PUT: create, or with `overwrite` update; returns the stored action. */
  put(identity: Identity, ref: ActionRef, body: unknown, overwrite: boolean): Promise<ActionDoc>;
  /** The stored action, through a binding the bound package's; 404 when missing. */
  get(ref: ActionRef): Promise<ActionDoc>;
  /** The action with package and binding parameters merged in, and where it lives; 404 when missing. */
  resolve(ref: ActionRef): Promise<ResolvedAction>;
  /**
   * READ/ACTIVATE entitlement: outside a package owner-only (403 naming the action); in a package, READ on the
   * package (403 naming the package, 404 for the owner's missing package).
   */
  entitle(identity: Identity, ref: ActionRef): Promise<void>;
  /** Deletes and returns the action; 404 when missing. */
  remove(ref: ActionRef): Promise<ActionDoc>;
  /** Actions of a namespace (including those in its packages), or of one package; newest first. */
  /** List forms only: no code, no parameters. */
  list(namespace: string, options: { pkg?: string; skip: number; limit: number }): Promise<ActionListing[]>;
  count(namespace: string, options: { pkg?: string; skip: number }): Promise<number>;
  /** Checks that a package exists (404) and, for writes, that it is not a binding (400). */
  checkPackage(namespace: string, pkg: string, write: boolean): Promise<void>;
}

export function actionService(redis: RedisClient, keys: RedisKeys, system: SystemLimits): ActionService {
  const store = entityStore<ActionDoc, ActionListing>(redis, keys, 'actions', actionListing);
  const access = packageAccess(redis, keys);

  /** Where the action a name reaches is stored, and the package (and binding) parameters it inherits. */
  const locate = async (ref: ActionRef): Promise<{ location: ActionRef; parameters: Parameter[]; binding?: string }> => {
    if (ref.pkg === undefined) return { location: ref, parameters: [] };
    const pkg = await access.resolve(ref.namespace, ref.pkg);
    const location: ActionRef = { namespace: pkg.namespace, pkg: pkg.name, name: ref.name };
    return { location, parameters: pkg.parameters, binding: pkg.binding };
  };

  const service: ActionService = {
    store,

    async checkPackage(namespace, pkg, write) {
      const p = await access.store.get(namespace, pkg);
      if (!p) throw new NotFoundError();
      if (write && p.binding) throw new BadRequestError('Operation not permitted on package binding.');
    },

    async put(identity, ref, body, overwrite) {
      if (ref.pkg !== undefined) await service.checkPackage(ref.namespace, ref.pkg, true);
      const put = readActionPut(body);
      if (put.exec && isSequence(put.exec)) {
        const components = await checkSequenceComponents(service, identity, ref, put.exec.components ?? [], system.sequenceMaxLength);
        put.exec = { ...put.exec, components };
      }
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
      checkSignature(content.annotations);
      return store.put(ref.namespace, path, content, old?.revision);
    },

    async get(ref) {
      const { location } = await locate(ref);
      const doc = await store.get(location.namespace, actionPath(location));
      if (!doc) throw new NotFoundError();
      return doc;
    },

    async resolve(ref) {
      // Outside a package there is nothing to look up first: the read is sent in the caller's tick
      // (invoke/invoke-action.ts).
      const { location, parameters, binding } = ref.pkg === undefined ? { location: ref, parameters: [], binding: undefined } : await locate(ref);
      const doc = await store.get(location.namespace, actionPath(location));
      if (!doc) throw new NotFoundError();
      const action = parameters.length === 0 ? doc : { ...doc, parameters: overlayParameters(parameters, doc.parameters) };
      return { action, location, binding };
    },

    async entitle(identity, ref) {
      if (ref.pkg === undefined) {
        if (ref.namespace !== identity.namespace) throw ForbiddenError.resource(actionFqn(ref));
        return;
      }
      if (!(await access.canRead(identity.namespace, ref.namespace, ref.pkg))) throw ForbiddenError.resource(`${ref.namespace}/${ref.pkg}`);
    },

    async remove(ref) {
      if (ref.pkg !== undefined) await service.checkPackage(ref.namespace, ref.pkg, true);
      const doc = await store.delete(ref.namespace, actionPath(ref));
      if (!doc) throw new NotFoundError();
      return doc;
    },

    list: (namespace, options) => store.listed(namespace, options),
    count: (namespace, options) => store.count(namespace, options),
  };
  return service;
}
