// `npm run admin -- <command>`: Isowhisk's wskadmin (see program.ts for the commands). It talks to the deployment's
// Redis directly, as wskadmin talks to OpenWhisk's database, so it needs no controller running and no API key:
// whoever can run it holds the platform's Redis. That is why it lives with the deployment scripts (deploy/) and not
// with the tenants' wsk (cli/), which speaks only the REST API.
// Redis: `--redis <url>`, else the deployment's variables (ISOWHISK_REDIS_MODE and what it needs, or ISOWHISK_REDIS_URL),
// else the local stack's (shared/config.ts, shared/redis-connection.ts).
import { loadCommonConfig } from '../../shared/config.ts';
import { connectRedis, describeTarget, redisTarget, type RedisTarget } from '../../shared/redis-connection.ts';
import { redisKeysFor } from '../../shared/redis-keys.ts';
import { subjectStore } from '../../shared/subjects.ts';
import { redisUrlOption, runAdmin } from './program.ts';

const argv = process.argv.slice(2);
const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };

async function main(): Promise<number> {
  const url = redisUrlOption(argv);
  const target: RedisTarget = url === undefined ? redisTarget(loadCommonConfig()) : { mode: 'standalone', url };
  // no retries: an unreachable Redis is one clear error, not a hang
  const redis = connectRedis(target, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5_000 });
  redis.on('error', () => undefined); // reported below, by the command that fails
  const helpOnly = argv.length === 0 || argv.includes('--help') || argv.includes('-h');
  try {
    if (!helpOnly) await redis.connect();
  } catch (err) {
    io.err(`error: cannot reach Redis at ${describeTarget(target)}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  try {
    return await runAdmin(argv, subjectStore(redis, redisKeysFor(target.mode)), io);
  } finally {
    redis.disconnect();
  }
}

process.exitCode = await main();
