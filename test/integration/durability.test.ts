// Durable deadlines, tombstones and re-dispatch (docs/durability.md) on the test stack's real Redis: the pending
// table the activator writes before publishing, the sweeper of a live controller settling a dead one's entries,
// a restarted controller resuming its own, the tombstone a publish timeout leaves, and the re-dispatcher moving
// an unclaimed request off an invoker that stopped taking work. Kafka is replaced by recording producers here
// (what is isolated is the bookkeeping in Redis); test/e2e/durability.test.ts runs the same paths with processes.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { LOST_ACTIVATION_MESSAGE } from '../../controller/activator/forced-record.ts';
import { KafkaActivator, type InvokerOutcome, type SweptEntry } from '../../controller/activator/kafka-activator.ts';
import { InvokerRegistry } from '../../controller/balancer/invoker-registry.ts';
import { ShardingBalancer } from '../../controller/balancer/sharding-balancer.ts';
import { ControllerLiveness } from '../../controller/cluster/liveness.ts';
import { activationClaims } from '../../controller/durability/claims.ts';
import { PendingTable } from '../../controller/durability/pending-table.ts';
import { Redispatcher } from '../../controller/durability/redispatcher.ts';
import { Sweeper } from '../../controller/durability/sweeper.ts';
import type { ActivationPlan } from '../../controller/activator/activator.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { activationStore } from '../../shared/activation-store.ts';
import { activationRequestCodec } from '../../shared/avro/activation-request.ts';
import { UnavailableError } from '../../shared/errors.ts';
import { newActivationId } from '../../shared/ids.ts';
import type { MessageProducer, OutgoingMessage } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { topics as topicNames } from '../../shared/topics.ts';
import { testRedis } from '../support/stack.ts';

const logger = createLogger('durability-test', 'silent');
const topics = topicNames();

/** A producer that records what it sends; `hold` makes sends never resolve (a broker that never acknowledges). */
class RecordingProducer implements MessageProducer {
  readonly sent: { topic: string; message: OutgoingMessage }[] = [];
  hold: ((topic: string, messages: OutgoingMessage[]) => Promise<void>) | undefined;
  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.hold) return this.hold(topic, messages);
    for (const message of messages) this.sent.push({ topic, message });
  }
  async close(): Promise<void> {}
}

function upRegistry(...ids: number[]): InvokerRegistry {
  const registry = new InvokerRegistry(60_000);
  for (const id of ids) registry.record({ invokerId: id, instance: `invoker${id}`, userMemoryMB: 2048, freeMemoryMB: 2048, warmActions: [], status: 'up', sentAt: Date.now() });
  return registry;
}

function plan(overrides: Partial<ActivationPlan> = {}): ActivationPlan {
  return {
    activationId: newActivationId(),
    transactionId: 'tid',
    receivedAt: Date.now(),
    action: { namespace: 'dur', name: 'act', path: 'dur/act', revision: 1, version: '0.0.1', kind: 'nodejs:24', binary: false, publish: false },
    limits: { timeout: 10, memory: 128, logs: 10, concurrency: 1 },
    params: { secret: 'not kept outside the request bytes' },
    initParams: [],
    identity: { subject: 'dur', namespace: 'dur', uuid: 'uuid-1' },
    blocking: false,
    waitMs: 60_000,
    ...overrides,
  };
}

