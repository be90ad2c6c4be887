// `wsk trigger create|update|fire|get|delete|list` (openwhisk-cli commands/trigger.go), including feeds: a
// trigger created with `--feed` gets the `feed` annotation and the feed action is invoked with
// lifecycleEvent CREATE (UPDATE, READ, DELETE on the other commands), triggerName and authKey.
import type { Command } from 'commander';
import { listOptions, run, subcommand, withParams } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { checkArgs, EXIT_NOT_ALLOWED, WskError, wrap } from '../lib/errors.ts';
import { apiErrorOf } from '../lib/http.ts';
import { fullyQualified, parseQualifiedName, type QualifiedName } from '../lib/names.ts';
import { TRIGGER_SHAPE } from '../lib/output.ts';
import { keyValueJson, mergeJsonObjects, toKeyValues, valueOf } from '../lib/params.ts';
import { printTriggerList, printTriggerSummary, type Entity } from '../lib/render.ts';
import { checkField, entityPath, invokeFeed, listCollection, listFailure, namespaceArg, printGot } from './shared.ts';

const TRIGGER_FIELDS = ['namespace', 'name', 'version', 'activationid', 'annotations', 'parameters', 'limits', 'publish', 'rules', 'updated'];

/** The parameters a feed action receives besides the user's: what to do, for which trigger, with whose key. */
function feedLifecycle(ctx: Context, lifecycle: string, trigger: QualifiedName): string[] {
  return [
    keyValueJson('lifecycleEvent', lifecycle),
    keyValueJson('triggerName', `/${trigger.namespace}/${trigger.entityName}`),
    keyValueJson('authKey', ctx.config.auth),
  ];
}

/** `Unable to configure feed '<feed>': <reason>` around a feed invoke. */
async function configureFeed(ctx: Context, feedName: string, params: Record<string, unknown>): Promise<void> {
  try {
    await invokeFeed(ctx, parseQualifiedName(feedName, ctx.config.namespace), params);
  } catch (err) {
    throw wrap(`Unable to configure feed '${feedName}'`, err);
  }
}

/** wsk uses the old flow when only --param is given or no parameter flag at all. */
const oldStyle = (ctx: Context) => ctx.args.params.length > 0 || (ctx.args.feedParams.length === 0 && ctx.args.triggerParams.length === 0);

