// Invoker health from outcomes (controller/balancer/invoker-outcomes.ts, invoker-registry.ts) and the health test
// actions that bring an invoker back (controller/health/invoker-prober.ts), with OpenWhisk's numbers
// (`InvokerSupervision.scala`: the last 10 outcomes, more than 3 errors of a kind). The prober runs against a fake
// producer and Node's mock timers; the Kafka and Redis path is covered by test/e2e/invoker-health.test.ts.
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import pino from 'pino';
import { InvokerOutcomes, OUTCOME_BUFFER_SIZE, OUTCOME_ERROR_TOLERANCE, type Outcome } from '../../../controller/balancer/invoker-outcomes.ts';
import { InvokerRegistry } from '../../../controller/balancer/invoker-registry.ts';
import { ShardingBalancer } from '../../../controller/balancer/sharding-balancer.ts';
import { InvokerProber, RETRY_SOON_MS } from '../../../controller/health/invoker-prober.ts';
import { invokerHealthMetrics } from '../../../controller/health/metrics.ts';
import { HEALTH_ACTION_NAMESPACE, healthActionName } from '../../../controller/health/test-action.ts';
import type { ActionDoc } from '../../../controller/entities/models/action.ts';
import { activationRequestCodec, type ActivationRequest } from '../../../shared/avro/activation-request.ts';
import type { Ping } from '../../../shared/avro/ping.ts';
import { NoInvokerError } from '../../../shared/errors.ts';
import type { OutgoingMessage } from '../../../shared/kafka/client.ts';
import { createRegistry, exposition, sampleValue } from '../../../shared/metrics.ts';
import { topics } from '../../../shared/topics.ts';

const NOW = 1_000_000;
const OFFLINE_MS = 10_000;

function ping(invokerId: number, status: Ping['status'] = 'up', sentAt = NOW): Ping {
  return { invokerId, instance: `invoker${invokerId}`, userMemoryMB: 1024, freeMemoryMB: 1024, warmActions: [], status, sentAt };
}

function registryWith(...invokers: Array<[number, Ping['status']?]>): InvokerRegistry {
  const registry = new InvokerRegistry(OFFLINE_MS);
  for (const [id, status] of invokers) registry.record(ping(id, status), NOW);
  return registry;
}

const times = (n: number, outcome: Outcome): Outcome[] => Array.from({ length: n }, () => outcome);

describe('invoker outcomes (ring buffer)', () => {
  it('keeps OpenWhisk\'s numbers: 10 outcomes, more than 3 errors of one kind', () => {
    assert.equal(OUTCOME_BUFFER_SIZE, 10);
    assert.equal(OUTCOME_ERROR_TOLERANCE, 3);
  });

  it('tolerates 3 system errors and turns unhealthy at the 4th', () => {
    const buffer = new InvokerOutcomes();
    for (const o of times(3, 'systemError')) buffer.add(o);
    assert.equal(buffer.health(), 'healthy');
    buffer.add('systemError');
    assert.equal(buffer.health(), 'unhealthy');
  });

  it('turns unresponsive after more than 3 timeouts; system errors weigh first', () => {
    const buffer = new InvokerOutcomes();
    for (const o of times(4, 'timeout')) buffer.add(o);
    assert.equal(buffer.health(), 'unresponsive');
    for (const o of times(4, 'systemError')) buffer.add(o);
    assert.equal(buffer.health(), 'unhealthy');
  });

  it('lets old errors fall out of the buffer as successes come in', () => {
    const buffer = new InvokerOutcomes();
    for (const o of [...times(4, 'systemError'), ...times(6, 'success')]) buffer.add(o);
    assert.equal(buffer.health(), 'unhealthy', 'still 4 errors among the last 10');
    buffer.add('success');
    assert.equal(buffer.health(), 'healthy', 'the oldest error left the buffer');
  });

  it('clears', () => {
    const buffer = new InvokerOutcomes();
    for (const o of times(10, 'timeout')) buffer.add(o);
    buffer.clear();
    assert.equal(buffer.health(), 'healthy');
    for (const o of times(3, 'timeout')) buffer.add(o);
    assert.equal(buffer.health(), 'healthy', 'a cleared buffer counts from zero');
  });
});

