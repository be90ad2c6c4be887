import assert from 'node:assert/strict';
import type { ActivateRequest } from '../../../invoker/runtime/action-sandbox.ts';
import { IsolatePool, PoolClosedError, type Lease, type PoolOptions, type SandboxKey } from '../../../invoker/runtime/isolate-pool.ts';
import { waitFor } from './helpers.ts';

const COUNTER = 'let n = 0; function main() { return { n: ++n, ns: process.env.__OW_NAMESPACE } }';
/** Keeps ~10 MB of external memory alive after the run, so an idle sandbox has a known weight. */
const HEAVY = 'globalThis.keep = new Uint8Array(10 * 1024 * 1024); function main() { return {} }';

const pools: IsolatePool[] = [];

function pool(options: Partial<PoolOptions> = {}): IsolatePool {
  // No overshoot unless a test asks: budgets below are sums of plain limits.
  const p = new IsolatePool({ userMemoryMB: 1024, stemCells: { memoryMB: 32, count: 0 }, sandbox: { overshoot: 0 }, ...options });
  pools.push(p);
  return p;
}

function key(namespace: string, action = '/owner/counter', revision = '1-a'): SandboxKey {
  return { namespace, action, revision };
}

function req(code: string, namespace = 'alice'): ActivateRequest {
  return { action: { code }, params: {}, owEnv: { __OW_NAMESPACE: namespace }, timeoutMs: 2_000, logLimitBytes: 65_536 };
}

/** acquire → activate → release, as the invoker does. */
async function invoke(p: IsolatePool, k: SandboxKey, code: string, memoryMB = 32) {
  const lease = await p.acquire(k, memoryMB);
  const outcome = await lease.sandbox.activate(req(code, k.namespace));
  p.release(lease.sandbox, { discard: outcome.discard });
  return { lease, outcome };
}

function sortedKeys(p: IsolatePool): string[] {
  return p.warmKeys().map((k) => `${k.namespace} ${k.action} ${k.revision}`).sort();
}

afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

