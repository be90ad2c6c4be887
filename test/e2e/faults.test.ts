// Fault injection against real processes on a stack of their own (.run/faults, ports +100): invokers killed and
// stopped, Kafka and Redis restarted, a backlog past its deadline, a re-delivered request, hostile action code and
// malformed requests. Each test names the promise users are given (README, docs/, and OpenWhisk's behaviour) and
// checks it from the outside: HTTP answers, stored records, `GET /invokers`, the processes' logs.
// The processes run with short timeouts (test/support/faults.ts FAULT_ENV): start deadline 3 s after acceptance,
// invoker offline after 3 s without pings.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { waitFor } from '../../deploy/local/daemon.ts';
import { LOST_ACTIVATION_MESSAGE } from '../../controller/activator/forced-record.ts';
import { activationRequestCodec, type ActivationRequest } from '../../shared/avro/activation-request.ts';
import { createKafka, createProducer } from '../../shared/kafka/client.ts';
import { newActivationId, newTransactionId } from '../../shared/ids.ts';
import { createLogger } from '../../shared/logger.ts';
import { topics } from '../../shared/topics.ts';
import { Messages } from '../../invoker/record.ts';
import {
  CONTROLLER_COMPLETION_MARGIN_MS,
  FAULT_ENV,
  giveUpTime,
  FaultStack,
  annotation,
  api,
  basicAuth,
  countActivations,
  createAction,
  getRecord,
  invoke,
  retryUntil,
  waitForRecord,
  type Activation,
  type ApiAnswer,
  type Retried,
  type TestNamespace,
} from '../support/faults.ts';

const GRACE_MS = Number(FAULT_ENV.ISOWHISK_COMPLETION_GRACE_MS);
const OFFLINE_MS = Number(FAULT_ENV.ISOWHISK_INVOKER_OFFLINE_AFTER_MS);
/** Slack for scheduling on a busy 2-core machine, on top of every bound the platform promises. */
const SLACK_MS = 3_000;
/** How long a caller may be kept waiting for a refusal while a dependency is down (OpenWhisk names no number; ours). */
const PROMPT_ANSWER_MS = 10_000;
/** The brief's bound for recovery after a restart of Kafka or Redis. */
const RECOVERY_BOUND_MS = 60_000;

const ECHO = 'function main(params) { return { echo: params }; }';
/** The topic of the Kafka feed that must survive the broker's restart. */
const FEED_TOPIC = 'faults-orders';

