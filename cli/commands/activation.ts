// `wsk activation list|get|logs|result|poll` (openwhisk-cli commands/activation.go), and Isowhisk's `trace`
// (the caller's spans of the activation's OpenTelemetry trace, read through the API with the caller's key, never
// from Jaeger itself). Activations are always read from the caller's own namespace (`_`), as wsk does.
import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { integer, run, subcommand } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { ApiError, checkArgs, WskError, wrap } from '../lib/errors.ts';
import { displayNamespace, parseQualifiedName } from '../lib/names.ts';
import { ACTIVATION_SHAPE, goTime } from '../lib/output.ts';
import { valueOf } from '../lib/params.ts';
import { printActivationList, type ActivationSummary } from '../lib/render.ts';
import { timeline, traceUrl, type JaegerTrace } from '../lib/trace.ts';
import type { Query } from '../lib/http.ts';

const BASE = 'namespaces/_/activations';
const POLL_INTERVAL_MS = 2000;
/** Records are written when activations finish, not in start order: each poll looks this far back and skips ids it printed. */
const POLL_LOOKBACK_MS = 60_000;
const ACTIVATION_FIELDS = ['namespace', 'name', 'version', 'subject', 'activationid', 'cause', 'start', 'end', 'duration', 'statuscode', 'response', 'logs', 'annotations', 'publish'];

async function listActivations(ctx: Context, query: Query): Promise<ActivationSummary[]> {
  const list = await ctx.client().call('GET', BASE, { query });
  return Array.isArray(list) ? (list as ActivationSummary[]) : [];
}

/** `--last`: the newest activation's id in front of the arguments (wsk's lastFlag). */
async function withLast(ctx: Context, args: string[], what: string): Promise<string[]> {
  if ((ctx.opts as { last?: boolean }).last !== true) return args;
  try {
    const [newest] = await listActivations(ctx, { limit: 1, skip: 0 });
    if (!newest?.activationId) throw new WskError('Activation list does not contain any activations.', { usage: true });
    return [newest.activationId, ...args];
  } catch (err) {
    throw wrap(`Unable to ${what} activation`, err);
  }
}

/** Drops the timestamp and stream of a log line (wsk's stripTimestamp). */
export function stripTimestamp(line: string): string {
  const match = /\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-6]\d:[0-6]\d.\d+Z( *(stdout|stderr):)?\s(.*)/.exec(line);
  return match?.[3] ? match[3] : line;
}

async function list(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as { skip: number; limit: number; full?: boolean; upto?: number; since?: number };
  checkArgs(args, 0, 1, 'An optional namespace is the only valid argument.');
  const name = args.length === 1 ? parseQualifiedName(args[0] ?? '', ctx.config.namespace).entityName : '';
  const query: Query = {
    name: name === '' ? undefined : name,
    limit: flags.limit,
    skip: flags.skip,
    since: flags.since ? flags.since : undefined,
    upto: flags.upto ? flags.upto : undefined,
    docs: flags.full ? true : undefined,
  };
  let activations: ActivationSummary[];
  try {
    activations = await listActivations(ctx, query);
  } catch (err) {
    throw wrap(`Unable to obtain the list of activations for namespace '${displayNamespace(ctx.config.namespace)}'`, err);
  }
  if (flags.full) {
    ctx.out.line(ctx.out.bold('activations'));
    for (const activation of activations) ctx.out.json(activation, ACTIVATION_SHAPE);
  } else {
    printActivationList(ctx.out, activations);
  }
}

async function getRecord(ctx: Context, id: string): Promise<ActivationSummary> {
  try {
    return (await ctx.client().call('GET', `${BASE}/${encodeURIComponent(id)}`)) as ActivationSummary;
  } catch (err) {
    throw wrap(`Unable to get activation '${id}'`, err);
  }
}

/** The record's `traceId` annotation: the OpenTelemetry trace the activation ran in. */
function traceIdOf(activation: ActivationSummary): string | undefined {
  const value = valueOf(activation.annotations, 'traceId');
  return typeof value === 'string' && value !== '' ? value : undefined;
}

async function get(ctx: Context, argv: string[]): Promise<void> {
  const flags = ctx.opts as { summary?: boolean; logs?: boolean };
  const args = await withLast(ctx, argv, 'get');
  checkArgs(args, 1, 2, 'An activation ID is required.');
  const id = args[0] ?? '';
  const field = args[1];
  if (field !== undefined && !ACTIVATION_FIELDS.includes(field.toLowerCase())) throw new WskError(`Invalid field filter '${field}'.`);
  const activation = await getRecord(ctx, id);
  const out = ctx.out;
  if (flags.summary) {
    const status = activation.response?.status ?? '';
    out.line(`activation result for '/${activation.namespace ?? ''}/${activation.name ?? ''}' (${status} at ${goTime(Math.floor((activation.end ?? 0) / 1000) * 1000)})`);
    out.json(activation.response?.result);
  } else if (flags.logs) {
    for (const line of logsOf(activation)) out.line(stripTimestamp(line));
  } else if (field !== undefined) {
    out.ok(`got activation ${out.bold(id)}, displaying field ${out.bold(field)}`);
    const key = Object.keys(activation).find((k) => k.toLowerCase() === field.toLowerCase());
    out.json(key === undefined ? null : activation[key], ACTIVATION_SHAPE.children?.[key ?? '']);
  } else {
    out.ok(`got activation ${out.bold(id)}`);
    out.json(activation, ACTIVATION_SHAPE);
    // On stderr, so stdout stays the `ok:` line and the record's JSON, as scripts parse it.
    const traceId = traceIdOf(activation);
    if (traceId !== undefined) out.errLine(`trace: ${traceUrl(ctx.config.traceHost, traceId)}`);
  }
}

