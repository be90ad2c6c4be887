// Writes a sequence's components straight into the entity store, past the checks of create and update: the graph a
// store may hold anyway (written before the checks existed, or by a race of updates), for the suites that show a
// run survives it.
import type { Redis } from 'ioredis';
import type { ActionDoc } from '../../controller/entities/models/action.ts';
import { SEQUENCE_KIND, SEQUENCE_PARAMETER } from '../../controller/entities/models/action.ts';
import { entityStore } from '../../controller/entities/entity-store.ts';
import type { RedisKeys } from '../../shared/redis-keys.ts';

/** Makes the stored action `name` of `namespace` (created beforehand, of any kind) a sequence of `components`. */
export async function forceSequence(redis: Redis, keys: RedisKeys, namespace: string, name: string, components: string[]): Promise<void> {
  const store = entityStore<ActionDoc>(redis, keys, 'actions');
  const stored = await store.get(namespace, name);
  if (!stored) throw new Error(`no action ${namespace}/${name} to rewrite`);
  const { revision, ...content } = stored;
  const exec = { kind: SEQUENCE_KIND, code: '', binary: false, components };
  await store.put(namespace, name, { ...content, exec, parameters: [{ key: SEQUENCE_PARAMETER, value: components }] }, revision);
}
