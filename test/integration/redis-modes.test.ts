// The platform on Redis as deployments run it (ISOWHISK_REDIS_MODE, shared/redis-connection.ts): through a Sentinel
// (one master, one replica, one sentinel) and on a Redis Cluster of three masters, each started by the suite on
// ports of its own. In each mode a controller and an invoker serve a blocking invoke, a sequence and the activation
// API (through a Sentinel also after a failover); then every Lua script and MULTI the stores run is called directly:
// on the Cluster, a key of another slot in any of them fails with CROSSSLOT.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { subjectStore } from '../../shared/subjects.ts';
import { identityStore } from '../../shared/identities.ts';
import { newActivationId, newApiKey, parseApiKey } from '../../shared/ids.ts';
import { tryLease } from '../../shared/lease.ts';
import { type RedisClient, connectRedis, whenReady } from '../../shared/redis-connection.ts';
import { type RedisKeys, redisKeys } from '../../shared/redis-keys.ts';
import { controllerIdLeaseKey } from '../../shared/controller-id.ts';
import { tooOldRedis } from '../../shared/redis-version.ts';
import { type AlarmSchedule, type ClaimedFire, alarmStore } from '../../controller/alarms/alarm-store.ts';
import { type FeedRegistration, feedRegistry } from '../../controller/feeds/feed-registry.ts';
import { PendingTable } from '../../controller/durability/pending-table.ts';
import { type RunState, runStore } from '../../controller/runs/run-store.ts';
import { ControllerLiveness } from '../../controller/cluster/liveness.ts';
import { waitFor } from '../../deploy/local/daemon.ts';
import { type ModePlatform, startModePlatform } from '../support/redis-mode-platform.ts';
import { adminProcess } from '../support/admin.ts';
import { startCluster, startSentinelSet } from '../support/redis-topologies.ts';
import { ownStackLayout } from '../support/stack.ts';

const silent = pino({ level: 'silent' });

interface Mode {
  title: string;
  /** Ports of its own beside the test stack's (faults use +100). */
  offset: number;
  start: typeof startSentinelSet;
  /** The controller's ISOWHISK_CONTROLLER_ID; ids below `heldIds` are leased by the suite first (other controllers). */
  controllerId: string;
  heldIds: number;
  expectedControllerId: number;
  invokerId: number;
  /** Whether the suite makes the topology fail over (Sentinel). */
  failover: boolean;
}

const MODES: Mode[] = [
  { title: 'through a Sentinel', offset: 150, start: startSentinelSet, controllerId: '5', heldIds: 0, expectedControllerId: 5, invokerId: 5, failover: true },
  // `auto` with ids 0 to 5 held: the controller claims 6
  { title: 'on a Redis Cluster', offset: 160, start: startCluster, controllerId: 'auto', heldIds: 6, expectedControllerId: 6, invokerId: 6, failover: false },
];

