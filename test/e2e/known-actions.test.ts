// Invokes of a known action (controller/invoke/admission.ts): the controller plans them from the document it wrote
// or read last time and checks the stored revision in the pending entry's write. Shown on the real platform: the
// document is not read while unchanged (Redis MONITOR), and an update, a delete or a re-create made by another
// controller (the same store code, run by the test) is never missed: the next invoke runs the stored code or
// answers 404. The rate limit holds on this path too, refused invokes counted.
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { api, freshNamespace, type TestNamespace } from '../support/platform.ts';
import { testPlatform } from '../support/stack.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { actionService } from '../../controller/entities/action-service.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import type { Identity } from '../../shared/identity.ts';

const code = (answer: string) => `function main() { return { answer: ${JSON.stringify(answer)} }; }`;

describe('invokes of a known action (real platform)', function () {
  this.timeout(120_000);
  let ns: TestNamespace;
  let redisUrl: string;

  const put = (name: string, answer: string, overwrite = true) =>
    api(ns, 'PUT', `/namespaces/_/actions/${name}?overwrite=${overwrite}`, JSON.stringify({ exec: { kind: 'nodejs:default', code: code(answer) } }));
  const invoke = async (name: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await api(ns, 'POST', `/namespaces/_/actions/${name}?blocking=true&result=true`, '{}');
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** The commands Redis received while `work` ran, as MONITOR prints them. */
  async function commandsDuring(work: () => Promise<void>): Promise<string[]> {
    const client = new Redis(redisUrl);
    const monitor = await client.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
    try {
      await work();
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
    return seen;
  }

  before(async () => {
    redisUrl = (await testPlatform()).redisUrl;
    ns = await freshNamespace('known');
  });

  it('plans from memory from the first invoke after the create: the controller does not read the document', async () => {
    const docKey = redisKeys().entity(ns.name, 'actions', 'steady');
    assert.equal((await put('steady', 'one')).status, 200);
    const seen = await commandsDuring(async () => {
      for (let i = 0; i < 3; i++) assert.deepEqual((await invoke('steady')).body, { answer: 'one' });
    });
    // The one read is the invoker's, for the code of its cold start; the controller's lookup would add one per invoke.
    const reads = seen.filter((c) => c === `get ${docKey}`);
    assert.equal(reads.length, 1, `reads of the document: ${reads.length}`);
    assert.equal(seen.filter((c) => c.startsWith('evalsha') && c.includes(docKey)).length, 3, 'each invoke checks the revision in its pending write');
  });

  it('never runs a document older than the stored one: update, delete, re-create by another controller', async () => {
    const redis = new Redis(redisUrl);
    const elsewhere = actionService(redis, redisKeys(), DEFAULT_LIMITS);
    const owner = { namespace: ns.name, subject: ns.name, uuid: ns.apiKey.split(':')[0]!, limits: {} } as Identity;
    const ref = { namespace: ns.name, name: 'moving' };
    const docKey = redisKeys().entity(ns.name, 'actions', 'moving');
    try {
      assert.equal((await put('moving', 'v1')).status, 200);
      assert.deepEqual((await invoke('moving')).body, { answer: 'v1' });

      await elsewhere.put(owner, ref, { exec: { kind: 'nodejs:default', code: code('v2') } }, true);
      const reread = await commandsDuring(async () => assert.deepEqual((await invoke('moving')).body, { answer: 'v2' }));
      // the controller's read after the failed check, and the invoker's read of the new revision's code
      assert.equal(reread.filter((c) => c === `get ${docKey}`).length, 2, 'the failed check sends the invoke back to reading the document');
      assert.deepEqual((await invoke('moving')).body, { answer: 'v2' });

      await elsewhere.remove(ref);
      const gone = await invoke('moving');
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error, 'The requested resource does not exist.');

      await elsewhere.put(owner, ref, { exec: { kind: 'nodejs:default', code: code('v3') } }, false);
      assert.deepEqual((await invoke('moving')).body, { answer: 'v3' });
    } finally {
      redis.disconnect();
    }
  });

  it('holds the invoke rate on this path, counting refused invokes', async () => {
    const limited = await freshNamespace('known-rate');
    const redis = new Redis(redisUrl);
    try {
      await redis.set(redisKeys().namespaceLimits(limited.name), JSON.stringify({ invocationsPerMinute: 3 }));
    } finally {
      redis.disconnect();
    }
    ns = limited;
    assert.equal((await put('rated', 'ok')).status, 200);
    // A minute boundary between the invokes would restart the count: start early in a minute.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    const statuses: number[] = [];
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const { status, body } = await invoke('rated');
      statuses.push(status);
      if (status === 429) errors.push(body.error);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.deepEqual(errors, ['Too many requests in the last minute (count: 4, allowed: 3).', 'Too many requests in the last minute (count: 5, allowed: 3).']);
  });
});
