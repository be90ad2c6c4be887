// Sequences and compositions outlive the controller that started them (docs/durability.md, "Sequences and
// compositions"), on real processes of a stack of their own (test/support/faults.ts): a run of slow components is
// invoked non-blocking, its controller is killed (-9) while a component runs, and the run must still end with its
// record, listing every component exactly once, each with a record of its own and each run once — whether the
// controller is restarted under its id, or a second controller adopts the run of the dead one.
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import type { RunState } from '../../controller/runs/run-store.ts';
import { FaultStack, api, createAction, invoke, type Activation, type TestNamespace } from '../support/faults.ts';
import { getRecord, waitForRecord } from '../support/records.ts';

/** Each step adds one to `n` after a while, so a kill lands while a component runs. */
const SLOW_STEP = 'function main(p) { return new Promise((resolve) => setTimeout(() => resolve({ n: (p.n || 0) + 1 }), 1500)); }';
const STEPS = 4;
/** A conductor that runs `slow` until `n` reaches STEPS, then ends with `{ n }`. */
const CONDUCTOR = `function main(p) { return p.n >= ${STEPS} ? { params: { n: p.n } } : { action: 'slow', params: { n: p.n || 0 } }; }`;
/** Past the kill: liveness expiry (5 s) and a scan (2 s) or a restart, then the run's remaining steps, with room for a busy machine. */
const RECOVERY_MS = 90_000;

