// A generic Redis store for one entity collection (actions now; packages, triggers and rules later).
//
// Layout (every key from shared/redis-keys.ts):
//   keys.entity(ns, collection, path)        JSON document; `path` is `name` or `pkg/name`
//   keys.entityListing(ns, collection, path) JSON list form of the document (see `toListing`), written with it
//   keys.entityIndex(ns, collection)         sorted set of every path in the namespace, scored by `updated`
//   keys.entityIndex(`ns/pkg`, collection)   sorted set of the names inside package `pkg` (packaged entities only)
//   keys.namespace(ns) field `entityRevision` counter that gives every write its `revision`
//
// Each document carries a `revision` as its first JSON property. Writes are compare-and-set in one Lua script: a
// create requires that no document exists (under this or another collection, OpenWhisk shares names across
// actions, packages, triggers and rules), an update requires that the stored revision is still the one read.
// The counter lives per namespace and only grows, so a revision never repeats for a name, even after delete and
// re-create; invokers can key caches by (namespace, path, revision).
// A store made with a `toListing` function keeps each document's list form beside it (an action without its code and
// parameters), and `listed()` reads only those, so a listing never loads code. A document written before list
// forms existed, or by a store without `toListing`, has none; a listing then reads it whole and reduces it.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { Collection, RedisKeys } from '../../shared/redis-keys.ts';
import { ConflictError } from '../../shared/errors.ts';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import { redisSpan } from '../../shared/tracing.ts';

export interface StoredEntity {
  revision: number;
  updated: number;
}

export type Content<D extends StoredEntity> = Omit<D, 'revision'>;

export interface ListOptions {
  skip: number;
  limit: number;
  /** Only entities inside this package (path prefix `pkg/`). */
  pkg?: string;
}

export interface EntityStore<D extends StoredEntity, L = D> {
  readonly collection: Collection;
  get(namespace: string, path: string): Promise<D | undefined>;
  /**
   * Writes `content` at `path`. `expectedRevision` undefined means create (409 "resource already exists" when
   * present); a number means update of exactly that revision (409 "Concurrent modification to resource
   * detected." otherwise). Returns the stored document with its new revision.
   */
  put(namespace: string, path: string, content: Content<D>, expectedRevision: number | undefined): Promise<D>;
  /** Deletes and returns the document; undefined when there was none. */
  delete(namespace: string, path: string): Promise<D | undefined>;
  /** Newest `updated` first. */
  list(namespace: string, options: ListOptions): Promise<D[]>;
  /** The same page as `list`, in list form: reads only the stored list forms (see the top of this file). */
  listed(namespace: string, options: ListOptions): Promise<L[]>;
  count(namespace: string, options: Omit<ListOptions, 'limit'>): Promise<number>;
}

const COLLECTIONS: readonly Collection[] = ['actions', 'packages', 'triggers', 'rules'];

// KEYS, ARGV and results: each .lua file's header.
const PUT = luaScript(import.meta.dirname, 'put-entity.lua');
const DELETE = luaScript(import.meta.dirname, 'delete-entity.lua');

function splitPath(path: string): { pkg: string | undefined; name: string } {
  const i = path.indexOf('/');
  return i < 0 ? { pkg: undefined, name: path } : { pkg: path.slice(0, i), name: path.slice(i + 1) };
}

/**
 * `toListing` turns a document into its list form (without what a listing never shows: code, parameters); without it,
 * `listed()` returns whole documents. All stores of one collection should be made with the same `toListing`.
 */