describe('invoker registry states', () => {
  it('combines pings and outcomes: down > draining > unhealthy by ping > outcomes > up', () => {
    const registry = registryWith([0], [1, 'draining'], [2, 'unhealthy'], [3], [4]);
    for (const o of times(4, 'systemError')) registry.outcome(3, o);
    for (const o of times(4, 'timeout')) registry.outcome(4, o);
    for (const o of times(4, 'systemError')) registry.outcome(1, o);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((id) => registry.state(id, NOW)), ['up', 'draining', 'unhealthy', 'unhealthy', 'unresponsive', 'down']);
    assert.equal(registry.state(3, NOW + OFFLINE_MS + 1), 'down', 'no pings: down, whatever the outcomes');
  });

  it('summarises in OpenWhisk\'s words (draining shows as down)', () => {
    const registry = registryWith([0], [1, 'draining'], [2, 'unhealthy'], [3]);
    for (const o of times(4, 'timeout')) registry.outcome(3, o);
    assert.deepEqual(registry.summary(NOW), { invoker0: 'up', invoker1: 'down', invoker2: 'unhealthy', invoker3: 'unresponsive' });
    assert.deepEqual(registry.countByState(NOW), { up: 1, draining: 1, down: 0, unhealthy: 1, unresponsive: 1 });
  });

  it('an invoker coming back from offline keeps its outcomes', () => {
    const registry = registryWith([0]);
    for (const o of times(4, 'systemError')) registry.outcome(0, o);
    const later = NOW + OFFLINE_MS * 3;
    assert.equal(registry.state(0, later), 'down');
    registry.record(ping(0, 'up', later), later);
    assert.equal(registry.state(0, later), 'unhealthy');
  });

  it('tells listeners when an event changes an invoker\'s state, and only then', () => {
    mock.timers.enable({ apis: ['Date'], now: NOW });
    try {
      const registry = registryWith([0]);
      const seen: string[] = [];
      registry.onStateChange((id, from, to) => seen.push(`${id}:${from}>${to}`));
      for (const o of times(5, 'systemError')) registry.outcome(0, o);
      registry.outcome(0, 'success');
      registry.recovered(0);
      registry.recovered(0);
      registry.record(ping(0, 'draining'), NOW);
      registry.record(ping(0, 'draining'), NOW);
      const later = NOW + OFFLINE_MS * 2;
      registry.record(ping(0, 'up', later), later); // back after being offline
      registry.record(ping(1), NOW); // a new invoker
      assert.deepEqual(seen, ['0:up>unhealthy', '0:unhealthy>up', '0:up>draining', '0:down>up', '1:down>up']);
    } finally {
      mock.timers.reset();
    }
  });

  it('wants test actions only for an invoker that pings up but fails', () => {
    const registry = registryWith([0], [1, 'unhealthy'], [2, 'draining'], [3]);
    for (const id of [0, 1, 2]) for (const o of times(4, 'systemError')) registry.outcome(id, o);
    assert.deepEqual([0, 1, 2, 3].map((id) => registry.awaitsTestAction(id, NOW)), [true, false, false, false]);
    assert.equal(registry.awaitsTestAction(0, NOW + OFFLINE_MS + 1), false, 'not while it does not ping');
  });
});

