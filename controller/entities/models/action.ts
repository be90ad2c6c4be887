// The action entity: its stored document, how a PUT body is read, checked and merged into it, and its API JSON
// (`E/WhiskAction.scala`, `E/Exec.scala`, `CTL/Actions.scala`). Pure functions; storage lives in ../action-service.ts.
import { BadRequestError, TooLargeError } from '../../../shared/errors.ts';
import { given, isObject, malformed, readPublish, readVersion } from './put-fields.ts';
import {
  type ActionLimits,
  type ActionLimitsInput,
  type SystemLimits,
  type EffectiveLimits,
  defaultActionLimits,
  mergeActionLimits,
} from './limits.ts';
import { resolveRuntime, unsupportedRuntimeMessage } from './runtimes.ts';
import {
  type Parameter,
  type ParameterMap,
  parametersJson,
  parametersSize,
  readParameters,
  toParameterMap,
} from './parameters.ts';
import { bumpPatch } from './semver.ts';
import type { ActionDoc, ActionExec } from '../../../shared/action-doc.ts';
import { SIGNATURE_ANNOTATION, signatureOf } from '../../../shared/signatures.ts';

export type { ActionDoc, ActionExec };

export const SEQUENCE_KIND = 'sequence';

export const isSequence = (exec: ActionExec): boolean => exec.kind === SEQUENCE_KIND;

/** Where an action lives: its root namespace, and its package when it is in one. */
export interface ActionRef {
  namespace: string;
  pkg?: string;
  name: string;
}

/** The store path of an action: `name` or `pkg/name`. */
export const actionPath = (ref: ActionRef): string => (ref.pkg === undefined ? ref.name : `${ref.pkg}/${ref.name}`);

/** The fully qualified name (`ns/name`, `ns/pkg/name`). */
export const actionFqn = (ref: ActionRef): string => `${ref.namespace}/${actionPath(ref)}`;

/** A sequence stores its components as its only parameter, `_actions` (OpenWhisk's layout). */
export const SEQUENCE_PARAMETER = '_actions';

export type ActionContent = Omit<ActionDoc, 'revision'>;

/** The PUT body (`WhiskActionPut`); every field optional. `namespace` and `name` in a body are ignored. */
export interface ActionPut {
  exec?: ActionExec;
  parameters?: Parameter[];
  limits?: ActionLimitsInput;
  version?: string;
  publish?: boolean;
  annotations?: Parameter[];
  delAnnotations?: string[];
}


/** OpenWhisk's test for base64 code (`Exec.isBinaryCode`). */
const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)$/;
export function isBinaryCode(code: string): boolean {
  const t = code.trim();
  return t.length > 0 && t.length % 4 === 0 && BASE64.test(t);
}

/**
 * `{kind: "sequence", components: ["/ns/a", "/ns/pkg/b"]}`; names are checked against the store by
 * ../sequence-components.ts.
 */
function readSequenceExec(value: Record<string, unknown>): ActionExec {
  const components = value.components;
  if (!Array.isArray(components) || !components.every((c) => typeof c === 'string')) {
    throw malformed("'components' must be an array of fully qualified action names for 'sequence' actions");
  }
  return { kind: SEQUENCE_KIND, code: '', binary: false, components: components as string[] };
}

function readExec(value: unknown): ActionExec {
  if (!isObject(value)) throw malformed('JSON object expected');
  if (typeof value.kind !== 'string') throw malformed("'kind' must be a string defined in 'exec'");
  const kind = value.kind.trim().toLowerCase();
  if (kind === SEQUENCE_KIND) return readSequenceExec(value);
  const runtime = resolveRuntime(kind);
  if (!runtime) throw malformed(unsupportedRuntimeMessage(kind));
  const main = value.main;
  if (main !== undefined && typeof main !== 'string') {
    throw malformed(`if defined, 'main' be a string in 'exec' for '${kind}' actions`);
  }
  const code = value.code;
  if (typeof code !== 'string') {
    throw malformed(`'code' must be a string or attachment object defined in 'exec' for '${kind}' actions`);
  }
  // `exec.binary` from the request is ignored for string code: OpenWhisk detects it
  const exec: ActionExec = { kind: runtime.kind, code, binary: isBinaryCode(code) };
  if (main !== undefined) exec.main = main;
  return exec;
}

