// Kafka records → the payload a feed fires its trigger with, OpenWhisk's message-hub shape:
//   {messages: [{topic, partition, offset, key, value}, ...]}
// A batch is cut into fires whose payload stays within the namespace's payload limit, in order.
import type { FeedOptions } from './kafka-feed.ts';

/** What the feed needs of a consumed record (kafkajs's `KafkaMessage` fits). */
export interface FeedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface FeedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: unknown;
}

function decodeValue(value: Buffer | null, options: FeedOptions): unknown {
  if (value === null) return null;
  if (options.isBinaryValue) return value.toString('base64');
  const text = value.toString('utf8');
  if (!options.isJSONData) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON after all: passed on as text rather than dropped
  }
}

export function feedMessage(topic: string, partition: number, record: FeedRecord, options: FeedOptions): FeedMessage {
  return {
    topic,
    partition,
    offset: Number(record.offset),
    key: record.key === null ? null : record.key.toString(options.isBinaryKey ? 'base64' : 'utf8'),
    value: decodeValue(record.value, options),
  };
}

/**
 * Splits messages into runs whose `{"messages":[...]}` payload is at most `maxBytes`. A single message above the
 * limit goes alone; the invoke path then refuses it with a clear error in the trigger's record.
 */
export function chunkBySize<T>(messages: readonly T[], maxBytes: number): T[][] {
  const envelope = Buffer.byteLength('{"messages":[]}');
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = envelope;
  for (const message of messages) {
    const bytes = Buffer.byteLength(JSON.stringify(message)) + 1; // and its comma
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = envelope;
    }
    current.push(message);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
