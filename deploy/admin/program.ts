// The admin command's commands, as OpenWhisk's `wskadmin user` and `wskadmin limits` have them
// (`tools/admin/.../UserCommand.scala`, `LimitsCommand.scala`, with their messages), over shared/subjects.ts:
//   user create|delete|get|whois|list|block|unblock, key create|list|delete, limits get|set|clear.
// Differences, because keys are stored hashed: a key is printed once, by `user create` (or `key create`, or
// `user create --revoke` for a new secret); `user get` and `user list` show uuids, never secrets.
// `limits set` adds to the namespace's stored limits instead of replacing them all; `limits clear` removes them.
import { Command, CommanderError } from 'commander';
import { WhiskError } from '../../shared/errors.ts';
import { parseApiKey } from '../../shared/ids.ts';
import type { SubjectStore } from '../../shared/subjects.ts';
import { limitLines, limitOptions, overridesOf } from './limit-options.ts';

export interface AdminOutput {
  out(line: string): void;
  err(line: string): void;
}

/** A failure the command reports as one line on stderr, with exit code 1 (wskadmin's `IllegalState`). */
export class AdminError extends Error {}

/** OpenWhisk requires subjects of at least five characters (`CommandMessages.shortName`). */
function checkSubject(subject: string): string {
  if (subject.length < 5) throw new AdminError('Subject name must be at least 5 characters');
  return subject;
}

