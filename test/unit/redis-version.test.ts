// The start-up check of the Redis version (shared/redis-version.ts), on INFO answers as servers give them.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { tooOldRedis } from '../../shared/redis-version.ts';

const serverSaying = (version: string) => ({ info: async () => `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n` }) as unknown as Redis;

describe('Redis version check', () => {
  it('accepts Redis 7 and newer', async () => {
    assert.equal(await tooOldRedis(serverSaying('7.0.15')), undefined);
    assert.equal(await tooOldRedis(serverSaying('8.2.1')), undefined);
  });

  it('refuses an older server, naming its version and the reason', async () => {
    assert.equal(await tooOldRedis(serverSaying('6.2.14')), 'Redis 6.2.14 is too old: Isowhisk needs Redis 7 or newer (SET ... NX GET).');
  });
});
