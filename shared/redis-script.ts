// Runs a Lua script by its SHA1 (EVALSHA), loading it with EVAL the first time a server has not seen it.
// Scripts stay beside the code that calls them; this helper only saves sending their text on every call.
import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection.ts';

const shas = new Map<string, string>();

function sha1(script: string): string {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  return sha;
}

export async function runScript(redis: RedisClient, script: string, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha1(script), keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}