function buildProgram(store: SubjectStore, io: AdminOutput): Command {
  const program = new Command('admin')
    .description("Isowhisk's administration (wskadmin): subjects, their keys and namespaces, and namespace limits, in Redis")
    .option('--redis <url>', 'the Redis of the deployment (default: ISOWHISK_REDIS_URL, else the local stack\'s)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.replace(/\n$/, '')), writeErr: (t) => io.err(t.replace(/\n$/, '')) });

  const user = program.command('user').description('manage users (subjects) and their keys');
  user
    .command('create <subject>')
    .description('create a user and show its key (printed only now: keys are stored hashed)')
    .option('--namespace <namespace>', 'create a key for this namespace instead of the one named as the subject')
    .option('-u, --auth <uuid:key>', 'the key to give the subject, instead of a new one')
    .option('-r, --revoke', "give the subject's existing key for the namespace a new secret")
    .action(async (subject: string, opts: { namespace?: string; auth?: string; revoke?: boolean }) => {
      checkSubject(subject);
      if (opts.revoke) {
        io.out(await store.revokeKey(subject, opts.namespace));
        return;
      }
      let key;
      if (opts.auth !== undefined) {
        key = parseApiKey(opts.auth);
        if (!key || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key.uuid)) {
          throw new AdminError('authorization key must be uuid:key, with a UUID and a 64-character key');
        }
      }
      io.out(await store.addKey(subject, { ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }), ...(key ? { key } : {}) }));
    });
  user
    .command('delete <subject>')
    .description("delete a user and all its keys, or with --namespace only its key for that namespace")
    .option('--namespace <namespace>', 'delete only the key for this namespace')
    .action(async (subject: string, opts: { namespace?: string }) => {
      await store.deleteSubject(subject, opts.namespace);
      io.out(opts.namespace === undefined ? 'Subject deleted' : 'Namespace deleted');
    });
  user
    .command('get <subject>')
    .description("show the uuid of the user's key for a namespace (the secret is stored hashed and cannot be shown)")
    .option('--namespace <namespace>', 'the namespace (default: the one named as the subject)')
    .option('--all', "list all the user's namespaces and their keys' uuids")
    .action(async (subject: string, opts: { namespace?: string; all?: boolean }) => {
      const found = await store.getSubject(subject);
      if (!found) throw new AdminError(`'${subject}' missing`);
      const suffix = found.blocked ? '\tblocked' : '';
      if (opts.all) {
        for (const n of found.namespaces) io.out(`${n.namespace}\t${n.uuid}${suffix}`);
        return;
      }
      const namespace = opts.namespace ?? subject;
      const entry = found.namespaces.find((n) => n.namespace === namespace);
      if (!entry) throw new AdminError(`Namespace '${namespace}' does not exist for '${subject}'`);
      io.out(`${entry.uuid}${suffix}`);
    });
  user
    .command('whois <key>')
    .description('identify the user of a key (uuid:key)')
    .action(async (text: string) => {
      const key = parseApiKey(text);
      const found = key && (await store.whois(key));
      if (!found) throw new AdminError('Subject not found for this key');
      io.out(`subject: ${found.subject}`);
      io.out(`namespace: ${found.namespace}`);
      if (found.blocked) io.out('blocked: true');
    });
  user
    .command('list [namespace]')
    .description("list the keys of a namespace (uuid and subject); without a namespace, every subject")
    .option('-p, --pick <n>', 'show no more than N', (v) => {
      if (!/^[1-9]\d*$/.test(v)) throw new AdminError('--pick must be a whole number of 1 or more');
      return Number(v);
    })
    .option('-k, --key', 'show only the uuids')
    .option('-a, --all', 'show all (the default)')
    .action(async (namespace: string | undefined, opts: { pick?: number; key?: boolean }) => {
      if (namespace === undefined) {
        for (const subject of (await store.listSubjects()).slice(0, opts.pick)) io.out(subject);
        return;
      }
      await listKeys(namespace, opts);
    });
  const block = (blocked: boolean) => async (subjects: string[]) => {
    let missing = 0;
    for (const subject of subjects) {
      if (await store.setBlocked(subject, blocked)) {
        io.out(`'${subject}' ${blocked ? 'blocked' : 'unblocked'} successfully`);
      } else {
        missing++;
        io.err(`'${subject}' missing`);
      }
    }
    if (missing > 0) throw new AdminError(''); // each missing subject was reported above
  };
  user.command('block <subjects...>').description('block one or more users: their keys are refused (401) until unblocked').action(block(true));
  user.command('unblock <subjects...>').description('unblock one or more users').action(block(false));

  const listKeys = async (namespace: string, opts: { pick?: number; key?: boolean }) => {
    const keys = (await store.namespaceKeys(namespace)).slice(0, opts.pick);
    if (keys.length === 0) throw new AdminError(`no identities found for namespace '${namespace}'`);
    for (const k of keys) io.out(opts.key ? k.uuid : `${k.uuid}\t${k.subject}${k.blocked ? '\tblocked' : ''}`);
  };

  const key = program.command('key').description("a namespace's keys (one per subject that has the namespace, as in OpenWhisk)");
  key
    .command('create <namespace>')
    .description('create a key for the namespace and show it (printed only now)')
    .option('--subject <subject>', 'the subject the key belongs to (default: the one named as the namespace)')
    .action(async (namespace: string, opts: { subject?: string }) => {
      io.out(await store.addKey(checkSubject(opts.subject ?? namespace), { namespace }));
    });
  key
    .command('list <namespace>')
    .description("list the namespace's keys: uuid and subject")
    .option('-k, --key', 'show only the uuids')
    .action(async (namespace: string, opts: { key?: boolean }) => listKeys(namespace, opts));
  key
    .command('delete <uuid>')
    .description('delete one key')
    .action(async (uuid: string) => {
      const gone = await store.deleteKey(uuid);
      io.out(`Key deleted (subject '${gone.subject}', namespace '${gone.namespace}')`);
    });

  const limits = program.command('limits').description('manage namespace-specific limits (OpenWhisk UserLimits)');
  const set = limits.command('set <namespace>').description("set limits for a namespace (added to its stored ones; others keep their values)");
  for (const option of limitOptions()) set.addOption(option);
  set.action(async (namespace: string, opts: Record<string, unknown>) => {
    const overrides = overridesOf(opts);
    if (Object.keys(overrides).length === 0) throw new AdminError('no limit given: see admin limits set --help');
    if (!(await store.namespaceExists(namespace))) throw new AdminError(`namespace '${namespace}' does not exist`);
    const { existed } = await store.updateLimits(namespace, overrides);
    io.out(existed ? `Limits successfully updated for '${namespace}'` : `Limits successfully set for '${namespace}'`);
  });
  limits
    .command('get <namespace>')
    .description('get the limits stored for a namespace (if none exist, system defaults apply)')
    .action(async (namespace: string) => {
      const stored = await store.getLimits(namespace);
      const lines = stored ? limitLines(stored) : [];
      if (lines.length === 0) io.out('No limits found, default system limits apply');
      for (const line of lines) io.out(line);
    });
  limits
    .command('clear <namespace>')
    .alias('delete')
    .description("delete a namespace's limits (system defaults apply)")
    .action(async (namespace: string) => {
      if (!(await store.clearLimits(namespace))) throw new AdminError(`Limits not found for '${namespace}'`);
      io.out('Limits deleted');
    });

  return program;
}

/** The `--redis` option of an argument list, read before the store is built (it says which Redis to open). */
export function redisUrlOption(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--redis' || a.startsWith('--redis='));
  if (i < 0) return undefined;
  const arg = argv[i] ?? '';
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
}

/** Runs one admin command line; returns the exit code (0 success, 1 failure, commander's for bad usage). */
export async function runAdmin(argv: readonly string[], store: SubjectStore, io: AdminOutput): Promise<number> {
  const program = buildProgram(store, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' ? 0 : err.exitCode || 2;
    if (err instanceof AdminError) {
      if (err.message !== '') io.err(err.message);
      return 1;
    }
    // the store's refusals (blocked subject, key exists, not found) carry wskadmin's texts
    if (err instanceof WhiskError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}
