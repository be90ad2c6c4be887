// Redis Lua scripts, the one way to run them. Each script lives in a `.lua` file beside the module that runs it,
// opening with a comment that gives its KEYS, ARGV and what it returns; `luaScript` reads the file once, when that
// module loads, so a missing file fails the process at start rather than at the first call. `runScript` sends the
// script by its SHA1 (EVALSHA) and its text (EVAL) only when a server has not seen it yet (NOSCRIPT: a restarted or
// new Redis), as BullMQ does with its own scripts.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './redis-connection.ts';

export interface LuaScript {
  readonly source: string;
  readonly sha1: string;
}

/** The script in `file` of `dir` (pass the calling module's `import.meta.dirname`). */
export function luaScript(dir: string, file: string): LuaScript {
  const source = readFileSync(join(dir, file), 'utf8');
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

export async function runScript(redis: RedisClient, script: LuaScript, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha1, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script.source, keys.length, ...keys, ...args);
  }
}
