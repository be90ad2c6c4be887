// Namespaces and their API keys in Redis, and the lookup Basic auth uses (OpenWhisk's subjects DB). The controller
// authenticates with it; the admin command (deploy/admin/, with shared/subjects.ts) and the local stack
// (deploy/local/stack.ts, ensureGuest) create and change what it reads.
//
// Layout (keys from shared/redis-keys.ts), OpenWhisk's model: a subject has namespaces, and one key for each; a
// namespace has one key per subject that has it.
//   keys.authKey(uuid)              hash {subject, namespace, keyHash[, blocked]}   one key authenticates exactly one namespace
//   keys.namespace(ns)              hash {subject, uuid}    the key the namespace acts with on its own (the entity
//                                                           store also keeps its revision counter here)
//   keys.namespaces()               set of namespace names
//   keys.namespaceKeys(ns)          set of the uuids of the namespace's keys
//   keys.subjectNamespaces(subject) hash namespace → uuid
//   keys.subjects()                 set of subject names; keys.blockedSubjects() the blocked ones
//   keys.namespaceLimits(ns)        JSON limit overrides (OpenWhisk `UserLimits`, shared/namespace-limits.ts), optional
// A blocked subject's keys carry `blocked` and authenticate nothing, as OpenWhisk's identities view leaves blocked
// subjects out: the API answers 401 "The supplied authentication is invalid".
// Keys are stored hashed (see key-hash.ts); the plain `uuid:key` exists only in the caller's hands and, while a
// request runs, in memory.
import type { RedisClient } from './redis-connection.ts';
import { LRUCache } from 'lru-cache';
import type { RedisKeys } from './redis-keys.ts';
import { BadRequestError, ConflictError } from './errors.ts';
import { type ApiKey, formatApiKey, newApiKey, parseApiKey } from './ids.ts';
import { DEFAULT_NAMESPACE, checkNamespaceName } from './entity-names.ts';
import { type NamespaceLimitOverrides, parseNamespaceLimits } from './namespace-limits.ts';
import type { Identity } from './identity.ts';
import { hashKey, sameKey, verifyKey } from './key-hash.ts';
import { luaScript, runScript } from './redis-script.ts';
import { redisSpan } from './tracing.ts';

export const GUEST_NAMESPACE = 'guest';

/**
 * OpenWhisk's well-known guest key (`ansible/files/auth.guest`), which its standalone and dev deployments (and
 * countless examples) use. `ensureGuest` gives `guest` this key unless told otherwise: the local stack then has
 * the same key on every start, which a hashed key store could not otherwise print again. Deployments reachable
 * by others must pass their own key.
 */
export const OPENWHISK_GUEST_KEY = '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP';

export interface IdentityStore {
  /** Creates a namespace with a fresh key (or the given one); returns `uuid:key`. 409 if it exists. */
  createNamespace(name: string, options?: { subject?: string; key?: ApiKey }): Promise<string>;
  /**
   * Makes sure the `guest` namespace exists with `key` (default OPENWHISK_GUEST_KEY) and returns that key:
   * creates guest on first start, keeps it when the key already matches, and re-keys guest to `key` when it
   * does not (keys are stored hashed, so only a key the caller knows can be handed back).
   */
  ensureGuest(key?: string): Promise<string>;
  /** Replaces a namespace's key (new uuid and key, or the given ones); returns the new `uuid:key`. */
  rotateKey(namespace: string, key?: ApiKey): Promise<string>;
  /** The identity for a presented uuid and key, or undefined when they are not valid. */
  authenticate(uuid: string, key: string): Promise<Identity | undefined>;
  /**
   * The identity a namespace acts as when no key is presented (feed and alarm fires, web actions), with whether
   * its subject is blocked; undefined when the namespace does not exist. `cached`: an owner found within the cache
   * lifetime may be answered from memory, so a block or a deletion takes effect within it, as for keys (web actions;
   * feeds and alarms read it fresh, and hold a blocked subject's fires at once).
   */
  namespaceIdentity(namespace: string, options?: { cached?: boolean }): Promise<NamespaceOwner | undefined>;
  /** Stores per-namespace limit overrides (replacing earlier ones). */
  setLimits(namespace: string, limits: NamespaceLimitOverrides): Promise<void>;
}

/** A namespace's own identity. A blocked subject's namespace still has one: a block is meant to be undone. */
export type NamespaceOwner = Identity & { blocked: boolean };

