// The operator's side of the identity store (shared/identities.ts holds the layout): subjects, their keys for
// namespaces, blocking, and a namespace's own limits, as OpenWhisk's `wskadmin user` and `wskadmin limits` change
// them (`tools/admin/.../UserCommand.scala`, `LimitsCommand.scala`). Keys are stored hashed, so a key is shown once,
// when it is made; afterwards only its uuid. Each change is one Lua script, so a controller never reads half of it.
// Controllers cache identities for a few seconds (IdentityStoreOptions.cacheTtlMs): a block, a deleted key or new
// limits take effect within that time.
import type { RedisClient } from './redis-connection.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { type ApiKey, formatApiKey, newApiKey } from './ids.ts';
import { ADD_KEY, addKeyKeys } from './identities.ts';
import { hashKey, verifyKey } from './key-hash.ts';
import { type NamespaceLimitOverrides, parseNamespaceLimits } from './namespace-limits.ts';
import type { RedisKeys } from './redis-keys.ts';
import { luaScript, runScript } from './redis-script.ts';
import { checkNamespaceName } from './entity-names.ts';

export interface SubjectNamespace {
  namespace: string;
  uuid: string;
}

export interface Subject {
  subject: string;
  blocked: boolean;
  namespaces: SubjectNamespace[];
}

export interface NamespaceKey {
  uuid: string;
  subject: string;
  blocked: boolean;
}

// KEYS, ARGV and results: each .lua file's header.
const DELETE_KEY = luaScript(import.meta.dirname, 'delete-key.lua');
const SET_BLOCKED = luaScript(import.meta.dirname, 'set-blocked.lua');
const REVOKE = luaScript(import.meta.dirname, 'revoke-key.lua');

export interface SubjectStore {
  /**
   * Gives `subject` a key for `namespace` (default: the subject's name), creating either when new; returns the
   * key, `uuid:secret`, the only time it is shown. Refused when the subject is blocked or already has a key there.
   */
  addKey(subject: string, options?: { namespace?: string; key?: ApiKey }): Promise<string>;
  /** A new secret for the subject's key of the namespace (same uuid); returns the key. */
  revokeKey(subject: string, namespace?: string): Promise<string>;
  /** Deletes the subject's key for one namespace, or the subject with all its keys. */
  deleteSubject(subject: string, namespace?: string): Promise<void>;
  /** Deletes one key by its uuid. */
  deleteKey(uuid: string): Promise<SubjectNamespace & { subject: string }>;
  getSubject(subject: string): Promise<Subject | undefined>;
  listSubjects(): Promise<string[]>;
  /** The keys of a namespace, by uuid. */
  namespaceKeys(namespace: string): Promise<NamespaceKey[]>;
  /** Who a presented `uuid:secret` is; undefined when it is no valid key (blocked keys are shown, marked). */
  whois(key: ApiKey): Promise<(SubjectNamespace & { subject: string; blocked: boolean }) | undefined>;
  /** Blocks or unblocks a subject; false when there is no such subject. */
  setBlocked(subject: string, blocked: boolean): Promise<boolean>;
  namespaceExists(namespace: string): Promise<boolean>;
  /** The namespace's stored limits; undefined when it has none (system limits apply). */
  getLimits(namespace: string): Promise<NamespaceLimitOverrides | undefined>;
  /** Stores `limits` over the namespace's stored ones (a field set to undefined is removed); returns whether some existed. */
  updateLimits(namespace: string, limits: NamespaceLimitOverrides): Promise<{ existed: boolean; limits: NamespaceLimitOverrides }>;
  /** Deletes the namespace's limits; false when it had none. */
  clearLimits(namespace: string): Promise<boolean>;
}

