// Installing a package of the built-in `whisk.system` namespace and its actions as ordinary entities, as OpenWhisk's
// catalog install does through the API (`installCatalogUsingWskdeploy.sh`): afterwards users get, list, bind,
// sequence and invoke them like any published package. Every controller and the local launcher install at start,
// possibly at the same moment, so each write is idempotent and guarded: a document already as wanted is left alone
// (its revision, which invokers key their caches by, stays), a missing or outdated one is written with the entity
// store's compare-and-set, and a write that loses a race reads the winner's document and checks it again.
import type { RedisClient } from '../../shared/redis-connection.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { type ActionContent, type ActionDoc, type ActionListing, actionListing, makeAction } from '../entities/models/action.ts';
import { type EntityStore, type StoredEntity, entityStore } from '../entities/entity-store.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { type PackageContent, type PackageDoc, type PackageListing, makePackage, packageListing } from '../entities/models/package.ts';
import type { Parameter } from '../entities/models/parameters.ts';
import { SYSTEM_NAMESPACE } from '../../shared/entity-names.ts';

export { SYSTEM_NAMESPACE };

export interface SystemAction {
  name: string;
  /** Plain JavaScript, run with the default Node.js kind. */
  code: string;
  annotations: Parameter[];
}

export interface SystemPackage {
  namespace: string;
  name: string;
  version: string;
  publish: boolean;
  annotations: Parameter[];
  actions: SystemAction[];
}

/** What an install did to each entity, by path (`pkg`, `pkg/action`). */
export type InstallOutcome = Record<string, 'created' | 'updated' | 'kept'>;

/** Lost races in a row before giving up: each one means another writer just stored a document. */
const MAX_ATTEMPTS = 5;

/** OpenWhisk's `nodejs:default`, stored as given as for any action (controller/entities/models/runtimes.ts). */
const KIND = 'nodejs:default';

/** Writes `pkg` and its actions where they are missing or differ from it; the package first, as actions need it. */
export async function installSystemPackage(redis: RedisClient, keys: RedisKeys, pkg: SystemPackage, system: SystemLimits): Promise<InstallOutcome> {
  const packages = entityStore<PackageDoc, PackageListing>(redis, keys, 'packages', packageListing);
  const actions = entityStore<ActionDoc, ActionListing>(redis, keys, 'actions', actionListing);
  const outcome: InstallOutcome = {};
  const wantedPackage = makePackage(pkg.namespace, pkg.name, { version: pkg.version, publish: pkg.publish, annotations: pkg.annotations }, 0);
  outcome[pkg.name] = await ensure(packages, pkg.namespace, pkg.name, wantedPackage, samePackage);
  for (const action of pkg.actions) {
    const exec = { kind: KIND, code: action.code, binary: false };
    const put = { exec, version: pkg.version, publish: pkg.publish, annotations: action.annotations };
    const wanted = makeAction(`${pkg.namespace}/${pkg.name}`, action.name, put, system, 0);
    const path = `${pkg.name}/${action.name}`;
    outcome[path] = await ensure(actions, pkg.namespace, path, wanted, sameAction);
  }
  return outcome;
}

/** Stores `wanted` at `path` unless the stored document already is the same. */
async function ensure<D extends StoredEntity, L>(
  store: EntityStore<D, L>,
  namespace: string,
  path: string,
  wanted: Omit<D, 'revision'>,
  same: (stored: D, wanted: Omit<D, 'revision'>) => boolean,
): Promise<'created' | 'updated' | 'kept'> {
  for (let attempt = 1; ; attempt++) {
    const stored = await store.get(namespace, path);
    if (stored && same(stored, wanted)) return 'kept';
    const updated = Math.max(Date.now(), (stored?.updated ?? 0) + 1);
    try {
      await store.put(namespace, path, { ...wanted, updated }, stored?.revision);
      return stored ? 'updated' : 'created';
    } catch (err) {
      // another writer got there first (409 exists or concurrent modification): read its document and compare again
      if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
    }
  }
}

const json = (value: unknown): string => JSON.stringify(value);

function samePackage(stored: PackageDoc, wanted: PackageContent): boolean {
  return (
    stored.binding === undefined &&
    stored.version === wanted.version &&
    stored.publish === wanted.publish &&
    json(stored.parameters) === json(wanted.parameters) &&
    json(stored.annotations) === json(wanted.annotations)
  );
}

function sameAction(stored: ActionDoc, wanted: ActionContent): boolean {
  return (
    stored.namespace === wanted.namespace &&
    stored.version === wanted.version &&
    stored.publish === wanted.publish &&
    json(stored.exec) === json(wanted.exec) &&
    json(stored.parameters) === json(wanted.parameters) &&
    json(stored.limits) === json(wanted.limits) &&
    json(stored.annotations) === json(wanted.annotations)
  );
}
