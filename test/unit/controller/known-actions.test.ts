// What the controller keeps of invoked actions (controller/invoke/admission.ts): only an action of the caller's own
// namespace outside any package, never through a binding, without its code, and at most a bounded number of them.
import assert from 'node:assert/strict';
import { KnownActions } from '../../../controller/invoke/admission.ts';
import type { ResolvedAction } from '../../../controller/entities/action-service.ts';
import type { ActionDoc } from '../../../controller/entities/models/action.ts';
import type { Throttles } from '../../../controller/throttles/throttles.ts';
import type { Identity } from '../../../shared/identity.ts';
import { redisKeys } from '../../../shared/redis-keys.ts';

const identity = { namespace: 'alice', subject: 'alice', uuid: 'u', limits: {} } as Identity;

function resolved(name: string, revision: number, extra: Partial<ResolvedAction> = {}): ResolvedAction {
  const action = { name, namespace: 'alice', revision, exec: { kind: 'nodejs:24', code: 'function main() {}', binary: false }, annotations: [] } as unknown as ActionDoc;
  return { action, location: { namespace: 'alice', name }, ...extra };
}

describe('known actions', () => {
  it('keeps an own action outside packages, without its code', () => {
    const known = new KnownActions(redisKeys());
    known.remember(identity, { namespace: 'alice', name: 'a' }, resolved('a', 7));
    const kept = known.get(identity, { namespace: 'alice', name: 'a' });
    assert.equal(kept?.action.revision, 7);
    assert.equal(kept?.action.exec.code, '');
    assert.equal(kept?.action.exec.kind, 'nodejs:24');
  });

  it('keeps nothing of another namespace, of a package, or reached through a binding', () => {
    const known = new KnownActions(redisKeys());
    known.remember(identity, { namespace: 'bob', name: 'a' }, resolved('a', 1));
    known.remember(identity, { namespace: 'alice', pkg: 'p', name: 'a' }, resolved('a', 1));
    known.remember(identity, { namespace: 'alice', name: 'b' }, resolved('b', 1, { binding: 'alice/bound' }));
    assert.equal(known.size, 0);
    const other = { ...identity, namespace: 'bob' } as Identity;
    known.remember(identity, { namespace: 'alice', name: 'a' }, resolved('a', 1));
    assert.equal(known.get(other, { namespace: 'alice', name: 'a' }), undefined, 'another caller never gets it');
  });

  it('keeps an action it just wrote, unless the controller runs it itself (sequence, conductor)', () => {
    const known = new KnownActions(redisKeys());
    const ref = (name: string) => ({ namespace: 'alice', name });
    known.written(identity, ref('plain'), resolved('plain', 3).action);
    known.written(identity, ref('seq'), { ...resolved('seq', 4).action, exec: { kind: 'sequence', code: '', binary: false, components: ['/alice/plain'] } });
    known.written(identity, ref('cond'), { ...resolved('cond', 5).action, annotations: [{ key: 'conductor', value: true }] });
    assert.equal(known.get(identity, ref('plain'))?.action.revision, 3);
    assert.equal(known.size, 1);
    known.remember(identity, ref('seq'), resolved('seq', 1));
    known.written(identity, ref('seq'), { ...resolved('seq', 6).action, exec: { kind: 'sequence', code: '', binary: false, components: [] } });
    assert.equal(known.get(identity, ref('seq')), undefined, 'an action rewritten as a sequence is forgotten');
  });

  it('forgets the least recently invoked past its bound', () => {
    const known = new KnownActions(redisKeys(), 2);
    known.remember(identity, { namespace: 'alice', name: 'a' }, resolved('a', 1));
    known.remember(identity, { namespace: 'alice', name: 'b' }, resolved('b', 2));
    assert.ok(known.get(identity, { namespace: 'alice', name: 'a' })); // a is now the most recent
    known.remember(identity, { namespace: 'alice', name: 'c' }, resolved('c', 3));
    assert.equal(known.size, 2);
    assert.equal(known.get(identity, { namespace: 'alice', name: 'b' }), undefined);
    assert.ok(known.get(identity, { namespace: 'alice', name: 'a' }));
    known.forget({ namespace: 'alice', name: 'a' });
    assert.equal(known.get(identity, { namespace: 'alice', name: 'a' }), undefined);
  });

  it('bounds the bytes kept: large parameters push older actions out', () => {
    const known = new KnownActions(redisKeys(), 100, 10_000);
    const big = (name: string) => ({ ...resolved(name, 1), action: { ...resolved(name, 1).action, parameters: [{ key: 'blob', value: 'x'.repeat(4_000) }] } as ActionDoc });
    for (const name of ['a', 'b', 'c']) known.remember(identity, { namespace: 'alice', name }, big(name));
    assert.equal(known.size, 2);
    assert.equal(known.get(identity, { namespace: 'alice', name: 'a' }), undefined);
  });

  it('checks the stored revision and the rate, or leaves the invoke to the full path when concurrency refuses', () => {
    const keys = redisKeys();
    const known = new KnownActions(keys);
    const rate = { key: 'counter', lifetimeMs: 120_000, allowed: 60 };
    let refuseConcurrency = false;
    const throttles = { invokeRateCheck: () => (refuseConcurrency ? undefined : rate) } as unknown as Throttles;
    const entry = resolved('a', 9);
    assert.deepEqual(known.checks(throttles, identity, entry), { rate, document: { key: keys.entity('alice', 'actions', 'a'), revision: 9 } });
    refuseConcurrency = true;
    assert.equal(known.checks(throttles, identity, entry), undefined);
  });
});
