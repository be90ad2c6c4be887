// `wsk package create|update|bind|get|delete|list` (openwhisk-cli commands/package.go).
import type { Command } from 'commander';
import { listOptions, run, subcommand, withParams } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { checkArgs, WskError, wrap } from '../lib/errors.ts';
import { parseQualifiedName } from '../lib/names.ts';
import { PACKAGE_SHAPE } from '../lib/output.ts';
import { mergeJsonObjects, toKeyValues } from '../lib/params.ts';
import { printPackageList, printPackageSummary, type Entity } from '../lib/render.ts';
import { checkField, entityPath, listCollection, listFailure, namespaceArg, printGot } from './shared.ts';

const PACKAGE_FIELDS = ['namespace', 'name', 'version', 'publish', 'annotations', 'parameters', 'binding', 'actions', 'feeds', 'updated'];

/** `--shared yes|no`: the package's `publish` flag; absent leaves it as it is. */
function parseShared(shared: string | undefined): boolean | undefined {
  if (shared === undefined || shared === '') return undefined;
  if (shared.toLowerCase() === 'yes') return true;
  if (shared.toLowerCase() === 'no') return false;
  throw new WskError(`Cannot use value '${shared}' for shared.`, { usage: true });
}

/** Parameters and annotations from the command line; empty ones are left out (wsk's omitempty). */
function keyValues(ctx: Context): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const parameters = mergeJsonObjects(ctx.args.params, 'parameter');
  const annotations = mergeJsonObjects(ctx.args.annotations, 'annotation');
  if (Object.keys(annotations).length > 0) body.annotations = toKeyValues(annotations);
  if (Object.keys(parameters).length > 0) body.parameters = toKeyValues(parameters);
  return body;
}

async function createOrUpdate(ctx: Context, args: string[], update: boolean): Promise<void> {
  checkArgs(args, 1, 1, 'A package name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const shared = parseShared((ctx.opts as { shared?: string }).shared);
  const body: Record<string, unknown> = { namespace: qn.namespace, name: qn.entityName, ...keyValues(ctx) };
  if (shared !== undefined) body.publish = shared;
  try {
    await ctx.client().call('PUT', entityPath('packages', qn), { query: { overwrite: update }, body });
  } catch (err) {
    throw update ? wrap('Package update failed', err) : wrap(`Unable to create package '${qn.entityName}'`, err);
  }
  ctx.out.ok(`${update ? 'updated' : 'created'} package ${ctx.out.bold(qn.entityName)}`);
}

async function bind(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 2, 2, 'A package name and binding name are required.');
  const target = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const binding = parseQualifiedName(args[1] ?? '', ctx.config.namespace);
  const body = { ...keyValues(ctx), binding: { namespace: target.namespace, name: target.entityName } };
  try {
    await ctx.client().call('PUT', entityPath('packages', binding), { query: { overwrite: (ctx.opts as { overwrite?: boolean }).overwrite === true }, body });
  } catch (err) {
    throw wrap('Binding creation failed', err);
  }
  ctx.out.ok(`created binding ${ctx.out.bold(args[1] ?? '')}`);
}

async function get(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { summary?: boolean };
  checkArgs(args, 1, 2, 'A package name is required.');
  const field = args[1];
  checkField(field, PACKAGE_FIELDS);
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  let pkg: Entity;
  try {
    pkg = (await ctx.client().call('GET', entityPath('packages', qn))) as Entity;
  } catch (err) {
    throw wrap(`Unable to get package '${qn.entityName}'`, err);
  }
  if (flags.summary) printPackageSummary(ctx.out, pkg);
  else printGot(ctx, 'package', qn.entityName, pkg, PACKAGE_SHAPE, field);
}

async function remove(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'A package name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  try {
    await ctx.client().call('DELETE', entityPath('packages', qn));
  } catch (err) {
    throw wrap(`Unable to delete package '${qn.entityName}'`, err);
  }
  ctx.out.ok(`deleted package ${ctx.out.bold(qn.entityName)}`);
}

async function list(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { skip: number; limit: number; nameSort?: boolean };
  const namespace = namespaceArg(ctx, args);
  let packages: Entity[];
  try {
    packages = await listCollection(ctx, 'packages', namespace, flags.skip, flags.limit);
  } catch (err) {
    throw listFailure('packages', namespace, err);
  }
  printPackageList(ctx.out, packages, flags.nameSort === true);
}

export function registerPackage(program: Command, cli: Cli): void {
  const pkg = program.command('package').description('work with packages');

  const bindCmd = subcommand(pkg, 'bind', 'PACKAGE_NAME BOUND_PACKAGE_NAME', 'bind parameters to a package');
  withParams(bindCmd, { annotation: true, param: true });
  bindCmd.option('-o, --overwrite', 'overwrite bind');
  run(cli, bindCmd, bind);

  for (const update of [false, true]) {
    const cmd = update
      ? subcommand(pkg, 'update', 'PACKAGE_NAME', 'update an existing package, or create a package if it does not exist')
      : subcommand(pkg, 'create', 'PACKAGE_NAME', 'create a new package');
    withParams(cmd, { annotation: true, param: true });
    cmd.option('--shared <SCOPE>', 'package visibility SCOPE; yes = shared, no = private');
    run(cli, cmd, (ctx, args) => createOrUpdate(ctx, args, update));
  }

  const getCmd = subcommand(pkg, 'get', 'PACKAGE_NAME [FIELD_FILTER]', 'get package');
  getCmd.option('-s, --summary', 'summarize package details; parameters with prefix "*" are bound');
  run(cli, getCmd, get);

  run(cli, subcommand(pkg, 'delete', 'PACKAGE_NAME', 'delete package'), remove);

  const listCmd = subcommand(pkg, 'list', '[NAMESPACE]', 'list all packages');
  listOptions(listCmd, 'packages');
  run(cli, listCmd, list);
}
