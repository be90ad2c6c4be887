// Consumer group ids carry the deployment's topic prefix (shared/topics.ts); before they did, a prefixed deployment's
// invoker read its topic in the unprefixed group (`invoker<N>`). So that renaming the group neither re-reads the
// topic's 48 h backlog nor skips what was not read yet, the offsets the former group committed on this topic become
// the new group's once, before it first joins. A group that has offsets of its own keeps them.
import type { Kafka as KafkaClient } from 'kafkajs';
import type { Logger } from 'pino';

export interface FormerGroup {
  /** The group's id before the prefix applied to it. */
  former: string;
  /** The group's id now. */
  group: string;
  /** The one topic whose offsets carry over: this deployment's own. */
  topic: string;
}

/** Copies `former`'s committed offsets on `topic` to `group` when `group` has none; returns how many partitions. */
export async function adoptFormerGroupOffsets(kafka: KafkaClient, { former, group, topic }: FormerGroup, logger: Logger): Promise<number> {
  if (former === group) return 0;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = async (groupId: string) =>
      (await admin.fetchOffsets({ groupId, topics: [topic] })).flatMap((t) => t.partitions).filter((p) => p.offset !== '-1');
    if ((await committed(group)).length > 0) return 0;
    const carried = await committed(former);
    if (carried.length === 0) return 0;
    await admin.setOffsets({ groupId: group, topic, partitions: carried.map(({ partition, offset }) => ({ partition, offset })) });
    logger.info({ former, group, topic, partitions: carried }, 'consumer group renamed under the topic prefix: its committed offsets carried over');
    return carried.length;
  } finally {
    await admin.disconnect();
  }
}
