// Building blocks for the command tree: a leaf command takes its arguments as a list and checks their number
// itself, so the messages are wsk's ("Invalid argument(s). An action name is required."), and declares the
// parameter flags that are taken off the command line before parsing (see params.ts) so --help lists them.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { contextOf, type Cli, type Context } from './context.ts';

export function subcommand(parent: Command, name: string, usage: string, description: string): Command {
  return parent
    .command(name)
    .usage(usage === '' ? '[flags]' : `${usage} [flags]`)
    .description(description)
    .argument('[args...]')
    .allowExcessArguments();
}

/**
 * The command's action. Commands that talk to the API first check that an API host is configured, so that is
 * reported on its own (as wsk's PreRunE does) rather than inside "Unable to ...: ".
 */
export function run(cli: Cli, cmd: Command, handler: (ctx: Context, args: string[]) => Promise<void>, options: { api?: boolean } = {}): Command {
  return cmd.action(async (args: string[] | undefined, _options: unknown, command: Command) => {
    const ctx = contextOf(cli, command);
    if (options.api !== false) ctx.client();
    await handler(ctx, args ?? []);
  });
}

/** An integer option value, as cobra's IntVar. */
export function integer(value: string): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not an integer.`);
  return Number.parseInt(value, 10);
}

/** The parameter flags a command accepts; values come from params.ts, these declarations serve --help. */
export function withParams(cmd: Command, which: { param?: boolean; annotation?: boolean; feed?: boolean; trigger?: boolean }): Command {
  if (which.annotation) {
    cmd.addOption(new Option('-a, --annotation <KEY VALUE>', 'annotation values in KEY VALUE format'));
    cmd.addOption(new Option('-A, --annotation-file <FILE>', 'FILE containing annotation values in JSON format'));
  }
  if (which.param) {
    cmd.addOption(new Option('-p, --param <KEY VALUE>', 'parameter values in KEY VALUE format'));
    cmd.addOption(new Option('-P, --param-file <FILE>', 'FILE containing parameter values in JSON format'));
  }
  if (which.feed) cmd.addOption(new Option('-F, --feed-param <KEY VALUE>', 'feed parameter values in KEY VALUE format'));
  if (which.trigger) cmd.addOption(new Option('-T, --trigger-param <KEY VALUE>', 'trigger parameter values in KEY VALUE format'));
  return cmd;
}

const FLAG_OPTION: Record<string, string> = {
  '-p': '--param',
  '--param': '--param',
  '-P': '--param',
  '--param-file': '--param',
  '-a': '--annotation',
  '--annotation': '--annotation',
  '-A': '--annotation',
  '--annotation-file': '--annotation',
  '-F': '--feed-param',
  '--feed-param': '--feed-param',
  '-T': '--trigger-param',
  '--trigger-param': '--trigger-param',
};

/** The first parameter flag given to a command that does not take it, if any. */
export function unsupportedParamFlag(cmd: Command, seen: readonly string[]): string | undefined {
  return seen.find((flag) => !cmd.options.some((o) => o.long === FLAG_OPTION[flag]));
}

/** `-s/--skip`, `-l/--limit`, `-n/--name-sort` as every wsk list has them. */
export function listOptions(cmd: Command, what: string): Command {
  return cmd
    .addOption(new Option('-s, --skip <SKIP>', `exclude the first SKIP number of ${what} from the result`).argParser(integer).default(0))
    .addOption(new Option('-l, --limit <LIMIT>', `only return LIMIT number of ${what} from the collection`).argParser(integer).default(30))
    .option('-n, --name-sort', 'sorts a list alphabetically by entity name; only applicable within the limit/skip returned entity block');
}
