// The trigger entity (`E/WhiskTrigger.scala`, `CTL/Triggers.scala`): its stored document,
// how a PUT body is read and applied, and its API JSON. Pure functions; storage lives in ../trigger-service.ts.
//
// A trigger also holds the state of the rules that fire from it: `rules` maps `ns/rule` to the rule's action and
// status. That is OpenWhisk's layout, and it makes a fire one read.
import { BadRequestError } from '../../../shared/errors.ts';
import { readEntityPath, type EntityPath } from './entity-path.ts';
import { type Parameter, getParameter, parametersJson, readParameters, toParameterMap } from './parameters.ts';
import { entityHead, given, isObject, malformed, readPublish, readVersion } from './put-fields.ts';
import { bumpPatch } from './semver.ts';

export type RuleStatus = 'active' | 'inactive';

/** A rule as the trigger sees it (`ReducedRule`). */
export interface ReducedRule {
  action: EntityPath;
  status: RuleStatus;
}

export interface TriggerDoc {
  revision: number;
  namespace: string;
  name: string;
  parameters: Parameter[];
  annotations: Parameter[];
  version: string;
  publish: boolean;
  /** `ns/rule` → the rule's action and status; absent until a rule is linked. */
  rules?: Record<string, ReducedRule>;
  updated: number;
}

export type TriggerContent = Omit<TriggerDoc, 'revision'>;

export interface TriggerPut {
  parameters?: Parameter[];
  annotations?: Parameter[];
  version?: string;
  publish?: boolean;
}

export const FEED_ANNOTATION = 'feed';

/** Reads a PUT body (`WhiskTriggerPut`); `limits` must be an object when given and has no fields. */
export function readTriggerPut(body: unknown, namespace: string): TriggerPut {
  if (!isObject(body)) throw malformed('JSON object expected');
  const put: TriggerPut = {};
  if (given(body.parameters)) put.parameters = readParameters(body.parameters);
  if (given(body.annotations)) put.annotations = readParameters(body.annotations);
  if (given(body.limits) && !isObject(body.limits)) throw malformed("Object expected in field 'limits'");
  if (given(body.version)) put.version = readVersion(body.version);
  if (given(body.publish)) put.publish = readPublish(body.publish);
  const feed = put.annotations && getParameter(put.annotations, FEED_ANNOTATION);
  if (given(feed) && !readEntityPath(feed, namespace)) throw new BadRequestError('Feed name is not valid');
  return put;
}

export function makeTrigger(namespace: string, name: string, put: TriggerPut, updated: number): TriggerContent {
  return {
    namespace,
    name,
    parameters: [...toParameterMap(put.parameters ?? []).values()],
    annotations: [...toParameterMap(put.annotations ?? []).values()],
    version: put.version ?? '0.0.1',
    publish: put.publish ?? false,
    updated,
  };
}

/** An update replaces parameters and annotations wholesale when given, bumps the version and keeps the rules. */
export function updateTrigger(old: TriggerDoc, put: TriggerPut, updated: number): TriggerContent {
  const { revision: _revision, ...rest } = old;
  return {
    ...rest,
    parameters: put.parameters ? [...toParameterMap(put.parameters).values()] : old.parameters,
    annotations: put.annotations ? [...toParameterMap(put.annotations).values()] : old.annotations,
    version: put.version ?? bumpPatch(old.version),
    publish: put.publish ?? old.publish,
    updated,
  };
}

/** The trigger as GET/PUT/DELETE answer it, `rules` included when there are any. */
export function triggerJson(doc: TriggerDoc): Record<string, unknown> {
  const out: Record<string, unknown> = {
    namespace: doc.namespace,
    name: doc.name,
    version: doc.version,
    publish: doc.publish,
    parameters: parametersJson(doc.parameters),
    annotations: parametersJson(doc.annotations),
    limits: {},
  };
  if (doc.rules) out.rules = doc.rules;
  out.updated = doc.updated;
  return out;
}

/** A trigger as listings read it (entity-store's list form): no parameters, no rules. */
export type TriggerListing = Omit<TriggerContent, 'parameters' | 'rules'>;

export function triggerListing(doc: TriggerContent): TriggerListing {
  const { parameters: _parameters, rules: _rules, ...rest } = doc;
  return rest;
}

/** A list item. */
export function triggerSummary(doc: TriggerListing): Record<string, unknown> {
  return { ...entityHead(doc), updated: doc.updated };
}