export function subjectStore(redis: RedisClient, keys: RedisKeys): SubjectStore {
  const authPrefix = keys.authKey('');

  const getSubject = async (subject: string): Promise<Subject | undefined> => {
    const [[, known], [, namespaces], [, blocked]] = (await redis
      .multi()
      .sismember(keys.subjects(), subject)
      .hgetall(keys.subjectNamespaces(subject))
      .sismember(keys.blockedSubjects(), subject)
      .exec()) as [[unknown, number], [unknown, Record<string, string>], [unknown, number]];
    if (known !== 1) return undefined;
    const list = Object.entries(namespaces)
      .map(([namespace, uuid]) => ({ namespace, uuid }))
      .sort((a, b) => a.namespace.localeCompare(b.namespace));
    return { subject, blocked: blocked === 1, namespaces: list };
  };

  const deleteOne = async (subject: string, namespace: string, uuid: string): Promise<void> => {
    const done = await runScript(
      redis,
      DELETE_KEY,
      [keys.authKey(uuid), keys.namespace(namespace), keys.subjectNamespaces(subject), keys.namespaceKeys(namespace), keys.namespaces()],
      [uuid, namespace, subject, authPrefix],
    );
    if (done !== 1) throw ConflictError.concurrentModification();
  };

  const store: SubjectStore = {
    async addKey(subject, options = {}) {
      const namespace = checkNamespaceName(options.namespace ?? subject);
      const key = options.key ?? newApiKey();
      const added = await runScript(redis, ADD_KEY, addKeyKeys(keys, subject, namespace, key.uuid), [subject, key.uuid, namespace, hashKey(key.key), 'join']);
      if (added === -2) throw new ConflictError('The subject you want to edit is blocked');
      if (added === -3) throw new ConflictError('Namespace already exists');
      if (added === -1) throw new ConflictError(`the key's uuid '${key.uuid}' is already in use`);
      return formatApiKey(key);
    },

    async revokeKey(subject, namespace = subject) {
      const found = await getSubject(subject);
      if (!found) throw new NotFoundError(`'${subject}' missing`);
      if (found.blocked) throw new ConflictError('The subject you want to edit is blocked');
      const uuid = found.namespaces.find((n) => n.namespace === namespace)?.uuid;
      if (uuid === undefined) throw new NotFoundError(`Namespace '${namespace}' does not exist for '${subject}'`);
      const key = { uuid, key: newApiKey().key };
      if ((await runScript(redis, REVOKE, [keys.authKey(uuid)], [hashKey(key.key)])) !== 1) throw ConflictError.concurrentModification();
      return formatApiKey(key);
    },

    async deleteSubject(subject, namespace) {
      const found = await getSubject(subject);
      if (!found) throw new NotFoundError('Subject to delete not found');
      if (namespace !== undefined) {
        const entry = found.namespaces.find((n) => n.namespace === namespace);
        if (!entry) throw new NotFoundError(`Namespace '${namespace}' does not exist for '${subject}'`);
        await deleteOne(subject, namespace, entry.uuid);
        return;
      }
      for (const entry of found.namespaces) await deleteOne(subject, entry.namespace, entry.uuid);
      await redis.multi().srem(keys.subjects(), subject).srem(keys.blockedSubjects(), subject).del(keys.subjectNamespaces(subject)).exec();
    },

    async deleteKey(uuid) {
      const auth = await redis.hgetall(keys.authKey(uuid));
      if (!auth.subject || !auth.namespace) throw new NotFoundError(`no key with uuid '${uuid}'`);
      await deleteOne(auth.subject, auth.namespace, uuid);
      return { uuid, subject: auth.subject, namespace: auth.namespace };
    },

    getSubject,

    async listSubjects() {
      return (await redis.smembers(keys.subjects())).sort();
    },

    async namespaceKeys(namespace) {
      const uuids = (await redis.smembers(keys.namespaceKeys(namespace))).sort();
      const rows = await Promise.all(uuids.map(async (uuid) => ({ uuid, auth: await redis.hmget(keys.authKey(uuid), 'subject', 'blocked') })));
      return rows.filter((r) => r.auth[0] !== null).map((r) => ({ uuid: r.uuid, subject: r.auth[0] ?? '', blocked: r.auth[1] !== null }));
    },

    async whois(key) {
      const auth = await redis.hgetall(keys.authKey(key.uuid));
      if (!auth.keyHash || !auth.subject || !auth.namespace || !verifyKey(key.key, auth.keyHash)) return undefined;
      return { uuid: key.uuid, subject: auth.subject, namespace: auth.namespace, blocked: auth.blocked !== undefined };
    },

    async setBlocked(subject, blocked) {
      const done = await runScript(redis, SET_BLOCKED, [keys.subjects(), keys.blockedSubjects(), keys.subjectNamespaces(subject)], [subject, blocked ? '1' : '0', authPrefix]);
      return done === 1;
    },

    async namespaceExists(namespace) {
      return (await redis.hexists(keys.namespace(namespace), 'uuid')) === 1;
    },

    async getLimits(namespace) {
      const json = await redis.get(keys.namespaceLimits(namespace));
      return json === null ? undefined : parseNamespaceLimits(json);
    },

    async updateLimits(namespace, limits) {
      // WATCH makes the read-merge-write one step: a concurrent change makes EXEC fail, and the merge is redone
      for (;;) {
        await redis.watch(keys.namespaceLimits(namespace));
        const json = await redis.get(keys.namespaceLimits(namespace));
        const merged: Record<string, unknown> = { ...parseNamespaceLimits(json), ...limits };
        for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
        const done = await redis.multi().set(keys.namespaceLimits(namespace), JSON.stringify(merged)).exec();
        if (done !== null) return { existed: json !== null, limits: merged as NamespaceLimitOverrides };
      }
    },

    async clearLimits(namespace) {
      return (await redis.del(keys.namespaceLimits(namespace))) === 1;
    },
  };
  return store;
}
