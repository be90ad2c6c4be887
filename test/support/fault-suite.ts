// The setup the fault-injection files (test/e2e/faults-*.test.ts) share: one FaultStack with short timeouts on a
// layout of its own (.run/<test stack>-fault-injection, ports +250), started by the first of those files and stopped
// by the root hooks once the last of them ran (shared-stacks.ts); a run counter its invoker may fetch, so a test
// proves by state how often an action ran; a namespace per file; and the reads and bounds the tests have in common.
import { FaultStack, FAULT_ENV, createAction, invoke, retryUntil, type ApiAnswer, type Retried, type TestNamespace } from './faults.ts';
import { RunCounter } from './run-counter.ts';
import { sharedStackStarted, sharedStackStopped, type SharedStack } from './shared-stacks.ts';
import { ownStackLayout } from './stack.ts';
import { waitFor } from '../../deploy/local/daemon.ts';
import { Messages } from '../../invoker/record.ts';
import { createKafka } from '../../shared/kafka/client.ts';
import { createLogger } from '../../shared/logger.ts';
import { topics } from '../../shared/topics.ts';

export const FAULT_INJECTION_LAYOUT = ownStackLayout('fault-injection', 250);

/** The start deadline: a request not started this long after it was accepted is not run (FAULT_ENV). */
export const GRACE_MS = Number(FAULT_ENV.ISOWHISK_COMPLETION_GRACE_MS);
/** An invoker whose pings stop this long is listed down (FAULT_ENV). */
export const OFFLINE_MS = Number(FAULT_ENV.ISOWHISK_INVOKER_OFFLINE_AFTER_MS);
/** Slack for scheduling on a busy 2-core machine, on top of every bound the platform promises. */
export const SLACK_MS = 3_000;
/** How long a caller may be kept waiting for a refusal while a dependency is down (OpenWhisk names no number; ours). */
export const PROMPT_ANSWER_MS = 10_000;
/** How soon invocations must succeed again after Kafka or Redis answers again. */
export const RECOVERY_BOUND_MS = 60_000;

export const ECHO = 'function main(params) { return { echo: params }; }';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Messages.expired(n) with any n. */
export const EXPIRED = new RegExp(`^${escapeRegExp(Messages.expired(424242)).replace('424242', '\\d+')}$`);

/** What one fault file works with: the shared stack, the run counter its invoker reports to, its own namespace. */
export interface FaultSuite {
  stack: FaultStack;
  counter: RunCounter;
  /** A namespace of this file's own, with an `echo` action (3 s timeout). */
  ns: TestNamespace;
  /** Brings back whatever a test stopped or killed (Redis, Kafka, controller0, invoker0). */
  ensureUp(): Promise<void>;
}

interface Shared {
  stack: FaultStack;
  counter: RunCounter;
}

const FAULT_FILE = /[\\/]faults-[^\\/]+\.test\.ts$/;
let shared: Promise<Shared> | undefined;

/** What the suites measured, printed when the stack stops. */
const measured: Record<string, string> = {};

/** Notes a figure for the report: printed now, and again in the summary at the end. */
export function note(what: string, value: string): void {
  measured[what] = value;
  console.log(`      [measured] ${what}: ${value}`);
}

async function startShared(): Promise<Shared> {
  const counter = new RunCounter();
  await counter.listen();
  const stack = new FaultStack(FAULT_INJECTION_LAYOUT, { ...FAULT_ENV, ISOWHISK_FETCH_ALLOWED_HOSTS: counter.allowEntry });
  const handle: SharedStack = {
    name: 'fault injection',
    serves: (file) => file !== undefined && FAULT_FILE.test(file),
    stop: async () => {
      shared = undefined;
      try {
        await stack.stop();
      } finally {
        await counter.close();
        console.log(`      fault injection, measured:\n${Object.entries(measured).map(([k, v]) => `        ${k}: ${v}`).join('\n')}`);
      }
    },
  };
  try {
    const started = Date.now();
    await stack.start();
    note('stack start (fresh Redis + Kafka, controller, invoker)', `${Date.now() - started} ms`);
  } catch (err) {
    await handle.stop();
    sharedStackStopped(handle);
    throw err;
  }
  sharedStackStarted(handle);
  return { stack, counter };
}

/**
 * Registers a fault file's hooks and returns its suite (filled in by the `before` hook): the shared stack (started
 * if this is the first fault file of the run), a namespace named `<prefix>-<hex>` with `echo`, everything brought
 * back up before each test, and the processes' log tails printed after a failed one.
 */
export function useFaultSuite(prefix: string): FaultSuite {
  const suite = { ensureUp } as FaultSuite;

  async function ensureUp(): Promise<void> {
    const { stack } = suite;
    await stack.startInfrastructure(); // idempotent: running Redis/Kafka are reused
    if (stack.pid('controller0') === undefined) await stack.startController();
    if (stack.pid('invoker0') === undefined) await stack.startInvoker(90_000);
  }

  before(async function () {
    this.timeout(240_000);
    if (shared === undefined) {
      shared = startShared();
      shared.catch(() => (shared = undefined));
    }
    const { stack, counter } = await shared;
    suite.stack = stack;
    suite.counter = counter;
    await ensureUp();
    suite.ns = await stack.namespace(prefix);
    await createAction(suite.ns, 'echo', ECHO, { timeout: 3000 });
  });

  beforeEach(async function () {
    this.timeout(120_000);
    await ensureUp();
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed' || suite.stack === undefined) return;
    console.log(`--- controller0 log (tail) ---\n${suite.stack.logTail('controller0', 12)}`);
    console.log(`--- invoker0 log (tail) ---\n${suite.stack.logTail('invoker0', 12)}`);
  });

  return suite;
}

