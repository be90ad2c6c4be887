// `wsk property set|unset|get` (openwhisk-cli commands/property.go): the properties file's APIHOST, AUTH,
// NAMESPACE, APIVERSION, CERT and KEY, plus Isowhisk's TRACEHOST (the operator's Jaeger UI, linked by `activation get`). NAMESPACE is the default namespace for entity names (older wsk kept it
// in the file too; `_` means the caller's own).
import type { Command } from 'commander';
import { subcommand, run } from '../lib/command.ts';
import { markLocal, type Cli, type Context } from '../lib/context.ts';
import { DEFAULT_API_VERSION, DEFAULT_NAMESPACE, DEFAULT_TRACEHOST } from '../lib/config.ts';
import { WskError } from '../lib/errors.ts';
import { writeProps } from '../lib/props.ts';
import { namespaceNames } from './namespace.ts';

interface Selectors {
  cert?: boolean;
  key?: boolean;
  auth?: boolean;
  apihost?: boolean;
  apiversion?: boolean;
  namespace?: boolean;
  tracehost?: boolean;
  apibuild?: boolean;
  apibuildno?: boolean;
  cliversion?: boolean;
  all?: boolean;
  output?: string;
}

const SELECTOR_KEYS = ['cert', 'key', 'auth', 'apihost', 'apiversion', 'namespace', 'tracehost'];

async function set(ctx: Context): Promise<void> {
  const flags = ctx.opts as { cert?: string; key?: string; auth?: string; apihost?: string; apiversion?: string; namespace?: string; tracehost?: string };
  const props = ctx.config.props;
  const out = ctx.out;
  const lines: string[] = [];
  if (flags.cert) {
    props.set('CERT', flags.cert);
    lines.push(`${out.okPrefix()} client cert set. Run 'wsk property get --cert' to see the new value.`);
  }
  if (flags.key) {
    props.set('KEY', flags.key);
    lines.push(`${out.okPrefix()} client key set. Run 'wsk property get --key' to see the new value.`);
  }
  if (flags.auth) {
    props.set('AUTH', flags.auth);
    lines.push(`${out.okPrefix()} whisk auth set. Run 'wsk property get --auth' to see the new value.`);
  }
  if (flags.apihost) {
    props.set('APIHOST', flags.apihost.replace(/\/+$/, ''));
    lines.push(`${out.okPrefix()} whisk API host set to ${out.bold(flags.apihost)}`);
  }
  if (flags.apiversion) {
    props.set('APIVERSION', flags.apiversion);
    lines.push(`${out.okPrefix()} whisk API version set to ${out.bold(flags.apiversion)}`);
  }
  if (flags.namespace) {
    props.set('NAMESPACE', flags.namespace);
    lines.push(`${out.okPrefix()} whisk namespace set to ${out.bold(flags.namespace)}`);
  }
  if (flags.tracehost) {
    props.set('TRACEHOST', flags.tracehost.replace(/\/+$/, ''));
    lines.push(`${out.okPrefix()} trace host set to ${out.bold(flags.tracehost)}`);
  }
  try {
    writeProps(ctx.config.propsFile, props);
  } catch (err) {
    throw new WskError(`Unable to set the property value(s): ${(err as Error).message}`, { cause: err });
  }
  for (const line of lines) out.line(line);
}

async function unset(ctx: Context): Promise<void> {
  const flags = ctx.opts as Selectors;
  const props = ctx.config.props;
  const out = ctx.out;
  const ok = out.okPrefix();
  const lines: string[] = [];
  const drop = (key: string, line: string) => {
    props.delete(key);
    lines.push(line);
  };
  if (flags.cert) drop('CERT', `${ok} client cert unset.`);
  if (flags.key) drop('KEY', `${ok} client key unset.`);
  if (flags.auth) drop('AUTH', `${ok} whisk auth unset.`);
  if (flags.apihost) drop('APIHOST', `${ok} whisk API host unset.`);
  if (flags.apiversion) drop('APIVERSION', `${ok} whisk API version unset; the default value of ${out.bold(DEFAULT_API_VERSION)} will be used.`);
  if (flags.namespace) drop('NAMESPACE', `${ok} whisk namespace unset; the default value of ${out.bold(DEFAULT_NAMESPACE)} will be used.`);
  if (flags.tracehost) drop('TRACEHOST', `${ok} trace host unset; the default value of ${out.bold(DEFAULT_TRACEHOST)} will be used.`);
  try {
    writeProps(ctx.config.propsFile, props);
  } catch (err) {
    throw new WskError(`Unable to unset the property value: ${(err as Error).message}`, { cause: err });
  }
  for (const line of lines) out.line(line);
}

