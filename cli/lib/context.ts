// What a command's action needs: the effective configuration, output, the parameters taken off the command
// line, and (on first use) an API client. Global flags may be given at any level (`wsk -v action list` and
// `wsk action list -v`); each level parses its own, and the one nearest the command wins.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { apiBaseUrl, resolveConfig, type Config, type GlobalFlags } from './config.ts';
import { WskError } from './errors.ts';
import { WhiskClient } from './http.ts';
import type { Output } from './output.ts';
import type { ExtractedArgs } from './params.ts';

export interface Cli {
  out: Output;
  args: ExtractedArgs;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Clients made during the run, closed before exit. */
  clients: WhiskClient[];
}

export interface Context {
  cli: Cli;
  out: Output;
  config: Config;
  args: ExtractedArgs;
  /** The command's own options (not the global ones). */
  opts: Record<string, unknown>;
  /** The API client; throws wsk's error when no usable API host is configured. */
  client(): WhiskClient;
}

/** Global flags a command redefines for another meaning (`property get --auth` selects what to print). */
const localOverrides = new WeakMap<Command, Set<string>>();

export function markLocal(cmd: Command, ...keys: string[]): Command {
  localOverrides.set(cmd, new Set(keys));
  return cmd;
}

export function globalOptions(): Option[] {
  return [
    new Option('-u, --auth <KEY>', 'authorization KEY'),
    new Option('--apihost <HOST>', 'whisk API HOST'),
    new Option('--apiversion <VERSION>', 'whisk API VERSION'),
    new Option('--cert <string>', 'client cert'),
    new Option('--key <string>', 'client key'),
    new Option('-i, --insecure', 'bypass certificate checking'),
    new Option('-v, --verbose', 'verbose output'),
    new Option('-d, --debug', 'debug level output'),
    new Option('--tracehost <URL>', "the operator's Jaeger UI, which 'activation get' links traces to (default http://127.0.0.1:16686)"),
  ];
}

/** Adds the global flags to every command that does not define the same flag itself. */
export function addGlobalOptions(root: Command): void {
  const visit = (cmd: Command): void => {
    for (const option of globalOptions()) {
      const taken = cmd.options.some((o) => (option.long && o.long === option.long) || (option.short && o.short === option.short));
      if (!taken) cmd.addOption(option.helpGroup('Global Flags:'));
    }
    cmd.commands.forEach(visit);
  };
  visit(root);
}

function globalFlagsOf(cmd: Command): GlobalFlags {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const flags: Record<string, unknown> = {};
  for (const c of chain) {
    const local = localOverrides.get(c);
    for (const [key, value] of Object.entries(c.opts())) {
      if (value !== undefined && !local?.has(key)) flags[key] = value;
    }
  }
  return flags as GlobalFlags;
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new WskError(`Unable to load the X509 key pair due to the following reason: cannot read the ${what} '${path}': ${(err as Error).message}`, { cause: err });
  }
}

export function contextOf(cli: Cli, cmd: Command): Context {
  const config = resolveConfig(globalFlagsOf(cmd), cli.env);
  let client: WhiskClient | undefined;
  return {
    cli,
    out: cli.out,
    config,
    args: cli.args,
    opts: cmd.opts(),
    client() {
      if (client) return client;
      const baseUrl = apiBaseUrl(config.apiHost);
      if (!baseUrl) {
        const why = config.apiHost === '' ? 'An API host must be provided.' : `'${config.apiHost}' is not a valid URL.`;
        throw new WskError(`The API host is not valid: ${why} Set one with 'wsk property set --apihost HOST' or --apihost.`);
      }
      client = new WhiskClient({
        baseUrl,
        apiVersion: config.apiVersion,
        auth: config.auth,
        insecure: config.insecure,
        ...(config.cert ? { cert: readPem(config.cert, 'client cert') } : {}),
        ...(config.key ? { key: readPem(config.key, 'client key') } : {}),
        userAgent: `OpenWhisk-CLI/1.0 (${cli.version}) ${process.platform} ${process.arch}`,
        verbose: config.verbose,
        debug: config.debug,
        log: (text) => cli.out.stderr.write(text),
      });
      cli.clients.push(client);
      return client;
    },
  };
}
