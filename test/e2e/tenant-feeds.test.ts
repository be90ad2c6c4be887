// Tenant isolation of Kafka feeds, on the real stack with two namespaces: no feed reads a topic the platform uses
// itself, a topic another namespace's feed reads cannot be taken, a flood of feeds stops at the namespace's limit,
// and the login of a feed on the user's own brokers is never shown nor kept in clear. Every test ends by showing
// that the bystander's invoke is still answered.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino from 'pino';
import { waitFor } from '../../deploy/local/daemon.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { topics } from '../../shared/topics.ts';
import { type CliNamespace, cliNamespace } from '../support/cli.ts';
import { type Activation, type TestNamespace, api } from '../support/platform.ts';
import { testKafka, testPlatform } from '../support/stack.ts';
import { bystanderServed, twoTenants } from '../support/tenants.ts';

const FEED = '/whisk.system/messaging/kafkaFeed';
const FEED_PATH = '/namespaces/whisk.system/actions/messaging/kafkaFeed?blocking=true';

/** A feed lifecycle request as wsk sends it; the feed activation's result. */
async function feedRequest(ns: TestNamespace, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await api(ns, 'POST', FEED_PATH, JSON.stringify(body));
  return ((await res.json()) as Activation).response.result as Record<string, unknown>;
}

const create = (ns: TestNamespace, trigger: string, params: Record<string, unknown>) =>
  feedRequest(ns, { lifecycleEvent: 'CREATE', triggerName: `/${ns.name}/${trigger}`, ...params });

const fresh = (what: string) => `${what}-${randomBytes(4).toString('hex')}`;

/** Every value held in Redis, as text, for a search of the whole store. */
async function everyValueInRedis(redisUrl: string): Promise<string[]> {
  const redis = new Redis(redisUrl);
  try {
    const values: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        if (type === 'string') values.push((await redis.get(key)) ?? '');
        else if (type === 'hash') values.push(...Object.entries(await redis.hgetall(key)).flat());
        else if (type === 'set') values.push(...(await redis.smembers(key)));
        else if (type === 'zset') values.push(...(await redis.zrange(key, '0', '-1')));
        else if (type === 'list') values.push(...(await redis.lrange(key, 0, -1)));
        else if (type === 'stream') values.push(JSON.stringify(await redis.xrange(key, '-', '+')));
        values.push(key);
      }
    } while (cursor !== '0');
    return values;
  } finally {
    redis.disconnect();
  }
}