/**
 * How long `trace` keeps asking while the trace backend has none of the activation's spans yet: they are exported
 * in batches a few seconds after the record is stored, so a trace asked for right after an invoke may not be there.
 */
const TRACE_WAIT_MS = 10_000;
const TRACE_RETRY_PAUSE_MS = 500;

/**
 * The API's answers that mean "not yet" rather than "never" (controller/routes/activations.ts): 404 for a trace the
 * backend does not have yet, 503 while the backend is not answering (it may still be starting).
 */
function traceNotYet(err: unknown): boolean {
  if (!(err instanceof ApiError)) return false;
  return (err.status === 404 && /not in the trace backend \(yet\)/.test(err.message)) || err.status === 503;
}

async function trace(ctx: Context, argv: string[]): Promise<void> {
  const args = await withLast(ctx, argv, 'trace');
  checkArgs(args, 1, 1, 'An activation ID is required.');
  const id = args[0] ?? '';
  const deadline = Date.now() + TRACE_WAIT_MS;
  let found: JaegerTrace | undefined;
  for (;;) {
    try {
      found = (await ctx.client().call('GET', `${BASE}/${encodeURIComponent(id)}/trace`)) as JaegerTrace;
      if (Array.isArray(found?.spans) && found.spans.length > 0) break;
    } catch (err) {
      if (!traceNotYet(err) || Date.now() + TRACE_RETRY_PAUSE_MS > deadline) throw wrap(`Unable to get the trace of activation '${id}'`, err);
    }
    if (Date.now() + TRACE_RETRY_PAUSE_MS > deadline) throw new WskError(`The trace of activation '${id}' has no spans yet.`);
    await sleep(TRACE_RETRY_PAUSE_MS);
  }
  for (const line of timeline(found)) ctx.out.line(line);
}

const logsOf = (value: { logs?: unknown } | undefined): string[] =>
  Array.isArray(value?.logs) ? (value.logs as unknown[]).map((l) => (typeof l === 'string' ? l : JSON.stringify(l))) : [];

async function logs(ctx: Context, argv: string[]): Promise<void> {
  const flags = ctx.opts as { strip?: boolean };
  const args = await withLast(ctx, argv, 'get logs for');
  checkArgs(args, 1, 1, 'An activation ID is required.');
  const id = args[0] ?? '';
  let body: { logs?: unknown };
  try {
    body = (await ctx.client().call('GET', `${BASE}/${encodeURIComponent(id)}/logs`)) as { logs?: unknown };
  } catch (err) {
    throw wrap(`Unable to get logs for activation '${id}'`, err);
  }
  for (const line of logsOf(body)) ctx.out.line(flags.strip ? stripTimestamp(line) : line);
}

async function result(ctx: Context, argv: string[]): Promise<void> {
  const args = await withLast(ctx, argv, 'get result for');
  checkArgs(args, 1, 1, 'An activation ID is required.');
  const id = args[0] ?? '';
  let body: { result?: unknown };
  try {
    body = (await ctx.client().call('GET', `${BASE}/${encodeURIComponent(id)}/result`)) as { result?: unknown };
  } catch (err) {
    throw wrap(`Unable to get result for activation '${id}'`, err);
  }
  ctx.out.json(body?.result);
}

interface PollFlags {
  exit: number;
  sinceSeconds: number;
  sinceMinutes: number;
  sinceHours: number;
  sinceDays: number;
}