export interface IdentityStoreOptions {
  /**
   * How long a successful lookup is reused without asking Redis (default 5 s; 0 disables). A rotated or
   * deleted key may keep working on a controller for this long; the presented key is re-verified every time.
   */
  cacheTtlMs?: number;
  /** Most cached identities (default 10 000). */
  cacheSize?: number;
  /** Most bytes the cached identities take, roughly (default 4 MiB): limit overrides make entries vary in size. */
  cacheBytes?: number;
}

// KEYS, ARGV and results: each .lua file's header. ADD_KEY serves the admin command too (subjects.ts).
export const ADD_KEY = luaScript(import.meta.dirname, 'add-key.lua');
const ROTATE = luaScript(import.meta.dirname, 'rotate-key.lua');

/** The KEYS of ADD_KEY. */
export function addKeyKeys(keys: RedisKeys, subject: string, namespace: string, uuid: string): string[] {
  return [
    keys.namespace(namespace),
    keys.authKey(uuid),
    keys.namespaces(),
    keys.subjectNamespaces(subject),
    keys.namespaceKeys(namespace),
    keys.subjects(),
    keys.blockedSubjects(),
  ];
}

interface CachedIdentity {
  identity: Omit<Identity, 'apiKey'>;
  keyHash: string;
  /**
   * The key that last matched keyHash. Later requests within the entry's lifetime compare with it (constant time)
   * instead of hashing again; the process sees the key on every request anyway, and forwards it to the action.
   */
  verifiedKey?: string;
}

