// Durable deadlines, tombstones and re-dispatch with real processes (docs/durability.md), on a stack of this
// suite's own (.run/<test stack>-durability, ports +150) running one controller and two invokers:
// - an invoker killed with a backlog: the backlog runs on the other invoker, once each, and the killed invoker,
//   restarted, skips every moved request;
// - a request whose claim holds a tombstone is skipped by the invoker, which writes nothing for it;
// - a controller killed with activations pending: restarted under the same id, its sweeper records them.
// Start deadline 8 s after acceptance: long enough for the controller to see a killed invoker down (3 s without
// pings) and move its backlog.
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { LOST_ACTIVATION_MESSAGE } from '../../controller/activator/forced-record.ts';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import { topics } from '../../shared/topics.ts';
import {
  CONTROLLER_COMPLETION_MARGIN_MS,
  FAULT_ENV,
  FaultStack,
  createAction,
  giveUpTime,
  invoke,
  type TestNamespace,
} from '../support/faults.ts';
import { ownStackLayout } from '../support/stack.ts';
import { getRecord, waitForRecord } from '../support/records.ts';

const GRACE_MS = 8_000;
const ACTION_TIMEOUT = 3_000;
/** Scheduling slack on a busy machine, on top of the bounds the platform promises (a wait's limit, not a threshold). */
const SLACK_MS = 15_000;
const COUNT = 'let runs = 0; function main(p) { runs++; return { n: p.n, runs }; }';

