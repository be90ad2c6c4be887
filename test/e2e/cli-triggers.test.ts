// `wsk trigger`, `wsk rule` and `wsk action create --sequence` as a user types them, against the platform: the seed flow of a trigger firing an
// action through a rule, rule status changes, and a trigger with a Kafka feed configured and removed by wsk.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { activationIdIn, cliNamespace, type CliNamespace } from '../support/cli.ts';
import {  } from '../support/platform.ts';
import { waitForRecord } from '../support/records.ts';

describe('wsk CLI: triggers, rules, feeds and sequences', function () {
  this.timeout(120_000);
  let ns: CliNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    ns = await cliNamespace('cli-trig');
    writeFileSync(join(ns.dir, 'echo.js'), 'function main(params) { return params; }');
    assert.equal((await ns.wsk(['action', 'create', 'echo', 'echo.js'])).code, 0);
  });

  after(() => ns?.cleanup());

  async function ok(args: string[]): Promise<string> {
    const res = await ns.wsk(args);
    assert.equal(res.code, 0, `wsk ${args.join(' ')}\n${res.stderr}`);
    return res.stdout;
  }

  it('a fired trigger runs the rule\'s action with the trigger\'s and the fire\'s parameters', async () => {
    assert.equal(await ok(['trigger', 'create', 'tick', '-p', 'from', 'trigger']), 'ok: created trigger tick\n');
    assert.equal(await ok(['trigger', 'fire', 'tick']), 'ok: triggered /_/tick with id \n', 'no active rule: nothing fired');
    assert.equal(await ok(['rule', 'create', 'tick-echo', 'tick', 'echo']), 'ok: created rule tick-echo\n');

    const fired = await ok(['trigger', 'fire', 'tick', '-p', 'n', '7']);
    assert.match(fired, /^ok: triggered \/_\/tick with id [0-9a-f]{32}\n$/);
    const triggerRecord = await waitForRecord(ns, activationIdIn(fired));
    const [outcome] = triggerRecord.logs.map((l) => JSON.parse(l) as { activationId: string; success: boolean; rule: string });
    assert.equal(outcome?.success, true);
    assert.equal(outcome?.rule, `${ns.name}/tick-echo`);
    const run = await waitForRecord(ns, outcome!.activationId);
    const result = run.response.result as Record<string, unknown>;
    assert.equal(result.from, 'trigger');
    assert.equal(result.n, 7);

    assert.match(await ok(['activation', 'get', activationIdIn(fired)]), new RegExp(`"name": "tick"`));
  });

  it('disables, reports and re-enables a rule; lists show status', async () => {
    await ok(['trigger', 'create', 'tock']);
    await ok(['rule', 'create', 'tock-echo', 'tock', 'echo']);
    assert.equal(await ok(['rule', 'disable', 'tock-echo']), 'ok: disabled rule tock-echo\n');
    assert.equal(await ok(['rule', 'status', 'tock-echo']), 'ok: rule tock-echo is inactive\n');
    assert.match(await ok(['rule', 'list']), new RegExp(`^/${ns.name}/tock-echo +private +inactive$`, 'm'));
    assert.equal(await ok(['rule', 'enable', 'tock-echo']), 'ok: enabled rule tock-echo\n');
    const got = await ok(['rule', 'get', 'tock-echo']);
    assert.match(got, /^ok: got rule tock-echo\n/);
    assert.equal(JSON.parse(got.slice(got.indexOf('{'))).status, 'active');
    assert.match(await ok(['trigger', 'list']), new RegExp(`^/${ns.name}/tock +private$`, 'm'));
    assert.equal(await ok(['rule', 'delete', 'tock-echo']), 'ok: deleted rule tock-echo\n');
    assert.equal(await ok(['trigger', 'delete', 'tock']), 'ok: deleted trigger tock\n');
  });

  it('creates a trigger with a Kafka feed, and deleting the trigger removes the feed', async () => {
    const topic = `cli-feed-${randomBytes(4).toString('hex')}`;
    const created = await ok(['trigger', 'create', 'fed', '--feed', '/whisk.system/messaging/kafkaFeed', '-p', 'topic', topic]);
    assert.match(created, /^ok: invoked \/whisk\.system\/messaging\/kafkaFeed with id [0-9a-f]{32}\n/);
    assert.match(created, /ok: created trigger fed\n$/);
    assert.match(created, new RegExp(`"topic": "${topic}"`));

    const deleted = await ok(['trigger', 'delete', 'fed']);
    assert.match(deleted, /"deleted": true/);
    assert.match(deleted, /ok: deleted trigger fed\n$/);
  });

  it('a sequence made with --sequence runs its components in order and lists as a sequence', async () => {
    writeFileSync(join(ns.dir, 'inc.js'), 'function main(p) { return { n: (p.n || 0) + 1 }; }');
    await ok(['action', 'create', 'inc', 'inc.js']);
    assert.equal(await ok(['action', 'create', 'twice', '--sequence', 'inc,inc']), 'ok: created action twice\n');
    assert.deepEqual(JSON.parse(await ok(['action', 'invoke', 'twice', '-p', 'n', '1', '-r'])), { n: 3 });
    assert.match(await ok(['action', 'list']), new RegExp(`^/${ns.name}/twice +private sequence$`, 'm'));
  });

  it('a feed that refuses its parameters leaves no trigger behind', async () => {
    const res = await ns.wsk(['trigger', 'create', 'unfed', '--feed', '/whisk.system/messaging/kafkaFeed']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /"error": "Parameter 'topic' is required\."/);
    assert.match(res.stderr, /error: Unable to create trigger 'unfed': Unable to configure feed '\/whisk\.system\/messaging\/kafkaFeed'/);
    assert.equal((await ns.wsk(['trigger', 'get', 'unfed'])).code, 148);
  });
});
