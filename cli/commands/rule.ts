// `wsk rule create|update|enable|disable|status|get|delete|list` (openwhisk-cli commands/rule.go).
import type { Command } from 'commander';
import { listOptions, run, subcommand } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { checkArgs, wrap } from '../lib/errors.ts';
import { fullyQualified, parseQualifiedName, type QualifiedName } from '../lib/names.ts';
import { RULE_SHAPE } from '../lib/output.ts';
import { printRuleList, printRuleSummary, type Entity } from '../lib/render.ts';
import { checkField, entityPath, listCollection, listFailure, namespaceArg, printGot } from './shared.ts';

const RULE_FIELDS = ['namespace', 'name', 'version', 'annotations', 'status', 'trigger', 'action', 'publish', 'updated'];

const ruleName = (ctx: Context, args: string[]): QualifiedName => {
  checkArgs(args, 1, 1, 'A rule name is required.');
  return parseQualifiedName(args[0] ?? '', ctx.config.namespace);
};

async function createOrUpdate(ctx: Context, args: string[], update: boolean): Promise<void> {
  checkArgs(args, 3, 3, 'A rule, trigger and action name are required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const body = {
    name: qn.entityName,
    trigger: fullyQualified(args[1] ?? '', ctx.config.namespace),
    action: fullyQualified(args[2] ?? '', ctx.config.namespace),
  };
  try {
    await ctx.client().call('PUT', entityPath('rules', qn), { query: { overwrite: update }, body });
  } catch (err) {
    throw wrap(`Unable to ${update ? 'update' : 'create'} rule '${qn.entityName}'`, err);
  }
  ctx.out.ok(`${update ? 'updated' : 'created'} rule ${ctx.out.bold(qn.entityName)}`);
}

/** POST `{status}`; the answer is a plain-text `OK`. */
async function setState(ctx: Context, qn: QualifiedName, status: 'active' | 'inactive'): Promise<void> {
  try {
    await ctx.client().call('POST', entityPath('rules', qn), { body: { status } });
  } catch (err) {
    throw wrap(`Unable to ${status === 'active' ? 'enable' : 'disable'} rule '${qn.entityName}'`, err);
  }
}

async function getRule(ctx: Context, qn: QualifiedName, what: string): Promise<Entity> {
  try {
    return (await ctx.client().call('GET', entityPath('rules', qn))) as Entity;
  } catch (err) {
    throw wrap(`Unable to get ${what}rule '${qn.entityName}'`, err, { usage: true });
  }
}

async function get(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { summary?: boolean };
  checkArgs(args, 1, 2, 'A rule name is required.');
  const field = args[1];
  checkField(field, RULE_FIELDS);
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const rule = await getRule(ctx, qn, '');
  if (flags.summary) printRuleSummary(ctx.out, rule);
  else printGot(ctx, 'rule', qn.entityName, rule, RULE_SHAPE, field);
}

async function remove(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { disable?: boolean };
  const qn = ruleName(ctx, args);
  if (flags.disable) await setState(ctx, qn, 'inactive');
  try {
    await ctx.client().call('DELETE', entityPath('rules', qn));
  } catch (err) {
    throw wrap(`Unable to delete rule '${qn.entityName}'`, err);
  }
  ctx.out.ok(`deleted rule ${ctx.out.bold(qn.entityName)}`);
}

/** The rules with their status, which only a GET of each rule tells (wsk does the same). */
export async function withStatus(ctx: Context, namespace: string, rules: Entity[]): Promise<Entity[]> {
  return Promise.all(
    rules.map(async (rule) => {
      const qn: QualifiedName = { namespace, packageName: '', entity: rule.name ?? '', entityName: rule.name ?? '' };
      try {
        const full = (await ctx.client().call('GET', entityPath('rules', qn))) as Entity;
        return { ...rule, status: full.status };
      } catch (err) {
        throw wrap(`Unable to get status of rule '${rule.name ?? ''}'`, err);
      }
    }),
  );
}

async function list(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { skip: number; limit: number; nameSort?: boolean };
  const namespace = namespaceArg(ctx, args);
  let rules: Entity[];
  try {
    rules = await listCollection(ctx, 'rules', namespace, flags.skip, flags.limit);
  } catch (err) {
    throw listFailure('rules', namespace, err);
  }
  printRuleList(ctx.out, await withStatus(ctx, namespace, rules), flags.nameSort === true);
}

export function registerRule(program: Command, cli: Cli): void {
  const rule = program.command('rule').description('work with rules');

  run(cli, subcommand(rule, 'create', 'RULE_NAME TRIGGER_NAME ACTION_NAME', 'create new rule'), (ctx, args) => createOrUpdate(ctx, args, false));

  run(cli, subcommand(rule, 'enable', 'RULE_NAME', 'enable rule'), async (ctx, args) => {
    const qn = ruleName(ctx, args);
    await setState(ctx, qn, 'active');
    ctx.out.ok(`enabled rule ${ctx.out.bold(qn.entityName)}`);
  });

  run(cli, subcommand(rule, 'disable', 'RULE_NAME', 'disable rule'), async (ctx, args) => {
    const qn = ruleName(ctx, args);
    await setState(ctx, qn, 'inactive');
    ctx.out.ok(`disabled rule ${ctx.out.bold(qn.entityName)}`);
  });

  run(cli, subcommand(rule, 'status', 'RULE_NAME', 'get rule status'), async (ctx, args) => {
    const qn = ruleName(ctx, args);
    const found = await getRule(ctx, qn, 'status of ');
    ctx.out.ok(`rule ${ctx.out.bold(qn.entityName)} is ${ctx.out.bold(String(found.status ?? ''))}`);
  });

  run(cli, subcommand(rule, 'update', 'RULE_NAME TRIGGER_NAME ACTION_NAME', 'update an existing rule, or create a rule if it does not exist'), (ctx, args) =>
    createOrUpdate(ctx, args, true),
  );

  const getCmd = subcommand(rule, 'get', 'RULE_NAME', 'get rule');
  getCmd.option('-s, --summary', 'summarize rule details');
  run(cli, getCmd, get);

  const deleteCmd = subcommand(rule, 'delete', 'RULE_NAME', 'delete rule');
  deleteCmd.option('--disable', 'automatically disable rule before deleting it');
  run(cli, deleteCmd, remove);

  const listCmd = subcommand(rule, 'list', '[NAMESPACE]', 'list all rules');
  listOptions(listCmd, 'rules');
  run(cli, listCmd, list);
}