describe('durability: re-dispatch, tombstones, controller restart (own stack: two invokers)', function () {
  const stack = new FaultStack(ownStackLayout('durability', 150), { ...FAULT_ENV, ISOWHISK_COMPLETION_GRACE_MS: String(GRACE_MS) });
  let ns: TestNamespace;

  before(async function () {
    this.timeout(240_000);
    await stack.start();
    await stack.startInvoker(90_000, 1);
    ns = await stack.namespace('durability');
    await createAction(ns, 'count', COUNT, { timeout: ACTION_TIMEOUT });
  });

  after(async function () {
    this.timeout(90_000);
    await stack.stop();
  });

  const redisGet = (key: string) => stack.withRedis((r) => r.get(key));
  const pendingInvoker = (id: string) => stack.withRedis((r) => r.hget(stack.keys.pending(id), 'invoker'));
  const completionsFor = (id: string) =>
    stack.withRedis(async (r) => (await r.xrange(stack.keys.completions(0), '-', '+')).filter(([, f]) => f[f.indexOf('id') + 1] === id).length);
  const skippedIn = (name: 'invoker0' | 'invoker1', mark: number, id: string) =>
    stack.logSince(name, mark).split('\n').some((l) => l.includes(id) && l.includes('activation already claimed; skipped'));

  it("an invoker killed with a backlog: each request runs once on the other invoker; the restarted one skips them", async function () {
    this.timeout(180_000);
    // Warm `count` once: the balancer then sends it to the invoker that holds it warm, the victim.
    const warm = await invoke(ns, 'count', { n: 'warm' }, 'blocking=true', 60_000);
    assert.equal(warm.status, 200, JSON.stringify(warm.body));
    const ranOn = await redisGet(stack.keys.activationClaim(warm.activationId!));
    assert.match(ranOn ?? '', /^invoker[01]$/);
    const victim = Number(ranOn!.slice('invoker'.length)) as 0 | 1;
    const survivor = (1 - victim) as 0 | 1;
    await stack.kill(`invoker${victim}`);
    const victimMark = stack.logMark(`invoker${victim}`);

    // While the controller still lists the victim up (its last ping is under 3 s old), requests go to its topic.
    const backlog: string[] = [];
    for (let n = 0; n < 4; n++) {
      const a = await invoke(ns, 'count', { n }, 'blocking=false');
      assert.equal(a.status, 202, JSON.stringify(a.body));
      if ((await pendingInvoker(a.activationId!)) === String(victim)) backlog.push(a.activationId!);
    }
    assert.ok(backlog.length > 0, 'some requests were published to the killed invoker');

    for (const id of backlog) {
      const record = await waitForRecord(ns, id, giveUpTime(GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS);
      assert.equal(record.response.status, 'success', JSON.stringify(record.response));
      assert.equal(await redisGet(stack.keys.activationClaim(id)), `invoker${survivor}`, 'ran on the survivor');
      assert.equal(await completionsFor(id), 1, 'one completion');
      assert.equal(await stack.withRedis((r) => r.exists(stack.keys.pending(id))), 0, 'no longer pending');
    }
    const metrics = await (await fetch(`${stack.apiHost}/metrics`)).text();
    const moved = Number(/^isowhisk_activations_redispatched_total (\d+)/m.exec(metrics)?.[1]);
    assert.ok(moved >= backlog.length, `re-dispatched counter ${moved} for ${backlog.length} moved`);

    // Back up, the victim reads its topic: every moved request is claimed already, so it is skipped.
    await stack.startInvoker(90_000, victim);
    await waitFor('the restarted invoker to skip the moved requests', async () => (backlog.every((id) => skippedIn(`invoker${victim}`, victimMark, id)) ? true : undefined), 60_000, 100);
    for (const id of backlog) {
      assert.equal(await completionsFor(id), 1, 'still one completion');
      assert.equal((await getRecord(ns, id))?.response.status, 'success');
    }
  });

  it('an invoker skips a request whose claim holds a tombstone, and writes nothing for it', async function () {
    this.timeout(60_000);
    const request: ActivationRequest = {
      activationId: newActivationId(),
      transactionId: newTransactionId(),
      action: { namespace: ns.name, name: 'count', revision: '1' },
      identity: { subject: ns.name, namespace: ns.name, uuid: ns.uuid },
      apiKey: null,
      params: '{"n":"tombstoned"}',
      blocking: false,
      controllerId: 0,
      deadline: Date.now() + GRACE_MS,
      cause: null,
      initArgs: [],
      receivedAt: Date.now(),
      binding: null,
    };
    // What a controller leaves when its publish did not complete in time and it answered 503.
    await stack.withRedis((r) => r.set(stack.keys.activationClaim(request.activationId), 'tombstone:controller0', 'PX', 600_000));
    const { value, headers } = activationRequestCodec.encode(request);
    const producer = await createProducer(createKafka({ brokers: stack.kafkaBrokers, clientId: 'durability-test', logger: createLogger('durability-test', 'error') }));
    const marks = { invoker0: stack.logMark('invoker0'), invoker1: stack.logMark('invoker1') };
    try {
      await producer.send(topics().invoker(0), [{ key: request.activationId, value, headers }]);
      await producer.send(topics().invoker(1), [{ key: request.activationId, value, headers }]);
    } finally {
      await producer.close();
    }
    await waitFor('both invokers to skip it', async () => (skippedIn('invoker0', marks.invoker0, request.activationId) && skippedIn('invoker1', marks.invoker1, request.activationId) ? true : undefined), 30_000, 100);
    assert.equal(await getRecord(ns, request.activationId), undefined, 'no record');
    assert.equal(await completionsFor(request.activationId), 0, 'no completion');
    assert.equal(await redisGet(stack.keys.activationClaim(request.activationId)), 'tombstone:controller0');
  });

  it('a controller killed with activations pending records them after its restart (its sweeper, same id)', async function () {
    this.timeout(180_000);
    // No invoker will complete them: both die, and the controller still lists them up for a moment.
    await Promise.all([stack.kill('invoker0'), stack.kill('invoker1')]);
    const accepted: { id: string; at: number }[] = [];
    for (let n = 0; n < 3; n++) {
      const at = Date.now();
      const a = await invoke(ns, 'count', { n: `lost${n}` }, 'blocking=false');
      assert.equal(a.status, 202, JSON.stringify(a.body));
      accepted.push({ id: a.activationId!, at });
    }
    await stack.kill('controller0');
    for (const { id } of accepted) assert.equal(await stack.withRedis((r) => r.exists(stack.keys.pending(id))), 1, 'pending in Redis');
    await stack.startController();

    for (const { id, at } of accepted) {
      const bound = giveUpTime(at + GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
      const record = await waitForRecord(ns, id, Math.max(1_000, bound - Date.now()));
      assert.equal(record.response.status, 'whisk internal error');
      assert.deepEqual(record.response.result, { error: LOST_ACTIVATION_MESSAGE });
      assert.equal(await redisGet(stack.keys.activationClaim(id)), 'controller0');
      assert.equal(await stack.withRedis((r) => r.exists(stack.keys.pending(id))), 0);
    }
    assert.equal(await stack.withRedis((r) => r.zcard(stack.keys.pendingByController(0))), 0, 'nothing left pending');
  });
});
