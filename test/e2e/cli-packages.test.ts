// `wsk package` against the platform: create, bind, get (also --summary), list, delete, and an action invoked
// through a binding on a real invoker, whose record names the bound package in `path` and the binding in
// `binding`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { activationIdIn, cliNamespace, type CliNamespace } from '../support/cli.ts';

/** The JSON wsk prints after its `ok: ...` line. */
function jsonAfterOkLine(stdout: string): any {
  const [first, ...rest] = stdout.split('\n');
  assert.match(first ?? '', /^ok: /);
  return JSON.parse(rest.join('\n'));
}

describe('wsk CLI: packages and bindings', function () {
  let ns: CliNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    ns = await cliNamespace('cli-pkg');
    writeFileSync(join(ns.dir, 'echo.js'), 'function main(params) { return params; }');
  });

  after(() => ns?.cleanup());

  it('creates, binds, gets, lists and deletes packages', async () => {
    assert.deepEqual(await ns.wsk(['package', 'create', 'utils', '-p', 'region', 'eu', '--shared', 'yes']), {
      code: 0,
      stdout: 'ok: created package utils\n',
      stderr: '',
    });
    assert.equal((await ns.wsk(['action', 'create', 'utils/echo', 'echo.js'])).code, 0);
    assert.deepEqual(await ns.wsk(['package', 'bind', 'utils', 'mine', '-p', 'greeting', 'hi']), {
      code: 0,
      stdout: 'ok: created binding mine\n',
      stderr: '',
    });

    const got = await ns.wsk(['package', 'get', 'mine']);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(got.stdout.startsWith('ok: got package mine\n'), got.stdout);
    const binding = jsonAfterOkLine(got.stdout);
    assert.deepEqual(binding.binding, { namespace: ns.name, name: 'utils' });
    assert.deepEqual(binding.parameters, [{ key: 'region', value: 'eu' }, { key: 'greeting', value: 'hi' }]);
    assert.deepEqual(binding.actions.map((a: any) => a.name), ['echo']);

    const summary = await ns.wsk(['package', 'get', 'utils', '--summary']);
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(summary.stdout, new RegExp(`^package /${ns.name}/utils`));
    assert.match(summary.stdout, new RegExp(`\\n action /${ns.name}/utils/echo\\n`));

    const list = await ns.wsk(['package', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'packages');
    assert.match(lines.find((l) => l.startsWith(`/${ns.name}/utils `)) ?? '', / shared$/);
    assert.match(lines.find((l) => l.startsWith(`/${ns.name}/mine `)) ?? '', / private$/);

    const notEmpty = await ns.wsk(['package', 'delete', 'utils']);
    assert.equal(notEmpty.code, 153); // 409
    assert.match(notEmpty.stderr, /^error: Unable to delete package 'utils': Package not empty \(contains 1 entity\)\. Set force param or delete package contents\. \(code \w+\)\n$/);

    const reserved = await ns.wsk(['package', 'create', 'default']);
    assert.equal(reserved.code, 144); // 400
    assert.match(reserved.stderr, /^error: Unable to create package 'default': Package name 'default' is reserved\. \(code \w+\)\n$/);
  });

  it('invokes an action through a binding on an invoker: merged parameters, path and binding annotations', async () => {
    const invoked = await ns.wsk(['action', 'invoke', 'mine/echo', '-p', 'x', '1', '--blocking']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const id = activationIdIn(invoked.stdout);
    const record = jsonAfterOkLine(invoked.stdout);
    assert.deepEqual(record.response.result, { region: 'eu', greeting: 'hi', x: 1 });
    const annotation = (key: string) => record.annotations.find((a: any) => a.key === key)?.value;
    assert.equal(annotation('path'), `${ns.name}/utils/echo`);
    assert.equal(annotation('binding'), `${ns.name}/mine`);
    assert.equal(record.namespace, ns.name);
    assert.equal(record.name, 'echo');

    // the stored record says the same
    const got = await ns.wsk(['activation', 'get', id]);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(jsonAfterOkLine(got.stdout).annotations.find((a: any) => a.key === 'binding')?.value, `${ns.name}/mine`);
  });

  it('deletes a binding, then the package once its action is gone', async () => {
    assert.deepEqual(await ns.wsk(['package', 'delete', 'mine']), { code: 0, stdout: 'ok: deleted package mine\n', stderr: '' });
    assert.equal((await ns.wsk(['action', 'delete', 'utils/echo'])).code, 0);
    assert.deepEqual(await ns.wsk(['package', 'delete', 'utils']), { code: 0, stdout: 'ok: deleted package utils\n', stderr: '' });
    const list = await ns.wsk(['package', 'list']);
    assert.deepEqual(list, { code: 0, stdout: 'packages\n', stderr: '' });
  });
});