describe('isolate pool', () => {
  it('reuses a warm sandbox for the same key: global state survives, no init the second time', async () => {
    const p = pool();
    const first = await invoke(p, key('alice'), COUNTER);
    const second = await invoke(p, key('alice'), COUNTER);
    assert.equal(first.lease.warm, false);
    assert.equal(second.lease.warm, true);
    assert.equal(second.lease.sandbox, first.lease.sandbox);
    assert.deepEqual([first.outcome.result, second.outcome.result], [{ n: 1, ns: 'alice' }, { n: 2, ns: 'alice' }]);
    assert.equal(typeof first.outcome.initTimeMs, 'number');
    assert.equal(second.outcome.initTimeMs, undefined);
    assert.deepEqual(sortedKeys(p), ['alice /owner/counter 1-a']);
  });

  it('acquireNow leases a warm sandbox or a stem cell at once, and nothing that would need a new isolate or a wait', async () => {
    const p = pool({ stemCells: { memoryMB: 32, count: 1 } });
    await p.ready();
    assert.equal(p.acquireNow(key('alice'), 64), undefined, 'no stem cell of that size: a new isolate would be needed');
    const stem = p.acquireNow(key('alice'), 32);
    assert.equal(stem?.warm, false);
    assert.equal((await stem!.sandbox.activate(req(COUNTER))).statusCode, 0);
    p.release(stem!.sandbox, { discard: false });
    const warm = p.acquireNow(key('alice'), 32);
    assert.equal(warm?.sandbox, stem!.sandbox);
    assert.equal(warm?.warm, true);
    assert.equal(p.acquireNow(key('alice'), 32), undefined, 'the only warm sandbox is busy, and the stem cell is not replaced yet');
    p.release(warm!.sandbox, { discard: false });
  });

  it('with replenishWhenAsked, replaces a used stem cell only when asked', async () => {
    const p = pool({ stemCells: { memoryMB: 32, count: 2 }, replenishWhenAsked: true });
    await p.ready();
    const lease = await p.acquire(key('alice'), 32);
    assert.equal(lease.warm, false);
    await lease.sandbox.activate(req(COUNTER));
    p.release(lease.sandbox, { discard: false });
    await new Promise((resolve) => setImmediate(resolve));
    await p.ready();
    assert.equal(p.stats().stemCells, 1, 'not replaced on its own');
    p.replenish();
    await waitFor(() => p.stats().stemCells === 2, 2_000, 'stem replenished when asked');
  });

  it('never shares a sandbox across namespaces, and a new revision gets a fresh one', async () => {
    const p = pool();
    await invoke(p, key('alice'), COUNTER);
    await invoke(p, key('alice'), COUNTER);
    const bob = await invoke(p, key('bob'), COUNTER);
    assert.equal(bob.lease.warm, false);
    assert.deepEqual(bob.outcome.result, { n: 1, ns: 'bob' });
    const revised = await invoke(p, key('alice', '/owner/counter', '2-b'), COUNTER);
    assert.equal(revised.lease.warm, false);
    assert.deepEqual(revised.outcome.result, { n: 1, ns: 'alice' });
    assert.deepEqual((await invoke(p, key('alice'), COUNTER)).outcome.result, { n: 3, ns: 'alice' });
    assert.deepEqual(sortedKeys(p), ['alice /owner/counter 1-a', 'alice /owner/counter 2-b', 'bob /owner/counter 1-a']);
  });

  it('gives concurrent activations of one action separate sandboxes', async () => {
    const p = pool();
    const a = await p.acquire(key('alice'), 32);
    const b = await p.acquire(key('alice'), 32);
    assert.notEqual(a.sandbox, b.sandbox);
    assert.equal(p.stats().busy, 2);
    p.release(a.sandbox, { discard: false });
    p.release(b.sandbox, { discard: false });
    assert.equal(p.stats().busy, 0);
  });

  it('disposes the sandbox of a developer error and starts the next activation cold', async () => {
    const p = pool();
    const failed = await invoke(p, key('alice'), 'let n = 0; function main() { if (++n === 2) throw new Error("x"); return { n } }');
    await invoke(p, key('alice'), '');
    assert.equal(failed.lease.sandbox.state, 'dead');
    const next = await invoke(p, key('alice'), COUNTER);
    assert.equal(next.lease.warm, false);
    assert.deepEqual(p.stats().idle, 1);
  });

  it('evicts idle sandboxes after the idle timeout and disposes them', async () => {
    const p = pool({ idleTimeoutMs: 50 });
    const { lease } = await invoke(p, key('alice'), COUNTER);
    assert.equal(p.stats().idle, 1);
    await waitFor(() => p.stats().idle === 0, 2_000, 'idle eviction');
    assert.equal(lease.sandbox.state, 'dead');
    assert.deepEqual(p.warmKeys(), []);
    assert.equal(p.stats().usedMB, 0);
  });

  it('evicts the least recently used idle sandbox when memory is short', async () => {
    // 50 MB: two idle ~10 MB sandboxes plus a 32 MB lease do not fit; dropping the older one is enough.
    const p = pool({ userMemoryMB: 50 });
    const a = await invoke(p, key('alice', '/owner/a'), HEAVY);
    const b = await invoke(p, key('alice', '/owner/b'), HEAVY);
    assert.equal(p.stats().idle, 2);
    const c = await p.acquire(key('alice', '/owner/c'), 32);
    assert.equal(a.lease.sandbox.state, 'dead');
    assert.equal(b.lease.sandbox.state, 'ready');
    assert.deepEqual(sortedKeys(p), ['alice /owner/b 1-a']);
    p.release(c.sandbox, { discard: false });
  });

  it('buffers acquires FIFO while the budget is full, and serves them as sandboxes come back', async () => {
    const p = pool({ userMemoryMB: 64 });
    const a = await p.acquire(key('alice', '/owner/a'), 32);
    const b = await p.acquire(key('alice', '/owner/b'), 32);
    const order: string[] = [];
    const c = p.acquire(key('alice', '/owner/c'), 32).then((lease) => (order.push('c'), lease));
    const d = p.acquire(key('alice', '/owner/a'), 32).then((lease) => (order.push('d'), lease));
    await waitFor(() => p.stats().waiting === 2, 1_000, 'two waiters');
    assert.deepEqual(order, []);
    await a.sandbox.activate(req(COUNTER));
    p.release(a.sandbox, { discard: false }); // idle a is evicted to make room for c, the head
    const cLease: Lease = await c;
    assert.deepEqual(order, ['c']);
    assert.equal(a.sandbox.state, 'dead');
    assert.equal(p.stats().waiting, 1);
    p.release(b.sandbox, { discard: true });
    const dLease: Lease = await d;
    assert.deepEqual(order, ['c', 'd']);
    assert.equal(dLease.warm, false);
    p.release(cLease.sandbox, { discard: false });
    p.release(dLease.sandbox, { discard: false });
  });

  it('lets a waiting acquire be abandoned', async () => {
    const p = pool({ userMemoryMB: 32 });
    const a = await p.acquire(key('alice'), 32);
    const controller = new AbortController();
    const waiting = p.acquire(key('bob'), 32, { signal: controller.signal });
    await waitFor(() => p.stats().waiting === 1, 1_000, 'waiter');
    controller.abort(new Error('deadline passed'));
    await assert.rejects(waiting, /deadline passed/);
    assert.equal(p.stats().waiting, 0);
    p.release(a.sandbox, { discard: false });
  });

  it('keeps stem cells ready so a cold start only compiles the action, and replaces the ones it uses', async () => {
    const p = pool({ stemCells: { memoryMB: 32, count: 2 } });
    await p.ready();
    assert.equal(p.stats().stemCells, 2);
    const lease = await p.acquire(key('alice'), 32);
    assert.equal(lease.warm, false);
    assert.equal(lease.sandbox.state, 'empty');
    await waitFor(() => p.stats().stemCells === 2, 2_000, 'stem replenished');
    const outcome = await lease.sandbox.activate(req(COUNTER));
    assert.equal(typeof outcome.initTimeMs, 'number');
    p.release(lease.sandbox, { discard: false });
    const other = await p.acquire(key('bob'), 64);
    assert.equal(other.sandbox.memoryMB, 64);
    assert.equal(p.stats().stemCells, 2); // a stem of another size is never handed out
    p.release(other.sandbox, { discard: false }); // never initialized: not kept as 64 MB stem
    assert.equal(other.sandbox.state, 'dead');
  });

  it('counts leased sandboxes at their limit and idle ones at their measured heap', async () => {
    const p = pool({ userMemoryMB: 1024 });
    const lease = await p.acquire(key('alice'), 128);
    assert.equal(p.stats().usedMB, 128);
    await lease.sandbox.activate(req(COUNTER));
    p.release(lease.sandbox, { discard: false });
    const used = p.stats().usedMB;
    assert.ok(used > 0 && used < 16, `idle sandbox accounted at ${used} MB`);
  });

  it('counts a leased sandbox at its limit plus the overshoot its isolate may reach, so fewer run at once', async () => {
    const p = pool({ userMemoryMB: 256, sandbox: { overshoot: 0.25 } });
    const first = await p.acquire(key('alice'), 128);
    assert.equal(p.stats().usedMB, 160);
    let second: Lease | undefined;
    const waiting = p.acquire(key('bob'), 128).then((l) => (second = l));
    await waitFor(() => p.stats().waiting === 1, 1_000, 'second acquire to wait');
    assert.equal(second, undefined);
    p.release(first.sandbox, { discard: true });
    await waiting;
    assert.equal(p.stats().usedMB, 160);
  });

  it('close() disposes every sandbox and fails waiting and later acquires', async () => {
    const p = pool({ userMemoryMB: 32, stemCells: { memoryMB: 32, count: 0 } });
    const busy = await p.acquire(key('alice'), 32);
    const waiting = p.acquire(key('bob'), 32);
    await waitFor(() => p.stats().waiting === 1, 1_000, 'waiter');
    await p.close();
    await assert.rejects(waiting, PoolClosedError);
    await assert.rejects(p.acquire(key('carol'), 32), PoolClosedError);
    assert.equal(busy.sandbox.state, 'dead');
    p.release(busy.sandbox, { discard: false }); // tolerated after close
    assert.deepEqual(p.stats(), { userMemoryMB: 32, usedMB: 0, busy: 0, idle: 0, stemCells: 0, creating: 0, waiting: 0 });
  });

  it('rejects a memory size the budget can never hold', async () => {
    await assert.rejects(pool({ userMemoryMB: 64 }).acquire(key('alice'), 128), RangeError);
  });

  it('rejects a release of a sandbox it did not lease', async () => {
    const p = pool();
    const lease = await p.acquire(key('alice'), 32);
    p.release(lease.sandbox, { discard: false });
    assert.throws(() => p.release(lease.sandbox, { discard: false }), /not leased/);
  });
});
