// The admin command (deploy/admin/) against the test Redis: each wskadmin-like command, what it prints and stores,
// and what the identity store the controller authenticates with then sees (shared/identities.ts). Commands run
// in-process through runAdmin; the last tests run the real entry point as `npm run admin` does.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { runAdmin } from '../../deploy/admin/program.ts';
import { adminProcess } from '../support/admin.ts';
import { ensureGuest, identityStore, type IdentityStore } from '../../shared/identities.ts';
import { formatApiKey, newApiKey, parseApiKey } from '../../shared/ids.ts';
import { hashKey } from '../../shared/key-hash.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { subjectStore, type SubjectStore } from '../../shared/subjects.ts';
import { testRedis } from '../support/stack.ts';


interface Run {
  code: number;
  out: string[];
  err: string[];
}

const fresh = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

describe('admin command', function () {
  this.timeout(60_000);
  let redisUrl: string;
  let redis: Redis;
  const keys = redisKeys();
  let subjects: SubjectStore;
  let identities: IdentityStore;

  const admin = async (...argv: string[]): Promise<Run> => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAdmin(argv, subjects, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  };

  /** Authenticates `uuid:key` as the controller does. */
  const authenticate = (apiKey: string) => {
    const key = parseApiKey(apiKey);
    assert.ok(key, `not a key: ${apiKey}`);
    return identities.authenticate(key.uuid, key.key);
  };

  before(async () => {
    redisUrl = await testRedis();
    redis = new Redis(redisUrl);
    subjects = subjectStore(redis, keys);
    identities = identityStore(redis, keys, { cacheTtlMs: 0 });
  });
  after(() => redis.disconnect());

  it('user create prints a new key once, stores it hashed, and the key authenticates the namespace', async () => {
    const alice = fresh('alice');
    const created = await admin('user', 'create', alice);
    assert.equal(created.code, 0, created.err.join('\n'));
    assert.equal(created.out.length, 1);
    const apiKey = created.out[0] ?? '';
    assert.match(apiKey, /^[0-9a-f-]{36}:[A-Za-z0-9]{64}$/);
    const [uuid, secret] = apiKey.split(':');
    const stored = await redis.hgetall(keys.authKey(uuid ?? ''));
    assert.deepEqual(Object.keys(stored).sort(), ['keyHash', 'namespace', 'subject']);
    assert.ok(!JSON.stringify(stored).includes(secret ?? '-'), 'the secret is not stored');
    assert.deepEqual(await authenticate(apiKey), { subject: alice, namespace: alice, uuid, limits: {}, apiKey });

    // the subject has the namespace now: a second create is refused, with wskadmin's text
    assert.deepEqual(await admin('user', 'create', alice), { code: 1, out: [], err: ['Namespace already exists'] });
    // get shows the uuid (the secret cannot be shown again)
    assert.deepEqual(await admin('user', 'get', alice), { code: 0, out: [uuid], err: [] });
    assert.deepEqual((await admin('user', 'list')).out.includes(alice), true);
  });

  it('a second subject joins a namespace with a key of its own; list shows both; deleting the owner hands the namespace on', async () => {
    const team = fresh('team');
    const owner = (await admin('user', 'create', team)).out[0] ?? '';
    const bobby = fresh('bobby');
    const joined = await admin('user', 'create', bobby, '--namespace', team);
    assert.equal(joined.code, 0, joined.err.join('\n'));
    const bobbyKey = joined.out[0] ?? '';
    assert.equal((await authenticate(bobbyKey))?.namespace, team);
    assert.equal((await authenticate(bobbyKey))?.subject, bobby);

    const listed = await admin('user', 'list', team);
    const ownerUuid = owner.split(':')[0];
    const bobbyUuid = bobbyKey.split(':')[0];
    assert.deepEqual(listed.out.sort(), [`${ownerUuid}\t${team}`, `${bobbyUuid}\t${bobby}`].sort());
    assert.deepEqual((await admin('key', 'list', team, '--key')).out.sort(), [ownerUuid, bobbyUuid].sort());
    assert.deepEqual((await admin('user', 'get', bobby, '--all')).out, [`${team}\t${bobbyUuid}`]);

    // the namespace acts with its owner's key; once that subject is gone, with the other key
    assert.equal((await identities.namespaceIdentity(team))?.uuid, ownerUuid);
    assert.deepEqual(await admin('user', 'delete', team), { code: 0, out: ['Subject deleted'], err: [] });
    assert.equal(await authenticate(owner), undefined);
    assert.equal((await identities.namespaceIdentity(team))?.uuid, bobbyUuid);
    assert.equal(await subjects.namespaceExists(team), true);

    // the last key gone, the namespace is gone too
    assert.deepEqual(await admin('key', 'delete', bobbyUuid ?? ''), { code: 0, out: [`Key deleted (subject '${bobby}', namespace '${team}')`], err: [] });
    assert.equal(await authenticate(bobbyKey), undefined);
    assert.equal(await subjects.namespaceExists(team), false);
    assert.equal(await redis.sismember(keys.namespaces(), team), 0);
    assert.deepEqual(await admin('user', 'list', team), { code: 1, out: [], err: [`no identities found for namespace '${team}'`] });
  });

  it('user delete --namespace removes one key and keeps the subject; revoke gives a new secret for the same uuid', async () => {
    const carol = fresh('carol');
    const own = (await admin('user', 'create', carol)).out[0] ?? '';
    const side = fresh('side');
    const sideKey = (await admin('user', 'create', carol, '--namespace', side)).out[0] ?? '';
    assert.deepEqual(await admin('user', 'delete', carol, '--namespace', side), { code: 0, out: ['Namespace deleted'], err: [] });
    assert.equal(await authenticate(sideKey), undefined);
    assert.ok(await authenticate(own));
    assert.deepEqual(await admin('user', 'delete', carol, '--namespace', side), { code: 1, out: [], err: [`Namespace '${side}' does not exist for '${carol}'`] });

    const revoked = await admin('user', 'create', carol, '--revoke');
    const renewed = revoked.out[0] ?? '';
    assert.equal(renewed.split(':')[0], own.split(':')[0], 'same uuid');
    assert.notEqual(renewed, own);
    assert.equal(await authenticate(own), undefined, 'the old secret no longer works');
    assert.ok(await authenticate(renewed));
  });

  it('user create --auth stores the given key; bad keys and short subjects are refused', async () => {
    const given = `${crypto.randomUUID()}:${'a1'.repeat(32)}`;
    const dave = fresh('dave');
    assert.deepEqual(await admin('user', 'create', dave, '-u', given), { code: 0, out: [given], err: [] });
    assert.ok(await authenticate(given));
    assert.deepEqual(await admin('user', 'create', fresh('erin'), '-u', `${given.split(':')[0]}:${'b'.repeat(64)}`), {
      code: 1,
      out: [],
      err: [`the key's uuid '${given.split(':')[0]}' is already in use`],
    });
    assert.equal((await admin('user', 'create', fresh('frank'), '-u', 'not-a-uuid:short')).code, 1);
    assert.deepEqual(await admin('user', 'create', 'abcd'), { code: 1, out: [], err: ['Subject name must be at least 5 characters'] });
    assert.equal((await admin('user', 'create', fresh('gina'), '--namespace', 'bad/name')).code, 1);
  });

  it('whois names the subject and namespace of a key, and nothing for a wrong secret', async () => {
    const hank = fresh('hank');
    const apiKey = (await admin('user', 'create', hank)).out[0] ?? '';
    assert.deepEqual(await admin('user', 'whois', apiKey), { code: 0, out: [`subject: ${hank}`, `namespace: ${hank}`], err: [] });
    assert.deepEqual(await admin('user', 'whois', `${apiKey.split(':')[0]}:${'z'.repeat(64)}`), { code: 1, out: [], err: ['Subject not found for this key'] });
  });

  it('block refuses every key of the subject, in all its namespaces; unblock restores them; a blocked subject gets no new key', async () => {
    const ivan = fresh('ivan');
    const first = (await admin('user', 'create', ivan)).out[0] ?? '';
    const other = fresh('other');
    const second = (await admin('user', 'create', ivan, '--namespace', other)).out[0] ?? '';
    const missing = fresh('nobody');

    const blocked = await admin('user', 'block', ivan, missing);
    assert.deepEqual(blocked, { code: 1, out: [`'${ivan}' blocked successfully`], err: [`'${missing}' missing`] });
    assert.equal(await authenticate(first), undefined);
    assert.equal(await authenticate(second), undefined);
    const owner = await identities.namespaceIdentity(ivan);
    assert.deepEqual([owner?.namespace, owner?.blocked], [ivan, true], 'its feeds are kept (held), not dropped as if the namespace were gone');
    assert.deepEqual((await admin('user', 'get', ivan)).out, [`${first.split(':')[0]}\tblocked`]);
    assert.deepEqual(await admin('user', 'create', ivan, '--namespace', fresh('third')), { code: 1, out: [], err: ['The subject you want to edit is blocked'] });

    assert.deepEqual(await admin('user', 'unblock', ivan), { code: 0, out: [`'${ivan}' unblocked successfully`], err: [] });
    assert.ok(await authenticate(first));
    assert.ok(await authenticate(second));
    assert.equal((await identities.namespaceIdentity(ivan))?.blocked, false);
  });

  it("a cached owner (web actions) may answer a block's effect late, within the cache lifetime; a fresh read (feeds, alarms) never does", async () => {
    const kim = fresh('kim');
    assert.equal((await admin('user', 'create', kim)).code, 0);
    const caching = identityStore(redis, keys, { cacheTtlMs: 60_000 });
    assert.equal((await caching.namespaceIdentity(fresh('nobody'), { cached: true })), undefined, 'a namespace not found is not remembered');
    assert.equal((await caching.namespaceIdentity(kim, { cached: true }))?.blocked, false);
    assert.equal((await admin('user', 'block', kim)).code, 0);
    assert.equal((await caching.namespaceIdentity(kim, { cached: true }))?.blocked, false, 'answered from memory');
    assert.equal((await caching.namespaceIdentity(kim))?.blocked, true, 'read fresh');
    assert.equal((await caching.namespaceIdentity(kim, { cached: true }))?.blocked, true, 'the fresh read is remembered');
    await caching.setLimits(kim, { invocationsPerMinute: 7 });
    assert.equal((await caching.namespaceIdentity(kim, { cached: true }))?.limits.invocationsPerMinute, 7, 'new limits are seen at once by the controller that set them');
  });

  it('limits set adds to the stored limits, get prints them, clear removes them; the identity carries them', async () => {
    const jane = fresh('jane');
    const apiKey = (await admin('user', 'create', jane)).out[0] ?? '';
    assert.deepEqual(await admin('limits', 'get', jane), { code: 0, out: ['No limits found, default system limits apply'], err: [] });
    assert.deepEqual(await admin('limits', 'set', jane, '--invocationsPerMinute', '7', '--concurrentInvocations', '3', '--allowedKinds', 'nodejs:24', 'nodejs:default'), {
      code: 0,
      out: [`Limits successfully set for '${jane}'`],
      err: [],
    });
    assert.deepEqual(await admin('limits', 'set', jane, '--firesPerMinute', '0', '--maxPayloadSize', '2 MB', '--disableStoreActivations', '--maxFeeds', '2'), {
      code: 0,
      out: [`Limits successfully updated for '${jane}'`],
      err: [],
    });
    assert.deepEqual((await admin('limits', 'get', jane)).out, [
      'concurrentInvocations = 3',
      'invocationsPerMinute = 7',
      'firesPerMinute = 0',
      'allowedKinds = nodejs:24, nodejs:default',
      'storeActivations = false',
      'maxFeeds = 2',
      'maxPayloadSize = 2 MB',
    ]);
    assert.deepEqual((await authenticate(apiKey))?.limits, {
      invocationsPerMinute: 7,
      concurrentInvocations: 3,
      allowedKinds: ['nodejs:24', 'nodejs:default'],
      firesPerMinute: 0,
      maxPayloadSize: '2 MB',
      storeActivations: false,
      maxFeeds: 2,
    });

    // bad values and unknown namespaces change nothing
    assert.equal((await admin('limits', 'set', jane, '--invocationsPerMinute', '-1')).code, 1);
    assert.equal((await admin('limits', 'set', jane, '--maxPayloadSize', 'lots')).code, 1);
    assert.deepEqual(await admin('limits', 'set', jane), { code: 1, out: [], err: ['no limit given: see admin limits set --help'] });
    const ghost = fresh('ghost');
    assert.deepEqual(await admin('limits', 'set', ghost, '--firesPerMinute', '1'), { code: 1, out: [], err: [`namespace '${ghost}' does not exist`] });
    assert.equal(await redis.exists(keys.namespaceLimits(ghost)), 0);
    assert.equal((await authenticate(apiKey))?.limits.invocationsPerMinute, 7);

    assert.deepEqual(await admin('limits', 'clear', jane), { code: 0, out: ['Limits deleted'], err: [] });
    assert.deepEqual((await authenticate(apiKey))?.limits, {});
    assert.deepEqual(await admin('limits', 'delete', jane), { code: 1, out: [], err: [`Limits not found for '${jane}'`] });
  });

  it('ensureGuest indexes a guest stored before subjects were, so the admin command sees it', async () => {
    const own = redisKeys(`iw-admin-${randomBytes(4).toString('hex')}:`); // a store of its own: guest is re-keyed here
    const key = newApiKey();
    // the layout before subjects: the namespace and its key only
    await redis
      .multi()
      .hset(own.namespace('guest'), 'subject', 'guest', 'uuid', key.uuid)
      .hset(own.authKey(key.uuid), 'subject', 'guest', 'namespace', 'guest', 'keyHash', hashKey(key.key))
      .sadd(own.namespaces(), 'guest')
      .exec();
    const store = subjectStore(redis, own);
    assert.equal(await store.getSubject('guest'), undefined);
    assert.equal(await ensureGuest(redis, own, formatApiKey(key)), formatApiKey(key));
    assert.deepEqual(await store.getSubject('guest'), { subject: 'guest', blocked: false, namespaces: [{ namespace: 'guest', uuid: key.uuid }] });
    assert.deepEqual(await store.namespaceKeys('guest'), [{ uuid: key.uuid, subject: 'guest', blocked: false }]);

    // re-keyed, the index follows
    const next = await ensureGuest(redis, own, formatApiKey(newApiKey()));
    const nextUuid = next.split(':')[0];
    assert.deepEqual((await store.getSubject('guest'))?.namespaces, [{ namespace: 'guest', uuid: nextUuid }]);
    assert.deepEqual((await store.namespaceKeys('guest')).map((k) => k.uuid), [nextUuid]);
    await redis.del(own.namespace('guest'), own.authKey(nextUuid ?? ''), own.namespaces(), own.subjects(), own.subjectNamespaces('guest'), own.namespaceKeys('guest'));
  });

  describe('as `npm run admin` runs it', () => {
    const run = adminProcess;

    it('creates a user in the Redis ISOWHISK_REDIS_URL (or --redis) names, with exit codes 0 and 1', async () => {
      const kate = fresh('kate');
      const created = await run(['user', 'create', kate], { ...process.env, ISOWHISK_REDIS_URL: redisUrl });
      assert.equal(created.code, 0, created.stderr);
      assert.ok(await authenticate(created.stdout.trim()));
      const again = await run(['--redis', redisUrl, 'user', 'create', kate]);
      assert.deepEqual(again, { code: 1, stdout: '', stderr: 'Namespace already exists\n' });
    });

    it('says so when Redis cannot be reached', async () => {
      const res = await run(['--redis', 'redis://127.0.0.1:1', 'user', 'list']);
      assert.equal(res.code, 1);
      assert.match(res.stderr, /^error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: /);
    });

    it('prints its help without Redis', async () => {
      const res = await run(['--redis', 'redis://127.0.0.1:1', '--help']);
      assert.equal(res.code, 0);
      assert.match(res.stdout, /user\s+manage users/);
      assert.match(res.stdout, /limits\s+manage namespace-specific limits/);
    });
  });
});
