// Figure 9, non-blocking invokes: C clients in a closed loop on POSTs without `blocking`, each answered 202 with the
// activation's id as soon as the controller has queued it. Their throughput is how fast the platform accepts work;
// the record latency is how long each activation then takes to be done: the record's `end` (the invoker's clock,
// the same machine's) minus the time the bench sent the POST. When 202s come faster than the invoker finishes,
// that time includes the queue behind them. The bench waits (bounded) until the records are readable, so the
// backlog is gone before the next figure.
import { waitFor } from '../../deploy/local/daemon.ts';
import { type BenchClient, TRIVIAL_ACTION } from './client.ts';
import { closedLoop, type LoopResult, type Summary, summarize } from './stats.ts';

const ACTION = 'bench-async';

export interface NonBlockingOptions {
  concurrency: number;
  /** Blocking invokes at the same concurrency first, so the isolates exist. */
  warmupMs: number;
  /** How long the clients send. */
  ms: number;
  /** At most this many records are read for the latency (evenly spread over the run, the last one included). */
  sample: number;
  /** How long the bench waits for the backlog's records. */
  drainMs: number;
}

export interface NonBlockingResult {
  /** The POSTs: latency of the 202 and accepted invokes per second. */
  accepted: LoopResult;
  /** Send → record's `end`, in ms, over the sampled activations whose record was readable. */
  record: Summary;
  /** Sampled activations whose record was still missing when the wait ended (should be 0). */
  missing: number;
}

export async function nonBlockingInvoke(client: BenchClient, o: NonBlockingOptions): Promise<NonBlockingResult> {
  await client.createAction(ACTION, TRIVIAL_ACTION, 128);
  const warm = await closedLoop({ concurrency: o.concurrency, maxCount: Number.MAX_SAFE_INTEGER, maxMs: o.warmupMs, maxErrors: 20 }, async () => void (await client.invoke(ACTION)));
  if (warm.summary.n === 0) throw new Error(`non-blocking: warm-up failed: ${warm.firstError}`);

  const sent: { id: string; sentAt: number }[] = [];
  const accepted = await closedLoop({ concurrency: o.concurrency, maxCount: Number.MAX_SAFE_INTEGER, maxMs: o.ms }, async () => {
    const sentAt = Date.now();
    sent.push({ id: await client.invokeNonBlocking(ACTION), sentAt });
  });
  if (sent.length === 0) return { accepted, record: summarize([], 0), missing: 0 };

  // The invoker works through its topic in order, roughly: once the last accepted record is readable, the others are.
  const drainUntil = Date.now() + o.drainMs;
  const latencies: number[] = [];
  let missing = 0;
  const step = Math.max(1, Math.floor(sent.length / o.sample));
  const sample = sent.filter((_, i) => i % step === 0 || i === sent.length - 1).slice(-o.sample);
  for (const { id, sentAt } of [sample.at(-1)!, ...sample.slice(0, -1)]) {
    const left = drainUntil - Date.now();
    const record = left > 0 ? await waitFor(`the record of ${id}`, () => client.activation(id), left, 50).catch(() => undefined) : await client.activation(id);
    if (record) latencies.push(record.end - sentAt);
    else missing++;
  }
  return { accepted, record: summarize(latencies, 0), missing };
}