export function identityStore(redis: RedisClient, keys: RedisKeys, options: IdentityStoreOptions = {}): IdentityStore {
  const ttl = options.cacheTtlMs ?? 5000;
  // Least recently used out first; an entry older than `ttl` is never returned.
  const cache = new LRUCache<string, CachedIdentity>({
    max: options.cacheSize ?? 10_000,
    maxSize: options.cacheBytes ?? 4 * 1024 * 1024,
    sizeCalculation: (entry, uuid) => uuid.length + entry.keyHash.length + (entry.verifiedKey?.length ?? 0) + JSON.stringify(entry.identity).length,
    ttl: Math.max(ttl, 1),
  });

  const remember = (uuid: string, entry: CachedIdentity) => {
    if (ttl > 0) cache.set(uuid, entry);
  };
  // Owners found by namespaceIdentity, by namespace (never a namespace not found: a new one is seen at once).
  const owners = new LRUCache<string, NamespaceOwner>({ max: options.cacheSize ?? 10_000, ttl: Math.max(ttl, 1) });

  const store: IdentityStore = {
    async createNamespace(name, opts = {}) {
      checkNamespaceName(name);
      if (name === DEFAULT_NAMESPACE) throw new BadRequestError(`'${DEFAULT_NAMESPACE}' is reserved for the caller's own namespace.`);
      const key = opts.key ?? newApiKey();
      if (parseApiKey(formatApiKey(key)) === undefined) throw new BadRequestError('An API key must be uuid:key with a 64-character key.');
      const subject = opts.subject ?? name;
      const created = await runScript(redis, ADD_KEY, addKeyKeys(keys, subject, name, key.uuid), [subject, key.uuid, name, hashKey(key.key), 'new']);
      if (created === 0) throw new ConflictError(`namespace '${name}' already exists`);
      if (created === -1) throw new ConflictError(`the key's uuid '${key.uuid}' is already in use`);
      if (created === -2) throw new ConflictError(`subject '${subject}' is blocked`);
      if (created === -3) throw new ConflictError(`subject '${subject}' already has a key for namespace '${name}'`);
      return formatApiKey(key);
    },

    async rotateKey(namespace, key = newApiKey()) {
      const { uuid: oldUuid, subject } = await redis.hgetall(keys.namespace(namespace));
      if (oldUuid === undefined || subject === undefined) throw new BadRequestError(`namespace '${namespace}' does not exist`);
      const done = await runScript(
        redis,
        ROTATE,
        [keys.namespace(namespace), keys.authKey(oldUuid), keys.authKey(key.uuid), keys.subjectNamespaces(subject), keys.namespaceKeys(namespace), keys.subjects()],
        [oldUuid, key.uuid, namespace, hashKey(key.key), subject],
      );
      if (done === 0) throw ConflictError.concurrentModification();
      if (done === -1) throw new ConflictError(`the key's uuid '${key.uuid}' is already in use`);
      cache.delete(oldUuid);
      owners.delete(namespace);
      return formatApiKey(key);
    },

    async ensureGuest(key = OPENWHISK_GUEST_KEY) {
      const wanted = parseApiKey(key);
      if (!wanted) throw new Error('the guest key must be uuid:key with a 64-character key');
      for (let attempt = 0; ; attempt++) {
        const uuid = await redis.hget(keys.namespace(GUEST_NAMESPACE), 'uuid');
        try {
          if (uuid === null) return await store.createNamespace(GUEST_NAMESPACE, { key: wanted });
          if (wanted.uuid === uuid) {
            const keyHash = await redis.hget(keys.authKey(uuid), 'keyHash');
            if (keyHash !== null && verifyKey(wanted.key, keyHash)) {
              // a guest made before subjects were indexed: index it, so the admin command sees it
              await redis.multi().hset(keys.subjectNamespaces(GUEST_NAMESPACE), GUEST_NAMESPACE, uuid).sadd(keys.namespaceKeys(GUEST_NAMESPACE), uuid).sadd(keys.subjects(), GUEST_NAMESPACE).exec();
              return formatApiKey(wanted);
            }
            // same uuid, other key: move to a fresh uuid first so the wanted one can be written
            await store.rotateKey(GUEST_NAMESPACE);
            return await store.rotateKey(GUEST_NAMESPACE, wanted);
          }
          return await store.rotateKey(GUEST_NAMESPACE, wanted);
        } catch (err) {
          // another process created or re-keyed guest at the same moment: look again
          if (!(err instanceof ConflictError) || attempt >= 2) throw err;
        }
      }
    },

    async authenticate(uuid, key) {
      if (key.length !== 64) return undefined;
      const apiKey = `${uuid}:${key}`;
      const cached = cache.get(uuid);
      if (cached) {
        if (cached.verifiedKey !== undefined ? !sameKey(key, cached.verifiedKey) : !verifyKey(key, cached.keyHash)) return undefined;
        cached.verifiedKey = key;
        return { ...cached.identity, apiKey };
      }
      const auth = await redisSpan('HGETALL', () => redis.hgetall(keys.authKey(uuid)));
      if (!auth.keyHash || !auth.namespace || auth.blocked) return undefined;
      if (!verifyKey(key, auth.keyHash)) return undefined;
      const namespace = auth.namespace;
      const limits = parseNamespaceLimits(await redisSpan('GET', () => redis.get(keys.namespaceLimits(namespace))));
      const identity = { subject: auth.subject ?? namespace, namespace, uuid, limits };
      remember(uuid, { identity, keyHash: auth.keyHash, verifiedKey: key });
      return { ...identity, apiKey };
    },

    async namespaceIdentity(namespace, { cached = false } = {}) {
      const known = cached ? owners.get(namespace) : undefined;
      if (known) return known;
      const ns = await redisSpan('HGETALL', () => redis.hgetall(keys.namespace(namespace)));
      // A blocked subject's namespace is still returned, flagged: the feed consumers read "no identity" as
      // "namespace gone" and drop the feed for good, while a block is meant to be undone (README, admin section).
      if (!ns.uuid) return undefined;
      const subject = ns.subject ?? namespace;
      const [limits, blocked] = await Promise.all([
        redisSpan('GET', () => redis.get(keys.namespaceLimits(namespace))),
        redisSpan('SISMEMBER', () => redis.sismember(keys.blockedSubjects(), subject)),
      ]);
      const owner = { subject, namespace, uuid: ns.uuid, limits: parseNamespaceLimits(limits), blocked: blocked === 1 };
      if (ttl > 0) owners.set(namespace, owner);
      return owner;
    },

    async setLimits(namespace, limits) {
      await redis.set(keys.namespaceLimits(namespace), JSON.stringify(limits));
      const stale = [...cache.entries()].filter(([, entry]) => entry.identity.namespace === namespace).map(([uuid]) => uuid);
      for (const uuid of stale) cache.delete(uuid);
      owners.delete(namespace);
    },
  };
  return store;
}

/** Creates a namespace with a fresh key; returns `uuid:key` (see IdentityStore.createNamespace). */
export function createNamespace(
  redis: RedisClient,
  keys: RedisKeys,
  name: string,
  options?: { subject?: string; key?: ApiKey },
): Promise<string> {
  return identityStore(redis, keys, { cacheTtlMs: 0 }).createNamespace(name, options);
}

/** Makes sure `guest` exists with `key` (default OPENWHISK_GUEST_KEY); returns the key (see IdentityStore.ensureGuest). */
export function ensureGuest(redis: RedisClient, keys: RedisKeys, key?: string): Promise<string> {
  return identityStore(redis, keys, { cacheTtlMs: 0 }).ensureGuest(key);
}
