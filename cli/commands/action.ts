// `wsk action create|update|invoke|get|delete|list` (openwhisk-cli commands/action.go): flags, output lines,
// error texts and exit codes as wsk has them.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { integer, listOptions, run, subcommand, withParams } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { apiErrorOf, encodePath, type HttpResult } from '../lib/http.ts';
import { checkArgs, EXIT_NOT_ALLOWED, EXIT_TIMED_OUT, EXIT_USAGE, httpExitCode, WskError, wrap } from '../lib/errors.ts';
import { displayNamespace, fullyQualified, parseQualifiedName, type QualifiedName } from '../lib/names.ts';
import { ACTION_SHAPE } from '../lib/output.ts';
import { mergeJsonObjects, readArgFile, toKeyValues, valueOf, type KeyValue } from '../lib/params.ts';
import { printActionList, printActionSummary, type Entity } from '../lib/render.ts';
import { folderEntries, zip } from '../lib/zip.ts';
import { entityPath } from './shared.ts';
import { NATIVE_SIGNATURE, SIGNATURE_ANNOTATION, SIGNATURES } from '../../shared/signatures.ts';

const MAX_JS_INT = 2 ** 53 - 1;

/** File extension → runtime family, as wsk infers the kind (`getExec`). */
const KIND_BY_EXTENSION: Record<string, string> = {
  '.swift': 'swift:default',
  '.js': 'nodejs:default',
  '.py': 'python:default',
  '.jar': 'java:default',
  '.php': 'php:default',
  '.rb': 'ruby:default',
  '.rs': 'rust:default',
  '.go': 'go:default',
  '.balx': 'ballerina:default',
  // wsk wants --kind for a .zip; Isowhisk runs JavaScript only, so a zip is a Node.js action.
  '.zip': 'nodejs:default',
};
const BINARY_EXTENSIONS = new Set(['.zip', '.jar', '.balx']);
const SOURCE_EXTENSION: Record<string, string> = { nodejs: '.js', python: '.py', swift: '.swift', php: '.php', ruby: '.rb', rust: '.rs', go: '.go' };
const ACTION_FIELDS = ['namespace', 'name', 'version', 'exec', 'annotations', 'delannotations', 'parameters', 'limits', 'error', 'code', 'publish', 'updated', 'env'];

interface ActionFlags {
  native?: boolean;
  docker?: string;
  copy?: boolean;
  sequence?: boolean;
  kind?: string;
  main?: string;
  timeout?: number;
  memory?: number;
  logsize?: number;
  concurrency?: number;
  web?: string;
  webSecure?: string;
  signature?: string;
  delAnnotation?: string[];
}

/** wsk's usage errors for the artifact and flags: exit code 2 and the usage hint. */
const usageError = (message: string) => new WskError(message, { exitCode: EXIT_USAGE, usage: true });

/** `Invalid argument(s). <reason>`: how wsk reports a create/update it could not build. */
function parseError(err: unknown): WskError {
  const inner = err instanceof WskError ? err : wrap('Unexpected failure', err);
  return new WskError(`Invalid argument(s). ${inner.message}`, { exitCode: inner.exitCode, usage: true, cause: err });
}

function defineActionFlags(cmd: Command, update: boolean): void {
  cmd
    .option('--native', 'treat ACTION as native action (zip file provides a compatible executable to run)')
    .option('--docker <string>', 'use provided docker image (a path on DockerHub) to run the action')
    .option('--copy', 'treat ACTION as the name of an existing action')
    .option('--sequence', 'treat ACTION as comma separated sequence of actions to invoke')
    .option('--kind <KIND>', 'the KIND of the action runtime (example: swift:default, nodejs:default)')
    .option('--main <string>', 'the name of the action entry point (function or fully-qualified method name when applicable)')
    .addOption(new Option('-t, --timeout <LIMIT>', 'the timeout LIMIT in milliseconds after which the action is terminated').argParser(integer))
    .addOption(new Option('-m, --memory <LIMIT>', 'the maximum memory LIMIT in MB for the action').argParser(integer))
    .addOption(new Option('-l, --logsize <LIMIT>', 'the maximum log size LIMIT in MB for the action').argParser(integer))
    .addOption(new Option('-c, --concurrency <LIMIT>', 'the maximum intra-container concurrent activation LIMIT for the action').argParser(integer));
  withParams(cmd, { param: true, annotation: true });
  cmd
    .option('--web <string>', 'treat ACTION as a web action, a raw HTTP web action, or as a standard action; yes | true = web action, raw = raw HTTP web action, no | false = standard action')
    .option('--web-secure <SECRET>', 'secure the web action. where SECRET is true, false, or any string. Only valid when the ACTION is a web action')
    .option('--signature <NAME>', `run ACTION with another platform's function signature (annotation signature): ${[NATIVE_SIGNATURE, ...SIGNATURES].join(', ')}`);
  if (update) {
    cmd.option('--del-annotation <string>', 'the list of annotations to be deleted from the action, e.g. --del-annotation key1 --del-annotation key2', (v: string, prev: string[] = []) => [...prev, v]);
  }
}

