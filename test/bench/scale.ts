// Figure 6: sustained blocking invokes with 1 and with 3 invokers. C clients in a closed loop over several actions,
// first on the stack's one invoker, then again over fresh actions once two more invoker processes joined it. The
// balancer hashes each action to a home invoker and keeps it where it is warm, so the second set is chosen to have
// two home actions on each invoker: the load spreads as evenly as the balancer allows.
import { join } from 'node:path';
import { runningPid, startDaemon, stopDaemon, waitFor } from '../../deploy/local/daemon.ts';
import { PROJECT_ROOT, type StackLayout } from '../../deploy/local/layout.ts';
import { platformEnv } from '../../deploy/local/stack.ts';
import { javaHash } from '../../controller/balancer/sharding-balancer.ts';
import { type BenchClient, TRIVIAL_ACTION } from './client.ts';
import { closedLoop, type Operation } from './stats.ts';

/** Invoker ids the bench adds to the stack's invoker0 for the 3-invoker figure. */
export const EXTRA_INVOKERS = [1, 2] as const;

const extraInvoker = (layout: StackLayout, id: number) => ({ name: `invoker${id}`, runDir: join(layout.runDir, `invoker${id}`) });

/**
 * `perInvoker` action names for each of `invokers` invokers whose home invoker (the balancer's hash of namespace and
 * action, controller/balancer/sharding-balancer.ts) is that invoker, so a load over them lands evenly. With one
 * invoker every name qualifies.
 */
export function homedNames(namespace: string, prefix: string, perInvoker: number, invokers: number): string[] {
  const byHome = Array.from({ length: invokers }, () => [] as string[]);
  for (let i = 0; byHome.some((names) => names.length < perInvoker); i++) {
    const name = `${prefix}-${i}`;
    const home = Math.abs(javaHash(namespace) ^ javaHash(`${namespace}/${name}`)) % invokers;
    if (byHome[home]!.length < perInvoker) byHome[home]!.push(name);
  }
  return byHome.flat();
}

/** Creates the actions (128 MB each) and returns an operation that invokes them in turn (blocking). */
export async function spreadInvoke(client: BenchClient, names: readonly string[]): Promise<Operation> {
  for (const name of names) await client.createAction(name, TRIVIAL_ACTION, 128);
  let next = 0;
  return async () => void (await client.invoke(names[next++ % names.length]!));
}

/** Runs `op` with `concurrency` clients for `ms` without timing it (isolates made, JITs settled). */
export async function warmUp(op: Operation, concurrency: number, ms: number): Promise<void> {
  const warm = await closedLoop({ concurrency, maxCount: Number.MAX_SAFE_INTEGER, maxMs: ms, maxErrors: 20 }, op);
  if (warm.summary.n === 0) throw new Error(`warm-up failed: ${warm.firstError}`);
}

/**
 * Starts invokers 1 and 2 beside the stack's invoker0 (same Kafka, Redis and configuration; metrics ports next to
 * invoker0's) and waits until the controller lists them up. Resolves with their pids, for CPU accounting.
 */
export async function addInvokers(
  layout: StackLayout,
  stack: { apiHost: string; kafkaBrokers: string[]; redisUrl: string },
  env: Readonly<Record<string, string>>,
): Promise<Record<string, number | undefined>> {
  const base = { ...platformEnv(layout, stack.kafkaBrokers, stack.redisUrl), ...env };
  for (const id of EXTRA_INVOKERS) {
    startDaemon({
      ...extraInvoker(layout, id),
      command: process.execPath,
      args: ['--no-node-snapshot', join(PROJECT_ROOT, 'invoker/main.ts')],
      env: { ...base, ISOWHISK_INVOKER_ID: String(id), ISOWHISK_INVOKER_METRICS_PORT: String(layout.invoker.metricsPort + id) },
      cwd: PROJECT_ROOT,
    });
  }
  await waitFor(
    'invokers 1 and 2 to be listed up',
    async () => {
      for (const id of EXTRA_INVOKERS) if (runningPid(extraInvoker(layout, id)) === undefined) throw new Error(`invoker${id} exited while starting`);
      const states = (await (await fetch(`${stack.apiHost}/invokers`)).json()) as Record<string, string>;
      return EXTRA_INVOKERS.every((id) => states[`invoker${id}`] === 'up') || undefined;
    },
    90_000,
    200,
  );
  return Object.fromEntries(EXTRA_INVOKERS.map((id) => [`invoker${id}`, runningPid(extraInvoker(layout, id))]));
}

/** Stops the invokers `addInvokers` started (safe when they do not run). */
export async function stopExtraInvokers(layout: StackLayout): Promise<void> {
  await Promise.all(EXTRA_INVOKERS.map((id) => stopDaemon(extraInvoker(layout, id), 10_000)));
}
