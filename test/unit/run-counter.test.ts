// The fault suite's independent run count (test/support/run-counter.ts) and the bench's choice of actions spread
// over invokers (test/bench/scale.ts): both must be right for the figures and verdicts built on them to mean anything.
import assert from 'node:assert/strict';
import type { InvokerRegistry } from '../../controller/balancer/invoker-registry.ts';
import { ShardingBalancer } from '../../controller/balancer/sharding-balancer.ts';
import { homedNames } from '../bench/scale.ts';
import { countingAction, RunCounter } from '../support/run-counter.ts';

describe('RunCounter', () => {
  const counter = new RunCounter();
  before(() => counter.listen());
  after(() => counter.close());

  it('counts each id per call, by the namespace the action reported', async () => {
    const hit = (id: string, ns: string) => fetch(`${counter.url}${id}&ns=${encodeURIComponent(ns)}`);
    assert.equal((await hit('a1', 'ns-a')).status, 200);
    assert.equal((await hit('a1', 'ns-a')).status, 200);
    assert.equal((await hit('b1', 'ns-b')).status, 200);
    assert.equal(counter.runs('a1'), 2);
    assert.equal(counter.runs('b1'), 1);
    assert.equal(counter.runs('never'), 0);
    assert.deepEqual([...counter.runsIn('ns-a')], [['a1', 2]]);
    assert.deepEqual([...counter.runsIn('ns-b')], [['b1', 1]]);
  });

  it('refuses a call without an id, and counts nothing for it', async () => {
    const res = await fetch(`http://${counter.allowEntry}/ran`);
    assert.equal(res.status, 400);
    assert.equal(counter.runsIn('').size, 0);
  });

  it('gives actions code that reports the activation id and namespace first', () => {
    const code = countingAction(counter);
    assert.ok(code.includes(counter.url), code);
    assert.match(code, /process\.env\.__OW_ACTIVATION_ID/);
    assert.match(code, /process\.env\.__OW_NAMESPACE/);
    assert.doesNotThrow(() => new Function(code.replace('async function main', 'return async function main')));
  });
});

describe('homedNames (bench: actions spread over invokers)', () => {
  it('picks names whose home invoker, as the balancer places them, covers every invoker equally', () => {
    const namespace = 'bench-1234abcd';
    const names = homedNames(namespace, 'bench-three', 2, 3);
    assert.equal(names.length, 6);
    assert.equal(new Set(names).size, 6);
    // The balancer itself, over three idle invokers that are up (a stand-in registry: only what the balancer reads).
    const invokers = [0, 1, 2].map((id) => ({ id, name: `invoker${id}`, userMemoryMB: 2048, freeMemoryMB: 2048, warmActions: new Set<string>(), lastSeen: Date.now() }));
    const registry = { all: () => invokers, state: () => 'up' } as unknown as InvokerRegistry;
    const balancer = new ShardingBalancer(registry, { controllerCount: 1 });
    const placed = names.map((name) => balancer.place(namespace, `${namespace}/${name}`, 128).invokerId);
    assert.deepEqual([0, 1, 2].map((id) => placed.filter((p) => p === id).length), [2, 2, 2]);
  });
});
