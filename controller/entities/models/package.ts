// The package entity, plain package or binding (`E/WhiskPackage.scala`, `CTL/Packages.scala`): its stored
// document, how a PUT body is read and applied, and its API JSON. Pure functions; storage and the binding checks
// that need the store live in ../package-service.ts.
import { BadRequestError } from '../../../shared/errors.ts';
import type { ActionListing } from './action.ts';
import { checkEntityName } from '../../../shared/entity-names.ts';
import { type Parameter, parametersJson, readParameters, toParameterMap } from './parameters.ts';
import { entityHead, given, isObject, malformed, readPublish, readVersion } from './put-fields.ts';
import { bumpPatch } from './semver.ts';

/** The package a binding refers to. */
export interface PackageBinding {
  namespace: string;
  name: string;
}

/** A package as stored at `keys.entity(ns, 'packages', name)`; `revision` first, as the store requires. */
export interface PackageDoc {
  revision: number;
  /** The owning namespace (packages do not nest). */
  namespace: string;
  name: string;
  /** Present only for a binding. */
  binding?: PackageBinding;
  parameters: Parameter[];
  version: string;
  publish: boolean;
  annotations: Parameter[];
  updated: number;
}

export type PackageContent = Omit<PackageDoc, 'revision'>;

/** The PUT body (`WhiskPackagePut`); every field optional. `binding.namespace` may still be `_` here. */
export interface PackagePut {
  binding?: PackageBinding;
  parameters?: Parameter[];
  version?: string;
  publish?: boolean;
  annotations?: Parameter[];
}

/** The annotation the controller keeps in step with `binding` (clients listing packages read it). */
export const BINDING_ANNOTATION = 'binding';
/** An action annotated `feed` is listed among a package's feeds rather than its actions. */
const FEED_ANNOTATION = 'feed';

const RESERVED_NAMES: ReadonlySet<string> = new Set(['default']);

/** `default` names the implicit package of a namespace's loose actions → 400. */
export function checkPackageName(name: string): void {
  if (RESERVED_NAMES.has(name)) throw new BadRequestError(`Package name '${name}' is reserved.`);
}

export const isBinding = (doc: Pick<PackageDoc, 'binding'>): doc is PackageDoc & { binding: PackageBinding } => doc.binding !== undefined;

export const bindingFqn = (b: PackageBinding): string => `${b.namespace}/${b.name}`;

function readBindingName(value: unknown, field: string): string {
  if (value === undefined) throw malformed(`Object is missing required member '${field}'`);
  if (typeof value !== 'string') throw malformed('entity name malformed');
  try {
    return checkEntityName(value);
  } catch (err) {
    throw malformed((err as Error).message);
  }
}

/** `binding`: `{}` means none (OpenWhisk's own serialisation of a plain package), else `{namespace, name}`. */
function readBinding(value: unknown): PackageBinding | undefined {
  if (!isObject(value)) throw malformed('JSON object expected');
  if (Object.keys(value).length === 0) return undefined;
  return { namespace: readBindingName(value.namespace, 'namespace'), name: readBindingName(value.name, 'name') };
}

/** Reads and shape-checks a PUT body; `_` as the binding's namespace becomes `namespace`. */
export function readPackagePut(body: unknown, namespace: string): PackagePut {
  if (!isObject(body)) throw malformed('JSON object expected');
  const put: PackagePut = {};
  if (given(body.binding)) {
    const binding = readBinding(body.binding);
    if (binding) put.binding = binding.namespace === '_' ? { namespace, name: binding.name } : binding;
  }
  if (given(body.parameters)) put.parameters = readParameters(body.parameters);
  if (given(body.version)) put.version = readVersion(body.version);
  if (given(body.publish)) put.publish = readPublish(body.publish);
  if (given(body.annotations)) put.annotations = readParameters(body.annotations);
  return put;
}


/** Client annotations without `binding`, then the server's `binding` annotation for a binding. */
function withBindingAnnotation(annotations: readonly Parameter[], binding: PackageBinding | undefined): Parameter[] {
  const out = toParameterMap(annotations);
  out.delete(BINDING_ANNOTATION);
  if (binding) out.set(BINDING_ANNOTATION, { key: BINDING_ANNOTATION, value: { namespace: binding.namespace, name: binding.name } });
  return [...out.values()];
}

/** A new package or binding from a PUT. */
export function makePackage(namespace: string, name: string, put: PackagePut, updated: number): PackageContent {
  const content: PackageContent = {
    namespace,
    name,
    parameters: put.parameters ?? [],
    version: put.version ?? '0.0.1',
    publish: put.publish ?? false,
    annotations: withBindingAnnotation(put.annotations ?? [], put.binding),
    updated,
  };
  if (put.binding) content.binding = put.binding;
  return content;
}

/**
 * An update: each field given replaces the old one (annotations too: unlike actions, packages do not merge
 * them), the version is the given one or the old one's patch + 1, and a binding keeps its target unless a new one
 * is given. Whether a binding may be given at all is the service's check.
 */
export function updatePackage(old: PackageDoc, put: PackagePut, updated: number): PackageContent {
  const binding = put.binding ?? old.binding;
  const content: PackageContent = {
    namespace: old.namespace,
    name: old.name,
    parameters: put.parameters ?? old.parameters,
    version: put.version ?? bumpPatch(old.version),
    publish: put.publish ?? old.publish,
    annotations: withBindingAnnotation(put.annotations ?? old.annotations, binding),
    updated,
  };
  if (binding) content.binding = binding;
  return content;
}

/** `base` overlaid by `over` (keys of `over` win), as OpenWhisk's `Parameters ++`. */
export function overlayParameters(base: readonly Parameter[], over: readonly Parameter[]): Parameter[] {
  return [...toParameterMap([...base, ...over]).values()];
}

/** The package as `PUT`/`DELETE` answer it; a plain package has `"binding": {}`. */
export function packageJson(doc: PackageContent): Record<string, unknown> {
  return {
    namespace: doc.namespace,
    name: doc.name,
    binding: doc.binding ? { namespace: doc.binding.namespace, name: doc.binding.name } : {},
    parameters: parametersJson(doc.parameters),
    version: doc.version,
    publish: doc.publish,
    annotations: parametersJson(doc.annotations),
    updated: doc.updated,
  };
}

/** `GET`'s answer: the package plus its actions, split into `actions` and `feeds` by the `feed` annotation. */
export function packageWithActionsJson(doc: PackageContent, actions: readonly ActionListing[]): Record<string, unknown> {
  const item = (a: ActionListing) => ({ name: a.name, version: a.version, annotations: parametersJson(a.annotations) });
  const isFeed = (a: ActionListing) => a.annotations.some((p) => p.key === FEED_ANNOTATION);
  return {
    ...packageJson(doc),
    actions: actions.filter((a) => !isFeed(a)).map(item),
    feeds: actions.filter(isFeed).map(item),
  };
}

/** A package as listings read it (entity-store's list form): no parameters. */
export type PackageListing = Omit<PackageContent, 'parameters'>;

export function packageListing(doc: PackageContent): PackageListing {
  const { parameters: _parameters, ...rest } = doc;
  return rest;
}

/** A list item (OpenWhisk's `packages` view): `binding` is `false` for a plain package. */
export function packageSummary(doc: PackageListing): Record<string, unknown> {
  return {
    ...entityHead(doc),
    binding: doc.binding ? { namespace: doc.binding.namespace, name: doc.binding.name } : false,
    updated: doc.updated,
  };
}
