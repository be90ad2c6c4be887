// A consumer group's committed offset of a topic's partition 0, read through a short-lived admin client.
import type { Kafka } from 'kafkajs';

/** '-1' when the group has committed nothing there. */
export async function committedOffset(kafka: Kafka, groupId: string, topic: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry?.partitions.find((p) => p.partition === 0)?.offset ?? '-1';
  } finally {
    await admin.disconnect();
  }
}
