// Invoker delivery on real processes (the fault stack: .run/faults, ports +100; docs/durability.md, "Invoker
// delivery"): requests are produced by hand to the invoker's topic, as a controller would, and the invoker is
// stopped, killed with kill -9 mid-backlog, or drained with SIGTERM. What is checked from the outside: the group's
// committed offset never passes a request that was not claimed, a restarted invoker resumes from that offset,
// every request inside its deadline runs exactly once (one record each, and one run counted across the invoker's
// lives by a server of the test: test/support/run-counter.ts), and a drain finishes what runs, pings `draining` every
// interval, leaves what was not claimed uncommitted, and exits 0.
// The invoker runs two 128 MB activations at once (user memory 300 MB, no stem cells) with a run queue of 4, so a
// backlog always has requests running (claimed), waiting in hand (unclaimed) and still in Kafka.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../../deploy/local/daemon.ts';
import { PROJECT_ROOT } from '../../deploy/local/layout.ts';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { pingCodec, type Ping } from '../../shared/avro/ping.ts';
import { BoundedConsumer } from '../../shared/kafka/bounded-consumer.ts';
import { createKafka, createProducer, type MessageProducer } from '../../shared/kafka/client.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { createLogger } from '../../shared/logger.ts';
import { topics } from '../../shared/topics.ts';
import { FAULT_ENV, FaultStack, createAction, type TestNamespace } from '../support/faults.ts';
import { getRecord, waitForRecord } from '../support/records.ts';
import { countingAction, RunCounter } from '../support/run-counter.ts';

const ENV = {
  ...FAULT_ENV,
  ISOWHISK_INVOKER_RUN_QUEUE_SIZE: '4',
  ISOWHISK_INVOKER_USER_MEMORY_MB: '300',
  ISOWHISK_INVOKER_STEM_CELLS: '0',
  // Every line naming an activation, so a request read again after a restart shows in the log.
  ISOWHISK_LOG_LEVEL: 'debug',
};
/** How long a run of `slow` takes unless its request says otherwise. */
const SLOW_MS = 1500;
/** The drained runs take long enough for several ping intervals (1 s). */
const DRAINED_RUN_MS = 3500;
/** Start deadline of the hand-made requests: room for a restart after kill -9 (the dead member leaves the group after the 10 s session timeout). */
const DEADLINE_MS = 60_000;
const INVOKER_TOPIC = topics().invoker(0);
const GROUP = 'invoker0';

