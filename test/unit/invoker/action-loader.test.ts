// The invoker's action cache is bounded by bytes of stored documents, not by count: big actions push out others,
// an action larger than the whole bound is not kept, and a hit costs no Redis read.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { ActionLoader } from '../../../invoker/action-loader.ts';
import { redisKeys } from '../../../shared/redis-keys.ts';

const keys = redisKeys();

/** A Redis stand-in holding one action document per name (`size` characters of code), counting GETs per name. */
function fakeRedis(sizes: Record<string, number>) {
  const reads: Record<string, number> = {};
  const docs = new Map(
    Object.entries(sizes).map(([name, size]) => [
      keys.entity('ns', 'actions', name),
      JSON.stringify({ revision: 1, namespace: 'ns', name, exec: { kind: 'nodejs:default', code: 'x'.repeat(size) } }),
    ]),
  );
  const redis = {
    async get(key: string) {
      const name = key.slice(key.lastIndexOf(':') + 1);
      reads[name] = (reads[name] ?? 0) + 1;
      return docs.get(key) ?? null;
    },
  } as unknown as Redis;
  return { redis, reads };
}

describe('action loader cache', () => {
  it('keeps the documents within its byte bound, least recently used out first', async () => {
    const { redis, reads } = fakeRedis({ a: 4000, b: 4000, c: 4000 });
    const loader = new ActionLoader(redis, keys, 10_000);
    await loader.load('ns', 'a', '1');
    await loader.load('ns', 'b', '1');
    await loader.load('ns', 'a', '1'); // a is now the most recently used
    assert.deepEqual(reads, { a: 1, b: 1 }, 'the second load of a was a hit');
    await loader.load('ns', 'c', '1'); // 3 × ~4.1 kB > 10 kB: b goes
    const { entries, bytes } = loader.cacheStats();
    assert.equal(entries, 2);
    assert.ok(bytes <= 10_000 && bytes > 8000, `${bytes} bytes cached`);
    await loader.load('ns', 'a', '1');
    await loader.load('ns', 'b', '1');
    assert.deepEqual(reads, { a: 1, b: 2, c: 1 });
  });

  it('does not cache a document larger than the whole bound', async () => {
    const { redis, reads } = fakeRedis({ huge: 50_000, small: 10 });
    const loader = new ActionLoader(redis, keys, 10_000);
    await loader.load('ns', 'small', '1');
    const doc = await loader.load('ns', 'huge', '1');
    assert.equal((doc?.exec as { code: string }).code.length, 50_000, 'still served');
    await loader.load('ns', 'huge', '1');
    await loader.load('ns', 'small', '1');
    assert.deepEqual(reads, { small: 1, huge: 2 }, 'huge is read each time, and did not push small out');
    assert.equal(loader.cacheStats().entries, 1);
  });

  it('caches nothing with a bound of 0, and answers undefined for a missing action', async () => {
    const { redis, reads } = fakeRedis({ a: 10 });
    const loader = new ActionLoader(redis, keys, 0);
    await loader.load('ns', 'a', '1');
    await loader.load('ns', 'a', '1');
    assert.equal(reads['a'], 2);
    assert.equal(await loader.load('ns', 'gone', '1'), undefined);
    assert.deepEqual(loader.cacheStats(), { entries: 0, bytes: 0 });
  });
});
