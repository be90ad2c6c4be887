// Kafka topic names and the settings each system topic is created with, in one place. Every name carries the
// deployment's optional prefix (ISOWHISK_TOPIC_PREFIX), as OpenWhisk's `whisk.kafka.topics.prefix` does, so
// several deployments can share one Kafka cluster.
import type { TopicSpec } from './kafka/client.ts';

/** Base name of the topic every invoker pings on; every controller reads it. */
export const HEALTH = 'health';
/** Base name of the topic of ActivationEvents (OpenWhisk user events). */
export const EVENTS = 'events';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Retention per topic kind, as OpenWhisk sets it: activation requests are kept 48 h so an invoker that was
 * down can still find its backlog (requests past their deadline are then recorded as expired); pings and
 * events are only worth something while fresh.
 */
export const RETENTION_MS = { invoker: 48 * HOUR_MS, health: HOUR_MS, events: HOUR_MS } as const;

/** One partition per topic: each invoker consumes its own topic in order, and pings/events are low-volume. */
export const PARTITIONS = 1;

/** Kafka's rule for topic names: legal characters and at most 249 of them. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function isLegalTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';
}

/** Base name (no prefix) of invoker N's request topic: `invoker<N>`. */
export function invokerTopic(invokerId: number): string {
  if (!Number.isSafeInteger(invokerId) || invokerId < 0) throw new RangeError(`invoker id must be a non-negative integer, got ${invokerId}`);
  return `invoker${invokerId}`;
}

export interface Topics {
  readonly prefix: string;
  /** Invoker N's request topic. */
  invoker(invokerId: number): string;
  readonly health: string;
  readonly events: string;
  /** Every topic the platform needs with `invokerCount` invokers (ids 0..count-1), with its creation settings. */
  systemTopics(invokerCount: number): TopicSpec[];
}

/** The topic names of a deployment whose topics all start with `prefix` (default: none). */
export function topics(prefix = ''): Topics {
  // A prefix is legal when a name built from it is; checked once here rather than failing at topic creation.
  if (prefix !== '' && !isLegalTopicName(`${prefix}${HEALTH}`)) {
    throw new RangeError(`topic prefix may only hold letters, digits, '.', '_' and '-', got ${JSON.stringify(prefix)}`);
  }
  const named = (base: string): string => `${prefix}${base}`;
  const spec = (topic: string, retentionMs: number): TopicSpec => ({ topic, partitions: PARTITIONS, retentionMs });
  return {
    prefix,
    invoker: (invokerId) => named(invokerTopic(invokerId)),
    health: named(HEALTH),
    events: named(EVENTS),
    systemTopics(invokerCount) {
      if (!Number.isSafeInteger(invokerCount) || invokerCount < 0) {
        throw new RangeError(`invoker count must be a non-negative integer, got ${invokerCount}`);
      }
      const invokers = Array.from({ length: invokerCount }, (_, id) => spec(named(invokerTopic(id)), RETENTION_MS.invoker));
      return [...invokers, spec(named(HEALTH), RETENTION_MS.health), spec(named(EVENTS), RETENTION_MS.events)];
    },
  };
}

/** `topics(prefix).systemTopics(invokerCount)`, for an admin step that needs nothing else. */
export function systemTopics(invokerCount: number, prefix = ''): TopicSpec[] {
  return topics(prefix).systemTopics(invokerCount);
}
