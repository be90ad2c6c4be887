// Figure 2: cold starts. N new actions are created first; then each is invoked once (blocking), one after the
// other, so every timed call is the first activation of its action: a stem cell (or a new isolate) gets the code.
import { type BenchClient, TRIVIAL_ACTION } from './client.ts';
import { closedLoop, type LoopResult } from './stats.ts';

export interface ColdOptions {
  actions: number;
  maxMs: number;
}

export async function coldStart(client: BenchClient, o: ColdOptions): Promise<LoopResult> {
  const names = Array.from({ length: o.actions }, (_, i) => `bench-cold-${i}`);
  for (const name of names) await client.createAction(name, TRIVIAL_ACTION);
  let next = 0;
  return closedLoop({ concurrency: 1, maxCount: names.length, maxMs: o.maxMs }, async () => {
    await client.invoke(names[next++]!);
  });
}