/** The `exec` for a code artifact (a file or a folder) or a docker image. */
async function execOf(args: string[], flags: ActionFlags): Promise<Record<string, unknown>> {
  const exec: Record<string, unknown> = {};
  let ext = '';
  let folder = false;
  const artifact = args[1];
  if (artifact !== undefined) {
    folder = existsSync(artifact) && statSync(artifact).isDirectory();
    if (folder) {
      // A folder is a multi-file action: zipped here, sent base64-encoded (binary).
      const entries = folderEntries(artifact);
      if (entries.length === 0) throw usageError(`The folder '${artifact}' has no files`);
      exec.code = (await zip(entries)).toString('base64');
    } else {
      ext = extname(artifact).toLowerCase();
      if (BINARY_EXTENSIONS.has(ext)) {
        readArgFile(artifact); // same checks and texts as a source file
        exec.code = readFileSync(artifact).toString('base64');
      } else {
        exec.code = readArgFile(artifact);
      }
    }
  } else if (!flags.docker) {
    throw usageError('An action name and code artifact are required.');
  }

  if (flags.kind) exec.kind = flags.kind;
  else if (flags.docker || flags.native) {
    exec.kind = 'blackbox';
    exec.image = flags.native ? 'openwhisk/dockerskeleton' : flags.docker;
  } else if (folder) exec.kind = 'nodejs:default';
  else if (KIND_BY_EXTENSION[ext]) exec.kind = KIND_BY_EXTENSION[ext];
  else throw usageError(`'${ext}' is not a supported action runtime`);

  if (flags.main) exec.main = flags.main;
  else if (exec.kind === 'java') throw usageError('Java actions require --main to specify the fully-qualified name of the main class');
  return exec;
}

function setAnnotation(list: KeyValue[], key: string, value: unknown): KeyValue[] {
  return [...list.filter((kv) => kv.key !== key), { key, value }];
}

/** `--web yes|true|raw|no|false` → the web-export, raw-http and final annotations. */
function webAnnotations(mode: string, list: KeyValue[]): KeyValue[] {
  const values: Record<string, [boolean, boolean, boolean]> = {
    yes: [true, false, true],
    true: [true, false, true],
    raw: [true, true, true],
    no: [false, false, false],
    false: [false, false, false],
  };
  const chosen = values[mode.toLowerCase()];
  if (!chosen) throw usageError(`Invalid argument '${mode}' for --web flag. Valid input consist of 'yes', 'true', 'raw', 'false', or 'no'.`);
  let out = setAnnotation(list, 'web-export', chosen[0]);
  out = setAnnotation(out, 'raw-http', chosen[1]);
  return setAnnotation(out, 'final', chosen[2]);
}

