// The packages of the built-in `whisk.system` namespace that exist as entities, installed by every controller at start
// and by the local launcher before it starts one (deploy/local/stack.ts), the way OpenWhisk's deployment installs
// its catalog. Installing is idempotent and safe when several controllers start at once (system-package.ts).
import type { RedisClient } from '../../shared/redis-connection.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { type InstallOutcome, installSystemPackage } from './system-package.ts';
import { utilsPackage } from './utils-package.ts';

/** Installs every catalog package; what was done to each entity, by `namespace/path`. */
export async function installCatalog(redis: RedisClient, keys: RedisKeys, system: SystemLimits): Promise<InstallOutcome> {
  const outcome: InstallOutcome = {};
  for (const pkg of [utilsPackage()]) {
    const done = await installSystemPackage(redis, keys, pkg, system);
    for (const [path, what] of Object.entries(done)) outcome[`${pkg.namespace}/${path}`] = what;
  }
  return outcome;
}
