// Latency statistics and the load loops every figure uses. Samples are milliseconds from performance.now().
import { perOperation, withCpu } from './cpu.ts';

export interface Summary {
  /** Successful operations measured. */
  n: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
  /** Successful operations per second over the measured wall time. */
  throughput: number;
  elapsedMs: number;
}

/** Nearest-rank percentile (q in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[], elapsedMs: number, errors = 0): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    errors,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    throughput: elapsedMs > 0 ? (sorted.length / elapsedMs) * 1000 : Number.NaN,
    elapsedMs,
  };
}

export type Operation = () => Promise<void>;

export interface LoopOptions {
  /** Clients running the operation at once, each waiting for its previous call (a closed loop). */
  concurrency: number;
  /** Stop after this many calls in all... */
  maxCount: number;
  /** ...or after this long, whichever comes first. */
  maxMs: number;
  /** This many failures end the loop early, so a broken platform does not spin for `maxMs`. */
  maxErrors?: number;
}

export interface LoopResult {
  summary: Summary;
  samples: number[];
  firstError: string | undefined;
}

/** Runs `op` in a closed loop of `concurrency` clients; each call is timed, failures are counted, not timed. */
export async function closedLoop(options: LoopOptions, op: Operation): Promise<LoopResult> {
  const { concurrency, maxCount, maxMs, maxErrors = 50 } = options;
  const samples: number[] = [];
  let started = 0;
  let errors = 0;
  let firstError: string | undefined;
  const begin = performance.now();
  const deadline = begin + maxMs;
  const client = async () => {
    while (started < maxCount && performance.now() < deadline && errors < maxErrors) {
      started++;
      const t0 = performance.now();
      try {
        await op();
        samples.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { summary: summarize(samples, performance.now() - begin, errors), samples, firstError };
}

export interface SideBySideOptions {
  concurrency: number;
  /** Each operation runs `rounds` times in turn... */
  rounds: number;
  /** ...for this many calls or this long per round, whichever comes first. */
  perRound: number;
  roundMs: number;
  /** Untimed calls of each operation before the first round. */
  warmup: number;
  /** Processes whose CPU time is reported per operation (the bench's own is added). */
  pids?: Record<string, number | undefined>;
}

export interface SideBySideResult extends LoopResult {
  /** CPU µs per successful operation, by process; empty without `pids`. */
  cpuUsPerOp: Record<string, number>;
}

/**
 * Measures several operations in alternating rounds (A B C A B C ...), so a figure and its floor see the same
 * machine even when other work comes and goes during the run.
 */
export async function sideBySide<K extends string>(ops: Record<K, Operation>, o: SideBySideOptions): Promise<Record<K, SideBySideResult>> {
  const names = Object.keys(ops) as K[];
  const acc = new Map<K, { samples: number[]; errors: number; elapsedMs: number; firstError: string | undefined; cpuMs: Record<string, number> }>();
  for (const name of names) {
    await closedLoop({ concurrency: o.concurrency, maxCount: o.warmup, maxMs: o.roundMs, maxErrors: 5 }, ops[name]);
    acc.set(name, { samples: [], errors: 0, elapsedMs: 0, firstError: undefined, cpuMs: {} });
  }
  for (let round = 0; round < o.rounds; round++) {
    for (const name of names) {
      const loop = () => closedLoop({ concurrency: o.concurrency, maxCount: o.perRound, maxMs: o.roundMs }, ops[name]);
      const { result, cpuMs } = o.pids ? await withCpu(o.pids, loop) : { result: await loop(), cpuMs: {} };
      const a = acc.get(name)!;
      a.samples.push(...result.samples);
      a.errors += result.summary.errors;
      a.elapsedMs += result.summary.elapsedMs;
      a.firstError ??= result.firstError;
      for (const [process, ms] of Object.entries(cpuMs)) a.cpuMs[process] = (a.cpuMs[process] ?? 0) + ms;
    }
  }
  const out = {} as Record<K, SideBySideResult>;
  for (const name of names) {
    const a = acc.get(name)!;
    out[name] = {
      summary: summarize(a.samples, a.elapsedMs, a.errors),
      samples: a.samples,
      firstError: a.firstError,
      cpuUsPerOp: o.pids ? perOperation(a.cpuMs, a.samples.length) : {},
    };
  }
  return out;
}

/** Rejects with `what` timed out when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