async function createOrUpdate(ctx: Context, args: string[], update: boolean): Promise<void> {
  const flags = ctx.opts as ActionFlags;
  checkArgs(args, 1, 2, update ? 'An action name is required. A code artifact is optional.' : 'An action name and code artifact are required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const client = ctx.client();
  const body: Record<string, unknown> = { namespace: qn.namespace, name: qn.entityName };
  let annotations: KeyValue[] = [];
  try {
    const limits: Record<string, number> = {};
    if (flags.timeout !== undefined) limits.timeout = flags.timeout;
    if (flags.memory !== undefined) limits.memory = flags.memory;
    if (flags.logsize !== undefined) limits.logs = flags.logsize;
    if (flags.concurrency !== undefined) limits.concurrency = flags.concurrency;
    if (Object.keys(limits).length > 0) body.limits = limits;
    if (ctx.args.params.length > 0) body.parameters = toKeyValues(mergeJsonObjects(ctx.args.params, 'parameter'));
    annotations = toKeyValues(mergeJsonObjects(ctx.args.annotations, 'annotation'));
    if (flags.kind && flags.docker) throw new WskError('Cannot specify both --kind and --docker at the same time.', { exitCode: EXIT_NOT_ALLOWED });

    if (flags.copy) {
      checkArgs(args, 2, 2, 'An action name and code artifact are required.');
      const source = parseQualifiedName(args[1] ?? '', ctx.config.namespace);
      let existing: Entity;
      try {
        existing = (await client.call('GET', entityPath('actions', source), { query: { code: true } })) as Entity;
      } catch (err) {
        throw wrap(`Unable to get action '${source.entityName}'`, err);
      }
      body.exec = existing.exec;
      body.parameters = [...((body.parameters as KeyValue[] | undefined) ?? []), ...((existing.parameters as KeyValue[] | undefined) ?? [])];
      annotations = [...annotations, ...((existing.annotations as KeyValue[] | undefined) ?? [])];
    } else if (flags.sequence) {
      if (args.length !== 2) throw usageError('An action name and code artifact are required.');
      body.exec = { kind: 'sequence', components: (args[1] ?? '').split(',').map((c) => fullyQualified(c.trim(), ctx.config.namespace)) };
    } else if (args.length > 1 || flags.docker || flags.native) {
      body.exec = await execOf(args, flags);
    } else if (!update) {
      throw usageError('An action name and code artifact are required.');
    }

    if (flags.web !== undefined) annotations = webAnnotations(flags.web, annotations);
    // The controller checks the name (400 listing the known ones).
    if (flags.signature !== undefined) annotations = setAnnotation(annotations, SIGNATURE_ANNOTATION, flags.signature);
    if (flags.webSecure !== undefined) {
      const web = flags.web === undefined ? await existingIsWeb(ctx, qn, update) : valueOf(annotations, 'web-export') === true;
      if (!web) throw usageError('The --web-secure option is only valid when the --web option is enabled.');
      const mode = flags.webSecure.toLowerCase();
      if (mode === 'false') body.delAnnotations = ['require-whisk-auth'];
      else annotations = setAnnotation(annotations, 'require-whisk-auth', mode === 'true' ? Math.floor(Math.random() * MAX_JS_INT) : flags.webSecure);
    }
  } catch (err) {
    throw parseError(err);
  }
  if (annotations.length > 0) body.annotations = annotations;
  if (update && flags.delAnnotation?.length) body.delAnnotations = [...((body.delAnnotations as string[] | undefined) ?? []), ...flags.delAnnotation];

  try {
    await client.call('PUT', entityPath('actions', qn), { query: { overwrite: update }, body });
  } catch (err) {
    throw wrap(`Unable to create action '${qn.entityName}'`, err);
  }
  ctx.out.ok(`${update ? 'updated' : 'created'} action ${ctx.out.bold(qn.entityName)}`);
}

/** Whether the action being updated is already a web action (for --web-secure without --web). */
async function existingIsWeb(ctx: Context, qn: QualifiedName, update: boolean): Promise<boolean> {
  if (!update) return false;
  try {
    const existing = (await ctx.client().call('GET', entityPath('actions', qn), { query: { code: false } })) as Entity;
    return valueOf(existing.annotations, 'web-export') === true;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw wrap(`Unable to get action '${qn.entityName}'`, err);
  }
}

/** The activation id of an invoke answer: the body's field, else the response header. */
function activationIdOf(result: HttpResult): string {
  const body = result.json as { activationId?: unknown } | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body) && typeof body.activationId === 'string') return body.activationId;
  return result.headers['x-openwhisk-activation-id'] ?? '';
}

/**
 * A failed blocking invoke whose body is the failed activation (or its `{error}` result): wsk prints it on
 * stderr and exits with the status' code (502 → 246). wsk does this for 502; a whisk internal error (500)
 * carries the same kind of body, so it is shown the same way rather than as a bare "connection failed".
 */
function isFailedActivation(result: HttpResult): boolean {
  if (result.status !== 502 && result.status !== 500) return false;
  const body = result.json as { code?: unknown; response?: { status?: unknown }; error?: unknown } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || (body.code !== undefined && body.code !== null)) return false;
  return (body.response !== undefined && body.response.status !== undefined) || body.error !== undefined;
}

