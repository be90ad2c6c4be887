// A real Redis connection that records the keys it is asked to GET or MGET, to show what a code path reads.
import type { Redis } from 'ioredis';

export function watchReads(redis: Redis): { redis: Redis; read: string[] } {
  const read: string[] = [];
  const watched = new Proxy(redis, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== 'get' && prop !== 'mget') return value.bind(target);
      return (...keys: unknown[]) => {
        read.push(...(keys.flat() as string[]));
        return value.apply(target, keys);
      };
    },
  });
  return { redis: watched, read };
}
