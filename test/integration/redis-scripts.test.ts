// The Lua scripts (shared/redis-script.ts): every `.lua` file compiles in the test stack's Redis under the SHA1 the
// loader computes, opens with the comment its callers rely on, and is the only place scripts live; a server that has
// not seen a script (NOSCRIPT) gets its text and runs it.
import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { luaScript, runScript } from '../../shared/redis-script.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testRedis } from '../support/stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CODE_DIRS = ['controller', 'invoker', 'shared'];
const files = (pattern: string) => CODE_DIRS.flatMap((dir) => globSync(`${dir}/**/${pattern}`, { cwd: ROOT })).sort();

describe('Redis Lua scripts', () => {
  let redis: Redis;

  before(async () => {
    redis = new Redis(await testRedis());
  });

  after(() => redis.disconnect());

  it('every .lua file compiles in Redis under the SHA1 the loader sends', async () => {
    const lua = files('*.lua');
    assert.ok(lua.length >= 20, `found only ${lua.length} .lua files`);
    for (const file of lua) {
      const script = luaScript(join(ROOT, dirname(file)), file.slice(dirname(file).length + 1));
      assert.equal(await redis.script('LOAD', script.source), script.sha1, file);
    }
  });

  it('every .lua file opens with a comment giving its KEYS, ARGV and what it returns', () => {
    for (const file of files('*.lua')) {
      const header = readFileSync(join(ROOT, file), 'utf8').split('\n').filter((line) => line.startsWith('--')).join('\n');
      for (const part of ['-- KEYS:', '-- ARGV:', '-- Returns']) assert.ok(header.includes(part), `${file} lacks "${part}"`);
    }
  });

  it('no TypeScript module keeps a script inline, and every script a module names is beside it', () => {
    for (const file of files('*.ts')) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      assert.ok(!text.includes('KEYS['), `${file} holds Lua inline`);
      for (const [, name] of text.matchAll(/luaScript\(import\.meta\.dirname, '([^']+)'\)/g)) {
        assert.ok(files('*.lua').includes(join(dirname(file), name!)), `${file} names ${name}, which is not beside it`);
      }
    }
  });

  it('a server that has not seen a script (NOSCRIPT) gets its text, and later calls go by SHA1', async () => {
    const script = luaScript(join(ROOT, 'shared'), 'renew-lease.lua');
    const key = redisKeys('iw-test:').lease(`scripts-${process.pid}`);
    await redis.set(key, 'me'); // no expiry yet: a renewal is what gives it one
    await redis.script('FLUSH');
    assert.deepEqual(await redis.script('EXISTS', script.sha1), [0]);
    assert.equal(await runScript(redis, script, [key], ['me', '120000']), 1);
    assert.deepEqual(await redis.script('EXISTS', script.sha1), [1]);
    assert.equal(await runScript(redis, script, [key], ['someone else', '120000']), 0);
    assert.notEqual(await redis.pttl(key), -1, 'the holder\'s renewal gave the lease an expiry');
    await redis.del(key);
  });
});
