// A generic Redis store for one entity collection (actions now; packages, triggers and rules later).
//
// Layout (every key from shared/redis-keys.ts):
//   keys.entity(ns, collection, path)        JSON document; `path` is `name` or `pkg/name`
//   keys.entityIndex(ns, collection)         sorted set of every path in the namespace, scored by `updated`
//   keys.entityIndex(`ns/pkg`, collection)   sorted set of the names inside package `pkg` (packaged entities only)
//   keys.namespace(ns) field `entityRevision` counter that gives every write its `revision`
//
// Each document carries a `revision` as its first JSON property. Writes are compare-and-set in one Lua script: a
// create requires that no document exists (under this or another collection, OpenWhisk shares names across
// actions, packages, triggers and rules), an update requires that the stored revision is still the one read.
// The counter lives per namespace and only grows, so a revision never repeats for a name, even after delete and
// re-create; invokers can key caches by (namespace, path, revision).
import type { Redis } from 'ioredis';
import type { Collection, RedisKeys } from '../../shared/redis-keys.ts';
import { ConflictError } from '../../shared/errors.ts';
import { runScript } from '../../shared/redis-script.ts';
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

export interface EntityStore<D extends StoredEntity> {
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
  count(namespace: string, options: Omit<ListOptions, 'limit'>): Promise<number>;
}

const COLLECTIONS: readonly Collection[] = ['actions', 'packages', 'triggers', 'rules'];

// KEYS: doc, namespace hash, index keys (ARGV[4] of them), then docs of the same name in other collections.
// ARGV: expected revision ('' = create), JSON without revision, score, index count, index members...
const PUT = `
local nIndex = tonumber(ARGV[4])
for i = 3 + nIndex, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return {'other'} end
end
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if cur then return {'exists'} end
else
  if not cur then return {'changed'} end
  local rev = string.match(cur, '^{"revision":(%d+)')
  if rev ~= ARGV[1] then return {'changed'} end
end
local rev = redis.call('HINCRBY', KEYS[2], 'entityRevision', 1)
redis.call('SET', KEYS[1], '{"revision":' .. rev .. ',' .. string.sub(ARGV[2], 2))
for i = 1, nIndex do
  redis.call('ZADD', KEYS[2 + i], ARGV[3], ARGV[4 + i])
end
return {'ok', rev}
`;

// KEYS: doc, index keys; ARGV: index members (one per index key)
const DELETE = `
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  redis.call('ZREM', KEYS[i], ARGV[i - 1])
end
return cur
`;

function splitPath(path: string): { pkg: string | undefined; name: string } {
  const i = path.indexOf('/');
  return i < 0 ? { pkg: undefined, name: path } : { pkg: path.slice(0, i), name: path.slice(i + 1) };
}

export function entityStore<D extends StoredEntity>(redis: Redis, keys: RedisKeys, collection: Collection): EntityStore<D> {
  /** The index keys and members a document at `path` appears under. */
  const indexes = (namespace: string, path: string): [string, string][] => {
    const { pkg, name } = splitPath(path);
    const all: [string, string][] = [[keys.entityIndex(namespace, collection), path]];
    if (pkg !== undefined) all.push([keys.entityIndex(`${namespace}/${pkg}`, collection), name]);
    return all;
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
      const result = (await runScript(
        redis,
        PUT,
        [keys.entity(namespace, collection, path), keys.namespace(namespace), ...idx.map(([k]) => k), ...others],
        [expectedRevision === undefined ? '' : String(expectedRevision), json, String(content.updated), String(idx.length), ...idx.map(([, m]) => m)],
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
        [keys.entity(namespace, collection, path), ...idx.map(([k]) => k)],
        idx.map(([, m]) => m),
      )) as string | null;
      return parse(json);
    },

    async list(namespace, { skip, limit, pkg }) {
      const index = keys.entityIndex(pkg === undefined ? namespace : `${namespace}/${pkg}`, collection);
      const members = await redis.zrevrange(index, skip, skip + limit - 1);
      if (members.length === 0) return [];
      const paths = pkg === undefined ? members : members.map((m) => `${pkg}/${m}`);
      const docs = await redis.mget(paths.map((p) => keys.entity(namespace, collection, p)));
      return docs.flatMap((json) => (json === null ? [] : [JSON.parse(json) as D]));
    },

    async count(namespace, { skip, pkg }) {
      const n = await redis.zcard(keys.entityIndex(pkg === undefined ? namespace : `${namespace}/${pkg}`, collection));
      return Math.max(0, n - skip);
    },
  };
}