async function create(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { feed?: string };
  checkArgs(args, 1, 1, 'A trigger name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const feed = flags.feed ? fullyQualified(flags.feed, ctx.config.namespace) : undefined;
  if (!oldStyle(ctx) && !feed && ctx.args.feedParams.length > 0) {
    throw new WskError('Incorrect usage. Trigger without a feed cannot have feed parameters', { exitCode: EXIT_NOT_ALLOWED });
  }
  const annotations = mergeJsonObjects([...ctx.args.annotations, ...(feed ? [keyValueJson('feed', feed)] : [])], 'annotation');
  const lifecycle = feed ? feedLifecycle(ctx, 'CREATE', qn) : [];
  const triggerParams = oldStyle(ctx) ? (feed ? [] : ctx.args.params) : ctx.args.triggerParams;
  const feedParams = oldStyle(ctx) ? [...ctx.args.params, ...lifecycle] : [...ctx.args.feedParams, ...lifecycle];

  const body: Record<string, unknown> = { name: qn.entityName };
  if (Object.keys(annotations).length > 0) body.annotations = toKeyValues(annotations);
  const parameters = mergeJsonObjects(triggerParams, 'parameter');
  if (Object.keys(parameters).length > 0) body.parameters = toKeyValues(parameters);
  try {
    await ctx.client().call('PUT', entityPath('triggers', qn), { query: { overwrite: false }, body });
  } catch (err) {
    throw wrap(`Unable to create trigger '${qn.entityName}'`, err);
  }
  if (feed) {
    try {
      await configureFeed(ctx, feed, mergeJsonObjects(feedParams, 'parameter'));
    } catch (err) {
      // a trigger whose feed could not be set up is removed again, as wsk does
      await ctx.client().send('DELETE', entityPath('triggers', qn)).catch(() => undefined);
      throw wrap(`Unable to create trigger '${qn.entityName}'`, err);
    }
  }
  ctx.out.ok(`created trigger ${ctx.out.bold(qn.entityName)}`);
}

async function getTrigger(ctx: Context, qn: QualifiedName): Promise<Entity> {
  try {
    return (await ctx.client().call('GET', entityPath('triggers', qn))) as Entity;
  } catch (err) {
    throw wrap(`Unable to get trigger '${qn.entityName}'`, err);
  }
}

async function update(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'A trigger name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const parameters = mergeJsonObjects(oldStyle(ctx) ? ctx.args.params : ctx.args.triggerParams, 'parameter');
  const annotations = mergeJsonObjects(ctx.args.annotations, 'annotation');
  let existing;
  try {
    existing = await ctx.client().send('GET', entityPath('triggers', qn));
  } catch (err) {
    throw wrap(`Unable to get trigger '${qn.entityName}'`, err);
  }
  if (existing.status === 404) return create(ctx, args);
  if (existing.status < 200 || existing.status > 299) throw wrap(`Unable to get trigger '${qn.entityName}'`, apiErrorOf(existing));
  const feed = valueOf((existing.json as Entity | undefined)?.annotations, 'feed');
  const feedName = typeof feed === 'string' && feed !== '' ? feed : undefined;

  if (oldStyle(ctx) && feedName) {
    if (ctx.args.feedParams.length > 0 || ctx.args.triggerParams.length > 0) {
      throw new WskError('Incorrect usage. Cannot combine --feed-param or --trigger-param flag with neither --param nor --param-file flag', { exitCode: EXIT_NOT_ALLOWED });
    }
    try {
      await configureFeed(ctx, feedName, mergeJsonObjects([...ctx.args.params, ...feedLifecycle(ctx, 'UPDATE', qn)], 'parameter'));
    } catch (err) {
      throw wrap(`Unable to create trigger '${qn.entityName}'`, err);
    }
  } else {
    const body: Record<string, unknown> = { name: qn.entityName };
    if (Object.keys(parameters).length > 0) body.parameters = toKeyValues(parameters);
    if (Object.keys(annotations).length > 0) body.annotations = toKeyValues(annotations);
    try {
      await ctx.client().call('PUT', entityPath('triggers', qn), { query: { overwrite: true }, body });
    } catch (err) {
      throw wrap(`Unable to update trigger '${qn.entityName}'`, err);
    }
    if (!oldStyle(ctx) && ctx.args.feedParams.length > 0) {
      if (!feedName) throw wrap(`Unable to configure feed '${qn.entityName}'`, new WskError('this trigger does not contain a feed'));
      try {
        await configureFeed(ctx, feedName, mergeJsonObjects([...ctx.args.feedParams, ...feedLifecycle(ctx, 'UPDATE', qn)], 'parameter'));
      } catch (err) {
        throw wrap(`Unable to create trigger '${qn.entityName}'`, err);
      }
    }
  }
  ctx.out.ok(`updated trigger ${ctx.out.bold(qn.entityName)}`);
}

async function fire(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'A trigger name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const payload = mergeJsonObjects(ctx.args.params, 'parameter');
  let body: unknown;
  try {
    body = await ctx.client().call('POST', entityPath('triggers', qn), { body: payload });
  } catch (err) {
    throw wrap(`Unable to fire trigger '${qn.entityName}'`, err);
  }
  // 204 (no active rule) has no body and so no id, as with wsk
  const id = (body as { activationId?: unknown } | undefined)?.activationId;
  const out = ctx.out;
  out.ok(`triggered /${out.bold(qn.namespace)}/${out.bold(qn.entityName)} with id ${out.bold(typeof id === 'string' ? id : '')}`);
}

async function get(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { summary?: boolean };
  checkArgs(args, 1, 2, 'A trigger name is required.');
  const field = args[1];
  checkField(field, TRIGGER_FIELDS);
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const trigger = await getTrigger(ctx, qn);
  const feed = valueOf(trigger.annotations, 'feed');
  if (typeof feed === 'string' && feed !== '') {
    // a feed-backed trigger is described by its feed (lifecycleEvent READ)
    await configureFeed(ctx, feed, mergeJsonObjects([...ctx.args.params, ...feedLifecycle(ctx, 'READ', qn)], 'parameter'));
  } else if (flags.summary) {
    printTriggerSummary(ctx.out, trigger);
  } else {
    printGot(ctx, 'trigger', qn.entityName, trigger, TRIGGER_SHAPE, field);
  }
}

async function remove(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'A trigger name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const trigger = await getTrigger(ctx, qn);
  const feed = valueOf(trigger.annotations, 'feed');
  if (typeof feed === 'string' && feed !== '') {
    // as wsk: a feed that cannot be told is no reason to keep the trigger
    await configureFeed(ctx, feed, mergeJsonObjects(feedLifecycle(ctx, 'DELETE', qn), 'parameter')).catch((err: Error) => ctx.out.error(err.message));
  }
  try {
    await ctx.client().call('DELETE', entityPath('triggers', qn));
  } catch (err) {
    throw wrap(`Unable to delete trigger '${qn.entityName}'`, err);
  }
  ctx.out.ok(`deleted trigger ${ctx.out.bold(qn.entityName)}`);
}

async function list(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { skip: number; limit: number; nameSort?: boolean };
  const namespace = namespaceArg(ctx, args);
  let triggers: Entity[];
  try {
    triggers = await listCollection(ctx, 'triggers', namespace, flags.skip, flags.limit);
  } catch (err) {
    throw listFailure('triggers', namespace, err);
  }
  printTriggerList(ctx.out, triggers, flags.nameSort === true);
}

export function registerTrigger(program: Command, cli: Cli): void {
  const trigger = program.command('trigger').description('work with triggers');

  const fireCmd = subcommand(trigger, 'fire', 'TRIGGER_NAME [PAYLOAD]', 'fire trigger event');
  withParams(fireCmd, { param: true });
  run(cli, fireCmd, fire);

  const createCmd = subcommand(trigger, 'create', 'TRIGGER_NAME', 'create new trigger');
  withParams(createCmd, { annotation: true, param: true });
  createCmd.option('-f, --feed <ACTION_NAME>', 'trigger feed ACTION_NAME');
  withParams(createCmd, { feed: true, trigger: true });
  run(cli, createCmd, create);

  const updateCmd = subcommand(trigger, 'update', 'TRIGGER_NAME', 'update an existing trigger, or create a trigger if it does not exist');
  withParams(updateCmd, { annotation: true, param: true, feed: true, trigger: true });
  run(cli, updateCmd, update);

  const getCmd = subcommand(trigger, 'get', 'TRIGGER_NAME [FIELD_FILTER]', 'get trigger');
  getCmd.option('-s, --summary', 'summarize trigger details; parameters with prefix "*" are bound');
  run(cli, getCmd, get);

  run(cli, subcommand(trigger, 'delete', 'TRIGGER_NAME', 'delete trigger'), remove);

  const listCmd = subcommand(trigger, 'list', '[NAMESPACE]', 'list all triggers');
  listOptions(listCmd, 'triggers');
  run(cli, listCmd, list);
}