async function poll(ctx: Context, args: string[]): Promise<void> {
  const flags = ctx.opts as unknown as PollFlags;
  checkArgs(args, 0, 1, 'An optional namespace is the only valid argument.');
  const name = args.length === 1 ? parseQualifiedName(args[0] ?? '', ctx.config.namespace).entityName : undefined;
  const out = ctx.out;

  const onSignal = () => {
    out.line('Poll terminated');
    process.exit(1);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    out.line('Enter Ctrl-c to exit.');
    const reported = new Set<string>();
    const back = ((flags.sinceDays * 24 + flags.sinceHours) * 60 + flags.sinceMinutes) * 60 + flags.sinceSeconds;
    let since: number;
    if (back === 0) {
      // from just after the newest activation there is now
      try {
        const [newest] = await listActivations(ctx, { limit: 1, docs: true });
        since = newest?.start !== undefined ? newest.start + 1 : 0;
      } catch {
        since = Date.now();
      }
    } else {
      since = Date.now() - back * 1000;
    }
    out.line('Polling for activation logs');
    if (ctx.config.verbose) out.errLine(`Polling starts from ${goTime(since)}`);

    const started = Date.now();
    let newestSeen = 0;
    for (;;) {
      if (flags.exit > 0 && Date.now() - started > flags.exit * 1000) return;
      const from = Math.max(since, newestSeen - POLL_LOOKBACK_MS);
      if (ctx.config.verbose) out.errLine(`Polling for activations since ${goTime(from)}`);
      let activations: ActivationSummary[] = [];
      try {
        activations = await listActivations(ctx, { name, since: from, docs: true, limit: 0, skip: 0 });
      } catch {
        activations = []; // as wsk: a failed poll is retried on the next round
      }
      // the API lists newest first; print in the order they started
      for (const activation of [...activations].reverse()) {
        const id = activation.activationId ?? '';
        if (reported.has(id)) continue;
        reported.add(id);
        out.line(`\nActivation: '${activation.name ?? ''}' (${id})`);
        out.json(logsOf(activation));
        newestSeen = Math.max(newestSeen, activation.start ?? 0);
      }
      const left = flags.exit > 0 ? flags.exit * 1000 - (Date.now() - started) + 1 : POLL_INTERVAL_MS;
      await sleep(Math.max(0, Math.min(POLL_INTERVAL_MS, left)));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function registerActivation(program: Command, cli: Cli): void {
  const activation = program.command('activation').description('work with activations');

  const listCmd = subcommand(activation, 'list', '[NAMESPACE or NAME]', 'list activations');
  listCmd
    .addOption(new Option('-s, --skip <SKIP>', 'exclude the first SKIP number of activations from the result').argParser(integer).default(0))
    .addOption(new Option('-l, --limit <LIMIT>', 'only return LIMIT number of activations from the collection with a maximum LIMIT of 200 activations').argParser(integer).default(30))
    .option('-f, --full', 'include full activation description')
    .addOption(new Option('--upto <UPTO>', 'return activations with timestamps earlier than UPTO; measured in milliseconds since Th, 01, Jan 1970').argParser(integer))
    .addOption(new Option('--since <SINCE>', 'return activations with timestamps later than SINCE; measured in milliseconds since Th, 01, Jan 1970').argParser(integer));
  run(cli, listCmd, list);

  const getCmd = subcommand(activation, 'get', '(ACTIVATION_ID | --last) [FIELD_FILTER]', 'get activation');
  getCmd
    .option('-s, --summary', 'summarize activation details')
    .option('-l, --last', 'retrieves the last activation')
    .option('-g, --logs', 'emit only the logs, stripped of time stamps and stream identifier');
  run(cli, getCmd, get);

  const logsCmd = subcommand(activation, 'logs', '(ACTIVATION_ID | --last)', 'get the logs of an activation');
  logsCmd.option('-l, --last', 'retrieves the last activation').option('-r, --strip', 'strip timestamp and stream information');
  run(cli, logsCmd, logs);

  const resultCmd = subcommand(activation, 'result', '(ACTIVATION_ID | --last)', 'get the result of an activation');
  resultCmd.option('-l, --last', 'retrieves the last activation');
  run(cli, resultCmd, result);

  const traceCmd = subcommand(activation, 'trace', '(ACTIVATION_ID | --last)', "print the activation's trace as a timeline");
  traceCmd.option('-l, --last', 'retrieves the last activation').addHelpText(
    'after',
    `
GETs the activation's trace from the API (/namespaces/_/activations/ID/trace), with your credentials: only the
spans made for your namespace. Prints "trace <traceId> (<n> spans, <total> ms)", then one line per span ordered
by start time, children indented under their parent: offset from the trace's start (ms), duration (ms), service,
span name, and the tags faas.coldstart, isowhisk.activation.status_code, messaging.destination.name,
db.operation.name when present. The API waits a few seconds for the last spans to reach the trace backend, and
while it has none of them yet (right after an invoke) wsk asks again for up to 10 seconds.
'activation get' also names the trace's page in the operator's Jaeger UI (--tracehost, WSK_TRACEHOST, the
TRACEHOST property, default http://127.0.0.1:16686); that UI shows every tenant's traces and is for operators.`,
  );
  run(cli, traceCmd, trace);

  const pollCmd = subcommand(activation, 'poll', '[ NAMESPACE | ACTION_NAME ]', 'poll continuously for log messages from currently running actions');
  pollCmd
    .addOption(new Option('-e, --exit <SECONDS>', 'stop polling after SECONDS seconds').argParser(integer).default(0))
    .addOption(new Option('--since-seconds <SECONDS>', 'start polling for activations SECONDS seconds ago').argParser(integer).default(0))
    .addOption(new Option('--since-minutes <MINUTES>', 'start polling for activations MINUTES minutes ago').argParser(integer).default(0))
    .addOption(new Option('--since-hours <HOURS>', 'start polling for activations HOURS hours ago').argParser(integer).default(0))
    .addOption(new Option('--since-days <DAYS>', 'start polling for activations DAYS days ago').argParser(integer).default(0));
  run(cli, pollCmd, poll);
}
