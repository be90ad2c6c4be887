// Tenant isolation, sequences and compositions (docs/tenant-isolation.md): a namespace cannot make the controller
// recurse without end or run more than one run's limits, whatever sequences and conductors it builds, and the
// throttles count every component it runs. Each attack runs on the real stack; another namespace is served after it.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { identityStore } from '../../shared/identities.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { type Activation, type TestNamespace, annotation, api } from '../support/platform.ts';
import { forceSequence } from '../support/sequences.ts';
import { testPlatform } from '../support/stack.ts';
import { bystanderServed, twoTenants } from '../support/tenants.ts';
import { waitForRecord } from '../support/records.ts';

const TOO_LONG = 'Too many actions in the composition.';
const ECHO = 'function main(p) { return p; }';

/** A blocking invoke through the raw API: the status, and the stored record (the answer leaves out its logs). */
async function invoke(ns: TestNamespace, name: string): Promise<{ status: number; record: Activation }> {
  const res = await api(ns, 'POST', `/namespaces/_/actions/${name}?blocking=true`, '{}');
  const answer = (await res.json()) as Activation;
  return { status: res.status, record: await waitForRecord(ns, answer.activationId) };
}

async function withRedis<T>(use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis((await testPlatform()).redisUrl);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

const controllerPid = async () => (await readFile(join((await testPlatform()).runDir, 'controller0', 'controller0.pid'), 'utf8')).trim();

describe('tenant isolation: sequences and compositions (real stack)', function () {
  this.timeout(180_000);

  it('stops a conductor that steers to itself at the limit: 50 compositions deep, 100 conductor runs, each an error', async () => {
    const { attacker, bystander } = await twoTenants();
    const loop = { exec: { kind: 'nodejs:default', code: "function main() { return { action: 'loop' }; }" }, annotations: [{ key: 'conductor', value: true }] };
    assert.equal((await api(attacker, 'PUT', '/namespaces/_/actions/loop', JSON.stringify(loop))).status, 200);

    const { status, record } = await invoke(attacker, 'loop');
    assert.equal(status, 502, JSON.stringify(record));
    assert.equal(record.response.status, 'application error');
    assert.deepEqual(record.response.result, { error: TOO_LONG });
    assert.equal(annotation(record, 'conductor'), true);

    // Walk down the nested compositions: each level's logs are its conductor runs and the composition it entered.
    let depth = 0;
    let conductorRuns = 0;
    for (let level: Activation | undefined = record; level; depth++) {
      const nested: Activation | undefined = level.logs.length > 1 ? await waitForRecord(attacker, level.logs[1]!) : undefined;
      const entered: boolean = nested !== undefined && annotation(nested, 'conductor') === true;
      if (depth > 0) assert.deepEqual(level.response.result, { error: TOO_LONG });
      conductorRuns += level.logs.length - (entered ? 1 : 0);
      level = entered ? nested : undefined;
    }
    assert.equal(depth, 50);
    assert.equal(conductorRuns, 100);
    await bystanderServed(bystander);
  });

  it('ends a cyclic sequence forced into the store with an error record; the controller keeps serving', async () => {
    const { attacker, bystander } = await twoTenants();
    await attacker.ow.actions.create({ name: 'echo', action: ECHO });
    const sequence = (components: string[]) => JSON.stringify({ exec: { kind: 'sequence', components } });
    assert.equal((await api(attacker, 'PUT', '/namespaces/_/actions/a', sequence(['/_/echo']))).status, 200);
    assert.equal((await api(attacker, 'PUT', '/namespaces/_/actions/b', sequence(['/_/a']))).status, 200);
    await withRedis((redis) => forceSequence(redis, redisKeys(), attacker.name, 'a', [`/${attacker.name}/b`]));
    const pid = await controllerPid();

    // Many at once: each one used to recurse until the controller's heap gave out.
    const runs = await Promise.all(Array.from({ length: 20 }, () => invoke(attacker, 'a')));
    for (const { status, record } of runs) {
      assert.equal(status, 502, JSON.stringify(record));
      assert.equal(record.response.status, 'application error');
      assert.deepEqual(record.response.result, { error: 'Sequence may not refer to itself.' });
    }
    const inner = await waitForRecord(attacker, runs[0]!.record.logs[0]!);
    assert.equal(inner.name, 'b');
    assert.deepEqual(inner.logs, [], 'b did not enter a again');

    assert.equal(await controllerPid(), pid, 'the same controller process answers');
    assert.equal(await (await fetch(`${attacker.apiHost}/ping`)).text(), 'pong');
    await bystanderServed(bystander);
  });

  it('counts each component against the caller\'s invocationsPerMinute and ends the run with the 429 text', async () => {
    const { attacker, bystander } = await twoTenants();
    // before the namespace's first request: the controller keeps an identity, limits included, for a few seconds
    await withRedis((redis) => identityStore(redis, redisKeys(), { cacheTtlMs: 0 }).setLimits(attacker.name, { invocationsPerMinute: 1 }));
    await attacker.ow.actions.create({ name: 'echo', action: ECHO });
    const components = ['/_/echo', '/_/echo', '/_/echo'];
    assert.equal((await api(attacker, 'PUT', '/namespaces/_/actions/three', JSON.stringify({ exec: { kind: 'sequence', components } }))).status, 200);

    // The sequence's invoke is the first this minute; the next component invoke is the second (in this minute or,
    // across a minute's end, the next), refused either way.
    const { status, record } = await invoke(attacker, 'three');
    assert.equal(status, 502, JSON.stringify(record));
    assert.deepEqual(record.response.result, { error: 'Too many requests in the last minute (count: 2, allowed: 1).' });
    assert.ok(record.logs.length <= 1, 'at most one component ran');
    await bystanderServed(bystander);
  });
});
