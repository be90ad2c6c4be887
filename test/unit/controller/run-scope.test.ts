// The scope one run of sequences and compositions shares: the chain that stops cycles and bounds nesting, and the
// one budget of actions and conductor runs.
import assert from 'node:assert/strict';
import { RunLimitError, chargeActivation, enterRun } from '../../../controller/runs/run-scope.ts';

const refusedFor = (limit: string) => (err: unknown) => err instanceof RunLimitError && err.limit === limit;

describe('run scope', () => {
  it('refuses a sequence already on the chain, but lets a composition steer to itself', () => {
    const top = enterRun(undefined, 'ns/a', 'sequence', 50, 'run-id');
    const b = enterRun(top, 'ns/b', 'sequence', 50, 'run-id');
    assert.deepEqual(b.chain, ['ns/a', 'ns/b']);
    assert.throws(() => enterRun(b, 'ns/a', 'sequence', 50, 'run-id'), refusedFor('cycle'));
    const cond = enterRun(undefined, 'ns/cond', 'composition', 50, 'run-id');
    assert.deepEqual(enterRun(cond, 'ns/cond', 'composition', 50, 'run-id').chain, ['ns/cond', 'ns/cond']);
  });

  it('bounds nesting at the limit', () => {
    let scope = enterRun(undefined, 's0', 'sequence', 3, 'run-id');
    scope = enterRun(scope, 's1', 'sequence', 3, 'run-id');
    scope = enterRun(scope, 's2', 'composition', 3, 'run-id');
    assert.throws(() => enterRun(scope, 's3', 'sequence', 3, 'run-id'), refusedFor('depth'));
  });

  it('shares one budget between nested runs: the limit of actions, twice as many conductor runs', () => {
    const top = enterRun(undefined, 'ns/seq', 'sequence', 2, 'run-id');
    const inner = enterRun(top, 'ns/cond', 'composition', 2, 'run-id');
    chargeActivation(top, false);
    chargeActivation(inner, false);
    assert.throws(() => chargeActivation(top, false), refusedFor('actions'));
    for (let i = 0; i < 4; i++) chargeActivation(inner, true);
    assert.throws(() => chargeActivation(top, true), refusedFor('conductor-runs'));
    assert.notEqual(enterRun(undefined, 'ns/seq', 'sequence', 2, 'run-id').budget, top.budget, 'another top-level run starts afresh');
  });
});