export function entityStore<D extends StoredEntity, L = D>(
  redis: RedisClient,
  keys: RedisKeys,
  collection: Collection,
  toListing?: (doc: Content<D>) => L,
): EntityStore<D, L> {
  /** The index keys and members a document at `path` appears under. */
  const indexes = (namespace: string, path: string): [string, string][] => {
    const { pkg, name } = splitPath(path);
    const all: [string, string][] = [[keys.entityIndex(namespace, collection), path]];
    if (pkg !== undefined) all.push([keys.entityIndex(`${namespace}/${pkg}`, collection), name]);
    return all;
  };

  /** The paths of one page of the index, newest first. */
  const page = async (namespace: string, { skip, limit, pkg }: ListOptions): Promise<string[]> => {
    const index = keys.entityIndex(pkg === undefined ? namespace : `${namespace}/${pkg}`, collection);
    const members = await redis.zrevrange(index, skip, skip + limit - 1);
    return pkg === undefined ? members : members.map((m) => `${pkg}/${m}`);
  };

  const parse = (json: string | null): D | undefined => (json === null ? undefined : (JSON.parse(json) as D));

  return {
    collection,

    async get(namespace, path) {
      return parse(await redisSpan('GET', () => redis.get(keys.entity(namespace, collection, path))));
    },

    async put(namespace, path, content, expectedRevision) {
      const { revision: _ignored, ...rest } = content as Content<D> & { revision?: unknown };
      const json = JSON.stringify(rest);
      if (!json.startsWith('{"')) throw new Error('entity content must be a non-empty JSON object');
      const idx = indexes(namespace, path);
      // only top-level names are shared between collections (packaged entities are all actions)
      const others = path.includes('/') ? [] : COLLECTIONS.filter((c) => c !== collection).map((c) => keys.entity(namespace, c, path));
      const listing = toListing ? JSON.stringify(toListing(rest as Content<D>)) : '';
      const result = (await runScript(
        redis,
        PUT,
        [keys.entity(namespace, collection, path), keys.entityListing(namespace, collection, path), keys.namespace(namespace), ...idx.map(([k]) => k), ...others],
        [expectedRevision === undefined ? '' : String(expectedRevision), json, String(content.updated), String(idx.length), listing, ...idx.map(([, m]) => m)],
      )) as [string, number?];
      switch (result[0]) {
        case 'ok':
          return { revision: Number(result[1]), ...rest } as unknown as D;
        case 'exists':
          throw ConflictError.exists();
        case 'other':
          throw ConflictError.otherCollection();
        default:
          throw ConflictError.concurrentModification();
      }
    },

    async delete(namespace, path) {
      const idx = indexes(namespace, path);
      const json = (await runScript(
        redis,
        DELETE,
        [keys.entity(namespace, collection, path), keys.entityListing(namespace, collection, path), ...idx.map(([k]) => k)],
        idx.map(([, m]) => m),
      )) as string | null;
      return parse(json);
    },

    async list(namespace, options) {
      const paths = await page(namespace, options);
      if (paths.length === 0) return [];
      const docs = await redis.mget(paths.map((p) => keys.entity(namespace, collection, p)));
      return docs.flatMap((json) => (json === null ? [] : [JSON.parse(json) as D]));
    },

    async listed(namespace, options) {
      const paths = await page(namespace, options);
      if (paths.length === 0) return [];
      const forms = toListing ? await redis.mget(paths.map((p) => keys.entityListing(namespace, collection, p))) : paths.map(() => null);
      const missing = paths.filter((_, i) => forms[i] === null);
      const docs = new Map<string, string | null>();
      if (missing.length > 0) {
        const found = await redis.mget(missing.map((p) => keys.entity(namespace, collection, p)));
        missing.forEach((p, i) => docs.set(p, found[i] ?? null));
      }
      const reduce = (doc: D): L => (toListing ? toListing(doc) : (doc as unknown as L));
      return paths.flatMap((p, i) => {
        const form = forms[i];
        if (form !== null && form !== undefined) return [JSON.parse(form) as L];
        const doc = docs.get(p);
        return doc ? [reduce(JSON.parse(doc) as D)] : [];
      });
    },

    async count(namespace, { skip, pkg }) {
      const n = await redis.zcard(keys.entityIndex(pkg === undefined ? namespace : `${namespace}/${pkg}`, collection));
      return Math.max(0, n - skip);
    },
  };
}
