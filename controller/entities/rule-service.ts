// Rule operations behind the REST API (`CTL/Rules.scala`). A rule document names a trigger and an action; the
// rule's status lives in the trigger's `rules` map, so every write here is a rule write plus a trigger edit:
//   create   check both ends exist → store the rule → link it in the trigger as active
//   update   store the rule → unlink from the old trigger when it moved → link in the (new) trigger, status kept
//   status   edit the trigger's entry (404 when the trigger is gone)
//   delete   delete the rule → unlink it (rules are deleted even while active)
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { Identity } from '../../shared/identity.ts';
import type { ActionService } from './action-service.ts';
import { type EntityPath, actionRefOf, fqnOf, rootOf } from './models/entity-path.ts';
import { entityStore, type ListOptions } from './entity-store.ts';
import { type RuleContent, type RuleDoc, makeRule, readRulePut, ruleKey, updateRule } from './models/rule.ts';
import type { RuleStatus } from './models/trigger.ts';
import type { TriggerService } from './trigger-service.ts';

export interface RuleWithStatus {
  rule: RuleDoc;
  status: RuleStatus;
}

export interface RuleService {
  put(identity: Identity, namespace: string, name: string, body: unknown, overwrite: boolean): Promise<RuleWithStatus>;
  get(namespace: string, name: string): Promise<RuleWithStatus>;
  setStatus(namespace: string, name: string, status: RuleStatus): Promise<void>;
  /** Deletes the rule and unlinks it; the answer shows it inactive. */
  remove(namespace: string, name: string): Promise<RuleDoc>;
  list(namespace: string, options: Omit<ListOptions, 'pkg'>): Promise<RuleDoc[]>;
  count(namespace: string, options: Omit<ListOptions, 'pkg' | 'limit'>): Promise<number>;
}

export function ruleService(redis: RedisClient, keys: RedisKeys, triggers: TriggerService, actions: ActionService): RuleService {
  const store = entityStore<RuleDoc>(redis, keys, 'rules');

  /** The caller must be able to read both ends: its own trigger, and an action it owns or a published package holds. */
  const checkReadable = async (identity: Identity, rule: RuleContent) => {
    if (rootOf(rule.trigger) !== identity.namespace) throw ForbiddenError.resource(fqnOf(rule.trigger));
    await actions.entitle(identity, actionRefOf(rule.action));
  };

  const checkExists = async (rule: RuleContent) => {
    if (!(await triggers.find(rootOf(rule.trigger), rule.trigger.name))) {
      throw new BadRequestError(`trigger /${fqnOf(rule.trigger)} does not exist`);
    }
    try {
      await actions.get(actionRefOf(rule.action));
    } catch (err) {
      if (err instanceof NotFoundError) throw new BadRequestError(`action /${fqnOf(rule.action)} does not exist`);
      throw err;
    }
  };

  const statusOf = async (rule: RuleDoc): Promise<RuleStatus> => {
    const trigger = await triggers.find(rootOf(rule.trigger), rule.trigger.name);
    return trigger?.rules?.[ruleKey(rule)]?.status ?? 'inactive';
  };

  const link = (rule: RuleDoc, status: RuleStatus) =>
    triggers.editRules(rootOf(rule.trigger), rule.trigger.name, (rules) => {
      rules[ruleKey(rule)] = { action: rule.action, status };
    });

  const unlink = (rule: RuleDoc, trigger: EntityPath) =>
    triggers.editRules(rootOf(trigger), trigger.name, (rules) => {
      delete rules[ruleKey(rule)];
    });

  const get = async (namespace: string, name: string) => {
    const rule = await store.get(namespace, name);
    if (!rule) throw new NotFoundError();
    return rule;
  };

  return {
    async put(identity, namespace, name, body, overwrite) {
      const put = readRulePut(body, namespace);
      const old = await store.get(namespace, name);
      if (old && !overwrite) throw ConflictError.exists();
      const now = Date.now();
      const content = old ? updateRule(old, put, Math.max(now, old.updated + 1)) : makeRule(namespace, name, put, now);
      await checkReadable(identity, content);
      await checkExists(content);
      const status = old ? await statusOf(old) : 'active';
      const rule = await store.put(namespace, name, content, old?.revision);
      if (old && fqnOf(old.trigger) !== fqnOf(rule.trigger)) await unlink(rule, old.trigger);
      await link(rule, status);
      return { rule, status };
    },

    async get(namespace, name) {
      const rule = await get(namespace, name);
      return { rule, status: await statusOf(rule) };
    },

    async setStatus(namespace, name, status) {
      const rule = await get(namespace, name);
      if (!(await link(rule, status))) throw new NotFoundError('Only rules with existing triggers can be activated');
    },

    async remove(namespace, name) {
      const rule = await store.delete(namespace, name);
      if (!rule) throw new NotFoundError();
      await unlink(rule, rule.trigger);
      return rule;
    },

    list: (namespace, options) => store.list(namespace, options),
    count: (namespace, options) => store.count(namespace, options),
  };
}