/** The namespace to show: the configured one, else the caller's as the API names it, else `_`. */
async function effectiveNamespace(ctx: Context): Promise<string> {
  if (ctx.config.namespace !== DEFAULT_NAMESPACE) return ctx.config.namespace;
  try {
    return (await namespaceNames(ctx))[0] ?? DEFAULT_NAMESPACE;
  } catch {
    return DEFAULT_NAMESPACE;
  }
}

/** `GET /api/<version>` (no credentials): the API's build and build number. */
async function buildInfo(ctx: Context): Promise<{ build: string; buildno: string }> {
  try {
    const info = (await ctx.client().call('GET', '', { auth: false })) as { build?: unknown; buildno?: unknown } | undefined;
    return { build: String(info?.build ?? ''), buildno: String(info?.buildno ?? '') };
  } catch {
    return { build: 'Unknown', buildno: 'Unknown' };
  }
}

async function get(ctx: Context): Promise<void> {
  const flags = ctx.opts as Selectors;
  const out = ctx.out;
  const format = flags.output ?? 'std';
  if (format !== 'std' && format !== 'raw') throw new WskError('Supported output format are std|raw');
  const any = SELECTOR_KEYS.some((k) => flags[k as keyof Selectors]) || flags.apibuild || flags.apibuildno || flags.cliversion;
  const all = flags.all === true || !any;
  if (all && format !== 'std') throw new WskError('--output|-o raw only supported with specific property type');

  const c = ctx.config;
  const print = (label: string, value: string, tabs = '\t\t') => out.line(format === 'raw' ? out.bold(value) : `${label}${tabs}${out.bold(value)}`);
  if (all) {
    print('whisk API host', c.apiHost);
    print('whisk auth', c.auth);
    print('whisk namespace', await effectiveNamespace(ctx));
    print('client cert', c.cert);
    print('Client key', c.key);
    print('whisk API version', c.apiVersion, '\t');
    print('whisk CLI version', ctx.cli.version, '\t');
    // Isowhisk's own: listed once configured, so the list stays wsk's for those who never set it.
    if (c.traceHost !== DEFAULT_TRACEHOST) print('trace host', c.traceHost);
  } else {
    if (flags.apihost) print('whisk API host', c.apiHost);
    if (flags.auth) print('whisk auth', c.auth);
    if (flags.namespace) print('whisk namespace', await effectiveNamespace(ctx));
    if (flags.cert) print('client cert', c.cert);
    if (flags.key) print('Client key', c.key);
    if (flags.cliversion) print('whisk CLI version', ctx.cli.version, '\t');
    if (flags.apiversion) print('whisk API version', c.apiVersion, '\t');
    if (flags.tracehost) print('trace host', c.traceHost);
  }
  if (all || flags.apibuild || flags.apibuildno) {
    const info = await buildInfo(ctx);
    if (all || flags.apibuild) print('whisk API build', info.build);
    if (all || flags.apibuildno) print('whisk API build number', info.buildno, '\t');
  }
}

export function registerProperty(program: Command, cli: Cli): void {
  const property = program.command('property').description('work with whisk properties');

  const setCmd = subcommand(property, 'set', '', 'set property')
    .option('-u, --auth <KEY>', 'authorization KEY')
    .option('--cert <string>', 'client cert')
    .option('--key <string>', 'client key')
    .option('--apihost <HOST>', 'whisk API HOST')
    .option('--apiversion <VERSION>', 'whisk API VERSION')
    .option('--namespace <NAMESPACE>', 'whisk namespace')
    .option('--tracehost <URL>', "the operator's Jaeger UI, linked by 'activation get'");
  run(cli, setCmd, (ctx) => set(ctx), { api: false });

  const unsetCmd = subcommand(property, 'unset', '', 'unset property')
    .option('--cert', 'client cert')
    .option('--key', 'Client key')
    .option('--auth', 'authorization key')
    .option('--apihost', 'whisk API host')
    .option('--apiversion', 'whisk API version')
    .option('--namespace', 'whisk namespace')
    .option('--tracehost', "the operator's Jaeger UI, linked by 'activation get'");
  markLocal(unsetCmd, ...SELECTOR_KEYS);
  run(cli, unsetCmd, (ctx) => unset(ctx), { api: false });

  const getCmd = subcommand(property, 'get', '', 'get property')
    .option('--cert', 'client cert')
    .option('--key', 'Client key')
    .option('--auth', 'authorization key')
    .option('--apihost', 'whisk API host')
    .option('--apiversion', 'whisk API version')
    .option('--apibuild', 'whisk API build version')
    .option('--apibuildno', 'whisk API build number')
    .option('--cliversion', 'whisk CLI version')
    .option('--namespace', 'whisk namespace')
    .option('--tracehost', "the operator's Jaeger UI, linked by 'activation get'")
    .option('--all', 'all properties')
    .option('-o, --output <std|raw>', 'Output format in std|raw', 'std');
  markLocal(getCmd, ...SELECTOR_KEYS);
  run(cli, getCmd, (ctx) => get(ctx), { api: false });
}