async function invoke(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { blocking?: boolean; result?: boolean };
  checkArgs(args, 1, 1, 'An action name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const payload = mergeJsonObjects(ctx.args.params, 'parameter');
  const resultOnly = flags.result === true;
  const blocking = flags.blocking === true || resultOnly;
  const out = ctx.out;
  const name = `/${out.bold(qn.namespace)}/${out.bold(qn.entityName)}`;

  let result: HttpResult;
  try {
    const sent = ctx.client().send('POST', entityPath('actions', qn), { query: { blocking, result: resultOnly }, body: payload });
    result = blocking ? await out.spin(sent) : await sent;
  } catch (err) {
    throw wrap(`Unable to invoke action '${qn.entityName}'`, err);
  }

  if (result.status >= 200 && result.status <= 299) {
    if (blocking && result.status === 202) {
      out.ok(`invoked ${qualifiedForErr(ctx, qn)}, but the request has not yet finished, with id ${out.bold(activationIdOf(result), true)}`, true);
      throw new WskError('Request accepted, but processing not completed yet.', { exitCode: EXIT_TIMED_OUT, silent: true });
    }
    if (!resultOnly) out.ok(`invoked ${name} with id ${out.bold(activationIdOf(result))}`);
    if (blocking) out.json(result.json);
    return;
  }
  if (blocking && isFailedActivation(result)) {
    if (!resultOnly) out.ok(`invoked ${qualifiedForErr(ctx, qn)} with id ${out.bold(activationIdOf(result), true)}`, true);
    out.json(result.json, undefined, true);
    throw new WskError(`The action failed (HTTP status ${result.status})`, { exitCode: httpExitCode(result.status), silent: true });
  }
  throw wrap(`Unable to invoke action '${qn.entityName}'`, apiErrorOf(result));
}

const qualifiedForErr = (ctx: Context, qn: QualifiedName) => `/${ctx.out.bold(qn.namespace, true)}/${ctx.out.bold(qn.entityName, true)}`;

async function get(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { summary?: boolean; url?: boolean; save?: boolean; saveAs?: string };
  checkArgs(args, 1, 2, 'An action name is required.');
  let field: string | undefined;
  if (!flags.url && !flags.summary && args.length > 1) {
    field = args[1] ?? '';
    if (!ACTION_FIELDS.includes(field.toLowerCase())) throw usageError(`Invalid field filter '${field}'.`);
  }
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  const fetchCode = flags.save === true || flags.saveAs !== undefined;
  let action: Entity;
  try {
    action = (await ctx.client().call('GET', entityPath('actions', qn), { query: { code: fetchCode } })) as Entity;
  } catch (err) {
    throw wrap(`Unable to get action '${qn.entityName}'`, err);
  }
  const out = ctx.out;
  if (flags.url) {
    out.ok(`got action ${out.bold(qn.entity)}`);
    out.line(await actionUrl(ctx, action, qn));
  } else if (flags.summary) {
    printActionSummary(out, action);
  } else if (fetchCode) {
    saveCode(ctx, action, flags.saveAs);
  } else if (field !== undefined) {
    out.ok(`got action ${out.bold(qn.entityName)}, displaying field ${out.bold(field)}`);
    const key = Object.keys(action).find((k) => k.toLowerCase() === field.toLowerCase());
    out.json(key === undefined ? null : action[key], ACTION_SHAPE.children?.[key ?? '']);
  } else {
    out.ok(`got action ${out.bold(qn.entityName)}`);
    out.json(action, ACTION_SHAPE);
  }
}

/**
 * The action's URL: its web URL when it is a web action, else its REST path. Web actions live on an origin of their
 * own, which the API names as `web_url` in `GET /api/v1`; an API that does not (OpenWhisk) serves them itself.
 */
async function actionUrl(ctx: Context, action: Entity, qn: QualifiedName): Promise<string> {
  const base = ctx.client().options.baseUrl.href.replace(/\/+$/, '');
  const version = ctx.config.apiVersion;
  const ns = encodeURIComponent((action.namespace ?? qn.namespace).split('/')[0] ?? '');
  const name = encodeURIComponent(action.name ?? qn.entity);
  const pkg = qn.packageName === '' ? '' : encodeURIComponent(qn.packageName);
  if (valueOf(action.annotations, 'web-export') === true) return `${await webBase(ctx, base)}/${version}/web/${ns}/${pkg || 'default'}/${name}`;
  return pkg === '' ? `${base}/${version}/namespaces/${ns}/actions/${name}` : `${base}/${version}/namespaces/${ns}/actions/${pkg}/${name}`;
}

/** `<web_url>/api` when the API names a web origin, else the API's own base (`<apihost>/api`). */
async function webBase(ctx: Context, apiBase: string): Promise<string> {
  const info = (await ctx.client().call('GET', '', { auth: false }).catch(() => undefined)) as { web_url?: unknown } | undefined;
  const webUrl = typeof info?.web_url === 'string' && URL.canParse(info.web_url) ? info.web_url.replace(/\/+$/, '') : undefined;
  return webUrl === undefined ? apiBase : `${webUrl}/api`;
}

function saveCode(ctx: Context, action: Entity, saveAs: string | undefined): void {
  const exec = (action.exec ?? {}) as { kind?: string; code?: string; binary?: boolean };
  const runtime = (exec.kind ?? '').split(':')[0]?.toLowerCase() ?? '';
  if (runtime === 'blackbox' && exec.code === undefined) throw usageError('Cannot save Docker images');
  if (runtime === 'sequence') throw usageError('Cannot save action sequences');
  const binary = exec.binary === true;
  const ext = binary ? (runtime === 'java' ? '.jar' : runtime === 'ballerina' ? '.balx' : '.zip') : (SOURCE_EXTENSION[runtime] ?? '');
  const file = saveAs || `${action.name ?? 'action'}${ext}`;
  if (existsSync(file)) throw usageError(`The file '${file}' already exists`);
  try {
    writeFileSync(file, binary ? Buffer.from(exec.code ?? '', 'base64') : (exec.code ?? ''));
  } catch (err) {
    throw usageError(`Cannot create file '${file}': ${(err as Error).message}`);
  }
  ctx.out.ok(`saved action code to ${ctx.out.bold(resolve(file))}`);
}

async function remove(ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'An action name is required.');
  const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
  try {
    await ctx.client().call('DELETE', entityPath('actions', qn));
  } catch (err) {
    throw wrap(`Unable to delete action '${qn.entityName}'`, err);
  }
  ctx.out.ok(`deleted action ${ctx.out.bold(qn.entityName)}`);
}

