// `/whisk.system/utils` on the real stack, as a user of another namespace meets it: the package and its actions are
// readable entities, each action gives OpenWhisk's results for the inputs OpenWhisk's own catalog tests use
// (`UtilsTests.scala`) and its manifest documents, and the actions work in the user's sequences, rules and
// bindings, through the `openwhisk` client and the `wsk` CLI.
import assert from 'node:assert/strict';
import { UTILS_ACTIONS } from '../../controller/catalog/utils-package.ts';
import { cliNamespace } from '../support/cli.ts';
import { type Activation, type TestNamespace, api, freshNamespace } from '../support/platform.ts';
import { testPlatform } from '../support/stack.ts';
import { waitForRecord } from '../support/records.ts';

const util = (name: string) => `/whisk.system/utils/${name}`;
const lines = ['seven', 'eight', 'nine'];

describe('/whisk.system/utils (real stack)', function () {
  this.timeout(120_000);
  let ns: TestNamespace;
  /** The result of a blocking invoke of `name` with `params`. */
  const result = async (name: string, params: Record<string, unknown> = {}): Promise<unknown> =>
    ns.ow.actions.invoke({ name, params, blocking: true, result: true });
  /** The record of a blocking invoke that ends in an application error (the API answers 502 with it). */
  const failure = async (name: string, params: Record<string, unknown>): Promise<Activation['response']> => {
    const err = await ns.ow.actions.invoke({ name, params, blocking: true }).then(
      () => assert.fail(`${name} succeeded`),
      (e: { statusCode?: number; error?: Activation }) => e,
    );
    assert.equal(err.statusCode, 502);
    assert.ok(err.error?.response, 'the error carries the activation');
    return err.error.response;
  };

  before(async () => {
    await testPlatform();
    ns = await freshNamespace('utils');
  });

  describe('entities', () => {
    it('lists the published package in whisk.system, with its nine actions and their annotations', async () => {
      const listed = (await ns.ow.packages.list({ namespace: 'whisk.system' } as never)) as unknown as Array<{ name: string; publish: boolean }>;
      assert.ok(listed.some((p) => p.name === 'utils' && p.publish === true), JSON.stringify(listed));

      const pkg = (await ns.ow.packages.get({ name: '/whisk.system/utils' })) as any;
      assert.equal(pkg.namespace, 'whisk.system');
      assert.equal(pkg.publish, true);
      assert.deepEqual(pkg.annotations, [{ key: 'description', value: 'Building blocks that format and assemble data' }]);
      assert.deepEqual(pkg.actions.map((a: { name: string }) => a.name).sort(), [...UTILS_ACTIONS].sort());
    });

    it('gets an action with its code and the manifest\'s description, parameters and samples', async () => {
      const split = (await ns.ow.actions.get({ name: util('split') })) as any;
      assert.equal(split.namespace, 'whisk.system/utils');
      assert.equal(split.exec.kind, 'nodejs:default');
      assert.match(split.exec.code, /var separator = msg\.separator \|\| \/\\r\?\\n\/;/);
      const annotations = Object.fromEntries(split.annotations.map((a: { key: string; value: unknown }) => [a.key, a.value]));
      assert.equal(annotations.description, 'Split a string into an array');
      assert.deepEqual(annotations.parameters.map((p: { name: string }) => p.name), ['payload', 'separator']);
      assert.deepEqual(annotations.sampleInput, { payload: 'one,two,three', separator: ',' });
      assert.deepEqual(annotations.sampleOutput, { lines: ['one', 'two', 'three'], payload: 'one,two,three' });
    });

    it('cannot be changed or deleted from another namespace', async () => {
      const put = await api(ns, 'PUT', '/namespaces/whisk.system/actions/utils/echo?overwrite=true', JSON.stringify({ exec: { kind: 'nodejs:default', code: 'function main() { return { owned: true }; }' } }));
      assert.equal(put.status, 403);
      const del = await api(ns, 'DELETE', '/namespaces/whisk.system/packages/utils?force=true');
      assert.equal(del.status, 403);
      assert.deepEqual(await result(util('echo'), { still: 'mine' }), { still: 'mine' });
    });
  });

  describe('each action gives OpenWhisk\'s result', () => {
    it('echo returns its input', async () => {
      assert.deepEqual(await result(util('echo'), { payload: 'Five fuzzy felines' }), { payload: 'Five fuzzy felines' });
    });

    it('cat joins lines with newlines', async () => {
      assert.deepEqual(await result(util('cat'), { lines }), { lines, payload: 'seven\neight\nnine' });
      assert.deepEqual(await result(util('cat'), { lines: [4, 2, 3] }), { lines: [4, 2, 3], payload: '4\n2\n3' });
    });

    it('head keeps the first num lines (one by default)', async () => {
      assert.deepEqual(await result(util('head'), { lines, num: 2 }), { lines: ['seven', 'eight'], num: 2 });
      assert.deepEqual(await result(util('head'), { lines: [4, 2, 3] }), { lines: [4], num: 1 });
    });

    it('smash nests every argument under $fieldName, and refuses a missing one', async () => {
      const args = { a: 1, b: 2, c: { d: 3, e: 4 } };
      assert.deepEqual(await result(util('smash'), { ...args, $fieldName: 'x' }), { x: args });
      assert.deepEqual(await result(util('smash'), { $fieldName: 'x' }), { x: {} });
      const failed = await failure(util('smash'), {});
      assert.equal(failed.success, false);
      assert.deepEqual(failed.result, { error: "Expected an argument '$fieldName' of type 'string'." });
    });

    it('sort sorts lines and counts them', async () => {
      assert.deepEqual(await result(util('sort'), { lines }), { lines: ['eight', 'nine', 'seven'], length: 3 });
      // Array.prototype.sort compares as strings: OpenWhisk's sample input sorts as documented
      assert.deepEqual(await result(util('sort'), { lines: [4, 2, 3] }), { lines: [2, 3, 4], length: 3 });
    });

    it('split splits on the separator, or on line ends by default', async () => {
      assert.deepEqual(await result(util('split'), { payload: 'seven,eight,nine', separator: ',' }), { lines, payload: 'seven,eight,nine' });
      assert.deepEqual(await result(util('split'), { payload: 'a\r\nb\nc' }), { lines: ['a', 'b', 'c'], payload: 'a\r\nb\nc' });
    });

    it('date returns the current time', async () => {
      const before = Date.now();
      const { date } = (await result(util('date'))) as { date: string };
      const at = Date.parse(date);
      assert.ok(at >= before - 1_000 && at <= Date.now() + 1_000, `${date} is not now`);
    });

    it('namespace names the caller\'s namespace, not whisk.system', async () => {
      assert.deepEqual(await result(util('namespace')), { namespace: ns.name });
    });

    it('hosturl builds the URLs of actions, triggers and web actions on the API host', async () => {
      const base = ns.apiHost;
      const cases: Array<[string, Record<string, unknown>]> = [
        [`${base}/api/v1/namespaces/${ns.name}/actions`, {}],
        [`${base}/api/v1/namespaces/${ns.name}/actions/echo`, { path: 'echo' }],
        [`${base}/api/v1/namespaces/${ns.name}/actions/utils/echo`, { path: 'utils/echo' }],
        [`${base}/api/v1/namespaces/${ns.name}/triggers/echo`, { trigger: true, path: 'echo' }],
        [`${base}/api/v1/web/${ns.name}`, { web: true }],
        [`${base}/api/v1/web/${ns.name}/default/echo.text`, { web: true, path: 'echo', ext: '.text' }],
        [`${base}/api/v1/web/${ns.name}/utils/echo`, { web: true, path: 'utils/echo' }],
      ];
      for (const [url, args] of cases) assert.deepEqual(await result(util('hosturl'), args), { url }, JSON.stringify(args));
      assert.deepEqual((await failure(util('hosturl'), { web: true, trigger: true })).result, { error: 'triggers are not allowed for web actions.' });
      assert.deepEqual((await failure(util('hosturl'), { trigger: true, path: 'utils/echo' })).result, { error: 'triggers are not allowed in packages.' });
    });
  });

  describe('in a user\'s own compositions', () => {
    it('runs in a sequence of the user\'s: split → sort → head', async () => {
      await ns.ow.actions.create({ name: 'firstSorted', sequence: [util('split'), util('sort'), util('head')] } as never);
      const out = await result('firstSorted', { payload: 'pear,apple,fig', separator: ',', num: 2 });
      // each component gets only its predecessor's result: head's num is its default
      assert.deepEqual(out, { lines: ['apple'], num: 1 });
    });

    it('is reached through a binding, with the binding\'s parameters', async () => {
      await ns.ow.packages.create({ name: 'myutils', package: { binding: { namespace: 'whisk.system', name: 'utils' }, parameters: [{ key: '$fieldName', value: 'wrapped' }, { key: 'num', value: 2 }] } });
      assert.deepEqual(await result('myutils/smash', { a: 1 }), { wrapped: { a: 1, num: 2 } });
      assert.deepEqual(await result('myutils/head', { lines }), { lines: ['seven', 'eight'], num: 2 });
      const bound = (await ns.ow.packages.get({ name: 'myutils' })) as any;
      assert.deepEqual(bound.binding, { namespace: 'whisk.system', name: 'utils' });
      assert.equal(bound.actions.length, UTILS_ACTIONS.length);
    });

    it('is run by a rule of the user\'s when the trigger fires', async () => {
      await ns.ow.triggers.create({ name: 'ping' });
      await ns.ow.rules.create({ name: 'ping-echo', trigger: 'ping', action: util('echo') });
      const fired = (await ns.ow.triggers.invoke({ name: 'ping', params: { hello: 'rule' } })) as { activationId: string };
      const trigger = await waitForRecord(ns, fired.activationId);
      const started = trigger.logs.map((l) => JSON.parse(l) as { success: boolean; activationId?: string });
      assert.equal(started.length, 1);
      assert.equal(started[0]?.success, true, JSON.stringify(started));
      const record = await waitForRecord(ns, started[0]!.activationId!);
      assert.equal(record.name, 'echo');
      assert.equal(record.namespace, ns.name);
      assert.equal((record.response.result as { hello?: string }).hello, 'rule');
    });

    it('works with wsk: action get, package get --summary, package bind, invoke through the binding', async () => {
      const cli = await cliNamespace('utils-cli');
      try {
        const got = await cli.wsk(['action', 'get', util('echo')]);
        assert.equal(got.code, 0, got.stderr);
        assert.match(got.stdout, /"namespace": "whisk\.system\/utils"/);
        const summary = await cli.wsk(['package', 'get', '/whisk.system/utils', '--summary']);
        assert.equal(summary.code, 0, summary.stderr);
        assert.match(summary.stdout, /^package \/whisk\.system\/utils: Building blocks that format and assemble data\n/);
        for (const name of UTILS_ACTIONS) assert.match(summary.stdout, new RegExp(`action /whisk\\.system/utils/${name}: `));
        assert.deepEqual(await cli.wsk(['package', 'bind', '/whisk.system/utils', 'myutils', '-p', '$fieldName', 'x']), {
          code: 0,
          stdout: 'ok: created binding myutils\n',
          stderr: '',
        });
        const invoked = await cli.wsk(['action', 'invoke', 'myutils/smash', '-p', 'a', '1', '--result']);
        assert.equal(invoked.code, 0, invoked.stderr);
        assert.deepEqual(JSON.parse(invoked.stdout), { x: { a: 1 } });
      } finally {
        cli.cleanup();
      }
    });
  });
});
