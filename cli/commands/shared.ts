// Helpers the entity command groups share: collection paths, list fetching, field filters and the
// blocking action invoke that trigger feeds use.
import type { Context } from '../lib/context.ts';
import { apiErrorOf, encodePath } from '../lib/http.ts';
import { checkArgs, httpExitCode, WskError, wrap } from '../lib/errors.ts';
import { displayNamespace, parseQualifiedName, type QualifiedName } from '../lib/names.ts';
import type { Shape } from '../lib/output.ts';
import type { Entity } from '../lib/render.ts';

export type Collection = 'actions' | 'triggers' | 'rules' | 'packages';

export const entityPath = (collection: Collection, qn: QualifiedName): string =>
  `namespaces/${encodeURIComponent(qn.namespace)}/${collection}/${encodePath(qn.entityName)}`;

export async function listCollection(ctx: Context, collection: Collection, namespace: string, skip: number, limit: number): Promise<Entity[]> {
  const list = await ctx.client().call('GET', `namespaces/${encodeURIComponent(namespace)}/${collection}`, { query: { limit, skip } });
  return Array.isArray(list) ? (list as Entity[]) : [];
}

/** `list [NAMESPACE]`: the namespace to list; an entity name instead is wsk's usage error. */
export function namespaceArg(ctx: Context, args: string[]): string {
  checkArgs(args, 0, 1, 'An optional namespace is the only valid argument.');
  if (args.length === 0) return ctx.config.namespace;
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  if (qn.entityName !== '') {
    throw new WskError(`An entity name, '${qn.entityName}', was provided instead of a namespace. Valid namespaces are of the following format: /NAMESPACE.`, { usage: true });
  }
  return qn.namespace;
}

export const listFailure = (what: string, namespace: string, err: unknown): WskError =>
  wrap(`Unable to obtain the list of ${what} for namespace '${displayNamespace(namespace)}'`, err);

/** A FIELD_FILTER argument: one of the entity's fields, any case. */
export function checkField(field: string | undefined, fields: readonly string[]): void {
  if (field !== undefined && !fields.includes(field.toLowerCase())) throw new WskError(`Invalid field filter '${field}'.`);
}

/** Prints `ok: got <what> <name>[, displaying field <f>]` and the entity (or the field's value). */
export function printGot(ctx: Context, what: string, name: string, entity: Entity, shape: Shape, field?: string): void {
  const out = ctx.out;
  if (field === undefined) {
    out.ok(`got ${what} ${out.bold(name)}`);
    out.json(entity, shape);
    return;
  }
  out.ok(`got ${what} ${out.bold(name)}, displaying field ${out.bold(field)}`);
  const key = Object.keys(entity).find((k) => k.toLowerCase() === field.toLowerCase());
  out.json(key === undefined ? null : entity[key], shape.children?.[key ?? '']);
}

/**
 * A blocking invoke of a feed action, printed as wsk's `printInvocationMsg`: `ok: invoked /ns/feed with id X`
 * and the activation on success; the failed activation on stderr (and an error) otherwise.
 */
export async function invokeFeed(ctx: Context, feed: QualifiedName, params: Record<string, unknown>): Promise<void> {
  const out = ctx.out;
  const result = await ctx.client().send('POST', entityPath('actions', feed), { query: { blocking: true, result: false }, body: params });
  const id = (result.json as { activationId?: string } | undefined)?.activationId ?? result.headers['x-openwhisk-activation-id'] ?? '';
  if (result.status === 200) {
    out.ok(`invoked /${out.bold(feed.namespace)}/${out.bold(feed.entityName)} with id ${out.bold(id)}`);
    out.json(result.json);
    return;
  }
  if (result.status === 502 && typeof result.json === 'object' && result.json !== null && !('code' in result.json)) {
    out.json(result.json, undefined, true);
    throw new WskError('The feed action failed', { exitCode: httpExitCode(result.status) });
  }
  if (result.status === 202) throw new WskError(`Request accepted, but processing not completed yet. (activation ${id})`, { exitCode: httpExitCode(202) });
  throw apiErrorOf(result);
}