for (const mode of MODES) {
  describe(`Redis ${mode.title}`, function () {
    this.timeout(180_000);
    const keys = redisKeys('iw:', { hashTags: mode.start === startCluster });
    let topology: Awaited<ReturnType<typeof startSentinelSet>> | undefined;
    let platform: ModePlatform | undefined;
    let redis: RedisClient;

    before(async () => {
      const layout = ownStackLayout(`redis-${mode.offset}`, mode.offset);
      topology = await mode.start(layout);
      redis = connectRedis(topology.target);
      redis.on('error', () => {}); // while a failover moves the master; commands that fail say so
      await whenReady(redis);
      for (let id = 0; id < mode.heldIds; id++) await tryLease(redis, controllerIdLeaseKey(keys, id), `suite-${id}`, 600_000);
      platform = await startModePlatform({
        layout,
        target: topology.target,
        redisEnv: topology.env,
        topicPrefix: `modes${mode.offset}-`,
        controllerId: mode.controllerId,
        invokerId: mode.invokerId,
      });
    });

    after(async () => {
      redis?.disconnect();
      await platform?.stop();
      await topology?.stop();
    });

    afterEach(function () {
      if (this.currentTest?.state === 'failed' && platform) console.log(platform.logs());
    });

    it('serves a blocking invoke, a sequence and the activation API', async () => {
      const { ow } = platform!;
      const create = (name: string, code: string) => ow.actions.create({ name, action: { exec: { kind: 'nodejs:default', code } } });
      await create('greet', 'function main(p) { return { greeting: `hello ${p.name}` }; }');
      await create('shout', 'function main(p) { return { greeting: p.greeting.toUpperCase() }; }');
      const result = await ow.actions.invoke({ name: 'greet', params: { name: 'redis' }, blocking: true, result: true });
      assert.deepEqual(result, { greeting: 'hello redis' });

      await ow.actions.create({ name: 'both', action: { exec: { kind: 'sequence', components: ['/_/greet', '/_/shout'] } } } as never);
      const sequence = (await ow.actions.invoke({ name: 'both', params: { name: 'redis' }, blocking: true })) as { activationId: string; response: { result: unknown } };
      assert.deepEqual(sequence.response.result, { greeting: 'HELLO REDIS' });

      const listed = (await ow.activations.list({ name: 'greet', docs: true })) as unknown as Array<{ name: string; response: { result: unknown } }>;
      assert.ok(listed.some((a) => a.name === 'greet'));
      const record = (await ow.activations.get({ name: sequence.activationId })) as { logs: string[] };
      assert.equal(record.logs.length, 2, 'the sequence record lists its two components');
      await ow.actions.delete({ name: 'both' });
      // the controller runs under the id it was given or claimed: its liveness key says so
      assert.equal(await redis.exists(keys.controllerAlive(mode.expectedControllerId)), 1);
    });

    if (mode.failover) it('goes on after a Sentinel failover: the controller and the invoker follow the new master', async () => {
      const { ow } = platform!;
      await topology!.failover!();
      // requests while the connections move may be refused (503); once they moved, invokes succeed
      const invoke = () => ow.actions.invoke({ name: 'greet', params: { name: 'failover' }, blocking: true }) as Promise<{ activationId: string; response: { result: unknown } }>;
      const answered = await waitFor('a blocking invoke after the failover', () => invoke().catch(() => undefined), 60_000, 500);
      assert.deepEqual(answered.response.result, { greeting: 'hello failover' });
      const record = (await ow.activations.get({ name: answered.activationId })) as { response: { result: unknown } };
      assert.deepEqual(record.response.result, { greeting: 'hello failover' });
    });

    it('the admin command reaches Redis by the same variables', async () => {
      const env = { ...process.env, ISOWHISK_REDIS_URL: 'redis://127.0.0.1:1', ...topology!.env };
      const subject = `admin-${randomUUID().slice(0, 8)}`;
      const created = await adminProcess(['user', 'create', subject], env);
      assert.equal(created.code, 0, created.stderr);
      const uuid = created.stdout.trim().split(':')[0];
      assert.deepEqual(await adminProcess(['user', 'get', subject], env).then((r) => [r.code, r.stdout.trim()]), [0, uuid]);
    });

    it('runs every store script and MULTI of the controller and the admin command', async () => {
      assert.equal(await tooOldRedis(redis), undefined);
      await identitiesAndSubjects(redis, keys);
      await pendingTable(redis, keys);
      await runs(redis, keys);
      await feedsAndAlarms(redis, keys);
      const liveness = new ControllerLiveness({ redis, keys, controllerId: 900, logger: silent, ttlMs: 60_000 });
      await liveness.start();
      await liveness.stop();
      assert.ok(!(await liveness.deadOthers()).includes(mode.expectedControllerId), 'the running controller is alive');
    });
  });
}