/** What the suite measured, printed at the end for the report. */
const measured: Record<string, string> = {};
const note = (what: string, value: string): void => {
  measured[what] = value;
  console.log(`      [measured] ${what}: ${value}`);
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Messages.expired(n) with any n. */
const EXPIRED = new RegExp(`^${escapeRegExp(Messages.expired(424242)).replace('424242', '\\d+')}$`);

describe('fault injection (own stack: .run/faults, ports +100)', function () {
  const stack = new FaultStack();
  let ns: TestNamespace;
  let suiteStarted = 0;

  before(async function () {
    this.timeout(180_000);
    suiteStarted = Date.now();
    await stack.start();
    note('stack start (fresh Redis + Kafka, controller, invoker)', `${Date.now() - suiteStarted} ms`);
    ns = await stack.namespace('faults');
    await createAction(ns, 'echo', ECHO, { timeout: 3000 });
  });

  after(async function () {
    this.timeout(90_000);
    try {
      await stack.stop();
    } finally {
      note('suite run time', `${Math.round((Date.now() - suiteStarted) / 100) / 10} s`);
      console.log(`      measured:\n${Object.entries(measured).map(([k, v]) => `        ${k}: ${v}`).join('\n')}`);
    }
  });

  // A test that breaks a process must not take the next tests down with it: bring back whatever is missing.
  const ensureUp = async (): Promise<void> => {
    await stack.startInfrastructure(); // idempotent: running Redis/Kafka are reused
    if (stack.pid('controller0') === undefined) await stack.startController();
    if (stack.pid('invoker0') === undefined) await stack.startInvoker(90_000);
  };
  beforeEach(async function () {
    this.timeout(120_000);
    await ensureUp();
  });

  afterEach(function () {
    if (this.currentTest?.state !== 'failed') return;
    console.log(`--- controller0 log (tail) ---\n${stack.logTail('controller0', 12)}`);
    console.log(`--- invoker0 log (tail) ---\n${stack.logTail('invoker0', 12)}`);
  });

  /** Ids of the activations invokers have claimed (`iw:claim:<id>`). */
  const claims = (): Promise<Set<string>> =>
    stack.withRedis(async (redis) => {
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', stack.keys.activationClaim('*'), 'COUNT', 1000);
        cursor = next;
        for (const key of keys) found.add(key.slice(key.lastIndexOf(':') + 1));
      } while (cursor !== '0');
      return found;
    });

  /** Which of `ids` have a completion on controller 0's completion stream (written by an invoker after its record). */
  const completionsFor = (ids: string[]): Promise<Set<string>> =>
    stack.withRedis(async (redis) => {
      const entries = await redis.xrange(stack.keys.completions(0), '-', '+');
      const found = new Set<string>();
      for (const [, fields] of entries) {
        const id = fields[fields.indexOf('id') + 1];
        if (id !== undefined && ids.includes(id)) found.add(id);
      }
      return found;
    });

  const answerOk = (a: ApiAnswer): ApiAnswer => {
    if (a.status !== 200) throw new Error(`HTTP ${a.status}: ${JSON.stringify(a.body)}`);
    return a;
  };

  // ---------------------------------------------------------------------------------------------------------
  describe('8. malformed requests are refused and create no activation', () => {
    it('an invalid JSON body → 400 {error, code}; a JSON array body → 400; over 1 MB → 413 (with and without Content-Length)', async function () {
      this.timeout(30_000);
      const before = await countActivations(ns);

      const malformed = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', '{"name": ');
      assert.equal(malformed.status, 400);
      assert.deepEqual(Object.keys(malformed.body as object).sort(), ['code', 'error']);
      assert.match((malformed.body as { error: string }).error, /^The request content was malformed:\n/);
      assert.equal(malformed.activationId, undefined);

      const array = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', '[1, 2, 3]');
      assert.equal(array.status, 400, `a JSON array is not a parameter object: ${JSON.stringify(array.body)}`);
      assert.match((array.body as { error: string }).error, /^The request content was malformed:\n/);
      assert.equal(array.activationId, undefined);

      const big = await api(ns, 'POST', '/namespaces/_/actions/echo?blocking=true', JSON.stringify({ big: 'x'.repeat(1_100_000) }));
      assert.equal(big.status, 413);
      assert.match((big.body as { error: string }).error, /^Request larger than allowed: \d+ > 1048576 bytes\.$/);
      assert.equal(big.activationId, undefined);

      // The same payload streamed without a Content-Length (chunked): capped while it is read.
      const chunked = await postChunked(`${ns.apiHost}/api/v1/namespaces/_/actions/echo?blocking=true`, ns.apiKey, 1_100_000);
      assert.equal(chunked.status, 413, `chunked body over 1 MB: ${chunked.body}`);
      assert.match(JSON.parse(chunked.body).error, /^Request larger than allowed: \d+ > 1048576 bytes\.$/);
      assert.equal(chunked.activationId, undefined);

      // Nothing was accepted, so nothing is recorded: the count is the same after a completed, accepted invoke
      // would have shown (one blocking invoke proves the count moves when something IS accepted).
      assert.equal(await countActivations(ns), before);
      const ok = answerOk(await invoke(ns, 'echo', { a: 1 }));
      await waitForRecord(ns, ok.activationId!, 10_000);
      assert.equal(await countActivations(ns), before + 1);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('7. hostile action code, through the platform', () => {
    it('while(true){} with a 500 ms timeout → developer error with annotation timeout: true; the same invoker keeps serving', async function () {
      this.timeout(30_000);
      const pid = stack.pid('invoker0');
      await createAction(ns, 'spin', 'function main() { while (true) {} }', { timeout: 500 });
      await createAction(ns, 'spin-async', 'function main() { return Promise.resolve().then(() => { for (;;) {} }); }', { timeout: 500 });
      for (const name of ['spin', 'spin-async']) {
        const a = await invoke(ns, name);
        assert.equal(a.status, 502, `${name}: ${JSON.stringify(a.body)}`);
        const body = a.body as Activation;
        assert.equal(body.response.status, 'action developer error');
        assert.deepEqual(body.response.result, { error: 'The action exceeded its time limits of 500 milliseconds.' });
        assert.ok(a.ms < 5_000, `${name} answered after ${a.ms} ms`);
        const record = await waitForRecord(ns, a.activationId!, 10_000);
        assert.equal(annotation(record, 'timeout'), true);
      }
      const next = answerOk(await invoke(ns, 'echo', { after: 'spin' }));
      assert.deepEqual((next.body as Activation).response.result, { echo: { after: 'spin' } });
      assert.equal(stack.pid('invoker0'), pid, 'the invoker process survived');
      assert.equal((await stack.invokerStates())['invoker0'], 'up');
    });

    it('a memory bomb → "The action exhausted its memory and was aborted."; the next invocation of another action works', async function () {
      this.timeout(60_000);
      const pid = stack.pid('invoker0');
      await createAction(ns, 'bomb', 'function main() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }', { memory: 128 });
      const a = await invoke(ns, 'bomb');
      assert.equal(a.status, 502, JSON.stringify(a.body));
      assert.equal((a.body as Activation).response.status, 'action developer error');
      assert.deepEqual((a.body as Activation).response.result, { error: 'The action exhausted its memory and was aborted.' });
      const next = answerOk(await invoke(ns, 'echo', { after: 'bomb' }));
      assert.deepEqual((next.body as Activation).response.result, { echo: { after: 'bomb' } });
      assert.equal(stack.pid('invoker0'), pid, 'the invoker process survived');
    });

    it('sandbox escape attempts reach nothing of the host (no process, require, env, file system, ivm handles)', async function () {
      this.timeout(30_000);
      const code = `
        const probes = {};
        const leaks = [];
        const hostLike = (p) => p && (typeof p.pid === 'number' || typeof p.binding === 'function' || typeof p.dlopen === 'function'
          || typeof p.exit === 'function' || typeof p.kill === 'function' || typeof p.mainModule === 'object' || (p.versions && p.versions.node));
        const top = this;
        function probe(name, fn) {
          try { const v = fn(); probes[name] = v === undefined ? 'undefined' : typeof v; return v; }
          catch (e) { probes[name] = 'threw ' + (e && e.name); return undefined; }
        }
        async function main() {
          const viaThis = probe('this.constructor.constructor("return process")()', () => top.constructor.constructor('return process')());
          const viaObject = probe('({}).constructor.constructor("return process")()', () => ({}).constructor.constructor('return process')());
          const viaMain = probe('main.constructor("return process")()', () => main.constructor('return process')());
          const viaGlobal = probe('globalThis.constructor.constructor("return this")().process', () => globalThis.constructor.constructor('return this')().process);
          for (const [name, p] of [['viaThis', viaThis], ['viaObject', viaObject], ['viaMain', viaMain], ['viaGlobal', viaGlobal], ['process', typeof process === 'undefined' ? undefined : process]]) {
            if (hostLike(p)) leaks.push(name + ': a host process object');
          }
          const envKeys = typeof process === 'undefined' ? [] : Object.keys(process.env);
          for (const k of envKeys) if (!k.startsWith('__OW_')) leaks.push('process.env.' + k);
          for (const mod of ['fs', 'child_process', 'net', 'node:fs', 'module']) {
            const m = probe('require(' + mod + ')', () => require(mod));
            if (m !== undefined) leaks.push('require(' + mod + ')');
          }
          probe('process.binding("fs")', () => process.binding('fs'));
          try { await import('fs'); leaks.push('import("fs")'); probes['import("fs")'] = 'resolved'; } catch (e) { probes['import("fs")'] = 'rejected ' + (e && e.name); }
          const g = Function('return this')();
          const names = Object.getOwnPropertyNames(g);
          for (const n of names) {
            let v; try { v = g[n]; } catch { continue; }
            if (v && (typeof v === 'object' || typeof v === 'function')
                && ['applySync', 'deref', 'derefInto', 'copySync', 'copyInto', 'setSync', 'getSync'].some((m) => typeof v[m] === 'function')) {
              leaks.push('global ' + n + ' is an isolated-vm handle');
            }
          }
          for (const n of ['require', 'Buffer', 'module', 'exports', '__dirname', 'Deno', 'Bun', 'ivm', '_ivm']) {
            if (Object.prototype.hasOwnProperty.call(g, n)) leaks.push('global ' + n);
          }
          const prepare = Error.prepareStackTrace;
          try {
            Error.prepareStackTrace = (_e, frames) => frames;
            const frames = new Error().stack;
            if (Array.isArray(frames)) for (const f of frames) {
              let t; try { t = f.getThis && f.getThis(); } catch { t = undefined; }
              if (t && hostLike(t.process)) leaks.push('a stack frame exposes the host process');
            }
          } finally { Error.prepareStackTrace = prepare; }
          if (typeof fetch === 'function') {
            probes.fetch = 'present';
            try { await fetch('http://127.0.0.1:${stack.layout.redis.port}/'); leaks.push('fetch reached the platform Redis'); } catch (e) { probes.fetch = 'refused ' + (e && e.message); }
          }
          return { leaks, probes, globals: names.length };
        }`;
      await createAction(ns, 'escape', code);
      const a = answerOk(await invoke(ns, 'escape'));
      const result = (a.body as Activation).response.result as { leaks: string[]; probes: Record<string, string> };
      console.log(`      [probes] ${JSON.stringify(result.probes)}`);
      assert.deepEqual(result.leaks, [], `the guest reached host objects: ${JSON.stringify(result)}`);
      const text = JSON.stringify(result);
      for (const secret of [stack.redisUrl, 'ISOWHISK_', String(process.pid), process.env.HOME ?? '/root'].filter((s) => s.length > 3)) {
        assert.ok(!text.includes(secret), `the result mentions ${secret}`);
      }
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('6. at most once per activation id', () => {
    it('a request delivered three times (twice at once, once after it finished) runs once: one record, one completion, one side effect', async function () {
      this.timeout(60_000);
      // The side effect: a counter in the warm isolate, printed and returned by every run.
      await createAction(ns, 'once', 'let runs = 0; function main() { runs += 1; console.log("run", runs); return { runs }; }');
      const warm = answerOk(await invoke(ns, 'once'));
      assert.deepEqual((warm.body as Activation).response.result, { runs: 1 });

      const doc = await stack.withRedis((r) => r.get(stack.keys.entity(ns.name, 'actions', 'once')));
      const revision = String((JSON.parse(doc!) as { revision: unknown }).revision);
      const controllerId = 7; // a completion stream nobody reads, so every completion written for it stays countable
      const request: ActivationRequest = {
        activationId: newActivationId(),
        transactionId: newTransactionId(),
        action: { namespace: ns.name, name: 'once', revision },
        identity: { subject: ns.name, namespace: ns.name, uuid: ns.uuid },
        apiKey: null,
        params: '{}',
        blocking: true,
        controllerId,
        deadline: Date.now() + 30_000,
        cause: null,
        initArgs: [],
        receivedAt: Date.now(),
        binding: null,
      };
      const { value, headers } = activationRequestCodec.encode(request);
      const message = { key: request.activationId, value, headers };
      const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'faults-test', logger: createLogger('faults-test', 'error') });
      const producer = await createProducer(kafka);
      const mark = stack.logMark('invoker0');
      const skipped = () =>
        stack.logSince('invoker0', mark).split('\n').filter((l) => l.includes(request.activationId) && l.includes('activation already claimed; skipped')).length;
      const completions = () =>
        stack.withRedis(async (r) => (await r.xrange(stack.keys.completions(controllerId), '-', '+')).filter(([, f]) => f[f.indexOf('id') + 1] === request.activationId));
      try {
        await producer.send(topics().invoker(0), [message, message]);
        const record = await waitForRecord(ns, request.activationId, 15_000);
        await waitFor('the duplicate to be skipped', async () => (skipped() >= 1 ? true : undefined), 15_000, 50);
        await producer.send(topics().invoker(0), [message]);
        await waitFor('the late duplicate to be skipped', async () => (skipped() >= 2 ? true : undefined), 15_000, 50);

        assert.equal(skipped(), 2, 'two deliveries skipped as already claimed');
        assert.equal((await completions()).length, 1, 'one completion written');
        const after = await getRecord(ns, request.activationId);
        assert.deepEqual(after?.response.result, { runs: 2 }, 'the one record is the first run on the warm isolate');
        assert.deepEqual(record.response.result, { runs: 2 });
        assert.equal(record.logs.filter((l) => / stdout: run \d+$/.test(l)).length, 1);
        const next = answerOk(await invoke(ns, 'once'));
        assert.deepEqual((next.body as Activation).response.result, { runs: 3 }, 'the isolate counted exactly one run in between');
      } finally {
        await producer.close();
      }
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('invokers gone', () => {
    it('2. no invoker at all (stopped): invoke → 503 with {error, code}, for blocking and non-blocking calls', async function () {
      this.timeout(90_000);
      await stack.stopInvoker();
      note('invoker listed down after a clean stop', `${await stack.waitForInvokerState('down', OFFLINE_MS + SLACK_MS)} ms`);
      const before = await countActivations(ns);
      for (const query of ['blocking=true', 'blocking=false']) {
        const a = await invoke(ns, 'echo', {}, query, 20_000);
        assert.equal(a.status, 503, `${query}: ${JSON.stringify(a.body)}`);
        const body = a.body as { error: unknown; code: unknown };
        assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
        assert.equal(typeof body.error, 'string');
        assert.ok((body.error as string).length > 0);
        assert.match(body.code as string, /^\w+$/);
        assert.equal(a.activationId, undefined, 'not accepted: no activation id');
        console.log(`      [503 body] ${JSON.stringify(body)}`);
      }
      assert.equal(await countActivations(ns), before);
      note('invoker restart after a clean stop (to up)', `${await stack.startInvoker()} ms`);
      answerOk(await invoke(ns, 'echo'));
    });


    describe('1 + 5. invoker killed (kill -9) mid-run, with more activations accepted before the controller noticed', () => {
      // One kill serves both promises (a restart after kill -9 waits ~30 s for Kafka to expire the dead group member):
      // - `sleepy` (blocking, 5 s timeout) is running when the invoker dies: its caller must get an answer and the
      //   activation a whisk-internal-error record by deadline + timeout + margin;
      // - three `marker` (60 s timeout) and one `brief` (100 ms timeout) are accepted right after the kill, while the
      //   controller still lists the invoker as up; the invoker is restarted after their start deadline, so they form
      //   a backlog past its deadline. `brief`'s controller deadline (3 s + 0.1 s + 5 s) passes before the restart.
      const ACTION_TIMEOUT = 5_000;
      type Outcome<T> = { value: T } | { error: Error };
      const scenario = {
        sleepyId: '',
        acceptedBy: 0,
        killedAt: 0,
        answer: undefined as Outcome<ApiAnswer> | undefined,
        downMs: undefined as Outcome<number> | undefined,
        record: undefined as Outcome<Activation> | undefined,
        marker: [] as Array<{ id: string; sentAt: number }>,
        brief: { id: '', sentAt: 0 },
        briefForced: undefined as Outcome<Activation> | undefined,
        restart: undefined as Outcome<number> | undefined,
        again: undefined as Outcome<Retried<ApiAnswer>> | undefined,
        backlogHandled: undefined as Outcome<true> | undefined,
      };
      const outcome = <T>(p: Promise<T>): Promise<Outcome<T>> => p.then((value) => ({ value }), (error: Error) => ({ error }));
      const valueOf = <T>(o: Outcome<T> | undefined, what: string): T => {
        if (o === undefined) throw new Error(`${what}: not reached`);
        if ('error' in o) throw o.error;
        return o.value;
      };

      before(async function () {
        this.timeout(170_000);
        await ensureUp();
        await createAction(ns, 'sleepy', 'async function main() { await new Promise((r) => setTimeout(r, 20000)); return { woke: true }; }', { timeout: ACTION_TIMEOUT });
        await createAction(ns, 'marker', 'let runs = 0; function main(p) { runs += 1; console.log("RAN", p.n); return { n: p.n, runs }; }', { timeout: 60_000 });
        await createAction(ns, 'brief', 'function main() { console.log("RAN"); return { ran: true }; }', { timeout: 100 });
        answerOk(await invoke(ns, 'echo'));

        const known = await claims();
        scenario.acceptedBy = Date.now();
        const call = outcome(invoke(ns, 'sleepy', {}, 'blocking=true', 90_000));
        scenario.sleepyId = await waitFor('the invoker to claim the activation', async () => [...(await claims())].find((c) => !known.has(c)), 15_000, 20);
        scenario.killedAt = Date.now();
        await stack.kill('invoker0');

        // Right away, while the controller still lists the invoker as up (its last ping is < OFFLINE_MS old).
        for (let n = 0; n < 3; n++) {
          const sentAt = Date.now();
          const a = await invoke(ns, 'marker', { n }, 'blocking=false');
          assert.equal(a.status, 202, `accepted while the controller still lists the dead invoker as up: ${a.status} ${JSON.stringify(a.body)}`);
          scenario.marker.push({ id: a.activationId!, sentAt });
        }
        const sentAt = Date.now();
        const b = await invoke(ns, 'brief', {}, 'blocking=false');
        assert.equal(b.status, 202, `accepted while the controller still lists the dead invoker as up: ${b.status} ${JSON.stringify(b.body)}`);
        scenario.brief = { id: b.activationId!, sentAt };

        scenario.downMs = await outcome(stack.waitForInvokerState('down', OFFLINE_MS + SLACK_MS).then(() => Date.now() - scenario.killedAt));
        scenario.answer = await call;
        if ('value' in scenario.answer) note('kill -9 → blocking caller answered', `${Date.now() - scenario.killedAt} ms after the kill (HTTP ${scenario.answer.value.status})`);
        const bound = giveUpTime(scenario.acceptedBy + GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
        scenario.record = await outcome(waitForRecord(ns, scenario.sleepyId, Math.max(0, bound - Date.now())));
        if ('value' in scenario.record) note('kill -9 → forced record stored', `${scenario.record.value.end - scenario.killedAt} ms after the kill (promised ≤ ${giveUpTime(GRACE_MS, ACTION_TIMEOUT, CONTROLLER_COMPLETION_MARGIN_MS)} ms after acceptance)`);
        const briefBound = giveUpTime(sentAt + GRACE_MS, 100, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
        scenario.briefForced = await outcome(waitForRecord(ns, b.activationId!, Math.max(0, briefBound - Date.now())));
        const lastDeadline = Math.max(...scenario.marker.map((m) => m.sentAt)) + GRACE_MS;
        await waitFor('the start deadlines to pass', async () => (Date.now() > lastDeadline + 200 ? true : undefined), GRACE_MS + SLACK_MS, 50);

        scenario.restart = await outcome(stack.startInvoker(90_000));
        if ('value' in scenario.restart) note('invoker restart after kill -9 (to up, incl. Kafka group rejoin)', `${scenario.restart.value} ms (${Date.now() - scenario.killedAt} ms after the kill)`);
        scenario.again = await outcome(retryUntil('a blocking invoke after the invoker restart', async () => answerOk(await invoke(ns, 'echo', { back: true }, 'blocking=true', 30_000)), 60_000));
        if ('value' in scenario.again) note('invoker up → first successful invoke', `${scenario.again.value.ms} ms, ${scenario.again.value.attempts} attempt(s)`);
        // The restarted invoker has handled the backlog once its completions for the three markers are on the
        // stream. The brief one is not among them: its controller claimed it when it gave it up, so the invoker skips it.
        const ids = scenario.marker.map((m) => m.id);
        scenario.backlogHandled = await outcome(waitFor('the restarted invoker to handle the backlog', async () => ((await completionsFor(ids)).size === ids.length ? true : undefined), 20_000, 100));
      });

      it('1. the blocked caller gets an answer, and the activation a "whisk internal error" record within deadline + timeout + margin', function () {
        const answer = valueOf(scenario.answer, 'the blocking call');
        assert.ok(answer.status === 202 || answer.status >= 500, `an answer, 202 or an error: ${answer.status} ${JSON.stringify(answer.body)}`);
        assert.equal(answer.activationId, scenario.sleepyId);
        const record = valueOf(scenario.record, 'the record');
        assert.equal(record.response.status, 'whisk internal error');
        assert.equal(record.response.success, false);
        assert.deepEqual(record.response.result, { error: LOST_ACTIVATION_MESSAGE });
        if (answer.status !== 202) assert.deepEqual((answer.body as Activation).response.result, { error: LOST_ACTIVATION_MESSAGE });
      });

      it('1. the controller lists the invoker down within the offline threshold, and up again after a restart; new activations work', function () {
        const downMs = valueOf(scenario.downMs, 'down');
        note('kill -9 → GET /invokers says down', `${downMs} ms after the kill`);
        assert.ok(downMs <= OFFLINE_MS + SLACK_MS);
        valueOf(scenario.restart, 'the restart (invoker listed up)');
        assert.deepEqual((valueOf(scenario.again, 'an invoke after the restart').value.body as Activation).response.result, { echo: { back: true } });
      });

      it('1. the lost activation is not run again by the restarted invoker (its record stays the forced one)', async function () {
        valueOf(scenario.restart, 'the restart');
        const still = await getRecord(ns, scenario.sleepyId);
        assert.deepEqual(still, valueOf(scenario.record, 'the record'));
      });

      it('5. each activation accepted for the dead invoker is recorded as expired ("... it was not run") and not run', async function () {
        this.timeout(30_000);
        valueOf(scenario.backlogHandled, 'the backlog handled');
        for (const { id, sentAt } of scenario.marker) {
          const record = await waitForRecord(ns, id, 10_000);
          assert.equal(record.response.status, 'whisk internal error', JSON.stringify(record.response));
          assert.match((record.response.result as { error: string }).error, EXPIRED);
          assert.deepEqual(record.logs, [], 'not run: no logs');
          assert.ok(!JSON.stringify(record).includes('RAN'));
          assert.ok(Number(annotation(record, 'waitTime')) >= GRACE_MS, `waitTime ${annotation(record, 'waitTime')}`);
          assert.ok(record.end < sentAt + GRACE_MS + 60_000 + CONTROLLER_COMPLETION_MARGIN_MS, 'recorded by the invoker, before the controller would give up');
        }
        // The warm counter proves none of the three ran in this invoker: the first real run is run 1.
        const fresh = answerOk(await invoke(ns, 'marker', { n: 'fresh' }));
        assert.deepEqual((fresh.body as Activation).response.result, { n: 'fresh', runs: 1 });
      });

      it("5. one whose deadline + timeout + margin passed before the restart keeps the controller's whisk-internal-error record (the late invoker does not overwrite it)", async function () {
        const forced = valueOf(scenario.briefForced, "the controller's record");
        assert.deepEqual(forced.response.result, { error: LOST_ACTIVATION_MESSAGE });
        valueOf(scenario.backlogHandled, 'the backlog handled');
        const now = await getRecord(ns, scenario.brief.id);
        assert.deepEqual(
          now,
          forced,
          'the restarted invoker replaced the stored forced record with its own "expired" record; ' +
            `an invoker skips an id that is already claimed or recorded. Now: ${JSON.stringify(now?.response)}`,
        );
      });
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('3. Kafka restarted (stopKafka + startKafka) between invocations', () => {
    const scenario = {
      accepted: new Set<string>(),
      /** The answer to an invoke sent right after Kafka stopped, if it came within PROMPT_ANSWER_MS. */
      prompt: undefined as ApiAnswer | Error | undefined,
      during: undefined as ApiAnswer | Error | undefined,
      recovered: undefined as Retried<ApiAnswer> | undefined,
      recoveryError: undefined as Error | undefined,
    };
    const seen = (a: ApiAnswer): ApiAnswer => {
      if (a.activationId) scenario.accepted.add(a.activationId);
      return a;
    };

    before(async function () {
      this.timeout(180_000);
      await ensureUp();
      // A Kafka feed that must keep firing across the restart: trigger `orders` on topic FEED_TOPIC runs `echo`.
      await ns.ow.triggers.create({ name: 'orders', trigger: { annotations: [{ key: 'feed', value: '/whisk.system/messaging/kafkaFeed' }] } });
      await ns.ow.rules.create({ name: 'orders-echo', trigger: 'orders', action: 'echo' });
      const feed = (await ns.ow.feeds.create({ name: '/whisk.system/messaging/kafkaFeed', trigger: 'orders', params: { topic: FEED_TOPIC, isJSONData: true } })) as unknown as Activation;
      assert.equal(feed.response.success, true, JSON.stringify(feed.response));
      answerOk(seen(await invoke(ns, 'echo', { n: 'before' })));
      const queued = seen(await invoke(ns, 'echo', { n: 'queued' }, 'blocking=false'));
      assert.equal(queued.status, 202);

      let t = Date.now();
      await stack.stopKafka();
      note('Kafka stop', `${Date.now() - t} ms`);
      // Sent at once, while the controller still lists the invoker as up (its last ping is < 3 s old).
      const duringCall = invoke(ns, 'echo', { n: 'during' }, 'blocking=true&timeout=5000', 120_000).then(seen, (err: Error) => err);
      scenario.prompt = await answerWithin(duringCall, PROMPT_ANSWER_MS);
      t = Date.now();
      await stack.startKafka();
      note('Kafka start', `${Date.now() - t} ms`);

      const statuses: number[] = [];
      try {
        scenario.recovered = await retryUntil(
          'a blocking invoke after the Kafka restart',
          async () => {
            const a = seen(await invoke(ns, 'echo', { n: 'after' }, 'blocking=true&timeout=5000', 30_000));
            statuses.push(a.status);
            return answerOk(a);
          },
          RECOVERY_BOUND_MS,
        );
        note('Kafka restart → first successful blocking invoke', `${scenario.recovered.ms} ms after Kafka answered again, ${scenario.recovered.attempts} attempts (statuses: ${summarize(statuses)})`);
      } catch (err) {
        scenario.recoveryError = err as Error;
      }
      scenario.during = await answerWithin(duringCall, 60_000);
      const d = scenario.during;
      note('invoke sent right after Kafka stopped', d === undefined ? 'no answer within 60 s' : d instanceof Error ? d.message : `HTTP ${d.status} after ${d.ms} ms: ${JSON.stringify(d.body).slice(0, 200)}`);
    });

    it('invocations succeed again within 60 s of Kafka answering', function () {
      if (scenario.recoveryError) throw scenario.recoveryError;
      assert.deepEqual((scenario.recovered!.value.body as Activation).response.result, { echo: { n: 'after' } });
    });

    it('a Kafka feed created before the outage fires its trigger for a record produced after it', async function () {
      this.timeout(90_000);
      const producer = await createProducer(createKafka({ brokers: stack.kafkaBrokers, clientId: 'faults-feed-producer', logger: createLogger('faults', 'error') }));
      try {
        await producer.send(FEED_TOPIC, [{ key: 'after-restart', value: Buffer.from(JSON.stringify({ order: 42 })) }]);
      } finally {
        await producer.close();
      }
      // The feed's consumer rejoins its group once the broker is back; the record waits for it in the topic.
      const echoed = await waitFor(
        'the feed trigger to run echo with the record',
        async () => {
          const list = (await ns.ow.activations.list({ name: 'echo', docs: true, limit: 20 } as never)) as unknown as Activation[];
          return list.find((a) => JSON.stringify(a.response.result).includes('after-restart'));
        },
        60_000,
        200,
      );
      const messages = (echoed.response.result as { echo: { messages: unknown[] } }).echo.messages;
      assert.deepEqual(messages, [{ topic: FEED_TOPIC, partition: 0, offset: 0, key: 'after-restart', value: { order: 42 } }]);
    });

    it('every activation accepted before, during or after the outage ends with a record', async function () {
      this.timeout(60_000);
      // By deadline + init and run (3 s each at most) + margin at the latest.
      const bound = giveUpTime(GRACE_MS, 3_000, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
      const missing: string[] = [];
      for (const id of scenario.accepted) if (!(await waitForRecord(ns, id, bound).catch(() => undefined))) missing.push(id);
      assert.deepEqual(missing, [], `${missing.length} of ${scenario.accepted.size} accepted activations have no record`);
    });

    it(`an invoke in the first seconds of a Kafka outage is answered within ${PROMPT_ANSWER_MS / 1000} s with 503 {error, code} (it asked to wait 5 s at most)`, function () {
      const d = scenario.during;
      const what = d === undefined ? 'no answer within 60 s' : d instanceof Error ? d.message : `HTTP ${d.status} after ${d.ms} ms: ${JSON.stringify(d.body)}`;
      assert.ok(scenario.prompt, `no answer within ${PROMPT_ANSWER_MS} ms while Kafka was down; it came as ${what}`);
      assert.ok(!(scenario.prompt instanceof Error), `transport failure: ${String(scenario.prompt)}`);
      assert.equal(scenario.prompt.status, 503, `${what}`);
      assert.deepEqual(Object.keys(scenario.prompt.body as object).sort(), ['code', 'error']);
    });
  });

  // ---------------------------------------------------------------------------------------------------------
  describe('4. Redis restarted (stopRedis + startRedis, AOF on)', () => {
    const scenario = {
      stored: undefined as ApiAnswer | undefined,
      storedRecord: undefined as Activation | undefined,
      durableAction: undefined as string | null | undefined,
      durableRecord: undefined as string | null | undefined,
      prompt: undefined as [ApiAnswer | Error, ApiAnswer | Error] | undefined,
      nonBlocking: undefined as ApiAnswer | Error | undefined,
      blocking: undefined as ApiAnswer | Error | undefined,
      recovered: undefined as Retried<ApiAnswer> | undefined,
      recoveryError: undefined as Error | undefined,
    };

    before(async function () {
      this.timeout(180_000);
      await ensureUp();
      await createAction(ns, 'keeper', 'function main(p) { return { kept: p.v }; }', { timeout: 3000 });
      await createAction(ns, 'brief', 'function main() { return { ran: true }; }', { timeout: 100 });
      scenario.stored = answerOk(await invoke(ns, 'keeper', { v: 1 }));
      scenario.storedRecord = await waitForRecord(ns, scenario.stored.activationId!, 10_000);

      let t = Date.now();
      await stack.stopRedis();
      note('Redis stop', `${Date.now() - t} ms`);
      const nonBlocking = invoke(ns, 'keeper', { v: 'during' }, 'blocking=false', 120_000).catch((err: Error) => err);
      const blocking = invoke(ns, 'brief', {}, 'blocking=true', 120_000).catch((err: Error) => err);
      scenario.prompt = await answerWithin(Promise.all([nonBlocking, blocking]), PROMPT_ANSWER_MS);
      t = Date.now();
      await stack.startRedis();
      note('Redis start', `${Date.now() - t} ms`);

      // Durable in Redis itself (AOF replayed)...
      scenario.durableAction = await stack.withRedis((r) => r.get(stack.keys.entity(ns.name, 'actions', 'keeper')));
      scenario.durableRecord = await stack.withRedis((r) => r.get(stack.keys.activation(scenario.stored!.activationId!)));

      // ...and served again by the platform once it reconnected.
      const statuses: number[] = [];
      try {
        scenario.recovered = await retryUntil(
          'a blocking invoke after the Redis restart',
          async () => {
            const a = await invoke(ns, 'keeper', { v: 2 }, 'blocking=true&timeout=5000', 30_000);
            statuses.push(a.status);
            return answerOk(a);
          },
          RECOVERY_BOUND_MS,
        );
        note('Redis restart → first successful blocking invoke', `${scenario.recovered.ms} ms after Redis answered again, ${scenario.recovered.attempts} attempts (statuses: ${summarize(statuses)})`);
      } catch (err) {
        scenario.recoveryError = err as Error;
      }
      scenario.nonBlocking = await answerWithin(nonBlocking, 90_000);
      scenario.blocking = await answerWithin(blocking, 90_000);
      for (const [what, a] of [['non-blocking', scenario.nonBlocking], ['blocking', scenario.blocking]] as const) {
        note(`${what} invoke sent while Redis was down`, a === undefined ? 'no answer within 90 s' : a instanceof Error ? a.message : `HTTP ${a.status} after ${a.ms} ms: ${JSON.stringify(a.body).slice(0, 200)}`);
      }
    });

    it('previously stored actions and activation records are still there', async function () {
      assert.ok(scenario.durableAction, 'the action document survived the restart (in Redis)');
      assert.ok(scenario.durableRecord, 'the activation record survived the restart (in Redis)');
      const action = await api(ns, 'GET', '/namespaces/_/actions/keeper');
      assert.equal(action.status, 200);
      const again = await getRecord(ns, scenario.stored!.activationId!);
      assert.deepEqual(again, scenario.storedRecord);
    });

    it('invocations succeed again within 60 s of Redis answering', function () {
      if (scenario.recoveryError) throw scenario.recoveryError;
      assert.deepEqual((scenario.recovered!.value.body as Activation).response.result, { kept: 2 });
    });

    it('every activation accepted around the outage ends with a record, and a blocking caller was answered with that record', async function () {
      this.timeout(60_000);
      const bound = giveUpTime(GRACE_MS, 3_000, CONTROLLER_COMPLETION_MARGIN_MS) + SLACK_MS;
      for (const [what, a] of [['non-blocking', scenario.nonBlocking], ['blocking', scenario.blocking]] as const) {
        assert.ok(a !== undefined && !(a instanceof Error), `the ${what} call got no answer: ${a instanceof Error ? a.message : 'none within 90 s'}`);
        if (a.activationId === undefined) {
          // Refused, not accepted: nothing to record, and the refusal says why.
          assert.equal(a.status, 503, `the ${what} call was neither accepted nor refused with 503: HTTP ${a.status} ${JSON.stringify(a.body)}`);
          continue;
        }
        const record = await waitForRecord(ns, a.activationId, bound).catch(() => undefined);
        assert.ok(record, `activation ${a.activationId} was accepted (HTTP ${a.status}) but has no record`);
      }
      const b = scenario.blocking;
      if (b !== undefined && !(b instanceof Error) && b.activationId !== undefined && b.status !== 202) {
        // Once the invoker has handled the request too (its completion is on the stream), the record must still be
        // the one the caller was given.
        await waitFor('the invoker to handle the request', async () => ((await completionsFor([b.activationId!])).size === 1 ? true : undefined), 15_000, 100).catch(() => {});
        const record = await getRecord(ns, b.activationId);
        const answered = b.body as Activation;
        assert.deepEqual(
          { start: record?.start, response: record?.response },
          { start: answered.start, response: answered.response },
          'the stored record is not the one the blocking caller got (the invoker overwrote the controller\'s forced record)',
        );
      }
    });

    it(`an invoke while Redis is down is answered within ${PROMPT_ANSWER_MS / 1000} s with 503 {error, code}, not held until Redis returns`, function () {
      const show = (a: ApiAnswer | Error | undefined) => (a === undefined ? 'no answer within 90 s' : a instanceof Error ? a.message : `HTTP ${a.status} after ${a.ms} ms`);
      assert.ok(
        scenario.prompt,
        `no answer within ${PROMPT_ANSWER_MS} ms while Redis was down; the answers came only after Redis was back: ` +
          `non-blocking ${show(scenario.nonBlocking)}, blocking ${show(scenario.blocking)}`,
      );
      for (const a of scenario.prompt) {
        assert.ok(!(a instanceof Error), String(a));
        assert.equal(a.status, 503, JSON.stringify(a.body));
      }
    });
  });
});

/** The promise's value if it settles within `ms`, else undefined (the promise goes on). */
async function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** "503×4, 200" style summary of a list of statuses. */
function summarize(statuses: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < statuses.length; ) {
    let j = i;
    while (j < statuses.length && statuses[j] === statuses[i]) j++;
    out.push(j - i > 1 ? `${statuses[i]}×${j - i}` : String(statuses[i]));
    i = j;
  }
  return out.join(', ');
}

/** POST with a chunked body of `bytes` bytes (no Content-Length); resolves with the answer even if the server stops reading. */
function postChunked(url: string, apiKey: string, bytes: number): Promise<{ status: number; body: string; activationId: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, activationId: (res.headers['x-openwhisk-activation-id'] as string | undefined) ?? undefined }));
      res.on('error', reject);
    });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer to the chunked request within 20 s')));
    req.on('error', (err) => {
      // The server may answer 413 and close while we are still writing: the answer has been handled above.
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE' && (err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    req.write('{"big":"');
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end('"}');
    };
    pump();
  });
}
