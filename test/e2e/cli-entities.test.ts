// The `wsk` CLI's trigger, rule, package and namespace commands against the platform, and how it reports the
// API's refusals: a missing entity (or a route the server does not have yet) is wsk's 404 error line with
// exit code 148, a wrong key wsk's 401 line with 145, and `wsk list` prints what it could get.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliNamespace, type CliNamespace } from '../support/cli.ts';

describe('wsk CLI: triggers, rules, packages, namespaces and API errors', function () {
  let ns: CliNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    ns = await cliNamespace('cli-ent');
  });

  after(() => ns?.cleanup());

  for (const [args, message] of [
    [['trigger', 'get', 'nope'], "Unable to get trigger 'nope'"],
    [['trigger', 'fire', 'nope'], "Unable to fire trigger 'nope'"],
    [['trigger', 'delete', 'nope'], "Unable to get trigger 'nope'"],
    [['rule', 'get', 'nope'], "Unable to get rule 'nope'"],
    [['rule', 'enable', 'nope'], "Unable to enable rule 'nope'"],
    [['rule', 'status', 'nope'], "Unable to get status of rule 'nope'"],
    [['package', 'get', 'nope'], "Unable to get package 'nope'"],
    [['package', 'delete', 'nope'], "Unable to delete package 'nope'"],
  ] as const) {
    it(`wsk ${args.join(' ')}: a missing entity is wsk's 404 line and exit code 148`, async () => {
      const res = await ns.wsk(args);
      assert.equal(res.code, 148, res.stderr);
      assert.equal(res.stdout, '');
      // the server's text: "does not exist" for a missing entity, "could not be found" for a route it lacks
      assert.match(res.stderr.split('\n')[0] ?? '', new RegExp(`^error: ${message}: The requested resource (does not exist|could not be found)\\. \\(code \\w+\\)$`));
    });
  }

  it('trigger, rule and package lists print their table or wsk\'s list error', async () => {
    for (const [collection, header] of [
      ['trigger', 'triggers'],
      ['rule', 'rules'],
      ['package', 'packages'],
    ] as const) {
      const res = await ns.wsk([collection, 'list']);
      if (res.code === 0) assert.equal(res.stdout, `${header}\n`);
      else {
        assert.equal(res.code, 148);
        assert.match(res.stderr, new RegExp(`^error: Unable to obtain the list of ${header} for namespace 'default': .+ \\(code \\w+\\)\\n$`));
      }
    }
    const entityName = await ns.wsk(['trigger', 'list', 'notanamespace']);
    assert.equal(entityName.code, 1);
    assert.match(entityName.stderr, /^error: An entity name, 'notanamespace', was provided instead of a namespace\. Valid namespaces are of the following format: \/NAMESPACE\.\n/);
  });

  it('wsk list shows the entities it could get, even when some collections fail', async () => {
    writeFileSync(join(ns.dir, 'listed.js'), 'function main() { return {}; }');
    assert.equal((await ns.wsk(['action', 'create', 'listed', 'listed.js'])).code, 0);

    for (const args of [['list'], ['namespace', 'get']]) {
      const res = await ns.wsk(args);
      const lines = res.stdout.split('\n');
      assert.equal(lines[0], 'Entities in namespace: default');
      assert.ok(lines.includes('actions'), res.stdout);
      assert.ok(lines.some((l) => l.startsWith(`/${ns.name}/listed `)), res.stdout);
      if (res.code !== 0) {
        assert.equal(res.code, 148);
        for (const line of res.stderr.trimEnd().split('\n')) assert.match(line, /^error: Unable to obtain the list of entities for namespace 'default': .+\(code \w+\)$/);
      }
    }
  });

  it('a wrong key is wsk\'s 401 line and exit code 145', async () => {
    const wrongKey = `${ns.apiKey.split(':')[0]}:${'x'.repeat(64)}`;
    const res = await ns.wsk(['action', 'list', '--auth', wrongKey]);
    assert.equal(res.code, 145);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /^error: Unable to obtain the list of actions for namespace 'default': The supplied authentication is invalid \(code \w+\)\n$/);

    const invoke = await ns.wsk(['-u', wrongKey, 'action', 'invoke', 'anything', '-r']);
    assert.equal(invoke.code, 145);
    assert.match(invoke.stderr, /^error: Unable to invoke action 'anything': The supplied authentication is invalid \(code \w+\)\n$/);
  });

  it('invoking a missing action is a 404 with exit code 148, blocking or not', async () => {
    for (const flags of [[], ['-b'], ['-r']]) {
      const res = await ns.wsk(['action', 'invoke', 'missing', ...flags]);
      assert.equal(res.code, 148);
      assert.match(res.stderr, /^error: Unable to invoke action 'missing': The requested resource does not exist\. \(code \w+\)\n$/);
    }
  });

  it('an entity outside the caller\'s namespace is refused (403 → exit code 147)', async () => {
    const res = await ns.wsk(['action', 'get', '/someone-else/action']);
    assert.equal(res.code, 147);
    assert.match(res.stderr, /^error: Unable to get action 'action': The supplied authentication is not authorized to access '[^']+'\. \(code \w+\)\n$/);
  });
});