async function identitiesAndSubjects(redis: RedisClient, keys: RedisKeys): Promise<void> {
  const subjects = subjectStore(redis, keys);
  const subject = `subj-${randomUUID().slice(0, 8)}`;
  const key = await subjects.addKey(subject);
  const parsed = parseApiKey(key)!;
  const identities = identityStore(redis, keys, { cacheTtlMs: 0 });
  assert.equal((await identities.authenticate(parsed.uuid, parsed.key))?.namespace, subject);
  // the block script marks the subject's auth keys it finds itself
  assert.equal(await subjects.setBlocked(subject, true), true);
  assert.equal(await identities.authenticate(parsed.uuid, parsed.key), undefined);
  assert.equal(await subjects.setBlocked(subject, false), true);
  await identities.rotateKey(subject, newApiKey());
  // a second subject's key for the namespace: deleting the owner's makes the delete script read the other's auth key
  await subjects.addKey(`${subject}-2`, { namespace: subject });
  await subjects.deleteSubject(subject);
  assert.equal(await subjects.getSubject(subject), undefined);
  assert.equal((await identities.namespaceIdentity(subject))?.subject, `${subject}-2`, 'the namespace now acts as the other subject');
  await subjects.deleteSubject(`${subject}-2`);
}

async function pendingTable(redis: RedisClient, keys: RedisKeys): Promise<void> {
  const table = new PendingTable(redis, keys, silent);
  const activationId = newActivationId();
  const now = Date.now();
  await table.add({
    activationId,
    controllerId: 900,
    invokerId: 901,
    deadline: now + 60_000,
    giveUpAt: now + 120_000,
    plan: {} as never,
    request: { value: Buffer.from('request'), headers: {} },
  });
  assert.equal((await table.get(activationId))?.invokerId, 901);
  assert.equal(await table.move(activationId, 901, 902, now + 60_000), true);
  assert.deepEqual(await table.startable(902, now, 10), [activationId]);
  await table.remove(activationId, 900, [901, 902]);
  assert.equal(await table.get(activationId), undefined);
}

async function runs(redis: RedisClient, keys: RedisKeys): Promise<void> {
  const store = runStore(redis, keys);
  const activationId = newActivationId();
  const state = { activationId, root: activationId, owner: 900 } as RunState;
  await store.save(state, { actions: 1, conductorRuns: 0 });
  assert.deepEqual(await store.owned(900), [activationId]);
  assert.equal(await store.adopt(900, 901, activationId), true);
  await store.remove({ ...state, owner: 901 });
  assert.deepEqual(await store.owned(901), []);
}

async function feedsAndAlarms(redis: RedisClient, keys: RedisKeys): Promise<void> {
  const namespace = `feeds-${randomUUID().slice(0, 8)}`;
  const feeds = feedRegistry(redis, keys);
  const feed = { namespace, trigger: 't', id: randomUUID(), updated: Date.now(), topic: `topic-${namespace}` } as unknown as FeedRegistration;
  assert.equal(await feeds.create(feed, 5), 'created');
  assert.equal(await feeds.update(feed, { ...feed, topic: `other-${namespace}` }), 'updated');
  assert.equal((await feeds.remove(namespace, 't'))?.topic, `other-${namespace}`);

  const alarms = alarmStore(redis, keys);
  const tick = Date.now() - 1_000;
  const schedule = { namespace, trigger: 'a', id: randomUUID(), settings: {}, status: { active: true, dateChanged: tick }, next: tick, fires: 0, missed: 0 } as unknown as AlarmSchedule;
  assert.equal(await alarms.create(schedule, 5), 'created');
  const stored = (await alarms.get(namespace, 'a'))!;
  const fire: ClaimedFire = { namespace, trigger: 'a', alarmId: schedule.id, tick, activationId: newActivationId(), payload: {}, controller: 900 };
  assert.equal(await alarms.claim(stored.json, { ...schedule, next: tick + 60_000, fires: 1 }, fire), true);
  const claimed = (await alarms.fires()).find((f) => f.fire.activationId === fire.activationId)!;
  assert.equal((await alarms.takeFire(claimed, 901))?.controller, 901);
  await alarms.fired({ ...fire, controller: 901 });
  const current = (await alarms.get(namespace, 'a'))!;
  assert.equal(await alarms.remove(current.json, current.schedule), true);
  await alarms.dropDue(`${namespace}/a`);
  await waitFor('the alarm gone', async () => ((await alarms.get(namespace, 'a')) === undefined ? true : undefined), 5_000);
}
