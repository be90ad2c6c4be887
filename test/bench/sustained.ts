// Figure 3: C clients, each invoking the same warm trivial action (blocking) as soon as its previous call answered.
// The action asks for 128 MB so that C isolates fit the invoker's default 2 GB of user memory.
import { type BenchClient, TRIVIAL_ACTION } from './client.ts';
import { closedLoop, type Operation } from './stats.ts';

const ACTION = 'bench-sustained';

/** Creates the action and runs C clients for `warmupMs` (the invoker makes its C isolates, the JITs settle). */
export async function sustainedInvoke(client: BenchClient, o: { concurrency: number; warmupMs: number }): Promise<Operation> {
  await client.createAction(ACTION, TRIVIAL_ACTION, 128);
  const op = async () => void (await client.invoke(ACTION));
  const warm = await closedLoop({ concurrency: o.concurrency, maxCount: Number.MAX_SAFE_INTEGER, maxMs: o.warmupMs, maxErrors: 20 }, op);
  if (warm.summary.n === 0) throw new Error(`sustained: warm-up failed: ${warm.firstError}`);
  return op;
}
