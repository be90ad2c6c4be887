// `wsk namespace list|get` and `wsk list` (openwhisk-cli commands/namespace.go, wsk.go). `namespace get` and
// `list` show every entity collection; one collection failing (e.g. a route the server lacks) does not hide the
// others: what worked is printed, the failures follow on stderr, and the exit code is the first failure's.
import type { Command } from 'commander';
import { run, subcommand } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { checkArgs, WskError, wrap } from '../lib/errors.ts';
import { displayNamespace } from '../lib/names.ts';
import { printActionList, printNamespaceList, printPackageList, printRuleList, printTriggerList, type Entity } from '../lib/render.ts';
import { withStatus } from './rule.ts';
import { listCollection } from './shared.ts';

/** The caller's namespaces; the API lists names (wsk's client also accepts `{name}` objects). */
export async function namespaceNames(ctx: Context): Promise<string[]> {
  const list = await ctx.client().call('GET', 'namespaces');
  if (!Array.isArray(list)) return [];
  return list.map((n: unknown) => (typeof n === 'string' ? n : String((n as { name?: unknown })?.name ?? '')));
}

async function listNamespaces(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 0, 0, 'No arguments are required.');
  let names: string[];
  try {
    names = await namespaceNames(ctx);
  } catch (err) {
    throw wrap('Unable to obtain the list of available namespaces', err);
  }
  printNamespaceList(ctx.out, names);
}

async function entities(ctx: Context, args: string[]): Promise<void> {
  if (!(args.length === 1 && args[0] === '/_')) checkArgs(args, 0, 0, 'No arguments are required.');
  const sortByName = (ctx.opts as { nameSort?: boolean }).nameSort === true;
  const namespace = ctx.config.namespace;
  const settle = <T>(p: Promise<T>) => p.then((value) => ({ value }), (error: unknown) => ({ error }));
  // limit 0 asks the API for its maximum (200) of each collection, as wsk does
  const [packages, actions, triggers, rules] = await Promise.all([
    settle(listCollection(ctx, 'packages', namespace, 0, 0)),
    settle(listCollection(ctx, 'actions', namespace, 0, 0)),
    settle(listCollection(ctx, 'triggers', namespace, 0, 0)),
    settle(listCollection(ctx, 'rules', namespace, 0, 0).then((r) => withStatus(ctx, namespace, r))),
  ]);
  const out = ctx.out;
  out.line(`Entities in namespace: ${out.bold(displayNamespace(namespace))}`);
  const failures: WskError[] = [];
  const show = (result: { value: Entity[] } | { error: unknown }, print: (list: Entity[]) => void) => {
    if ('value' in result) print(result.value);
    else failures.push(wrap(`Unable to obtain the list of entities for namespace '${displayNamespace(namespace)}'`, result.error));
  };
  show(packages, (l) => printPackageList(out, l, sortByName));
  show(actions, (l) => printActionList(out, l, sortByName));
  show(triggers, (l) => printTriggerList(out, l, sortByName));
  show(rules, (l) => printRuleList(out, l, sortByName));
  const [first] = failures;
  if (!first) return;
  for (const failure of failures) out.error(failure.message);
  throw new WskError(first.message, { exitCode: first.exitCode, silent: true });
}

export function registerNamespace(program: Command, cli: Cli): void {
  const namespace = program.command('namespace').description('work with namespaces');
  run(cli, subcommand(namespace, 'list', '', 'list available namespaces'), listNamespaces);
  const getCmd = subcommand(namespace, 'get', '', 'get triggers, actions, and rules in the registry for namespace');
  getCmd.option('-n, --name-sort', 'sorts a list alphabetically by entity name; only applicable within the limit/skip returned entity block');
  run(cli, getCmd, entities);

  const list = subcommand(program, 'list', '', 'list entities in the current namespace');
  list.option('-n, --name-sort', 'sorts a list alphabetically by entity name; only applicable within the limit/skip returned entity block');
  run(cli, list, entities);
}
