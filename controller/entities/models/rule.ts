// The rule entity (`E/WhiskRule.scala`, `CTL/Rules.scala`): a link from one trigger to one
// action. The rule document holds the names; whether it is active lives in the trigger's `rules` map, so the API
// JSON takes the status as an argument.
import { BadRequestError } from '../../../shared/errors.ts';
import { type EntityPath, readEntityPath } from './entity-path.ts';
import { type Parameter, readParameters, toParameterMap } from './parameters.ts';
import { entityHead, given, isObject, malformed, readPublish, readVersion } from './put-fields.ts';
import { bumpPatch } from './semver.ts';
import type { RuleStatus } from './trigger.ts';

export interface RuleDoc {
  revision: number;
  namespace: string;
  name: string;
  trigger: EntityPath;
  action: EntityPath;
  version: string;
  publish: boolean;
  annotations: Parameter[];
  updated: number;
}

export type RuleContent = Omit<RuleDoc, 'revision'>;

export interface RulePut {
  trigger?: EntityPath;
  action?: EntityPath;
  version?: string;
  publish?: boolean;
  annotations?: Parameter[];
}

const invalidNames = () => new BadRequestError('rule requires a valid trigger and a valid action');

/** Reads a PUT body; `trigger`/`action` are resolved against the rule's namespace. */
export function readRulePut(body: unknown, namespace: string): RulePut {
  if (!isObject(body)) throw malformed('JSON object expected');
  const put: RulePut = {};
  for (const field of ['trigger', 'action'] as const) {
    if (!given(body[field])) continue;
    const path = readEntityPath(body[field], namespace);
    if (!path) throw invalidNames();
    put[field] = path;
  }
  if (given(body.version)) put.version = readVersion(body.version);
  if (given(body.publish)) put.publish = readPublish(body.publish);
  if (given(body.annotations)) put.annotations = readParameters(body.annotations);
  return put;
}

/** A new rule; both names are required. */
export function makeRule(namespace: string, name: string, put: RulePut, updated: number): RuleContent {
  if (!put.trigger || !put.action) throw invalidNames();
  return {
    namespace,
    name,
    trigger: put.trigger,
    action: put.action,
    version: put.version ?? '0.0.1',
    publish: put.publish ?? false,
    annotations: [...toParameterMap(put.annotations ?? []).values()],
    updated,
  };
}

/** An update may re-point the trigger or the action; annotations are replaced when given. */
export function updateRule(old: RuleDoc, put: RulePut, updated: number): RuleContent {
  return {
    namespace: old.namespace,
    name: old.name,
    trigger: put.trigger ?? old.trigger,
    action: put.action ?? old.action,
    version: put.version ?? bumpPatch(old.version),
    publish: put.publish ?? old.publish,
    annotations: put.annotations ? [...toParameterMap(put.annotations).values()] : old.annotations,
    updated,
  };
}

/** The rule as a list item (no status; OpenWhisk's list view does not read the triggers). */
export function ruleSummary(doc: RuleDoc): Record<string, unknown> {
  return { ...entityHead(doc), trigger: doc.trigger, action: doc.action, updated: doc.updated };
}

/** The rule as GET/PUT/DELETE answer it. */
export function ruleJson(doc: RuleDoc, status: RuleStatus): Record<string, unknown> {
  const { trigger, action, updated, ...head } = ruleSummary(doc);
  return { ...head, status, trigger, action, updated };
}

/** The key of a rule in its trigger's `rules` map. */
export const ruleKey = (doc: Pick<RuleDoc, 'namespace' | 'name'>): string => `${doc.namespace}/${doc.name}`;

/** `"'x' is not a recognized rule state, must be one of ['active', 'inactive']"` */
export function readRuleStatus(body: unknown): RuleStatus {
  const status = isObject(body) ? body.status : undefined;
  if (status === 'active' || status === 'inactive') return status;
  const shown = typeof status === 'string' ? status : JSON.stringify(status ?? '');
  throw new BadRequestError(`'${shown}' is not a recognized rule state, must be one of ['active', 'inactive']`);
}
