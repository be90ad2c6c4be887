// A second tenant made with the admin command (deploy/admin/) on the running platform: its key works with the wsk
// CLI and the openwhisk client; blocked, it gets OpenWhisk's 401; a limit set for it is enforced. Controllers cache
// identities for a few seconds, so a change is awaited by condition, never by a fixed sleep.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openwhisk from 'openwhisk';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { jaegerTrace } from '../support/jaeger.ts';
import { wskWith, type Wsk } from '../support/cli.ts';
import { adminProcess } from '../support/admin.ts';
import { testKafka, testPlatform } from '../support/stack.ts';


describe('admin command: a second tenant on the platform', function () {
  this.timeout(120_000);
  let redisUrl: string;
  let apiHost: string;
  let dir: string;
  let wsk: Wsk;
  let ow: openwhisk.Client;
  let apiKey: string;
  let webUrl: string;
  const subject = `tenant-${randomBytes(5).toString('hex')}`;

  const admin = (...args: string[]) => adminProcess(['--redis', redisUrl, ...args]);

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    const platform = await testPlatform();
    redisUrl = platform.redisUrl;
    apiHost = platform.apiHost;
    webUrl = platform.webUrl;
    const created = await admin('user', 'create', subject);
    assert.equal(created.code, 0, created.stderr);
    apiKey = created.stdout.trim();
    dir = mkdtempSync(join(tmpdir(), 'isowhisk-admin-'));
    writeFileSync(join(dir, 'wskprops'), `APIHOST=${apiHost}\nAUTH=${apiKey}\n`);
    writeFileSync(join(dir, 'hello.js'), "function main(p) { return { hello: p.name || 'world' }; }\n");
    const run = wskWith(join(dir, 'wskprops'));
    wsk = (args, options = {}) => run(args, { cwd: dir, ...options });
    ow = openwhisk({ apihost: apiHost, api_key: apiKey });
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the new tenant's key works with wsk and the openwhisk client, in its own namespace", async () => {
    assert.deepEqual(await wsk(['action', 'create', 'hello', 'hello.js']), { code: 0, stdout: 'ok: created action hello\n', stderr: '' });
    const invoked = await wsk(['action', 'invoke', 'hello', '--result', '-p', 'name', 'admin']);
    assert.equal(invoked.code, 0, invoked.stderr);
    assert.deepEqual(JSON.parse(invoked.stdout), { hello: 'admin' });

    assert.deepEqual(await ow.namespaces.list(), [subject]);
    assert.deepEqual(await ow.actions.invoke({ name: 'hello', blocking: true, result: true, params: { name: 'client' } }), { hello: 'client' });
    const listed = await ow.actions.list();
    assert.deepEqual(listed.map((a) => `${a.namespace}/${a.name}`), [`${subject}/hello`]);
  });

  it("blocked, the tenant gets OpenWhisk's 401; unblocked, its key works again", async () => {
    const blocked = await admin('user', 'block', subject);
    assert.deepEqual([blocked.code, blocked.stdout], [0, `'${subject}' blocked successfully\n`]);

    const refused = await waitFor(
      'the blocked key to be refused',
      async () => {
        const res = await wsk(['action', 'list']);
        return res.code === 0 ? undefined : res;
      },
      30_000,
      250,
    );
    assert.equal(refused.code, 145, 'wsk exit code for HTTP 401');
    assert.match(refused.stderr, /^error: Unable to obtain the list of actions for namespace 'default': The supplied authentication is invalid \(code \S+\)\n/);
    await assert.rejects(ow.actions.list(), (err: { statusCode?: number; message?: string }) => {
      assert.equal(err.statusCode, 401);
      assert.match(err.message ?? '', /The supplied authentication is invalid/);
      return true;
    });

    assert.equal((await admin('user', 'unblock', subject)).code, 0);
    await waitFor('the unblocked key to work', async () => ((await wsk(['action', 'list'])).code === 0 ? true : undefined), 30_000, 250);
    assert.deepEqual(await ow.actions.invoke({ name: 'hello', blocking: true, result: true }), { hello: 'world' });
  });

  it("blocked, the tenant's Kafka feed holds its records and fires them once unblocked; its web actions are not found", async () => {
    const topic = `held-${randomBytes(4).toString('hex')}`;
    assert.equal((await wsk(['action', 'create', 'page', 'hello.js', '--web', 'true'])).code, 0);
    assert.equal((await wsk(['trigger', 'create', 'held', '--feed', '/whisk.system/messaging/kafkaFeed', '-p', 'topic', topic])).code, 0);
    assert.equal((await wsk(['rule', 'create', 'held-rule', 'held', 'hello'])).code, 0);
    const page = `${webUrl}/api/v1/web/${subject}/default/page.json`;
    assert.equal((await fetch(page)).status, 200);

    assert.equal((await admin('user', 'block', subject)).code, 0);
    // Within the controllers' identity cache lifetime (5 s), as for keys.
    await waitFor('a blocked subject\'s web action to be not found', async () => ((await fetch(page)).status === 404 ? true : undefined), 30_000, 250);

    // The record carries a trace of the test's own: the feed's fire attempt shows in it as a `process` span.
    const traceId = randomBytes(16).toString('hex');
    const producer = await createProducer(createKafka({ brokers: await testKafka(), clientId: 'admin-tenant', logger: pino({ level: 'silent' }) }));
    try {
      await producer.send(topic, [{ value: Buffer.from('while blocked'), headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } }]);
    } finally {
      await producer.close();
    }
    await jaegerTrace(traceId, (t) => t.spans.some((s) => s.operationName === `process ${topic}`));
    assert.equal((await admin('user', 'unblock', subject)).code, 0);
    const fires = await waitFor(
      'the held record to fire after the unblock',
      async () => {
        const list = await ow.activations.list({ name: 'held' });
        return list.length > 0 ? list : undefined;
      },
      30_000,
      250,
    );
    assert.equal(fires.length, 1);
    const fire = (await ow.activations.get({ name: fires[0]!.activationId })) as unknown as { response: { result: { messages: Array<{ value: string }> } } };
    assert.deepEqual(fire.response.result.messages.map((m) => m.value), ['while blocked']);
    // the held attempt and the fire after the unblock: two `process` spans in the record's trace
    await jaegerTrace(traceId, (t) => t.spans.filter((s) => s.operationName === `process ${topic}`).length >= 2);
    assert.equal((await wsk(['trigger', 'delete', 'held'])).code, 0);
  });

  it('a limit set with the admin command is enforced: invocationsPerMinute 1 → 429', async () => {
    const set = await admin('limits', 'set', subject, '--invocationsPerMinute', '1');
    assert.equal(set.code, 0, set.stderr);

    // invoke until the controller has the new limit (its identity cache) and the minute's count passes it
    const throttled = await waitFor(
      'an invoke refused with 429',
      async () => {
        const res = await wsk(['action', 'invoke', 'hello']);
        return res.code === 0 ? undefined : res;
      },
      60_000,
      100,
    );
    assert.equal(throttled.code, 173, `wsk exit code for HTTP 429: ${throttled.stderr}`);
    assert.match(throttled.stderr, /Too many requests in the last minute \(count: \d+, allowed: 1\)\./);
    const limits = await fetch(`${apiHost}/api/v1/namespaces/_/limits`, { headers: { Authorization: `Basic ${Buffer.from(apiKey).toString('base64')}` } });
    assert.equal(((await limits.json()) as { invocationsPerMinute: number }).invocationsPerMinute, 1);

    assert.equal((await admin('limits', 'clear', subject)).code, 0);
  });
});
