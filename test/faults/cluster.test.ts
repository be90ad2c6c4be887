// The durability promise (docs/durability.md) checked on a cluster of separate processes: two controllers and three
// invokers on one Kafka and one Redis (test/support/cluster.ts). Under a bounded load sent through both controllers,
// blocking and non-blocking, one fault strikes at a time: an invoker killed with SIGKILL, another stopped with
// SIGTERM (it drains), a controller killed with SIGKILL, Kafka restarted, Redis restarted. After each:
// - every accepted activation (an activation id and not a 503) has exactly one record;
// - no activation ran twice, every record saying it succeeded was counted once, every counted run has a record,
//   and nothing refused (503, tombstone claim) ran — runs are counted by the test's own HTTP server, which each
//   action calls with `fetch` before anything else (test/support/run-counter.ts);
// - every caller got an answer or a clean connection error within the load's bound (no hang);
// - the platform serves again through both controllers, with every invoker up, once the test restarted what was
//   stopped (where a supervisor would: nothing restarts by itself here).
// Run with `npm run test:faults`; it is not part of `npm test`.
import assert from 'node:assert/strict';
import { waitFor } from '../../deploy/local/daemon.ts';
import { CONTROLLER_IDS, CLUSTER_ENV, ClusterStack, INVOKER_IDS, type ClusterNamespace, type ClusterProcess, type InvokerId } from '../support/cluster.ts';
import { audit, describeAudit, Load, type Audit, type CallOutcome } from '../support/cluster-load.ts';
import { CONTROLLER_COMPLETION_MARGIN_MS, createAction, invoke, retryUntil, type Activation } from '../support/faults.ts';
import { countingAction, RunCounter } from '../support/run-counter.ts';

/** Calls per fault; five faults make a few hundred activations. */
const CALLS = 80;
const CONCURRENCY = 8;
/** Each run sleeps this long after it was counted, so a fault finds activations in flight. */
const SLEEP_MS = 300;
const ACTION_TIMEOUT_MS = 5_000;
/** Several actions, so the balancer's hashing spreads them over the three invokers. */
const ACTIONS = ['count-a', 'count-b', 'count-c', 'count-d', 'count-e', 'count-f'];
/** What recovery is checked with: an action that needs nothing but the platform. */
const PROBE = 'probe';
/** A caller with no answer after this long was left hanging (blocking calls answer 202 after 15 s at the latest). */
const ANSWER_BOUND_MS = Number(CLUSTER_ENV.ISOWHISK_BLOCKING_WAIT_MAX_MS) + 25_000;
/**
 * How long every accepted activation may take to get its record: its start deadline (completion grace), the
 * action's timeout and the controller's margin, plus slack for a busy 2-core machine and a restarted process.
 */
const RECORD_BOUND_MS = Number(CLUSTER_ENV.ISOWHISK_COMPLETION_GRACE_MS) + ACTION_TIMEOUT_MS + CONTROLLER_COMPLETION_MARGIN_MS + 40_000;
/** The platform serves again within this long after the test restarted what the fault stopped. */
const RECOVERY_BOUND_MS = 60_000;
/** The fault strikes once this many runs of the step's load were counted. */
const STRIKE_AFTER_RUNS = 12;

const measured: string[] = [];
const note = (line: string): void => {
  measured.push(line);
  console.log(`      [measured] ${line}`);
};