describe('invoker delivery: commit after claim, resume, drain (own stack: .run/faults, ports +100)', function () {
  // What ran is counted outside the platform: `slow` reports each run to this server first (test/support/run-counter.ts).
  const counter = new RunCounter();
  let stack: FaultStack;
  let ns: TestNamespace;
  let revision = '';
  let kafka: ReturnType<typeof createKafka>;
  let producer: MessageProducer;

  before(async function () {
    this.timeout(180_000);
    await counter.listen();
    stack = new FaultStack(undefined, { ...ENV, ISOWHISK_FETCH_ALLOWED_HOSTS: counter.allowEntry });
    await stack.start();
    ns = await stack.namespace('delivery');
    await createAction(ns, 'slow', countingAction(counter), { timeout: 10_000, memory: 128 });
    const doc = await stack.withRedis((r) => r.get(stack.keys.entity(ns.name, 'actions', 'slow')));
    revision = String((JSON.parse(doc!) as { revision: unknown }).revision);
    kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'delivery-test', logger: createLogger('delivery-test', 'error') });
    producer = await createProducer(kafka);
  });

  after(async function () {
    this.timeout(90_000);
    await producer?.close();
    await stack?.stop();
    await counter.close();
  });

  beforeEach(async function () {
    this.timeout(120_000);
    if (stack.pid('invoker0') === undefined) await stack.startInvoker(90_000);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(`--- invoker0 log (tail) ---\n${stack.logTail('invoker0', 30)}`);
  });

  const request = (n: number, ms?: number): ActivationRequest => ({
    activationId: newActivationId(),
    transactionId: newTransactionId(),
    action: { namespace: ns.name, name: 'slow', revision },
    identity: { subject: ns.name, namespace: ns.name, uuid: ns.uuid },
    apiKey: null,
    params: JSON.stringify({ n, sleepMs: ms ?? SLOW_MS }),
    blocking: false,
    controllerId: 0,
    deadline: Date.now() + DEADLINE_MS,
    cause: null,
    initArgs: [],
    receivedAt: Date.now(),
    binding: null,
  });

  /** Produces `count` requests one after the other (so the i-th is at the topic's end offset + i); their ids. */
  async function produce(count: number, ms?: number): Promise<string[]> {
    const ids: string[] = [];
    for (let n = 0; n < count; n++) {
      const r = request(n, ms);
      const { value, headers } = activationRequestCodec.encode(r);
      await producer.send(INVOKER_TOPIC, [{ key: r.activationId, value, headers }]);
      ids.push(r.activationId);
    }
    return ids;
  }

  async function withAdmin<T>(fn: (admin: ReturnType<typeof kafka.admin>) => Promise<T>): Promise<T> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The next offset to be written to the invoker's topic (one partition). */
  const endOffset = (): Promise<number> => withAdmin(async (a) => Number((await a.fetchTopicOffsets(INVOKER_TOPIC))[0]!.high));
  /** The invoker group's committed offset (-1: none). */
  const committedOffset = (): Promise<number> =>
    withAdmin(async (a) => Number((await a.fetchOffsets({ groupId: GROUP, topics: [INVOKER_TOPIC] }))[0]?.partitions[0]?.offset ?? -1));

  /** Which of `ids` are claimed, and by whom. */
  const claimsOf = (ids: string[]): Promise<Map<string, string>> =>
    stack.withRedis(async (r) => {
      const values = await r.mget(ids.map((id) => stack.keys.activationClaim(id)));
      return new Map(ids.flatMap((id, i) => (values[i] ? [[id, values[i]!] as [string, string]] : [])));
    });

  /** Log lines of the invoker since `mark` that name `id` and carry `text`. */
  const linesOf = (log: string, id: string, text: string): number => log.split('\n').filter((l) => l.includes(id) && l.includes(text)).length;

  const assertRanOnce = async (id: string, n: number): Promise<void> => {
    const record = await getRecord(ns, id);
    assert.ok(record, `${id} has a record`);
    assert.equal(record.response.status, 'success', `${id}: ${JSON.stringify(record.response)}`);
    assert.deepEqual(record.response.result, { n });
    assert.equal(counter.runs(id), 1, `${id} ran once`);
  };

  it('requests produced while the invoker is stopped run once after it starts again', async function () {
    this.timeout(120_000);
    await stack.stopInvoker();
    const ids = await produce(3);
    await stack.startInvoker(90_000);
    for (const id of ids) await waitForRecord(ns, id, 30_000);
    for (const [n, id] of ids.entries()) await assertRanOnce(id, n);
  });

  it('kill -9 mid-backlog: nothing unclaimed was committed; the restarted invoker resumes from the committed offset and runs every unclaimed request once', async function () {
    this.timeout(150_000);
    const base = await endOffset();
    const ids = await produce(12);
    // Two ran, two run now, up to two wait in hand unclaimed, the rest is in Kafka.
    await waitFor('four claims', async () => ((await claimsOf(ids)).size >= 4 ? true : undefined), 60_000, 20);
    await stack.kill('invoker0');
    const claimed = await claimsOf(ids);
    const runsAtKill = new Map(ids.map((id) => [id, counter.runs(id)]));
    const committed = await committedOffset();
    console.log(`      [measured] at the kill: ${claimed.size} of ${ids.length} claimed, committed offset ${committed - base} of ${ids.length}`);
    assert.ok(claimed.size < ids.length, 'the kill left unclaimed requests');
    for (const value of claimed.values()) assert.equal(value, 'invoker0');
    // At least once: every request before the committed offset was claimed.
    assert.ok(committed >= base, `some offsets were committed (${committed} vs ${base})`);
    for (let i = 0; i < committed - base; i++) assert.ok(claimed.has(ids[i]!), `request ${i} is before the committed offset ${committed - base} but unclaimed`);

    const restartMark = stack.logMark('invoker0');
    await stack.startInvoker(90_000);
    const unclaimed = ids.filter((id) => !claimed.has(id));
    for (const id of unclaimed) await waitForRecord(ns, id, 60_000);
    const after = stack.logSince('invoker0', restartMark);
    for (const [n, id] of ids.entries()) {
      if (!claimed.has(id)) await assertRanOnce(id, n);
      else {
        // claimed before the kill: it ran at most once then (or was killed before its first step), never again
        assert.ok(counter.runs(id) <= 1, `${id} ran ${counter.runs(id)} times`);
        assert.equal(counter.runs(id), runsAtKill.get(id), `${id} was claimed before the kill: not run again`);
      }
    }
    // Resumed from the committed offset: the requests before it never reached the restarted invoker; the claimed
    // ones after it were read again and skipped.
    for (let i = 0; i < ids.length; i++) {
      const seen = after.split('\n').some((l) => l.includes(ids[i]!));
      const skipped = linesOf(after, ids[i]!, 'activation already claimed; skipped');
      if (i < committed - base) assert.equal(seen, false, `request ${i} (before the committed offset) was read again`);
      else if (claimed.has(ids[i]!)) assert.equal(skipped, 1, `request ${i} (claimed, after the committed offset) skipped once`);
    }
    await waitFor('everything committed', async () => ((await committedOffset()) >= base + ids.length ? true : undefined), 30_000, 100);
  });

  it('SIGTERM drains: the running activations finish with records, pings say draining every interval, the unclaimed stay uncommitted, exit 0; a restart runs those once', async function () {
    this.timeout(150_000);
    // This test starts the invoker itself, to see its exit code.
    await stack.stopInvoker();
    const pings: Ping[] = [];
    const health = new BoundedConsumer({
      kafka,
      groupId: `delivery-test-${Date.now()}`,
      topic: topics().health,
      capacity: 1000,
      fromBeginning: false,
      logger: createLogger('delivery-test', 'error'),
      handle: async (m) => void pings.push(pingCodec.decode(m.value, m.headers)),
    });
    await health.start();
    const env = { ...stack.env(), ISOWHISK_INVOKER_ID: '0' };
    const child = spawn(process.execPath, ['--no-node-snapshot', join(PROJECT_ROOT, 'invoker/main.ts')], { env, cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the invoker to be ready', async () => (output.includes('"msg":"invoker ready"') ? true : undefined), 90_000, 50);
      await waitFor('an up ping from the new process', async () => (pings.some((p) => p.invokerId === 0 && p.status === 'up') ? true : undefined), 30_000, 50);
      const base = await endOffset();
      const ids = await produce(8, DRAINED_RUN_MS);
      await waitFor('two running', async () => ((await claimsOf(ids)).size >= 2 ? true : undefined), 60_000, 20);
      const termAt = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      const drainMs = Date.now() - termAt;
      console.log(`      [measured] drain: ${drainMs} ms`);
      assert.equal(code, 0, `exit code\n${output.slice(-3000)}`);
      assert.match(output, /"msg":"drained"/);

      const claimed = await claimsOf(ids);
      assert.ok(claimed.size >= 2 && claimed.size < ids.length, `claimed ${claimed.size} of ${ids.length}`);
      for (const [n, id] of ids.entries()) {
        if (claimed.has(id)) await assertRanOnce(id, n);
        else assert.equal(await getRecord(ns, id), undefined, `${id} was not claimed: no record`);
      }
      const committed = await committedOffset();
      const leading = ids.findIndex((id) => !claimed.has(id));
      assert.equal(committed - base, leading, 'committed up to the first unclaimed request, not past it');

      const draining = pings.filter((p) => p.invokerId === 0 && p.status === 'draining' && p.sentAt >= termAt);
      assert.ok(draining.length >= 2, `${draining.length} draining pings in ${drainMs} ms: one at the start and one every interval`);
      assert.equal(pings.filter((p) => p.invokerId === 0 && p.status === 'up' && p.sentAt >= termAt + 100).length, 0, 'no up ping once draining');

      // The unclaimed requests were left in the topic: the next start runs each once.
      await stack.startInvoker(90_000);
      const unclaimed = ids.filter((id) => !claimed.has(id));
      for (const id of unclaimed) await waitForRecord(ns, id, 60_000);
      for (const [n, id] of ids.entries()) if (!claimed.has(id)) await assertRanOnce(id, n);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await health.stop(0);
    }
  });
});
