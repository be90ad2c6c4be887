// Trigger operations behind the REST API (`CTL/Triggers.scala`): create/update, get, delete, list, and the edits
// rules make to a trigger's `rules` map. Every write is compare-and-set on the stored revision; an edit of the
// rules map re-reads and retries when a concurrent write got there first.
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import { ConflictError, NotFoundError } from '../../shared/errors.ts';
import type { Identity } from '../../shared/identity.ts';
import { entityStore, type EntityStore, type ListOptions } from './entity-store.ts';
import { type SystemLimits, effectiveLimits } from './models/limits.ts';
import { checkParameterSizes } from './models/put-fields.ts';
import { type ReducedRule, type TriggerDoc, type TriggerListing, makeTrigger, triggerListing, readTriggerPut, updateTrigger } from './models/trigger.ts';

export interface TriggerService {
  readonly store: EntityStore<TriggerDoc, TriggerListing>;
  put(identity: Identity, namespace: string, name: string, body: unknown, overwrite: boolean): Promise<TriggerDoc>;
  /** 404 when missing. */
  get(namespace: string, name: string): Promise<TriggerDoc>;
  find(namespace: string, name: string): Promise<TriggerDoc | undefined>;
  /** Deletes and returns the trigger (its rules stay); 404 when missing. */
  remove(namespace: string, name: string): Promise<TriggerDoc>;
  /** List forms only: no parameters, no rules. */
  list(namespace: string, options: Omit<ListOptions, 'pkg'>): Promise<TriggerListing[]>;
  count(namespace: string, options: Omit<ListOptions, 'pkg' | 'limit'>): Promise<number>;
  /**
   * Applies `edit` to the trigger's rules map (set or delete entries) and stores it; retried on concurrent
   * modification. Returns false when the trigger does not exist.
   */
  editRules(namespace: string, name: string, edit: (rules: Record<string, ReducedRule>) => void): Promise<boolean>;
}

const MAX_EDIT_ATTEMPTS = 10;

export function triggerService(redis: RedisClient, keys: RedisKeys, system: SystemLimits): TriggerService {
  const store = entityStore<TriggerDoc, TriggerListing>(redis, keys, 'triggers', triggerListing);

  return {
    store,

    async put(identity, namespace, name, body, overwrite) {
      const put = readTriggerPut(body, namespace);
      checkParameterSizes(put, effectiveLimits(system, identity.limits));
      const old = await store.get(namespace, name);
      if (old && !overwrite) throw ConflictError.exists();
      const now = Date.now();
      const content = old ? updateTrigger(old, put, Math.max(now, old.updated + 1)) : makeTrigger(namespace, name, put, now);
      return store.put(namespace, name, content, old?.revision);
    },

    async get(namespace, name) {
      const doc = await store.get(namespace, name);
      if (!doc) throw new NotFoundError();
      return doc;
    },

    find: (namespace, name) => store.get(namespace, name),

    async remove(namespace, name) {
      const doc = await store.delete(namespace, name);
      if (!doc) throw new NotFoundError();
      return doc;
    },

    list: (namespace, options) => store.listed(namespace, options),
    count: (namespace, options) => store.count(namespace, options),

    async editRules(namespace, name, edit) {
      for (let attempt = 1; ; attempt++) {
        const doc = await store.get(namespace, name);
        if (!doc) return false;
        const rules = { ...doc.rules };
        edit(rules);
        const { revision, ...content } = doc;
        try {
          await store.put(namespace, name, { ...content, rules }, revision);
          return true;
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= MAX_EDIT_ATTEMPTS) throw err;
        }
      }
    },
  };
}
