// The wsk program: the command tree (one module per command group under commands/), parameter flags taken off
// the command line first, and errors turned into wsk's `error:` lines and exit codes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { registerAction } from './commands/action.ts';
import { registerActivation } from './commands/activation.ts';
import { registerNamespace } from './commands/namespace.ts';
import { registerPackage } from './commands/package.ts';
import { registerProperty } from './commands/property.ts';
import { registerRule } from './commands/rule.ts';
import { registerSdk } from './commands/sdk.ts';
import { registerTrigger } from './commands/trigger.ts';
import { unsupportedParamFlag } from './lib/command.ts';
import { addGlobalOptions, type Cli } from './lib/context.ts';
import { EXIT_GENERAL, WskError } from './lib/errors.ts';
import { Output, streamOf } from './lib/output.ts';
import { extractParamArgs, noExtractedArgs } from './lib/params.ts';

/** The banner `wsk --help` opens with: Isowhisk's own name (the commands and flags below it are wsk's). */
export const BANNER = `
  ___                   _     _     _
 |_ _|___  _____      _| |__ (_)___| | __
  | |/ __|/ _ \\ \\ /\\ / / '_ \\| / __| |/ /
  | |\\__ \\ (_) \\ V  V /| | | | \\__ \\   <
 |___|___/\\___/ \\_/\\_/ |_| |_|_|___/_|\\_\\

 an OpenWhisk-compatible function platform
`;

function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version?: string };
    return `isowhisk-${pkg.version ?? 'unknown'}`;
  } catch {
    return 'isowhisk';
  }
}

export function buildProgram(cli: Cli): Command {
  const program = new Command('wsk')
    .description('Isowhisk command line interface (the OpenWhisk wsk commands).')
    .addHelpText('beforeAll', ({ command }) => (command.parent ? '' : BANNER))
    .usage('[command]')
    // Each level parses its own flags: `property get --auth` is a selector there, a key everywhere else.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    // list subcommands with their arguments ("create ACTION_NAME ACTION"), as wsk's help does
    .configureHelp({
      subcommandTerm: (cmd) => (cmd.name() === 'help' ? 'help [command]' : cmd.commands.length > 0 ? cmd.name() : `${cmd.name()} ${cmd.usage().replace(/ ?\[flags\]$/, '')}`.trimEnd()),
    })
    .configureOutput({
      writeOut: (text) => cli.out.stdout.write(text),
      writeErr: (text) => cli.out.stderr.write(text),
    });

  registerAction(program, cli);
  registerActivation(program, cli);
  registerPackage(program, cli);
  registerRule(program, cli);
  registerTrigger(program, cli);
  registerProperty(program, cli);
  registerNamespace(program, cli);
  registerSdk(program, cli);
  addGlobalOptions(program);
  showHelpOfGroups(program);

  program.hook('preAction', (_root, command) => {
    const flag = unsupportedParamFlag(command, cli.args.seen);
    if (flag !== undefined) throw new WskError(`unknown option '${flag}'`, { usage: true });
  });
  return program;
}

/**
 * `wsk` and `wsk action` alone print their help on stdout and succeed, as wsk does (commander would print it
 * on stderr and fail); a name that is no subcommand is an error.
 */
function showHelpOfGroups(cmd: Command): void {
  if (cmd.commands.length === 0) return;
  cmd
    .usage('[command]')
    .argument('[command]')
    .allowExcessArguments()
    .helpCommand(true) // commander drops its `help` command once a group has an action
    .action((name: string | undefined) => {
      if (name !== undefined) throw new WskError(`unknown command '${name}'`, { usage: true });
      cmd.outputHelp();
    });
  cmd.commands.forEach(showHelpOfGroups);
}

/** Runs the CLI on `argv` (the user's arguments) and returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const out = new Output(streamOf(process.stdout), streamOf(process.stderr), env);
  const debug = argv.includes('-d') || argv.includes('--debug') || (env.WSK_CLI_DEBUG ?? '') !== '';
  const cli: Cli = { out, args: noExtractedArgs(), env, version: cliVersion(), clients: [] };
  try {
    cli.args = extractParamArgs(argv);
    await buildProgram(cli).parseAsync(cli.args.rest, { from: 'user' });
    return 0;
  } catch (err) {
    return report(out, err, debug);
  } finally {
    await Promise.all(cli.clients.map((c) => c.close().catch(() => undefined)));
  }
}

function report(out: Output, err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) return err.exitCode; // commander has printed its message or the help
  if (err instanceof WskError) {
    if (!err.silent) out.error(err.message);
    if (err.usage) out.errLine("Run 'wsk --help' for usage.");
    if (debug && err.cause instanceof Error && err.cause.stack) out.errLine(err.cause.stack);
    return err.exitCode;
  }
  // Not expected: one line, with the stack only when debugging.
  out.error(err instanceof Error ? err.message : String(err));
  if (debug && err instanceof Error && err.stack) out.errLine(err.stack);
  return EXIT_GENERAL;
}