describe('balancing by health', () => {
  it('gives work only to up invokers', () => {
    const registry = registryWith([0], [1], [2]);
    for (const o of times(4, 'systemError')) registry.outcome(0, o);
    for (const o of times(4, 'timeout')) registry.outcome(1, o);
    const balancer = new ShardingBalancer(registry, { controllerCount: 1 });
    for (let i = 0; i < 20; i++) assert.equal(balancer.place('guest', `guest/a${i}`, 128, NOW).invokerId, 2);
  });

  it('refuses with NoInvokerError when none is up, and places again once one recovers', () => {
    const registry = registryWith([0]);
    for (const o of times(4, 'systemError')) registry.outcome(0, o);
    const balancer = new ShardingBalancer(registry, { controllerCount: 1 });
    assert.throws(() => balancer.place('guest', 'guest/a', 128, NOW), NoInvokerError);
    registry.recovered(0);
    assert.equal(balancer.place('guest', 'guest/a', 128, NOW).invokerId, 0);
  });
});

describe('invoker prober (health test actions)', () => {
  const INTERVAL_MS = 60_000;
  const GRACE_MS = 5_000;
  const ACTION: ActionDoc = {
    revision: 7,
    namespace: HEALTH_ACTION_NAMESPACE,
    name: healthActionName(2),
    exec: { kind: 'nodejs:default', code: 'function main(params) { return params; }', binary: false },
    parameters: [],
    limits: { timeout: 60_000, memory: 128, logs: 10, concurrency: 1 },
    version: '0.0.1',
    publish: false,
    annotations: [],
    updated: NOW,
  };
  let sent: Array<{ topic: string; request: ActivationRequest }>;
  let registry: InvokerRegistry;
  let prober: InvokerProber;
  let metrics: ReturnType<typeof createRegistry>;

  /** Lets the prober's pending promises (test action lookup, send) settle. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const fail = async (id: number) => {
    for (const o of times(4, 'systemError')) registry.outcome(id, o);
    await settle();
  };

  beforeEach(() => {
    mock.timers.enable({ apis: ['setInterval', 'setTimeout', 'Date'], now: NOW });
    sent = [];
    registry = new InvokerRegistry(OFFLINE_MS);
    registry.record(ping(0), NOW);
    registry.record(ping(1), NOW);
    metrics = createRegistry({ defaultMetrics: false });
    prober = new InvokerProber({
      registry,
      producer: {
        send: async (topic: string, messages: OutgoingMessage[]) => {
          for (const m of messages) sent.push({ topic, request: activationRequestCodec.decode(m.value, m.headers) });
        },
        close: async () => {},
      },
      topics: topics(''),
      controllerId: 2,
      intervalMs: INTERVAL_MS,
      startGraceMs: GRACE_MS,
      healthAction: async () => ACTION,
      logger: pino({ level: 'silent' }),
      metrics: invokerHealthMetrics(metrics, registry),
    });
  });

  afterEach(() => {
    prober.close();
    mock.timers.reset();
  });

  it('sends a test action at once when an invoker turns unhealthy, straight to its topic', async () => {
    await fail(1);
    assert.equal(sent.length, 1);
    const [{ topic, request }] = sent as [{ topic: string; request: ActivationRequest }];
    assert.equal(topic, 'invoker1');
    assert.deepEqual({ ...request.action }, { namespace: 'whisk.system', name: 'invokerHealthTestAction2', revision: '7' });
    assert.equal(request.identity.namespace, 'whisk.system');
    assert.equal(request.blocking, false);
    assert.equal(request.controllerId, 2);
    assert.equal(request.deadline, NOW + GRACE_MS);
    assert.equal(registry.state(0), 'up', 'the other invoker is untouched');
  });

  it('repeats every interval while the tests fail, and stops once one succeeds', async () => {
    await fail(0);
    const first = sent[0]?.request.activationId ?? '';
    assert.equal(prober.complete({ activationId: first, invokerId: 0, statusCode: 3 }), true);
    assert.equal(registry.state(0), 'unhealthy', 'a failed test is one more system error');
    registry.record(ping(0, 'up', NOW + INTERVAL_MS), NOW + INTERVAL_MS); // still pinging
    mock.timers.tick(INTERVAL_MS);
    await settle();
    assert.equal(sent.length, 2);
    const second = sent[1]?.request.activationId ?? '';
    assert.notEqual(second, first);
    assert.equal(prober.complete({ activationId: second, invokerId: 0, statusCode: 0 }), true);
    assert.equal(registry.state(0), 'up');
    registry.record(ping(0, 'up', NOW + 3 * INTERVAL_MS), NOW + 3 * INTERVAL_MS);
    mock.timers.tick(2 * INTERVAL_MS);
    await settle();
    assert.equal(sent.length, 2, 'no more tests once up');
    const { body } = await exposition(metrics);
    assert.equal(sampleValue(body, 'isowhisk_invoker_health_tests_sent_total'), 2);
    assert.equal(sampleValue(body, 'isowhisk_invoker_health_tests_completed_total', { result: 'passed' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invoker_health_tests_completed_total', { result: 'failed' }), 1);
  });

  it('counts an application error of the test as a success (the invoker ran it)', async () => {
    await fail(0);
    assert.equal(prober.complete({ activationId: sent[0]?.request.activationId ?? '', invokerId: 0, statusCode: 1 }), true);
    assert.equal(registry.state(0), 'up');
  });

  it('a test the invoker found expired counts nothing and is sent again soon, not an interval later', async () => {
    await fail(0);
    const first = sent[0]?.request.activationId ?? '';
    assert.equal(prober.complete({ activationId: first, invokerId: 0, statusCode: 3, expired: true }), true);
    assert.equal(registry.state(0), 'unhealthy', 'neither passed nor one more error');
    registry.record(ping(0, 'up', NOW + RETRY_SOON_MS), NOW + RETRY_SOON_MS);
    mock.timers.tick(RETRY_SOON_MS);
    await settle();
    assert.equal(sent.length, 2, 'sent again after RETRY_SOON_MS');
    assert.equal(prober.complete({ activationId: sent[1]?.request.activationId ?? '', invokerId: 0, statusCode: 0 }), true);
    assert.equal(registry.state(0), 'up');
  });

  it('leaves other completions to the activator', async () => {
    await fail(0);
    assert.equal(prober.complete({ activationId: 'f'.repeat(32), invokerId: 0, statusCode: 0 }), false);
    assert.equal(registry.state(0), 'unhealthy');
  });

  it('sends nothing to an invoker that stopped pinging, and resumes when it pings again', async () => {
    await fail(0);
    assert.equal(sent.length, 1);
    mock.timers.tick(INTERVAL_MS); // no ping for a minute: down
    await settle();
    assert.equal(registry.state(0), 'down');
    assert.equal(sent.length, 1);
    const next = Date.now() + INTERVAL_MS; // pings again, and is seen at the next tick
    registry.record(ping(0, 'up', next), next);
    mock.timers.tick(INTERVAL_MS);
    await settle();
    assert.equal(sent.length, 2);
  });

  it('tests at once an invoker that comes back from down with bad outcomes', async () => {
    await fail(0);
    mock.timers.tick(OFFLINE_MS + 1); // no ping: down, and the tick before the interval's end sends nothing
    await settle();
    assert.equal(registry.state(0), 'down');
    assert.equal(sent.length, 1);
    registry.record(ping(0, 'up', Date.now()), Date.now());
    await settle();
    assert.equal(sent.length, 2, 'sent on the first ping, not at the next interval');
    assert.equal(sent[1]?.topic, 'invoker0');
  });

  it('shows invokers per state in a gauge', async () => {
    await fail(1);
    const { body } = await exposition(metrics);
    assert.equal(sampleValue(body, 'isowhisk_invokers', { state: 'up' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invokers', { state: 'unhealthy' }), 1);
    assert.equal(sampleValue(body, 'isowhisk_invokers', { state: 'unresponsive' }), 0);
    assert.equal(sampleValue(body, 'isowhisk_invokers', { state: 'down' }), 0);
  });
});