const LIMIT_NAMES: Record<keyof ActionLimits, string> = {
  timeout: 'time limit',
  memory: 'memory limit',
  logs: 'log limit',
  concurrency: 'intra concurrency limit',
  instances: 'instance concurrency limit',
};
const LIMIT_MALFORMED: Record<keyof ActionLimits, string> = {
  timeout: 'time limit malformed',
  memory: 'memory limit malformed',
  logs: 'log limit malformed',
  concurrency: 'concurrency limit malformed',
  instances: 'instance concurrency limit malformed',
};

function readLimits(value: unknown): ActionLimitsInput {
  if (!isObject(value)) throw malformed("Object expected in field 'limits'");
  const out: ActionLimitsInput = {};
  for (const field of Object.keys(LIMIT_NAMES) as (keyof ActionLimits)[]) {
    const v = value[field];
    if (!given(v)) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(LIMIT_MALFORMED[field]);
    if (!Number.isInteger(v)) throw malformed(`${LIMIT_NAMES[field]} must be whole number`);
    out[field] = v;
  }
  return out;
}

/** Reads and shape-checks a PUT body; throws 400 "The request content was malformed:\n..." like OpenWhisk. */
export function readActionPut(body: unknown): ActionPut {
  if (!isObject(body)) throw malformed('JSON object expected');
  const put: ActionPut = {};
  if (given(body.exec)) put.exec = readExec(body.exec);
  if (given(body.parameters)) put.parameters = readParameters(body.parameters);
  if (given(body.limits)) put.limits = readLimits(body.limits);
  if (given(body.version)) put.version = readVersion(body.version);
  if (given(body.publish)) put.publish = readPublish(body.publish);
  if (given(body.annotations)) put.annotations = readParameters(body.annotations);
  if (given(body.delAnnotations)) {
    const del = body.delAnnotations;
    if (!Array.isArray(del)) throw malformed(`Expected Array as JsArray, but got ${JSON.stringify(del)}`);
    for (const d of del) {
      if (typeof d !== 'string') throw malformed(`Expected String as JsString, but got ${JSON.stringify(d)}`);
    }
    put.delAnnotations = del as string[];
  }
  return put;
}

/** The size checks OpenWhisk applies to every PUT (`LimitedWhiskEntityPut`): 413 on the first field too large. */
export function checkPutSizes(put: ActionPut, system: SystemLimits, limits: EffectiveLimits): void {
  if (put.exec) {
    const size = Buffer.byteLength(put.exec.code) + Buffer.byteLength(put.exec.main ?? '');
    if (size > system.maxExecSize) throw TooLargeError.field('exec', size, system.maxExecSize);
  }
  if (put.parameters) {
    const size = parametersSize(put.parameters);
    if (size > limits.maxParameterSize) throw TooLargeError.field('parameters', size, limits.maxParameterSize);
  }
  if (put.annotations) {
    const size = parametersSize(put.annotations);
    if (size > limits.maxParameterSize) throw TooLargeError.field('annotations', size, limits.maxParameterSize);
  }
}

export const EXEC_ANNOTATION = 'exec';
export const PROVIDE_API_KEY_ANNOTATION = 'provide-api-key';
export const FINAL_ANNOTATION = 'final';
/** A truthy `conductor` annotation makes the action steer a composition (`PrimitiveActions.scala`). */
export const CONDUCTOR_ANNOTATION = 'conductor';

/**
 * Server annotations (`WhiskActionsApi.amendAnnotations`): `exec` = kind, always (overwriting); on create only,
 * `provide-api-key: false` unless the caller set it.
 */
export function amendAnnotations(annotations: ParameterMap, kind: string, create: boolean): ParameterMap {
  const out = new Map(annotations);
  if (create && !out.has(PROVIDE_API_KEY_ANNOTATION)) out.set(PROVIDE_API_KEY_ANNOTATION, { key: PROVIDE_API_KEY_ANNOTATION, value: false });
  out.set(EXEC_ANNOTATION, { key: EXEC_ANNOTATION, value: kind });
  return out;
}

