// Kafka topic names and the settings each system topic is created with, in one place. Every name carries the
// deployment's optional prefix (ISOWHISK_TOPIC_PREFIX), as OpenWhisk's `whisk.kafka.topics.prefix` does, so
// several deployments can share one Kafka cluster.
//
// The platform's own topics carry requests with bound parameters and callers' identities, so no tenant may read
// them: `isSystemTopic` reserves every name the builders below can make (any invoker number included), so a system
// topic added here is reserved by construction. See docs/tenant-isolation.md.
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

/** Base name of the invoker request topics, numbered by invoker id. */
const INVOKER = 'invoker';

/** Base name (no prefix) of invoker N's request topic: `invoker<N>`. */
export function invokerTopic(invokerId: number): string {
  if (!Number.isSafeInteger(invokerId) || invokerId < 0) throw new RangeError(`invoker id must be a non-negative integer, got ${invokerId}`);
  return `${INVOKER}${invokerId}`;
}

/**
 * Every base name the platform builds a topic from: numbered ones take any number after them. The builders below
 * take their names from here, and `isSystemTopic` reserves exactly these, so they cannot drift apart.
 */
const SYSTEM_BASES: ReadonlyArray<{ base: string; numbered: boolean }> = [
  { base: INVOKER, numbered: true },
  { base: HEALTH, numbered: false },
  { base: EVENTS, numbered: false },
];

/** Kafka's own topics (`__consumer_offsets`, `__transaction_state`) start with two underscores. */
const KAFKA_INTERNAL = '__';

/**
 * Kafka refuses a topic whose name differs from an existing one only in '.' against '_' (they collide in its
 * metrics); names are compared in this form, and without case, so a look-alike is reserved with its original.
 */
const fold = (name: string): string => name.toLowerCase().replaceAll('.', '_');

/**
 * Whether `topic` is, or could one day be, a topic the platform uses itself under `prefix`: an invoker's request
 * topic (any invoker number), `health`, `events`, any later system topic listed above, and Kafka's internal
 * topics. Feeds may never read these.
 */
export function isSystemTopic(topic: string, prefix = ''): boolean {
  if (topic.startsWith(KAFKA_INTERNAL)) return true;
  const name = fold(topic);
  const start = fold(prefix);
  if (!name.startsWith(start)) return false;
  const rest = name.slice(start.length);
  return SYSTEM_BASES.some(({ base, numbered }) => {
    const b = fold(base);
    return numbered ? rest.startsWith(b) && /^\d+$/.test(rest.slice(b.length)) : rest === b;
  });
}

export interface Topics {
  readonly prefix: string;
  /** Invoker N's request topic. */
  invoker(invokerId: number): string;
  readonly health: string;
  readonly events: string;
  /** Every topic the platform needs with `invokerCount` invokers (ids 0..count-1), with its creation settings. */
  systemTopics(invokerCount: number): TopicSpec[];
  /** `isSystemTopic` under this deployment's prefix: a topic no feed may read. */
  isSystem(topic: string): boolean;
  /**
   * Invoker N's consumer group (the reader of its request topic). Group ids take the prefix too: deployments sharing
   * a cluster must not share a group, or one's leader hands its partitions to the other's members, which drop them.
   */
  invokerGroup(invokerId: number): string;
  /** Controller N's consumer group of the health topic. */
  healthGroup(controllerId: number): string;
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
    isSystem: (topic) => isSystemTopic(topic, prefix),
    invokerGroup: (invokerId) => named(invokerTopic(invokerId)),
    healthGroup: (controllerId) => named(`${HEALTH}${controllerId}`),
  };
}

/** `topics(prefix).systemTopics(invokerCount)`, for an admin step that needs nothing else. */
export function systemTopics(invokerCount: number, prefix = ''): TopicSpec[] {
  return topics(prefix).systemTopics(invokerCount);
}