describe('tenant isolation: Kafka feeds (real stack)', function () {
  this.timeout(120_000);
  let attacker: CliNamespace;
  let bystander: TestNamespace;

  before(async function () {
    this.timeout(180_000); // the first suite to run starts the platform
    await testPlatform();
    ({ bystander } = await twoTenants());
    attacker = await cliNamespace('attacker');
  });

  after(() => attacker?.cleanup());

  it('refuses a feed on the platform\'s own topics (invoker requests, health, events, Kafka\'s), as wsk creates it', async () => {
    const t = topics();
    const system = [t.invoker(0), t.health, t.events, t.invoker(7), 'Invoker0', '__consumer_offsets'];
    for (const topic of system) {
      const res = await attacker.wsk(['trigger', 'create', 'spy', '--feed', FEED, '-p', 'topic', topic, '-p', 'isBinaryValue', 'true']);
      assert.equal(res.code, 246, `${topic}: ${res.stdout}${res.stderr}`);
      assert.match(res.stderr, new RegExp(`Topic '${topic}' is reserved for the platform; choose another topic\\.`), topic);
      // wsk removes the trigger whose feed failed: nothing is left to read with
      assert.notEqual((await attacker.wsk(['trigger', 'get', 'spy'])).code, 0, `${topic}: the spy trigger was left behind`);
    }
    await bystanderServed(bystander);
  });

  it('a topic the bystander\'s feed reads cannot be taken (CREATE or UPDATE) and stays the bystander\'s; freed when its feed goes', async () => {
    const topic = fresh('orders');
    await bystander.ow.triggers.create({ name: 'orders' });
    await bystander.ow.rules.create({ name: 'orders-echo', trigger: 'orders', action: 'echo' }); // a fire with no rule leaves no record
    assert.equal((await create(bystander, 'orders', { topic })).created, true);

    await attacker.ow.triggers.create({ name: 'steal' });
    const taken = `Topic '${topic}' is in use by another namespace; choose another topic.`;
    const stolen = await create(attacker, 'steal', { topic });
    assert.deepEqual(stolen, { error: taken });
    assert.ok(!JSON.stringify(stolen).includes(bystander.name), 'the refusal does not say whose topic it is');

    const decoy = fresh('decoy');
    assert.equal((await create(attacker, 'steal', { topic: decoy })).created, true);
    const moved = await feedRequest(attacker, { lifecycleEvent: 'UPDATE', triggerName: `/${attacker.name}/steal`, topic });
    assert.deepEqual(moved, { error: taken });
    const read = await feedRequest(attacker, { lifecycleEvent: 'READ', triggerName: `/${attacker.name}/steal` });
    assert.equal((read.config as { topic: string }).topic, decoy, 'the attacker\'s feed still reads its own topic');

    // the bystander's feed still gets its records
    const producer = await createProducer(createKafka({ brokers: await testKafka(), clientId: 'tenant-feeds', logger: pino({ level: 'silent' }) }));
    try {
      await producer.send(topic, [{ value: Buffer.from('mine') }]);
    } finally {
      await producer.close();
    }
    await waitFor('the bystander\'s feed to fire', async () => {
      const list = (await bystander.ow.activations.list({ name: 'orders' })) as unknown[];
      return list.length > 0 || undefined;
    }, 30_000, 100);

    // once the bystander's last feed on the topic is gone, any namespace may read it
    await feedRequest(bystander, { lifecycleEvent: 'DELETE', triggerName: `/${bystander.name}/orders` });
    const retaken = await feedRequest(attacker, { lifecycleEvent: 'UPDATE', triggerName: `/${attacker.name}/steal`, topic });
    assert.equal(retaken.updated, true, JSON.stringify(retaken));
    await feedRequest(attacker, { lifecycleEvent: 'DELETE', triggerName: `/${attacker.name}/steal` });
    await bystanderServed(bystander);
  });

  it('a flood of feeds stops at the namespace\'s feed limit, also when the creates race', async () => {
    const flooder = await cliNamespace('flooder');
    flooder.cleanup();
    const platform = await testPlatform();
    const redis = new Redis(platform.redisUrl);
    await redis.set(redisKeys().namespaceLimits(flooder.name), JSON.stringify({ maxFeeds: 3 })).finally(() => redis.disconnect());

    const names = Array.from({ length: 8 }, (_, i) => `flood-${i}`);
    await Promise.all(names.map((name) => flooder.ow.triggers.create({ name })));
    const results = await Promise.all(names.map((name) => create(flooder, name, { topic: fresh('flood') })));
    assert.equal(results.filter((r) => r.created === true).length, 3, JSON.stringify(results));
    for (const refused of results.filter((r) => r.created !== true)) {
      assert.deepEqual(refused, { error: 'The namespace may have at most 3 Kafka feeds; delete one before creating another.' });
    }
    // a deleted feed makes room for another
    const made = names.filter((_, i) => results[i]!.created === true);
    await feedRequest(flooder, { lifecycleEvent: 'DELETE', triggerName: `/${flooder.name}/${made[0]}` });
    const spare = names.find((_, i) => results[i]!.created !== true)!;
    assert.equal((await create(flooder, spare, { topic: fresh('flood') })).created, true);
    await bystanderServed(bystander);
  });

  it('refuses "own" brokers that are the platform\'s Kafka, under any of its names', async () => {
    const [platformBroker] = await testKafka();
    const port = platformBroker!.slice(platformBroker!.lastIndexOf(':') + 1);
    await attacker.ow.triggers.create({ name: 'detour' });
    for (const brokers of [platformBroker, `localhost:${port}`, `0.0.0.0:${port}`, ['example.invalid:9092', `127.0.0.1:${port}`]]) {
      const res = await create(attacker, 'detour', { topic: topics().invoker(0), brokers });
      assert.deepEqual(res, { error: "Parameter 'brokers' names the platform's own Kafka; leave 'brokers' out to read a topic there." }, JSON.stringify(brokers));
    }
    await bystanderServed(bystander);
  });

  it('a feed on the user\'s own brokers keeps its login: not on the trigger, not in READ or wsk trigger get, not in clear in Redis', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const username = `user-${randomBytes(6).toString('hex')}`;
    // nothing listens on port 1: CREATE does not connect (as OpenWhisk's kafkaFeed), the consumer keeps retrying
    const created = await attacker.wsk([
      'trigger', 'create', 'vault', '--feed', FEED,
      '-p', 'topic', 'payments', '-p', 'brokers', '127.0.0.1:1', '-p', 'username', username, '-p', 'password', password, '-p', 'saslMechanism', 'scram-sha-256',
    ]);
    assert.equal(created.code, 0, created.stderr);
    try {
      const shown = [created.stdout, created.stderr];
      const got = await attacker.wsk(['trigger', 'get', 'vault']);
      assert.equal(got.code, 0, got.stderr);
      const config = JSON.parse(got.stdout.slice(got.stdout.indexOf('{'))).response.result.config as Record<string, unknown>;
      assert.deepEqual(config, {
        triggerName: `/${attacker.name}/vault`,
        topic: 'payments',
        isJSONData: false,
        isBinaryValue: false,
        isBinaryKey: false,
        brokers: ['127.0.0.1:1'],
        tls: true,
        saslMechanism: 'scram-sha-256',
      });
      const trigger = await api(attacker, 'GET', '/namespaces/_/triggers/vault');
      assert.equal(trigger.status, 200);
      shown.push(got.stdout, await trigger.text());
      for (const text of shown) {
        assert.ok(!text.includes(password), `the password was shown: ${text}`);
        assert.ok(!text.includes(username), `the username was shown: ${text}`);
      }
      const stored = await everyValueInRedis((await testPlatform()).redisUrl);
      assert.ok(stored.some((v) => v.includes('127.0.0.1:1')), 'the feed is registered');
      assert.ok(!stored.some((v) => v.includes(password) || v.includes(username)), 'the login is kept in clear in Redis');
    } finally {
      assert.equal((await attacker.wsk(['trigger', 'delete', 'vault'])).code, 0);
    }
    await bystanderServed(bystander);
  });
});
