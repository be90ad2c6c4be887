// The scope one run of sequences and compositions shares: the chain that stops cycles and bounds nesting, and the
// one budget of actions and conductor runs.
import assert from 'node:assert/strict';
import { RunLimitError, chargeActivation, enterRun } from '../../../controller/activation/run-scope.ts';

const refusedFor = (limit: string) => (err: unknown) => err instanceof RunLimitError && err.limit === limit;

describe('run scope', () => {
  it('refuses a sequence already on the chain, but lets a composition steer to itself', () => {
    const top = enterRun(undefined, 'ns/a', 'sequence', 50);
    const b = enterRun(top, 'ns/b', 'sequence', 50);
    assert.deepEqual(b.chain, ['ns/a', 'ns/b']);
    assert.throws(() => enterRun(b, 'ns/a', 'sequence', 50), refusedFor('cycle'));
    const cond = enterRun(undefined, 'ns/cond', 'composition', 50);
    assert.deepEqual(enterRun(cond, 'ns/cond', 'composition', 50).chain, ['ns/cond', 'ns/cond']);
  });

  it('bounds nesting at the limit', () => {
    let scope = enterRun(undefined, 's0', 'sequence', 3);
    scope = enterRun(scope, 's1', 'sequence', 3);
    scope = enterRun(scope, 's2', 'composition', 3);
    assert.throws(() => enterRun(scope, 's3', 'sequence', 3), refusedFor('depth'));
  });

  it('shares one budget between nested runs: the limit of actions, twice as many conductor runs', () => {
    const top = enterRun(undefined, 'ns/seq', 'sequence', 2);
    const inner = enterRun(top, 'ns/cond', 'composition', 2);
    chargeActivation(top, false);
    chargeActivation(inner, false);
    assert.throws(() => chargeActivation(top, false), refusedFor('actions'));
    for (let i = 0; i < 4; i++) chargeActivation(inner, true);
    assert.throws(() => chargeActivation(top, true), refusedFor('conductor-runs'));
    assert.notEqual(enterRun(undefined, 'ns/seq', 'sequence', 2).budget, top.budget, 'another top-level run starts afresh');
  });
});
