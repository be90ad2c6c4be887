import assert from 'node:assert/strict';
import { HeapGuard, type HeapReading } from '../../../invoker/heap-guard.ts';
import { HostMemoryBudget, worstCaseHostBytes, type Reservation } from '../../../invoker/host-memory.ts';

const MiB = 1024 * 1024;

/** Settles pending promise callbacks. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('host memory: worst case of one activation', () => {
  const base = { logLimitBytes: 10 * MiB, maxResultBytes: MiB, truncationBytes: MiB, paramsBytes: 1000, archiveBytes: 0 };

  it('adds the copies of each bounded buffer at two bytes a character', () => {
    assert.equal(worstCaseHostBytes(base), 3 * 2 * 10 * MiB + 4 * 2 * MiB + 3 * 2 * 1000);
  });

  it('grows with every bound: logs, result, parameters and archive', () => {
    const at = worstCaseHostBytes(base);
    assert.ok(worstCaseHostBytes({ ...base, logLimitBytes: 11 * MiB }) > at);
    assert.ok(worstCaseHostBytes({ ...base, truncationBytes: 2 * MiB }) > at);
    assert.ok(worstCaseHostBytes({ ...base, paramsBytes: 2000 }) > at);
    assert.equal(worstCaseHostBytes({ ...base, archiveBytes: 64 * MiB }), at + 3 * 64 * MiB);
  });

  it('a log limit of 0 reserves nothing for logs', () => {
    assert.equal(worstCaseHostBytes({ ...base, logLimitBytes: 0 }), 4 * 2 * MiB + 3 * 2 * 1000);
  });
});

describe('host memory budget', () => {
  it('grants what fits at once and holds the rest, first come first served', async () => {
    const budget = new HostMemoryBudget(100);
    const a = await budget.reserve(60);
    const granted: string[] = [];
    const b = budget.reserve(50).then((r) => (granted.push('b'), r));
    const c = budget.reserve(10).then((r) => (granted.push('c'), r)); // fits, but must not overtake b
    await tick();
    assert.deepEqual([granted, budget.reservedBytes, budget.waiting], [[], 60, 2]);
    a.release();
    const [rb, rc] = await Promise.all([b, c]);
    assert.deepEqual([granted, budget.reservedBytes], [['b', 'c'], 60]);
    rb.release();
    rc.release();
    rc.release(); // idempotent
    assert.equal(budget.reservedBytes, 0);
  });

  it('reserveNow grants only what fits at once with nobody waiting, and never queues', async () => {
    const budget = new HostMemoryBudget(100);
    const a = budget.reserveNow(60);
    assert.equal(a?.bytes, 60);
    assert.equal(budget.reserveNow(50), undefined, 'does not fit');
    const queued = budget.reserve(50);
    assert.equal(budget.reserveNow(10), undefined, 'fits, but must not overtake the waiter');
    assert.deepEqual([budget.reservedBytes, budget.waiting], [60, 1]);
    a!.release();
    (await queued).release();
    assert.equal(budget.reservedBytes, 0);
  });

  it('runs a request larger than the whole budget alone', async () => {
    const budget = new HostMemoryBudget(100);
    const small = await budget.reserve(1);
    let big: Reservation | undefined;
    const waiting = budget.reserve(1000).then((r) => (big = r));
    await tick();
    assert.equal(big, undefined);
    small.release();
    await waiting;
    assert.equal(budget.reservedBytes, 100);
  });

  it('shrinkTo gives back the difference and lets a waiter in', async () => {
    const budget = new HostMemoryBudget(100);
    const a = await budget.reserve(90);
    const b = budget.reserve(50);
    a.shrinkTo(40);
    await b;
    assert.equal(budget.reservedBytes, 90);
    a.release();
    assert.equal(budget.reservedBytes, 50);
  });

  it('a waiter whose signal aborts leaves the queue and unblocks those behind it', async () => {
    const budget = new HostMemoryBudget(100);
    const a = await budget.reserve(60);
    const giveUp = new AbortController();
    const big = budget.reserve(50, { signal: giveUp.signal });
    const small = budget.reserve(30);
    giveUp.abort(new Error('deadline'));
    await assert.rejects(big, /deadline/);
    await small;
    assert.equal(budget.reservedBytes, 90);
    a.release();
  });
});

describe('heap guard', () => {
  function guard(readings: HeapReading[]) {
    const events: string[] = [];
    let at = 0;
    const g = new HeapGuard({
      high: 0.8,
      low: 0.6,
      read: () => readings[Math.min(at++, readings.length - 1)] as HeapReading,
      onPause: (r) => events.push(`pause ${r.used}`),
      onResume: (r) => events.push(`resume ${r.used}`),
    });
    return { g, events };
  }

  it('pauses at the high-water mark and resumes only under the low-water mark', () => {
    const heap = (used: number): HeapReading => ({ used, limit: 100 });
    const { g, events } = guard([heap(10), heap(50), heap(80), heap(90), heap(70), heap(61), heap(59), heap(70)]);
    for (let i = 0; i < 7; i++) g.check();
    assert.deepEqual(events, ['pause 80', 'resume 59']);
    assert.equal(g.paused, false);
    g.check();
    assert.deepEqual(events, ['pause 80', 'resume 59']); // 70 is under the high mark
  });

  it('reads the real heap by default', () => {
    const g = new HeapGuard({ high: 0.99, low: 0.5, onPause: () => assert.fail('paused'), onResume: () => {} });
    g.check();
    assert.ok(g.reading.used > 0 && g.reading.limit > g.reading.used);
    assert.equal(g.paused, false);
  });
});
