// The `wsk` CLI's configuration and command-line handling, which need no platform: the properties file and
// `wsk property`, precedence (flag > environment > file > default), bad flags and arguments, an unreachable
// host, and --help on every command.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildProgram } from '../../cli/main.ts';
import type { Cli } from '../../cli/lib/context.ts';
import { Output } from '../../cli/lib/output.ts';
import { noExtractedArgs } from '../../cli/lib/params.ts';
import { scratchConfig } from '../support/cli.ts';

const KEY = '11111111-2222-3333-4444-555555555555:' + 'k'.repeat(64);
const UNREACHABLE = 'http://127.0.0.1:1';

describe('wsk CLI: configuration and command line', function () {
  this.timeout(30_000);
  let scratch: ReturnType<typeof scratchConfig>;

  beforeEach(() => {
    scratch = scratchConfig('cli-config');
  });
  afterEach(() => scratch.cleanup());

  it('property set writes the properties file and says what it set; property get shows it', async () => {
    const set = await scratch.wsk(['property', 'set', '--apihost', 'http://127.0.0.1:3233/', '--auth', KEY, '--namespace', 'guest']);
    assert.deepEqual(set, {
      code: 0,
      stdout:
        "ok: whisk auth set. Run 'wsk property get --auth' to see the new value.\n" +
        'ok: whisk API host set to http://127.0.0.1:3233/\n' +
        'ok: whisk namespace set to guest\n',
      stderr: '',
    });
    assert.equal(readFileSync(scratch.configFile, 'utf8'), `AUTH=${KEY}\nAPIHOST=http://127.0.0.1:3233\nNAMESPACE=guest\n`);

    assert.deepEqual(await scratch.wsk(['property', 'get', '--apihost']), { code: 0, stdout: 'whisk API host\t\thttp://127.0.0.1:3233\n', stderr: '' });
    assert.equal((await scratch.wsk(['property', 'get', '--auth', '-o', 'raw'])).stdout, `${KEY}\n`);
    assert.equal((await scratch.wsk(['property', 'get', '--namespace'])).stdout, 'whisk namespace\t\tguest\n');
    assert.equal((await scratch.wsk(['property', 'get', '--apiversion'])).stdout, 'whisk API version\tv1\n');

    // here --apihost selects what to print (as wsk's); before the command it is the global flag
    const flagged = await scratch.wsk(['--apihost', UNREACHABLE, 'property', 'get', '--apihost']);
    assert.equal(flagged.stdout, 'whisk API host\t\thttp://127.0.0.1:1\n', 'a global --apihost is the effective host');

    const unset = await scratch.wsk(['property', 'unset', '--auth', '--namespace']);
    assert.equal(unset.stdout, 'ok: whisk auth unset.\nok: whisk namespace unset; the default value of _ will be used.\n');
    assert.equal(readFileSync(scratch.configFile, 'utf8'), 'APIHOST=http://127.0.0.1:3233\n');
  });

  it('property get with no selector lists everything; the API build is "Unknown" when the host is unreachable', async () => {
    writeFileSync(scratch.configFile, `APIHOST=${UNREACHABLE}\nAUTH=${KEY}\n`);
    const res = await scratch.wsk(['property', 'get']);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(
      res.stdout.replace(/isowhisk-\S+/, 'isowhisk-VERSION'),
      `whisk API host\t\t${UNREACHABLE}\nwhisk auth\t\t${KEY}\nwhisk namespace\t\t_\nclient cert\t\t\nClient key\t\t\n` +
        'whisk API version\tv1\nwhisk CLI version\tisowhisk-VERSION\nwhisk API build\t\tUnknown\nwhisk API build number\tUnknown\n',
    );
    const raw = await scratch.wsk(['property', 'get', '-o', 'raw']);
    assert.deepEqual([raw.code, raw.stderr], [1, 'error: --output|-o raw only supported with specific property type\n']);
  });

  it('precedence: flag over environment over properties file over default', async () => {
    const host = async (args: string[], env: NodeJS.ProcessEnv = {}) => (await scratch.wsk([...args, 'property', 'get', '--apihost', '-o', 'raw'], { env })).stdout;
    assert.equal(await host([]), '\n', 'no default API host, as wsk');
    writeFileSync(scratch.configFile, 'APIHOST=file.example:1234\n');
    assert.equal(await host([]), 'file.example:1234\n');
    assert.equal(await host([], { WHISK_APIHOST: 'env.example' }), 'env.example\n');
    assert.equal(await host(['--apihost', 'flag.example'], { WHISK_APIHOST: 'env.example' }), 'flag.example\n');

    // the effective host is the one requests go to; a host without a scheme means https
    writeFileSync(scratch.configFile, `APIHOST=file.invalid\nAUTH=${KEY}\n`);
    const flagged = await scratch.wsk(['-v', 'action', 'list', '--apihost', UNREACHABLE]);
    assert.match(flagged.stderr, /^REQUEST:\n\[GET\]\thttp:\/\/127\.0\.0\.1:1\/api\/v1\/namespaces\/_\/actions\?limit=30&skip=0\n/);
    const fromFile = await scratch.wsk(['action', 'list', '--verbose']);
    assert.match(fromFile.stderr, /^REQUEST:\n\[GET\]\thttps:\/\/file\.invalid\/api\/v1\/namespaces\/_\/actions\?limit=30&skip=0\n/);

    // the key: default none, then file, then flag (seen in property get)
    const auth = async (args: string[]) => (await scratch.wsk([...args, 'property', 'get', '--auth', '-o', 'raw'])).stdout;
    assert.equal(await auth([]), `${KEY}\n`);
    assert.equal(await auth(['-u', 'flag:key']), 'flag:key\n');
    writeFileSync(scratch.configFile, '');
    assert.equal(await auth([]), '\n');
  });

  it('WSK_CONFIG_FILE names the properties file; without it ~/.wskprops is used', async () => {
    writeFileSync(scratch.configFile, 'APIHOST=from.config.file\n');
    const other = scratchConfig('cli-home');
    try {
      writeFileSync(`${other.dir}/.wskprops`, 'APIHOST=from.home\n');
      const viaHome = await scratch.wsk(['property', 'get', '--apihost', '-o', 'raw'], { env: { WSK_CONFIG_FILE: undefined, HOME: other.dir } });
      assert.equal(viaHome.stdout, 'from.home\n');
      const viaEnv = await scratch.wsk(['property', 'get', '--apihost', '-o', 'raw'], { env: { HOME: other.dir } });
      assert.equal(viaEnv.stdout, 'from.config.file\n');
    } finally {
      other.cleanup();
    }
  });

  it('without an API host or a key the error says so', async () => {
    const noHost = await scratch.wsk(['action', 'list']);
    assert.equal(noHost.code, 1);
    assert.equal(noHost.stderr, "error: The API host is not valid: An API host must be provided. Set one with 'wsk property set --apihost HOST' or --apihost.\n");

    const noKey = await scratch.wsk(['action', 'list', '--apihost', UNREACHABLE]);
    assert.equal(noKey.code, 2);
    assert.equal(noKey.stderr, "error: Unable to obtain the list of actions for namespace 'default': Authorization key is not configured (--auth is required)\nRun 'wsk --help' for usage.\n");
  });

  it('an unreachable host is one clear line and exit code 3, never a stack trace', async () => {
    writeFileSync(scratch.configFile, `APIHOST=${UNREACHABLE}\nAUTH=${KEY}\n`);
    for (const [args, prefix] of [
      [['action', 'list'], "Unable to obtain the list of actions for namespace 'default'"],
      [['action', 'invoke', 'hello', '-r'], "Unable to invoke action 'hello'"],
      [['activation', 'get', '--last'], 'Unable to get activation'],
    ] as const) {
      const res = await scratch.wsk(args);
      assert.equal(res.code, 3, res.stderr);
      assert.equal(res.stdout, '');
      assert.equal(res.stderr, `error: ${prefix}: Unable to connect to ${UNREACHABLE} (connection refused)\n`);
    }
  });

  it('bad flags and arguments: commander\'s or wsk\'s message and a non-zero exit code', async () => {
    writeFileSync(scratch.configFile, `APIHOST=${UNREACHABLE}\nAUTH=${KEY}\n`);
    const unknown = await scratch.wsk(['action', 'list', '--bogus']);
    assert.deepEqual([unknown.code, unknown.stdout], [1, '']);
    assert.match(unknown.stderr, /^error: unknown option '--bogus'/);

    const notInt = await scratch.wsk(['action', 'create', 'x', 'x.js', '--timeout', 'soon']);
    assert.equal(notInt.code, 1);
    assert.match(notInt.stderr, /^error: option '-t, --timeout <LIMIT>' argument 'soon' is invalid/);

    const noValue = await scratch.wsk(['action', 'invoke', 'x', '-p', 'key']);
    assert.equal(noValue.code, 1);
    assert.match(noValue.stderr, /^error: Failed to parse arguments: The parameter arguments are invalid: Arguments for '-p' must be a key\/value pair\n/);

    const paramOnGet = await scratch.wsk(['action', 'get', 'x', '-p', 'a', 'b']);
    assert.equal(paramOnGet.code, 1);
    assert.match(paramOnGet.stderr, /^error: unknown option '-p'\n/);

    const tooFew = await scratch.wsk(['action', 'create']);
    assert.deepEqual(tooFew, { code: 1, stdout: '', stderr: "error: Invalid argument(s). An action name and code artifact are required.\nRun 'wsk --help' for usage.\n" });

    const tooMany = await scratch.wsk(['action', 'invoke', 'a', 'b']);
    assert.equal(tooMany.stderr, "error: Invalid argument(s): b. An action name is required.\nRun 'wsk --help' for usage.\n");

    const noFile = await scratch.wsk(['action', 'create', 'x', 'missing.js']);
    assert.deepEqual([noFile.code, noFile.stderr], [2, "error: Invalid argument(s). File 'missing.js' is not a valid file or it does not exist\nRun 'wsk --help' for usage.\n"]);

    writeFileSync(`${scratch.dir}/code.txt`, 'x');
    const badKind = await scratch.wsk(['action', 'create', 'x', 'code.txt']);
    assert.deepEqual([badKind.code, badKind.stderr], [2, "error: Invalid argument(s). '.txt' is not a supported action runtime\nRun 'wsk --help' for usage.\n"]);

    const badWeb = await scratch.wsk(['action', 'create', 'x', 'code.txt', '--kind', 'nodejs:default', '--web', 'maybe']);
    assert.equal(badWeb.code, 2);
    assert.match(badWeb.stderr, /^error: Invalid argument\(s\)\. Invalid argument 'maybe' for --web flag\./);

    const badName = await scratch.wsk(['action', 'get', '/only-namespace/']);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^error: '\/only-namespace\/' is not a valid qualified name: A valid qualified name must be specified\.\n/);

    const unknownCommand = await scratch.wsk(['acton', 'list']);
    assert.equal(unknownCommand.code, 1);
    assert.match(unknownCommand.stderr, /^error: unknown command 'acton'/);
  });

  it('every command has --help, with wsk\'s usage line and the global flags', async () => {
    const out = new Output({ write: () => {}, isTTY: false }, { write: () => {}, isTTY: false }, {});
    const cli: Cli = { out, args: noExtractedArgs(), env: {}, version: 'test', clients: [] };
    const visit = (cmd: Command, path: string[]): string[][] => [path, ...cmd.commands.filter((c) => c.name() !== 'help').flatMap((c) => visit(c, [...path, c.name()]))];
    const program = buildProgram(cli);
    const paths = visit(program, []);
    assert.ok(paths.length > 40, `${paths.length} commands`);
    for (const path of paths) {
      let cmd: Command = program;
      for (const name of path) cmd = cmd.commands.find((c) => c.name() === name) ?? assert.fail(name);
      const help = cmd.helpInformation();
      assert.match(help, new RegExp(`^Usage: wsk${path.map((p) => ` ${p}`).join('')} `), path.join(' '));
      assert.match(help, /--apihost/, path.join(' '));
      assert.match(help, /-h, --help/, path.join(' '));
    }

    // and as a user runs it
    const res = await scratch.wsk(['action', 'invoke', '--help']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /^Usage: wsk action invoke ACTION_NAME \[flags\]\n/);
    assert.match(res.stdout, /-p, --param <KEY VALUE>\s+parameter values in KEY VALUE format/);
    assert.match(res.stdout, /-r, --result\s+blocking invoke; show only activation result/);
    const bare = await scratch.wsk([]);
    assert.equal(bare.code, 0, 'wsk alone shows its help, as wsk does');
    assert.match(bare.stdout, /Usage: wsk \[command\]/);
    const group = await scratch.wsk(['trigger']);
    assert.equal(group.code, 0);
    assert.match(group.stdout, /^Usage: wsk trigger \[command\]\n/);
    const root = await scratch.wsk(['--help']);
    assert.match(root.stdout, /Usage: wsk \[command\]/);
    assert.match(root.stdout, /activation\s+work with activations/);
  });
});