async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > giveUp) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('durable deadlines, tombstones and re-dispatch (real Redis)', () => {
  // A prefix per test: each starts with an empty pending table and no controllers seen.
  let keys = redisKeys();
  let redis: Redis;
  const stopLater: (() => Promise<void>)[] = [];

  before(async () => {
    redis = new Redis(await testRedis());
  });
  beforeEach(() => {
    keys = redisKeys(`iw-dur-${newActivationId().slice(0, 12)}:`);
  });
  afterEach(async () => {
    for (const stop of stopLater.splice(0)) await stop();
  });
  after(() => redis.disconnect());

  /** One controller's parts, in-process; `startGraceMs`/`marginMs` small so give-up times come within a second. */
  function controller(controllerId: number, options: { producer?: RecordingProducer; registry?: InvokerRegistry; startGraceMs?: number; publishTimeoutMs?: number } = {}) {
    const producer = options.producer ?? new RecordingProducer();
    const registry = options.registry ?? upRegistry(0);
    const balancer = new ShardingBalancer(registry, { controllerCount: 1 });
    const table = new PendingTable(redis, keys, logger);
    const claims = activationClaims(redis, keys);
    const store = activationStore(redis, keys);
    const outcomes: [number, InvokerOutcome][] = [];
    const swept: SweptEntry[] = [];
    const activator = new KafkaActivator({
      producer,
      balancer,
      topics,
      store,
      logger,
      controllerId,
      startGraceMs: options.startGraceMs ?? 200,
      completionMarginMs: 50,
      pending: table,
      claims,
      ...(options.publishTimeoutMs !== undefined ? { publishTimeoutMs: options.publishTimeoutMs } : {}),
      onOutcome: (id, outcome) => outcomes.push([id, outcome]),
    });
    const liveness = new ControllerLiveness({ redis, keys, controllerId, logger, intervalMs: 50, ttlMs: 300 });
    const sweeper = new Sweeper({
      redis,
      keys,
      table,
      claims,
      store,
      controllerId,
      deadOthers: () => liveness.deadOthers(),
      recordTtlSeconds: 600,
      logger,
      onSwept: (s) => {
        swept.push(s);
        activator.swept(s);
      },
      intervalMs: 50,
    });
    return { controllerId, producer, registry, balancer, table, claims, store, activator, liveness, sweeper, outcomes, swept };
  }

  it('writes the pending entry before publishing; the completion removes it and reports the outcome', async () => {
    const c = controller(11);
    let entryAtSend: unknown;
    c.producer.hold = async (topic, messages) => {
      entryAtSend = await redis.hgetall(keys.pending(messages[0]!.key!));
      c.producer.sent.push({ topic, message: messages[0]! });
    };
    const p = plan();
    await c.activator.activate(p);
    assert.ok(entryAtSend && Object.keys(entryAtSend).length > 0, 'the entry exists when the message is sent');
    const entry = await c.table.get(p.activationId);
    assert.ok(entry);
    assert.equal(entry.controllerId, 11);
    assert.equal(entry.invokerId, 0);
    assert.equal(entry.deadline, p.receivedAt + 200);
    assert.equal(entry.giveUpAt, entry.deadline + 10 + 10 + 50, 'deadline + init + run + margin');
    assert.deepEqual(entry.request.value, c.producer.sent[0]!.message.value, 'the published bytes, to publish again');
    assert.equal(activationRequestCodec.decode(entry.request.value, entry.request.headers).controllerId, 11);
    assert.ok(!JSON.stringify(entry.plan).includes('not kept'), 'no parameters in the plan fields');
    assert.deepEqual(await redis.zscore(keys.pendingByController(11), p.activationId), String(entry.giveUpAt));
    assert.deepEqual(await redis.zscore(keys.pendingByInvoker(0), p.activationId), String(entry.deadline));
    assert.ok((await redis.pttl(keys.pending(p.activationId))) > 3_000_000, 'expires on its own as a backstop');

    const failed = plan();
    const expired = plan();
    await c.activator.activate(failed);
    await c.activator.activate(expired);
    c.activator.complete({ activationId: p.activationId, invokerId: 0, statusCode: 0 });
    c.activator.complete({ activationId: failed.activationId, invokerId: 0, statusCode: 3 });
    // recorded unrun past its start deadline: not held against the invoker
    c.activator.complete({ activationId: expired.activationId, invokerId: 0, statusCode: 3, expired: true });
    await c.table.settled();
    for (const id of [p.activationId, failed.activationId, expired.activationId]) {
      assert.equal(await redis.exists(keys.pending(id)), 0);
      assert.equal(await redis.zscore(keys.pendingByController(11), id), null);
      assert.equal(await redis.zscore(keys.pendingByInvoker(0), id), null);
    }
    assert.deepEqual(c.outcomes, [
      [0, 'success'],
      [0, 'systemError'],
    ]);
  });

  it("a live controller sweeps a dead controller's overdue entries under its lease: forced record, or the invoker's record kept", async () => {
    const dead = controller(21);
    const live = controller(22);
    await Promise.all([dead.liveness.start(), live.liveness.start()]);
    stopLater.push(() => live.liveness.stop(true), () => live.sweeper.stop());
    const lost = plan();
    const ranButUnreported = plan();
    await dead.activator.activate(lost);
    await dead.activator.activate(ranButUnreported);
    // The invoker stored this one; only its completion never reached the (dead) controller.
    const invokerRecord: ActivationRecord = {
      namespace: 'dur', name: 'act', subject: 'dur', activationId: ranButUnreported.activationId, start: Date.now(), end: Date.now(),
      response: { statusCode: 0, result: { ran: true } }, logs: [], version: '0.0.1', publish: false, annotations: [],
    };
    assert.equal(await redis.set(keys.activationClaim(ranButUnreported.activationId), 'invoker0'), 'OK');
    assert.equal(await dead.store.putRecord(invokerRecord, 600), true);

    await dead.liveness.stop(); // crashed: no sweeper, no leave; its key expires
    live.sweeper.start();
    await waitUntil('the dead controller swept', async () => ((await redis.zcard(keys.pendingByController(21))) === 0 ? true : undefined));

    const forced = await live.store.getRecord(lost.activationId);
    assert.deepEqual(forced?.response, { statusCode: 3, result: { error: LOST_ACTIVATION_MESSAGE } });
    assert.equal(await redis.get(keys.activationClaim(lost.activationId)), 'controller22', 'claimed by the sweeping controller');
    assert.deepEqual((await live.store.getRecord(ranButUnreported.activationId))?.response, invokerRecord.response, "the invoker's record stands");
    for (const id of [lost.activationId, ranButUnreported.activationId]) assert.equal(await redis.exists(keys.pending(id)), 0);
    assert.deepEqual(
      live.swept.map((s) => [s.entry.activationId, s.forced, s.orphan]).sort(),
      [
        [lost.activationId, true, true],
        [ranButUnreported.activationId, false, true],
      ].sort(),
    );
    assert.deepEqual(live.outcomes, [[0, 'timeout']], 'only the forced one counts against the invoker');
    await live.sweeper.stop();
    assert.equal(await redis.exists(keys.lease('sweep:21')), 0, 'lease given back after each round');
  });

  it('does not sweep the entries of a live controller, nor entries before their give-up time', async () => {
    const other = controller(31, { startGraceMs: 60_000 });
    const me = controller(32, { startGraceMs: 60_000 });
    await Promise.all([other.liveness.start(), me.liveness.start()]);
    stopLater.push(() => other.liveness.stop(true), () => me.liveness.stop(true));
    const theirs = plan();
    const mine = plan();
    await other.activator.activate(theirs);
    await me.activator.activate(mine);
    await me.sweeper.sweep();
    assert.equal(me.swept.length, 0, 'nothing is overdue a minute before its give-up time');
    await me.sweeper.sweep(Date.now() + 1_000_000); // the clock past both give-up times: 31 is alive, though
    assert.deepEqual(me.swept.map((s) => s.entry.activationId), [mine.activationId]);
    assert.equal(await redis.exists(keys.pending(theirs.activationId)), 1, "a live controller's entry is left to it");
    assert.equal(await redis.get(keys.activationClaim(theirs.activationId)), null);
  });

  it('a restarted controller (same id) resumes its own entries: its sweeper records them and answers nobody twice', async () => {
    const before = controller(41);
    const pendingPlans = [plan(), plan(), plan()];
    for (const p of pendingPlans) await before.activator.activate(p);
    // Crash: the object is dropped without close(); a new process with the same id starts.
    const after = controller(41);
    after.sweeper.start();
    stopLater.push(() => after.sweeper.stop());
    for (const p of pendingPlans) {
      const record = await waitUntil('the forced record', () => after.store.getRecord(p.activationId));
      assert.equal(record.response.statusCode, 3);
      assert.equal(record.activationId, p.activationId);
      assert.equal(record.start, p.receivedAt);
    }
    assert.equal(await redis.zcard(keys.pendingByController(41)), 0);
    assert.equal(after.swept.filter((s) => s.forced && !s.orphan).length, 3);
  });

  it('a blocking caller of a lost activation gets the forced record from the sweeper', async () => {
    const c = controller(51);
    c.sweeper.start();
    stopLater.push(() => c.sweeper.stop());
    const started = await c.activator.activate(plan({ blocking: true }));
    const record = await started.result;
    assert.deepEqual(record?.response, { statusCode: 3, result: { error: LOST_ACTIVATION_MESSAGE } });
    assert.equal(c.activator.inFlightFor('dur'), 0);
  });

  it('a publish that does not complete in time: claim tombstoned, 503, entry gone; an invoker that claimed first makes it accepted', async () => {
    const c = controller(61, { publishTimeoutMs: 150 });
    c.producer.hold = () => new Promise<void>(() => {}); // never acknowledged
    const refused = plan();
    await assert.rejects(c.activator.activate(refused), (err: unknown) => err instanceof UnavailableError);
    assert.equal(await redis.get(keys.activationClaim(refused.activationId)), 'tombstone:controller61');
    assert.equal(await redis.exists(keys.pending(refused.activationId)), 0);
    assert.equal(await redis.zscore(keys.pendingByInvoker(0), refused.activationId), null);
    assert.equal(c.activator.inFlightFor('dur'), 0);

    // The send reached the invoker, which claimed it, but the acknowledgement did not come back in time.
    const running = plan();
    c.producer.hold = async (_topic, messages) => {
      await redis.set(keys.activationClaim(messages[0]!.key!), 'invoker0', 'NX');
      return new Promise<void>(() => {});
    };
    const started = await c.activator.activate(running);
    assert.equal(started.activationId, running.activationId);
    assert.equal(await redis.get(keys.activationClaim(running.activationId)), 'invoker0');
    assert.equal(await redis.exists(keys.pending(running.activationId)), 1, 'still pending: its record is guaranteed');
    assert.equal(c.activator.inFlightFor('dur'), 1);
  });

  it('a tombstoned entry left behind is cleaned up by the sweeper without a record', async () => {
    const c = controller(71);
    const p = plan();
    await c.activator.activate(p);
    await redis.set(keys.activationClaim(p.activationId), 'tombstone:controller71');
    await waitUntil('overdue', async () => ((await c.table.overdue(71, Date.now(), 10)).length > 0 ? true : undefined));
    await c.sweeper.sweep();
    assert.equal(await redis.exists(keys.pending(p.activationId)), 0);
    assert.equal(await c.store.getRecord(p.activationId), undefined, 'a 503 leaves no record');
    assert.equal(c.swept.length, 0);
  });

  it('re-dispatches unclaimed requests inside their start deadline from a down, draining or unhealthy invoker; never claimed or expired ones', async () => {
    const registry = upRegistry(0, 1, 2);
    const c = controller(81, { registry, startGraceMs: 60_000 });
    // Place three requests on invoker 0: invoker 1 and 2 are held as down for placement by a state override.
    const states = new Map<number, string>([[1, 'down'], [2, 'down']]);
    const view = { all: () => registry.all(), state: (id: number) => states.get(id) ?? registry.state(id) };
    const placeOn0 = new ShardingBalancer(view as unknown as InvokerRegistry, { controllerCount: 1 });
    const c0 = { ...c, activator: new KafkaActivator({ producer: c.producer, balancer: placeOn0, topics, store: c.store, logger, controllerId: 81, startGraceMs: 60_000, completionMarginMs: 50, pending: c.table, claims: c.claims }) };
    const unclaimed = plan();
    const claimed = plan();
    const expiring = plan({ receivedAt: Date.now() - 60_000 + 300 });
    for (const p of [unclaimed, claimed, expiring]) await c0.activator.activate(p);
    for (const p of [unclaimed, claimed, expiring]) assert.equal((await c.table.get(p.activationId))?.invokerId, 0);
    await redis.set(keys.activationClaim(claimed.activationId), 'invoker0');
    c.producer.sent.length = 0;

    const moved: [number, number][] = [];
    const redispatcher = new Redispatcher({
      redis, keys, table: c.table, claims: c.claims, registry: view, balancer: new ShardingBalancer(view as unknown as InvokerRegistry, { controllerCount: 1 }),
      producer: c.producer, topics, controllerId: 81, logger, onRedispatched: (from, to) => moved.push([from, to]),
    });
    await redispatcher.redispatch();
    assert.deepEqual(moved, [], 'invoker 0 is up: nothing moves');
    await waitUntil('the short deadline to pass', async () => (Date.now() > expiring.receivedAt + 60_000 ? true : undefined));

    for (const state of ['unresponsive', 'draining']) {
      states.set(0, state);
      states.set(1, 'up');
      await redispatcher.redispatch();
      if (state === 'unresponsive') assert.deepEqual(moved, [], 'an unresponsive invoker may still run its work');
    }
    assert.deepEqual(moved, [[0, 1]], 'only the unclaimed one, inside its deadline');
    assert.deepEqual(c.producer.sent.map((s) => s.topic), [topics.invoker(1)]);
    const entry = await c.table.get(unclaimed.activationId);
    assert.equal(entry?.invokerId, 1);
    assert.deepEqual(c.producer.sent[0]!.message.value, entry?.request.value, 'the same bytes');
    assert.equal(activationRequestCodec.decode(c.producer.sent[0]!.message.value, c.producer.sent[0]!.message.headers as never).controllerId, 81, 'completion still goes to the accepting controller');
    assert.notEqual(await redis.zscore(keys.pendingByInvoker(1), unclaimed.activationId), null);
    assert.equal(await redis.zscore(keys.pendingByInvoker(0), unclaimed.activationId), null);
    assert.equal(await redis.zscore(keys.pendingByInvoker(0), claimed.activationId), null, 'claimed: dropped from the index, not moved');
    assert.equal((await c.table.get(claimed.activationId))?.invokerId, 0);
    assert.equal(await redis.exists(keys.lease('redispatch:0')), 0, 'lease given back');

    // Invoker 1 goes unhealthy too: the request moves on to invoker 2; then a completion ends it.
    states.set(1, 'unhealthy');
    states.set(2, 'up');
    await redispatcher.redispatch();
    assert.deepEqual(moved, [[0, 1], [1, 2]]);
    c0.activator.complete({ activationId: unclaimed.activationId, invokerId: 2, statusCode: 0 });
    await c.table.settled();
    assert.equal(await redis.exists(keys.pending(unclaimed.activationId)), 0);
    assert.equal(await redis.zscore(keys.pendingByInvoker(2), unclaimed.activationId), null);
  });
});