describe('cluster faults (2 controllers, 3 invokers, one Kafka, one Redis; own stack, ports +300)', function () {
  const counter = new RunCounter();
  let stack: ClusterStack;
  let suiteStarted = 0;

  before(async function () {
    this.timeout(240_000);
    suiteStarted = Date.now();
    await counter.listen();
    stack = new ClusterStack({ ISOWHISK_FETCH_ALLOWED_HOSTS: counter.allowEntry });
    await stack.start();
    note(`cluster start (fresh Redis + Kafka, 2 controllers, 3 invokers): ${Date.now() - suiteStarted} ms`);
  });

  after(async function () {
    this.timeout(120_000);
    try {
      await stack?.stop();
      await counter.close();
    } finally {
      note(`suite run time: ${Math.round((Date.now() - suiteStarted) / 1000)} s`);
      console.log(`      measured:\n${measured.map((m) => `        ${m}`).join('\n')}`);
    }
  });

  /** A fresh namespace with the counting actions. */
  const prepare = async (prefix: string): Promise<ClusterNamespace> => {
    const ns = await stack.namespace(prefix);
    for (const name of ACTIONS) await createAction(ns.via[0], name, countingAction(counter), { memory: 128, timeout: ACTION_TIMEOUT_MS });
    await createAction(ns.via[0], PROBE, 'function main(p) { return { n: p.n }; }', { memory: 128, timeout: ACTION_TIMEOUT_MS });
    return ns;
  };

  /** Ids whose claim is a controller's tombstone (answered 503: they must never run). */
  const tombstones = (): Promise<string[]> =>
    stack.withRedis(async (redis) => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', stack.keys.activationClaim('*'), 'COUNT', 1000);
        cursor = next;
        const values = keys.length > 0 ? await redis.mget(...keys) : [];
        keys.forEach((key, i) => {
          if (values[i]?.startsWith('tombstone:')) found.push(key.slice(key.lastIndexOf(':') + 1));
        });
      } while (cursor !== '0');
      return found;
    });

  /** The invoker (among `candidates`) that recorded most activations so far: the one a fault hurts most. */
  const busiest = async (candidates: readonly InvokerId[]): Promise<InvokerId> => {
    const counts = await Promise.all(candidates.map(async (id) => [id, await stack.invokerActivations(id)] as const));
    return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
  };

  it('an action reports its run to the test\'s counting server (fetch to an allowed host)', async function () {
    this.timeout(60_000);
    const ns = await prepare('cluster-probe');
    await stack.waitForAllUp();
    for (const id of CONTROLLER_IDS) {
      const a = await invoke(ns.via[id], ACTIONS[0]!, { n: id });
      assert.equal(a.status, 200, `through controller${id}: HTTP ${a.status} ${JSON.stringify(a.body)}`);
      assert.deepEqual((a.body as Activation).response.result, { n: id });
      assert.equal(counter.runs(a.activationId!), 1, `the counter saw activation ${a.activationId} run ${counter.runs(a.activationId!)} times`);
    }
  });

  interface Step {
    title: string;
    /** Strikes while the load runs; returns what it did, for the figures. */
    strike: () => Promise<string>;
  }

  const steps: Step[] = [
    {
      title: 'an invoker killed (SIGKILL) under load',
      strike: async () => {
        const victim = await busiest(INVOKER_IDS);
        await stack.kill(`invoker${victim}`);
        return `killed invoker${victim}`;
      },
    },
    {
      title: 'an invoker stopped (SIGTERM: it drains) under load',
      strike: async () => {
        const victim = await busiest(INVOKER_IDS);
        const t = Date.now();
        await stack.terminate(`invoker${victim}`);
        return `invoker${victim} drained and left in ${Date.now() - t} ms`;
      },
    },
    {
      title: 'a controller killed (SIGKILL) under load',
      strike: async () => {
        await stack.kill('controller0');
        return 'killed controller0';
      },
    },
    {
      title: 'Kafka restarted under load',
      strike: async () => {
        const t = Date.now();
        await stack.restartKafka();
        return `Kafka stopped and answered again after ${Date.now() - t} ms`;
      },
    },
    {
      title: 'Redis restarted under load (AOF on)',
      strike: async () => {
        const t = Date.now();
        await stack.restartRedis();
        return `Redis stopped and answered again after ${Date.now() - t} ms`;
      },
    },
  ];

  for (const step of steps) {
    describe(step.title, function () {
      const s = {
        ns: undefined as ClusterNamespace | undefined,
        outcomes: [] as CallOutcome[],
        audit: undefined as Audit | undefined,
        struckAfter: 0,
        restarted: [] as ClusterProcess[],
        recoveryError: undefined as Error | undefined,
      };

      before(async function () {
        this.timeout(300_000);
        const healed = await stack.ensureUp();
        if (healed.length > 0) note(`${step.title}: restarted ${healed.join(', ')} left down by an earlier test`);
        await stack.waitForAllUp();
        const ns = (s.ns = await prepare('cluster'));
        const load = new Load({ ns, actions: ACTIONS, total: CALLS, concurrency: CONCURRENCY, sleepMs: SLEEP_MS, answerBoundMs: ANSWER_BOUND_MS });
        // Once runs are under way (or, should actions fail to report runs, a quarter of the calls were answered).
        await waitFor(
          'the load to get going',
          async () => (counter.runsIn(ns.name).size >= STRIKE_AFTER_RUNS || load.outcomes.length >= CALLS / 4 ? true : undefined),
          60_000,
          20,
        ).catch(() => {});
        s.struckAfter = load.sent;
        const did = await step.strike();
        note(`${step.title}: ${did}, after ${s.struckAfter} of ${CALLS} calls were sent`);
        s.outcomes = await load.done;

        // What a supervisor would do: start again whatever is not running.
        const t = Date.now();
        s.restarted = await stack.ensureUp();
        if (s.restarted.length > 0) note(`${step.title}: the test restarted ${s.restarted.join(', ')} in ${Date.now() - t} ms`);

        try {
          const back = await retryUntil(
            'a blocking invoke through each controller',
            async () => {
              for (const id of CONTROLLER_IDS) {
                const a = await invoke(ns.via[id], PROBE, { n: id }, 'blocking=true', 30_000);
                // Audited with the load: whatever it was answered, an accepted probe must end with one record.
                s.outcomes.push({ seq: -1, controller: id, blocking: true, status: a.status, ...(a.activationId ? { activationId: a.activationId } : {}), ms: a.ms });
                if (a.status !== 200) throw new Error(`controller${id}: HTTP ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`);
              }
              return true;
            },
            RECOVERY_BOUND_MS,
          );
          note(`${step.title}: served again through both controllers ${back.ms} ms after the restart (${back.attempts} attempts)`);
        } catch (err) {
          s.recoveryError = err as Error;
        }
        const t2 = Date.now();
        s.audit = await audit(ns, s.outcomes, counter, { boundMs: RECORD_BOUND_MS, via: 1, countingActions: ACTIONS, refused: await tombstones().catch(() => []) });
        note(`${step.title}: ${describeAudit(s.audit)}; audit took ${Date.now() - t2} ms`);
      });

      afterEach(function () {
        if (this.currentTest?.state !== 'failed') return;
        for (const name of ['controller0', 'controller1', 'invoker0', 'invoker1', 'invoker2'] as const) {
          console.log(`--- ${name} log (tail) ---\n${stack.logTail(name, 8)}`);
        }
      });

      it('every accepted activation has exactly one record', function () {
        const a = s.audit!;
        assert.ok(a.accepted.length > 0, `no activation was accepted: ${describeAudit(a)}`);
        assert.deepEqual(a.missing, [], `${a.missing.length} of ${a.accepted.length} accepted activations have no record; ${describeAudit(a)}`);
        assert.deepEqual(a.listedTwice, [], 'activations listed more than once');
        // A record no caller knows of is possible only for a call whose connection broke after it was accepted.
        // Otherwise the record belongs to a call answered without an id: a 503 (which promises the activation never
        // runs, so it has no record either) or another refusal.
        const unknown = (a.answers.conn ?? 0) + (a.answers.hung ?? 0);
        assert.ok(
          a.unacknowledged.length <= unknown,
          `${a.unacknowledged.length} records of activations no caller was told of, but only ${unknown} calls ended without an answer ` +
            `(${a.answers['503'] ?? 0} were answered 503): refused activations were recorded; ${describeAudit(a)}`,
        );
      });

      it('no activation ran twice; each success was counted once; every run has a record; nothing refused ran', function () {
        const a = s.audit!;
        assert.ok(a.counted > 0, `the counting server saw no run of this load: actions cannot reach it (fetch in actions, ISOWHISK_FETCH_ALLOWED_HOSTS); ${describeAudit(a)}`);
        assert.deepEqual(a.ranTwice, [], 'activations the counting server saw run more than once');
        assert.deepEqual(a.successNotCountedOnce, [], 'records saying the action succeeded whose run was not counted exactly once');
        assert.deepEqual(a.ranWithoutRecord, [], 'runs with no record');
        assert.deepEqual(a.ranAfterRefusal, [], 'activations answered 503 (or tombstoned) that ran');
        // A 503 carries no activation id: a run no caller was told of is a refused activation's, unless a call
        // ended without an answer (its activation may have been accepted).
        const unknown = (a.answers.conn ?? 0) + (a.answers.hung ?? 0);
        assert.ok(
          a.ranUnacknowledged.length <= unknown,
          `${a.ranUnacknowledged.length} runs of activations no caller was told of, but only ${unknown} calls ended without an answer ` +
            `(${a.answers['503'] ?? 0} were answered 503): refused activations ran; ${describeAudit(a)}`,
        );
      });

      it(`every caller got an answer or a clean connection error within ${ANSWER_BOUND_MS / 1000} s`, function () {
        const hung = s.outcomes.filter((o) => o.hung);
        assert.deepEqual(hung.map((o) => `call ${o.seq} to controller${o.controller} (${o.blocking ? 'blocking' : 'non-blocking'})`), []);
        // Connection errors are clean only towards a controller that was down; elsewhere they are a failure.
        const struckController = step.title.startsWith('a controller');
        const stray = s.outcomes.filter((o) => o.connectionError && !(struckController && o.controller === 0));
        assert.deepEqual(stray.map((o) => `call ${o.seq} to controller${o.controller}: ${o.connectionError}`), []);
      });

      it('the platform serves again through both controllers, every invoker up', async function () {
        this.timeout(RECOVERY_BOUND_MS + 10_000);
        if (s.recoveryError) throw s.recoveryError;
        await stack.waitForAllUp(RECOVERY_BOUND_MS);
        for (const c of CONTROLLER_IDS) assert.deepEqual(await stack.invokerStates(c), { invoker0: 'up', invoker1: 'up', invoker2: 'up' }, `GET /invokers of controller${c}`);
      });
    });
  }
});