describe('durable sequences and compositions (own stack: .run/faults, ports +100)', function () {
  const stack = new FaultStack();
  let ns: TestNamespace;

  before(async function () {
    this.timeout(240_000);
    await stack.start();
    ns = await stack.namespace('durable');
    await createAction(ns, 'slow', SLOW_STEP, { timeout: 10_000 });
    const components = Array.from({ length: STEPS }, () => '/_/slow');
    const seq = await api(ns, 'PUT', '/namespaces/_/actions/chain', JSON.stringify({ exec: { kind: 'sequence', components } }));
    assert.equal(seq.status, 200, JSON.stringify(seq.body));
    const steer = { exec: { kind: 'nodejs:default', code: CONDUCTOR }, annotations: [{ key: 'conductor', value: true }] };
    const conductor = await api(ns, 'PUT', '/namespaces/_/actions/steer', JSON.stringify(steer));
    assert.equal(conductor.status, 200, JSON.stringify(conductor.body));
  });

  after(async function () {
    this.timeout(90_000);
    await stack.stop();
  });

  beforeEach(async function () {
    this.timeout(120_000);
    if (stack.pid('controller0') === undefined) await stack.startController();
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    for (const name of ['controller0', 'controller1', 'invoker0'] as const) console.log(`--- ${name} log (tail) ---\n${stack.logTail(name, 15)}`);
  });

  /** The run's state as its controller last wrote it; undefined once it ended. */
  const runState = (activationId: string): Promise<RunState | undefined> =>
    stack.withRedis(async (redis) => {
      const json = await redis.hget(stack.keys.run(activationId), 'state');
      return json === null ? undefined : (JSON.parse(json) as RunState);
    });

  /** Invokes `action` non-blocking, waits until its second invoker-run step has started, and kills controller0 (or stops it). */
  const startAndKill = async (action: string, stop: 'kill' | 'stop' = 'kill'): Promise<string> => {
    const accepted = await invoke(ns, action, {}, 'blocking=false');
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const parentId = (accepted.body as { activationId: string }).activationId;
    await waitFor(`run ${parentId} to start its second step`, async () => ((await runState(parentId))?.ids.length ?? 0) >= 1 || undefined, 60_000, 50);
    if (stop === 'kill') await stack.kill('controller0');
    else assert.ok(await stack.stopController(), 'controller0 stopped');
    return parentId;
  };

  /** Every record caused by `parentId` (a listing of the namespace), whatever its name. */
  const recordsCausedBy = async (client: TestNamespace, parentId: string): Promise<Array<Activation & { cause?: string }>> => {
    const res = await api(client, 'GET', '/namespaces/_/activations?docs=true&limit=200');
    assert.equal(res.status, 200);
    return (res.body as Array<Activation & { cause?: string }>).filter((r) => r.cause === parentId);
  };

  /** The parent's record lists each component once; each has its own record, caused by the parent; nothing ran twice. */
  const assertComplete = async (client: TestNamespace, parent: Activation, expectedComponents: number): Promise<void> => {
    assert.equal(parent.response.success, true, JSON.stringify(parent.response));
    assert.deepEqual(parent.response.result, { n: STEPS }, 'every step ran, each on the result of the one before');
    assert.equal(parent.logs.length, expectedComponents, `components listed: ${JSON.stringify(parent.logs)}`);
    assert.equal(new Set(parent.logs).size, parent.logs.length, 'no component listed twice');
    for (const id of parent.logs) {
      const record = (await getRecord(client, id)) as (Activation & { cause?: string }) | undefined;
      assert.ok(record, `component ${id} has a record`);
      assert.equal(record.cause, parent.activationId);
      assert.equal(record.response.success, true, JSON.stringify(record.response));
    }
    // one record per run: a component started again after the resume would have left a record of its own
    const caused = await recordsCausedBy(client, parent.activationId);
    assert.deepEqual(caused.map((r) => r.activationId).sort(), [...parent.logs].sort(), 'the only runs caused by the parent are the listed ones');
    assert.equal(await runState(parent.activationId), undefined, 'the run\'s state is gone once its record is stored');
  };

  it('a sequence whose controller is killed mid-run completes once that controller is restarted', async function () {
    this.timeout(180_000);
    const parentId = await startAndKill('chain');
    assert.equal(await getRecordFromRedis(stack, parentId), undefined, 'the run had not ended when its controller died');
    await stack.startController();
    const parent = await waitForRecord(ns, parentId, RECOVERY_MS);
    await assertComplete(ns, parent, STEPS);
  });

  it('a sequence whose controller is killed and stays dead is completed by a second controller', async function () {
    this.timeout(240_000);
    await stack.startSecondController();
    const parentId = await startAndKill('chain');
    const second: TestNamespace = { ...ns, apiHost: stack.secondApiHost };
    const parent = await waitForRecord(second, parentId, RECOVERY_MS);
    assert.equal(stack.pid('controller0'), undefined, 'controller0 stayed dead');
    await assertComplete(second, parent, STEPS);
    assert.match(stack.logSince('controller1', 0), /adopting the sequences and compositions of a dead controller/);
  });

  it('a conductor composition whose controller is killed mid-run is completed by the other controller', async function () {
    this.timeout(240_000);
    if (stack.pid('controller1') === undefined) await stack.startSecondController();
    const parentId = await startAndKill('steer');
    const second: TestNamespace = { ...ns, apiHost: stack.secondApiHost };
    const parent = await waitForRecord(second, parentId, RECOVERY_MS);
    // STEPS component runs and STEPS + 1 conductor runs
    await assertComplete(second, parent, 2 * STEPS + 1);
  });

  it('a sequence whose controller is stopped cleanly (SIGTERM) mid-run is left for, and completed by, the other controller', async function () {
    this.timeout(240_000);
    if (stack.pid('controller1') === undefined) await stack.startSecondController();
    const parentId = await startAndKill('chain', 'stop');
    const second: TestNamespace = { ...ns, apiHost: stack.secondApiHost };
    const parent = await waitForRecord(second, parentId, RECOVERY_MS);
    await assertComplete(second, parent, STEPS);
  });
});

/** The record straight from Redis (the API of a dead controller cannot answer). */
function getRecordFromRedis(stack: FaultStack, activationId: string): Promise<string | undefined> {
  return stack.withRedis(async (redis) => (await redis.get(stack.keys.activation(activationId))) ?? undefined);
}
