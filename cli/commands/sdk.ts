// `wsk sdk install bashauto [--stdout]` (openwhisk-cli commands/sdk.go): bash completion for every command and flag.
// The script is generated from this program's own command tree, so it always matches what wsk accepts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { run, subcommand } from '../lib/command.ts';
import type { Cli, Context } from '../lib/context.ts';
import { checkArgs, WskError } from '../lib/errors.ts';

export const BASH_COMPLETION_FILE = 'wsk_cli_bash_completion.sh';

/** Every command path (`""`, `action`, `action create`, ...) with its subcommands and flags. */
function commandTable(root: Command): Map<string, { words: string[] }> {
  const table = new Map<string, { words: string[] }>();
  const visit = (cmd: Command, path: string[], inherited: string[]) => {
    const flags = [...inherited, ...cmd.options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined))];
    const subcommands = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help');
    table.set(path.join(' '), { words: [...subcommands, ...flags] });
    for (const sub of cmd.commands) visit(sub, [...path, sub.name()], cmd === root ? flags : inherited);
  };
  visit(root, [], []);
  return table;
}

/** A bash completion function: the deepest command path among the words typed so far picks the candidates. */
export function bashCompletion(root: Command): string {
  const cases = [...commandTable(root)]
    .map(([path, { words }]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# bash completion for wsk: source this file, or copy it into your bash completion directory
_wsk_completion() {
  local cur path candidate word i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    [[ "$word" == -* ]] && continue
    candidate="\${path:+$path }$word"
    _wsk_words "$candidate" >/dev/null && path="$candidate"
  done
  COMPREPLY=($(compgen -W "$(_wsk_words "$path")" -- "$cur"))
}
_wsk_words() {
  local words
  case "$1" in
${cases}
    *) return 1 ;;
  esac
  echo "$words"
}
complete -o default -F _wsk_completion wsk
`;
}

async function install(root: Command, ctx: Context, args: string[]): Promise<void> {
  checkArgs(args, 1, 1, 'The SDK component argument is missing. One component (docker, ios, or bashauto) must be specified');
  if (args[0] !== 'bashauto') throw new WskError(`The SDK component argument '${args[0]}' is invalid. Valid components are docker, ios, or bashauto`);
  const script = bashCompletion(root);
  if ((ctx.opts as { stdout?: boolean }).stdout) {
    ctx.out.stdout.write(script);
    return;
  }
  writeFileSync(join(process.cwd(), BASH_COMPLETION_FILE), script);
  ctx.out.line(`bash completion for wsk is installed in the current directory as ${BASH_COMPLETION_FILE}`);
  ctx.out.line(`To enable it, run: source ${BASH_COMPLETION_FILE}`);
}

export function registerSdk(program: Command, cli: Cli): void {
  const sdk = program.command('sdk').description('work with the sdk');
  const installCmd = subcommand(sdk, 'install', 'COMPONENT', 'install SDK artifacts (bashauto: bash completion for wsk)');
  installCmd.option('--stdout', 'prints bash command completion script to stdout');
  run(cli, installCmd, (ctx, args) => install(program, ctx, args), { api: false });
}
