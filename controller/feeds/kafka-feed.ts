// The Kafka feed as users see it: the feed action `/whisk.system/messaging/kafkaFeed` and the lifecycle requests it
// takes (OpenWhisk's feed protocol, as `wsk trigger create --feed` and the `openwhisk` client's `feeds.*` send them):
//   {lifecycleEvent: CREATE|READ|UPDATE|DELETE, triggerName: "/ns/trigger", authKey, topic, isJSONData, ...}
// Parsing and validation only; feed-service.ts carries the requests out.
import { isLegalTopicName } from '../../shared/topics.ts';
import { readEntityPath } from '../entities/entity-path.ts';

export const KAFKA_FEED_NAMESPACE = 'whisk.system';
export const KAFKA_FEED_PACKAGE = 'messaging';
export const KAFKA_FEED_ACTION = 'kafkaFeed';
export const KAFKA_FEED = `/${KAFKA_FEED_NAMESPACE}/${KAFKA_FEED_PACKAGE}/${KAFKA_FEED_ACTION}`;

export type LifecycleEvent = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE';

/** How a feed turns Kafka records into the trigger's payload. */
export interface FeedOptions {
  topic: string;
  /** Parse each value as JSON (a value that does not parse is passed as text). */
  isJSONData: boolean;
  /** Pass values base64-encoded instead of as UTF-8 text. */
  isBinaryValue: boolean;
  /** Pass keys base64-encoded instead of as UTF-8 text. */
  isBinaryKey: boolean;
}

export interface FeedRequest {
  event: LifecycleEvent;
  /** The trigger the feed fires, in the caller's namespace. */
  trigger: { namespace: string; name: string };
  /** Given options only (UPDATE changes just these). */
  options: Partial<FeedOptions>;
}

/** A lifecycle request the feed refuses; it becomes the feed activation's application error. */
export class FeedError extends Error {
  override name = 'FeedError';
}

const EVENTS: readonly LifecycleEvent[] = ['CREATE', 'READ', 'UPDATE', 'DELETE'];

/** Booleans may arrive as strings from `-p isJSONData true` on older clients. */
function readFlag(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new FeedError(`Parameter '${name}' must be a boolean.`);
}

/** Reads a lifecycle request made by `callerNamespace`; the trigger must be the caller's own. */
export function readFeedRequest(body: Record<string, unknown>, callerNamespace: string): FeedRequest {
  const event = typeof body.lifecycleEvent === 'string' ? body.lifecycleEvent.toUpperCase() : undefined;
  if (!EVENTS.includes(event as LifecycleEvent)) {
    throw new FeedError(`Parameter 'lifecycleEvent' must be one of ${EVENTS.join(', ')}.`);
  }
  const trigger = readEntityPath(body.triggerName, callerNamespace);
  if (!trigger || trigger.path.includes('/')) throw new FeedError("Parameter 'triggerName' must name a trigger: /namespace/trigger.");
  if (trigger.path !== callerNamespace) {
    throw new FeedError(`The supplied authentication is not authorized to access '${trigger.path}/${trigger.name}'.`);
  }
  const options: Partial<FeedOptions> = {};
  if (body.topic !== undefined) {
    if (typeof body.topic !== 'string' || !isLegalTopicName(body.topic)) {
      throw new FeedError("Parameter 'topic' must be a Kafka topic name: 1 to 249 of [a-zA-Z0-9._-].");
    }
    options.topic = body.topic;
  }
  for (const flag of ['isJSONData', 'isBinaryValue', 'isBinaryKey'] as const) {
    const value = readFlag(body[flag], flag);
    if (value !== undefined) options[flag] = value;
  }
  if (event === 'CREATE' && options.topic === undefined) throw new FeedError("Parameter 'topic' is required.");
  return { event: event as LifecycleEvent, trigger: { namespace: trigger.path, name: trigger.name }, options };
}

/** Fills in the defaults of a new feed. */
export function feedOptions(given: Partial<FeedOptions> & { topic: string }): FeedOptions {
  return { isJSONData: false, isBinaryValue: false, isBinaryKey: false, ...given };
}