/** GET of an action collection (namespace or package) with wsk's list options. */
export async function listActions(ctx: Context, namespace: string, pkg: string, skip: number, limit: number): Promise<Entity[]> {
  const path = `namespaces/${encodeURIComponent(namespace)}/actions${pkg === '' ? '' : `/${encodePath(pkg)}/`}`;
  const list = await ctx.client().call('GET', path, { query: { limit, skip } });
  return Array.isArray(list) ? (list as Entity[]) : [];
}

async function list(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { skip: number; limit: number; nameSort?: boolean };
  checkArgs(args, 0, 1, 'An optional namespace is the only valid argument.');
  let namespace = ctx.config.namespace;
  let pkg = '';
  if (args.length === 1) {
    const qn = parseQualifiedName(args[0] ?? '', ctx.config.namespace);
    namespace = qn.namespace;
    pkg = qn.entityName;
  }
  let actions: Entity[];
  try {
    actions = await listActions(ctx, namespace, pkg, flags.skip, flags.limit);
  } catch (err) {
    throw wrap(`Unable to obtain the list of actions for namespace '${displayNamespace(namespace)}'`, err);
  }
  printActionList(ctx.out, actions, flags.nameSort === true);
}

export function registerAction(program: Command, cli: Cli): void {
  const action = program.command('action').description('work with actions');

  const create = subcommand(action, 'create', 'ACTION_NAME ACTION', 'create a new action');
  defineActionFlags(create, false);
  run(cli, create, (ctx, args) => createOrUpdate(ctx, args, false));

  const update = subcommand(action, 'update', 'ACTION_NAME [ACTION]', 'update an existing action, or create an action if it does not exist');
  defineActionFlags(update, true);
  run(cli, update, (ctx, args) => createOrUpdate(ctx, args, true));

  const invokeCmd = subcommand(action, 'invoke', 'ACTION_NAME', 'invoke action');
  withParams(invokeCmd, { param: true });
  invokeCmd.option('-b, --blocking', 'blocking invoke').option('-r, --result', 'blocking invoke; show only activation result (unless there is a failure)');
  run(cli, invokeCmd, invoke);

  const getCmd = subcommand(action, 'get', 'ACTION_NAME [FIELD_FILTER | --summary | --url]', 'get action');
  getCmd
    .option('-s, --summary', 'summarize action details; parameters with prefix "*" are bound, "**" are bound and finalized')
    .option('-r, --url', 'get action url')
    .option('--save-as <string>', 'file to save action code to')
    .option('--save', 'save action code to file corresponding with action name');
  run(cli, getCmd, get);

  run(cli, subcommand(action, 'delete', 'ACTION_NAME', 'delete action'), remove);

  const listCmd = subcommand(action, 'list', '[ NAMESPACE | PACKAGE_NAME ]', 'list all actions in a namespace or actions contained in a package');
  listOptions(listCmd, 'actions');
  run(cli, listCmd, list);
}