/** The `signature` annotation must name a known platform (docs/signatures.md): 400 listing the known ones. */
export function checkSignature(annotations: readonly Parameter[]): void {
  const annotation = annotations.find((p) => p.key === SIGNATURE_ANNOTATION);
  if (annotation === undefined) return;
  try {
    signatureOf(annotation.value);
  } catch (error) {
    throw new BadRequestError((error as Error).message);
  }
}

/** A sequence's parameters are its components; other actions keep the ones given. */
function parametersFor(exec: ActionExec, given: Parameter[]): Parameter[] {
  if (isSequence(exec)) return [{ key: SEQUENCE_PARAMETER, value: exec.components ?? [] }];
  return [...toParameterMap(given).values()];
}

/** A new action from a PUT (`makeWhiskAction`); `exec` is required. */
export function makeAction(
  namespace: string,
  name: string,
  put: ActionPut,
  system: SystemLimits,
  updated: number,
): ActionContent {
  if (!put.exec) throw new BadRequestError('exec undefined');
  const annotations = amendAnnotations(toParameterMap(put.annotations ?? []), put.exec.kind, true);
  return {
    namespace,
    name,
    exec: put.exec,
    parameters: parametersFor(put.exec, put.parameters ?? []),
    limits: mergeActionLimits(defaultActionLimits(system), put.limits),
    version: put.version ?? '0.0.1',
    publish: put.publish ?? false,
    annotations: [...annotations.values()],
    updated,
  };
}

/**
 * An update (`updateWhiskAction`): exec kept if absent, limits merged per field, parameters replaced when
 * given, annotations merged old ++ new after removing `delAnnotations`, version given or old one's patch + 1.
 */
export function updateAction(old: ActionDoc, put: ActionPut, updated: number): ActionContent {
  const exec = put.exec ?? old.exec;
  let annotations = toParameterMap(old.annotations);
  for (const key of put.delAnnotations ?? []) annotations.delete(key);
  for (const [key, p] of toParameterMap(put.annotations ?? [])) annotations.set(key, p);
  annotations = amendAnnotations(annotations, exec.kind, false);
  return {
    namespace: old.namespace,
    name: old.name,
    exec,
    parameters: put.exec || put.parameters ? parametersFor(exec, put.parameters ?? old.parameters) : old.parameters,
    limits: mergeActionLimits(old.limits, put.limits),
    version: put.version ?? bumpPatch(old.version),
    publish: put.publish ?? old.publish,
    annotations: [...annotations.values()],
    updated,
  };
}

function execJson(exec: ActionExec, withCode: boolean): Record<string, unknown> {
  if (isSequence(exec)) return { kind: exec.kind, components: exec.components ?? [] };
  const out: Record<string, unknown> = { kind: exec.kind };
  if (withCode) out.code = exec.code;
  out.binary = exec.binary;
  if (exec.main !== undefined) out.main = exec.main;
  return out;
}

/** The action as `GET`/`PUT`/`DELETE` answer it (`WhiskAction.scala` toJson); `code=false` drops `exec.code`. */
export function actionJson(doc: ActionDoc, withCode = true): Record<string, unknown> {
  return {
    namespace: doc.namespace,
    name: doc.name,
    exec: execJson(doc.exec, withCode),
    parameters: parametersJson(doc.parameters),
    limits: doc.limits,
    version: doc.version,
    publish: doc.publish,
    annotations: parametersJson(doc.annotations),
    updated: doc.updated,
  };
}

/** An action as listings read it (entity-store's list form): no code, no parameters. */
export type ActionListing = Omit<ActionContent, 'exec' | 'parameters'> & { exec: Pick<ActionExec, 'kind' | 'binary'> };

export function actionListing(doc: ActionContent): ActionListing {
  const { exec, parameters: _parameters, ...rest } = doc;
  return { ...rest, exec: { kind: exec.kind, binary: exec.binary } };
}

/** A list item (OpenWhisk's `actions` view). */
export function actionSummary(doc: ActionListing): Record<string, unknown> {
  return {
    namespace: doc.namespace,
    name: doc.name,
    version: doc.version,
    publish: doc.publish,
    annotations: parametersJson(doc.annotations),
    limits: doc.limits,
    exec: { binary: doc.exec.binary },
    updated: doc.updated,
  };
}
