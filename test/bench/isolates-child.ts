// Run by isolates.ts in a process of its own (with --expose-gc), so the RSS it reports is the pool's alone:
// N distinct keys are acquired, activated with a trivial action (a cold start each: no stem cells) and released,
// leaving N warm isolates idle in the pool. Prints one JSON line: IsolatesMeasurement.
import { IsolatePool } from '../../invoker/runtime/isolate-pool.ts';
import { TRIVIAL_ACTION } from './client.ts';

export interface IsolatesMeasurement {
  count: number;
  /** Cold acquire + init + run of each isolate, ms. */
  samples: number[];
  elapsedMs: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** The pool's accounting of its idle isolates (committed heap), MB. */
  poolUsedMB: number;
  idle: number;
  /** The first key, acquired again at the end, was still warm. */
  reusedWarm: boolean;
}

const MEMORY_MB = 128;
const count = Number(process.argv[2]);
if (!(count > 0)) throw new Error('usage: isolates-child.ts <count>');
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
};

// Budget for every isolate at its limit: nothing is evicted while the N are being made.
const pool = new IsolatePool({ userMemoryMB: (count + 2) * MEMORY_MB, idleTimeoutMs: 3_600_000, stemCells: { count: 0, memoryMB: MEMORY_MB } });
const key = (i: number) => ({ namespace: 'bench', action: `/bench/isolate-${i}`, revision: '1' });
const activate = async (i: number) => {
  const lease = await pool.acquire(key(i), MEMORY_MB);
  const outcome = await lease.sandbox.activate({ action: { code: TRIVIAL_ACTION }, params: { n: i }, owEnv: {}, timeoutMs: 5000, logLimitBytes: 1024 * 1024 });
  pool.release(lease.sandbox, { discard: outcome.discard });
  if (outcome.statusCode !== 0) throw new Error(`activation ${i} failed: ${JSON.stringify(outcome.result)}`);
  return lease.warm;
};

// One isolate first, so the process's one-off costs (isolated-vm's threads, the bootstrap source) are not counted.
await activate(count);
await settle();
const rssBeforeBytes = process.memoryUsage().rss;
const samples: number[] = [];
const begin = performance.now();
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  await activate(i);
  samples.push(performance.now() - t0);
}
const elapsedMs = performance.now() - begin;
await settle();
const rssAfterBytes = process.memoryUsage().rss;
const stats = pool.stats();
const reusedWarm = await activate(0);
const measurement: IsolatesMeasurement = {
  count,
  samples,
  elapsedMs,
  rssBeforeBytes,
  rssAfterBytes,
  // The extra isolate made first is in the pool's accounting too: take its share out.
  poolUsedMB: (stats.usedMB * count) / (count + 1),
  idle: stats.idle,
  reusedWarm,
};
await pool.close();
process.stdout.write(`${JSON.stringify(measurement)}\n`);
process.exit(0);