/** Ids of the activations invokers have claimed (`iw:claim:<id>`). */
export function claims(stack: FaultStack): Promise<Set<string>> {
  return stack.withRedis(async (redis) => {
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', stack.keys.activationClaim('*'), 'COUNT', 1000);
      cursor = next;
      for (const key of keys) found.add(key.slice(key.lastIndexOf(':') + 1));
    } while (cursor !== '0');
    return found;
  });
}

/** The completions for activation `id` on controller `controllerId`'s completion stream (an invoker writes one after its record). */
export function completionsOf(stack: FaultStack, id: string, controllerId = 0): Promise<number> {
  return stack.withRedis(async (redis) => (await redis.xrange(stack.keys.completions(controllerId), '-', '+')).filter(([, f]) => f[f.indexOf('id') + 1] === id).length);
}

/** Which of `ids` have a completion on controller 0's completion stream. */
export function completionsFor(stack: FaultStack, ids: string[]): Promise<Set<string>> {
  return stack.withRedis(async (redis) => {
    const entries = await redis.xrange(stack.keys.completions(0), '-', '+');
    const found = new Set<string>();
    for (const [, fields] of entries) {
      const id = fields[fields.indexOf('id') + 1];
      if (id !== undefined && ids.includes(id)) found.add(id);
    }
    return found;
  });
}

/**
 * Waits until invoker `invokerId` has settled every message on its topic: its consumer group (named after the
 * invoker, invoker/main.ts) has committed, on every partition, the offset past the last message. An invoker settles
 * a message once it has claimed or skipped it (invoker/activation-handler.ts), so after this every delivery so far
 * has been handled as far as the claim.
 */
export async function invokerCaughtUp(stack: FaultStack, invokerId = 0, timeoutMs = 30_000): Promise<void> {
  const topic = topics().invoker(invokerId);
  const admin = createKafka({ brokers: stack.kafkaBrokers, clientId: 'faults-offsets', logger: createLogger('faults-offsets', 'error') }).admin();
  await admin.connect();
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    let last = '';
    await waitFor(
      `invoker${invokerId} to commit its topic up to ${JSON.stringify(Object.fromEntries(ends))}`,
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: `invoker${invokerId}`, topics: [topic] });
        const offsets = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        last = JSON.stringify(Object.fromEntries(offsets));
        for (const [partition, end] of ends) if ((offsets.get(partition) ?? -1) < end) throw new Error(`committed ${last}`);
        return true;
      },
      timeoutMs,
      50,
    );
  } finally {
    await admin.disconnect();
  }
}

/** The answer if it is a 200, else an error naming what came instead. */
export function answerOk(a: ApiAnswer): ApiAnswer {
  if (a.status !== 200) throw new Error(`HTTP ${a.status}: ${JSON.stringify(a.body)}`);
  return a;
}

/**
 * Once a restarted `component` answers again: blocking invokes of `action` until one succeeds (within
 * RECOVERY_BOUND_MS), each answer passed through `seen`; notes how long that took and the statuses met meanwhile.
 */
export async function firstSuccessAfterRestart(
  component: string,
  ns: TestNamespace,
  action: string,
  params: Record<string, unknown>,
  seen: (a: ApiAnswer) => ApiAnswer,
): Promise<Retried<ApiAnswer>> {
  const statuses: number[] = [];
  const recovered = await retryUntil(
    `a blocking invoke after the ${component} restart`,
    async () => {
      const a = seen(await invoke(ns, action, params, 'blocking=true&timeout=5000', 30_000));
      statuses.push(a.status);
      return answerOk(a);
    },
    RECOVERY_BOUND_MS,
  );
  note(`${component} restart → first successful blocking invoke`, `${recovered.ms} ms after ${component} answered again, ${recovered.attempts} attempts (statuses: ${summarize(statuses)})`);
  return recovered;
}

/** An answer or transport failure, for messages: "HTTP 503 after 120 ms: {...}". */
export function describeAnswer(a: ApiAnswer | Error | undefined, none = 'no answer'): string {
  if (a === undefined) return none;
  if (a instanceof Error) return `request failed: ${a.message}`;
  return `HTTP ${a.status} after ${a.ms} ms: ${JSON.stringify(a.body).slice(0, 300)}`;
}

/** The promise's value if it settles within `ms`, else undefined (the promise goes on). */
export async function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** "503×4, 200" style summary of a list of statuses. */
export function summarize(statuses: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < statuses.length; ) {
    let j = i;
    while (j < statuses.length && statuses[j] === statuses[i]) j++;
    out.push(j - i > 1 ? `${statuses[i]}×${j - i}` : String(statuses[i]));
    i = j;
  }
  return out.join(', ');
}
