import assert from 'node:assert/strict';
import { InvokerRegistry } from '../../../controller/balancer/invoker-registry.ts';
import { coprimeSteps, javaHash, ShardingBalancer } from '../../../controller/balancer/sharding-balancer.ts';
import { NoInvokerError } from '../../../shared/errors.ts';

const NOW = 1_000_000;

function registryWith(invokers: Array<{ id: number; memory?: number; warm?: string[]; status?: 'up' | 'draining'; seen?: number }>) {
  const registry = new InvokerRegistry(10_000);
  for (const i of invokers) {
    registry.record(
      {
        invokerId: i.id,
        instance: `invoker${i.id}`,
        userMemoryMB: i.memory ?? 1024,
        freeMemoryMB: i.memory ?? 1024,
        warmActions: i.warm ?? [],
        status: i.status ?? 'up',
        sentAt: i.seen ?? NOW,
      },
      i.seen ?? NOW,
    );
  }
  return registry;
}

describe('invoker registry', () => {
  it('marks an invoker down when its pings stop for longer than the limit', () => {
    const registry = registryWith([{ id: 0 }]);
    assert.equal(registry.state(0, NOW + 10_000), 'up');
    assert.equal(registry.state(0, NOW + 10_001), 'down');
    assert.equal(registry.state(7, NOW), 'down');
  });

  it('reports draining invokers, and summarises states by topic name in OpenWhisk\'s words', () => {
    const registry = registryWith([{ id: 0 }, { id: 1, status: 'draining' }]);
    assert.equal(registry.state(1, NOW), 'draining');
    assert.deepEqual(registry.summary(NOW), { invoker0: 'up', invoker1: 'down' });
  });
});

describe('sharding balancer', () => {
  it('hashes like Java String.hashCode', () => {
    assert.equal(javaHash(''), 0);
    assert.equal(javaHash('hello'), 99162322);
    assert.equal(javaHash('Aa'), 2112);
    assert.equal(javaHash('BB'), 2112);
    assert.equal(javaHash('polygenelubricants'), -2147483648);
  });

  it('uses step sizes coprime to n and to each other, as OpenWhisk does', () => {
    assert.deepEqual(coprimeSteps(10), [1, 3, 7]);
    assert.deepEqual(coprimeSteps(1), [1]);
    assert.deepEqual(coprimeSteps(2), [1]);
  });

  it('places one action on the same home invoker while it has room', () => {
    const balancer = new ShardingBalancer(registryWith([{ id: 0 }, { id: 1 }, { id: 2 }]), { controllerCount: 1 });
    const first = balancer.place('guest', 'guest/hello', 256, NOW);
    const second = balancer.place('guest', 'guest/hello', 256, NOW);
    assert.equal(second.invokerId, first.invokerId);
    assert.equal(balancer.inFlightMB(first.invokerId), 512);
  });

  it('moves on along the probe path when the home invoker is full, and releases capacity', () => {
    const balancer = new ShardingBalancer(registryWith([{ id: 0, memory: 256 }, { id: 1, memory: 256 }]), { controllerCount: 1 });
    const a = balancer.place('guest', 'guest/x', 256, NOW);
    const b = balancer.place('guest', 'guest/x', 256, NOW);
    assert.notEqual(a.invokerId, b.invokerId);
    assert.equal(b.forced, false);
    balancer.release(a.invokerId, 256);
    assert.equal(balancer.place('guest', 'guest/x', 256, NOW).invokerId, a.invokerId);
  });

  it('prefers an invoker that holds the action warm', () => {
    const invokers = [0, 1, 2, 3].map((id) => ({ id, warm: id === 3 ? ['guest/warm'] : [] }));
    const balancer = new ShardingBalancer(registryWith(invokers), { controllerCount: 1 });
    assert.equal(balancer.place('guest', 'guest/warm', 256, NOW).invokerId, 3);
  });

  it('skips invokers that are down or draining', () => {
    const balancer = new ShardingBalancer(
      registryWith([{ id: 0, seen: NOW - 60_000 }, { id: 1, status: 'draining' }, { id: 2 }]),
      { controllerCount: 1 },
    );
    for (let i = 0; i < 5; i++) assert.equal(balancer.place('guest', `guest/a${i}`, 128, NOW).invokerId, 2);
  });

  it('sends to the least loaded healthy invoker when all are full', () => {
    const balancer = new ShardingBalancer(registryWith([{ id: 0, memory: 256 }, { id: 1, memory: 256 }]), { controllerCount: 1 });
    balancer.place('guest', 'guest/a', 256, NOW);
    balancer.place('guest', 'guest/a', 256, NOW);
    const overflow = balancer.place('guest', 'guest/a', 256, NOW);
    assert.equal(overflow.forced, true);
    const next = balancer.place('guest', 'guest/a', 256, NOW);
    assert.notEqual(next.invokerId, overflow.invokerId);
  });

  it('splits an invoker between controllers', () => {
    const balancer = new ShardingBalancer(registryWith([{ id: 0, memory: 512 }]), { controllerCount: 2 });
    assert.equal(balancer.place('guest', 'guest/a', 256, NOW).forced, false);
    assert.equal(balancer.place('guest', 'guest/a', 256, NOW).forced, true);
  });

  it('fails with NoInvokerError when no invoker is healthy', () => {
    const balancer = new ShardingBalancer(registryWith([{ id: 0, seen: NOW - 60_000 }]), { controllerCount: 1 });
    assert.throws(() => balancer.place('guest', 'guest/a', 256, NOW), NoInvokerError);
    assert.throws(() => new ShardingBalancer(new InvokerRegistry(10_000), { controllerCount: 1 }).place('g', 'g/a', 1, NOW), NoInvokerError);
  });
});
