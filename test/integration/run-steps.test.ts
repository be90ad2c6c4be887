// What a resumed sequence or composition does with the step its dead controller had started
// (controller/runs/run-steps.ts), on the test stack's real Redis: never start a step again that an invoker
// may have run; start again only one that no invoker can run any more (its claim taken as a tombstone); store a
// forced record only when nothing else will. The invoke path is a recording fake: what matters is whether it is
// called, and with which id.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { InvokeActionRequest } from '../../controller/invoke/invoke-action.ts';
import { runStore, type StartedComponent } from '../../controller/runs/run-store.ts';
import { type Durability, type Run, runSteps } from '../../controller/runs/run-steps.ts';
import { enterRun } from '../../controller/runs/run-scope.ts';
import { LOST_ACTIVATION_MESSAGE } from '../../controller/activator/forced-record.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import { silentLogger } from '../../controller/middleware/logging.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { activationStore } from '../../shared/activation-store.ts';
import { newActivationId } from '../../shared/ids.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

describe('resuming a started step (real Redis)', () => {
  const keys = redisKeys(`iw-test-${newActivationId()}:`);
  let redis: Redis;
  let durable: Durability;
  let invoked: InvokeActionRequest[];

  const limits = { timeout: 1_000, memory: 256, logs: 10, concurrency: 1 };
  const identity = { subject: 'alice', namespace: 'alice', uuid: 'u-1', limits: {} };

  before(async () => {
    redis = new Redis(await testRedis());
    durable = {
      redis,
      keys,
      runs: runStore(redis, keys),
      activations: activationStore(redis, keys),
      controllerId: 7,
      startGraceMs: 200,
      recordTtlSeconds: 60,
      resumeNested: async () => undefined,
      logger: silentLogger,
    };
  });
  after(() => redis.disconnect());
  beforeEach(() => {
    invoked = [];
  });

  const steps = () =>
    runSteps(async (req) => {
      invoked.push(req);
      const activationId = req.activationId ?? newActivationId();
      await req.beforeStart?.({ activationId, kind: 'action' });
      return { activationId, result: Promise.resolve(record(activationId)) };
    }, durable);

  const record = (activationId: string): ActivationRecord => ({
    namespace: 'alice',
    name: 'slow',
    subject: 'alice',
    activationId,
    start: Date.now(),
    end: Date.now(),
    response: { statusCode: 0, result: { ran: activationId } },
    logs: [],
    version: '0.0.1',
    publish: false,
    annotations: [],
  });

  /** A run resumed with `current` as the step its controller had started (1 action charged for it). */
  const resumedRun = (current: StartedComponent, receivedAt = Date.now()): Run => {
    const activationId = newActivationId();
    const scope = enterRun(undefined, 'alice/seq', 'sequence', DEFAULT_LIMITS.sequenceMaxLength, activationId);
    scope.budget.actions = 1;
    const plan = current.kind === 'run' ? undefined : { ...stepPlan(current.activationId, receivedAt), cause: activationId };
    const caller: InvokeActionRequest = { identity, ref: { namespace: 'alice', name: 'seq' }, payload: {}, blocking: false, waitMs: 0, transactionId: 't', receivedAt };
    return {
      scope,
      caller,
      state: {
        activationId,
        kind: 'sequence',
        owner: 7,
        root: activationId,
        identity,
        transactionId: 't',
        waitMs: 0,
        receivedAt,
        start: receivedAt,
        location: { namespace: 'alice', name: 'seq' },
        action: { name: 'seq', version: '0.0.1', publish: false, limits },
        chain: ['alice/seq'],
        maxLength: DEFAULT_LIMITS.sequenceMaxLength,
        ids: [],
        duration: 0,
        memory: 0,
        index: 0,
        payload: {},
        current: plan ? { ...current, plan } : current,
      },
    };
  };

  const stepPlan = (activationId: string, receivedAt: number) => ({
    activationId,
    transactionId: 't',
    receivedAt,
    action: { namespace: 'alice', name: 'slow', path: 'alice/slow', revision: 1, version: '0.0.1', kind: 'nodejs:default', binary: false, publish: false },
    limits,
    initParams: [],
    identity: { subject: 'alice', namespace: 'alice', uuid: 'u-1' },
    blocking: true,
    waitMs: 1_000,
  });

  const ref = { namespace: 'alice', name: 'slow' };

  it('a step whose record is stored is not started again: the record is its outcome', async () => {
    const id = newActivationId();
    await durable.activations.putRecord(record(id), 60);
    const started = await steps().start(resumedRun({ activationId: id, kind: 'action' }), { ref, payload: {} });
    assert.equal(started.activationId, id);
    assert.equal((await started.result)?.activationId, id);
    assert.equal(invoked.length, 0);
  });

  it('a step an invoker claimed is waited for, never started again, and its late record is the outcome', async () => {
    const id = newActivationId();
    await redis.set(keys.activationClaim(id), 'invoker0');
    const started = await steps().start(resumedRun({ activationId: id, kind: 'action' }), { ref, payload: {} });
    setTimeout(() => void durable.activations.putRecord(record(id), 60), 300);
    assert.deepEqual((await started.result)?.response.result, { ran: id });
    assert.equal(invoked.length, 0);
  });

  it('a step nobody claimed is tombstoned and started again under a new id, its budget charge given back', async () => {
    const id = newActivationId();
    const run = resumedRun({ activationId: id, kind: 'action' });
    const started = await steps().start(run, { ref, payload: { x: 1 } });
    assert.equal(await redis.get(keys.activationClaim(id)), 'tombstone:controller7', 'an invoker that reads the old request skips it');
    assert.equal(invoked.length, 1);
    assert.equal(invoked[0]!.activationId, undefined, 'a new id');
    assert.notEqual(started.activationId, id);
    assert.equal(run.scope.budget.actions, 0, 'the charge of the step that never ran is given back');
    const saved = await durable.runs.load(run.state.activationId);
    assert.equal(saved?.state.current?.activationId, started.activationId, 'the new id is stored before the step starts');
  });

  it('a nested run without state or record is started again under the same id', async () => {
    const id = newActivationId();
    const started = await steps().start(resumedRun({ activationId: id, kind: 'run' }), { ref, payload: {} });
    assert.equal(invoked.length, 1);
    assert.equal(invoked[0]!.activationId, id);
    assert.equal(started.activationId, id);
  });

  it('a claimed step whose record never comes gets the forced record once its bound has passed; nothing is started again', async () => {
    const id = newActivationId();
    await redis.set(keys.activationClaim(id), 'invoker0');
    // accepted long ago: start deadline + timeout + margins are over
    const started = await steps().start(resumedRun({ activationId: id, kind: 'action' }, Date.now() - 60_000), { ref, payload: {} });
    const forced = await started.result;
    assert.equal(forced?.response.statusCode, 3);
    assert.deepEqual(forced?.response.result, { error: LOST_ACTIVATION_MESSAGE });
    assert.equal((await durable.activations.getRecord(id))?.activationId, id, 'stored');
    assert.equal(invoked.length, 0);
  });
});
