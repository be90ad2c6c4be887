// OpenWhisk's feed protocol, as every built-in feed action reads it (docs/feeds.md of OpenWhisk): a lifecycle request
// is an invoke of the feed action with `lifecycleEvent` (CREATE, READ, UPDATE, DELETE, PAUSE, UNPAUSE),
// `triggerName` (`/namespace/trigger`) and `authKey`, beside the feed's own parameters. What is common to the
// feeds lives here: the event, the trigger (always the caller's own), the error type, and boolean parameters.
import { readEntityPath } from '../entities/models/entity-path.ts';

export type LifecycleEvent = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE' | 'PAUSE' | 'UNPAUSE';

/** A lifecycle request the feed refuses; it becomes the feed activation's application error. */
export class FeedError extends Error {
  override name = 'FeedError';
}

export interface Lifecycle<E extends LifecycleEvent> {
  event: E;
  /** The trigger the feed fires, in the caller's namespace. */
  trigger: { namespace: string; name: string };
}

/** Reads the event (one of `events`, which the feed serves) and the trigger, which must be the caller's own. */
export function readLifecycle<E extends LifecycleEvent>(body: Record<string, unknown>, callerNamespace: string, events: readonly E[]): Lifecycle<E> {
  const event = typeof body.lifecycleEvent === 'string' ? body.lifecycleEvent.toUpperCase() : undefined;
  if (!events.includes(event as E)) {
    throw new FeedError(`Parameter 'lifecycleEvent' must be one of ${events.join(', ')}.`);
  }
  const trigger = readEntityPath(body.triggerName, callerNamespace);
  if (!trigger || trigger.path.includes('/')) throw new FeedError("Parameter 'triggerName' must name a trigger: /namespace/trigger.");
  if (trigger.path !== callerNamespace) {
    throw new FeedError(`The supplied authentication is not authorized to access '${trigger.path}/${trigger.name}'.`);
  }
  return { event: event as E, trigger: { namespace: trigger.path, name: trigger.name } };
}

/** Booleans may arrive as strings from `-p isJSONData true` on older clients. */
export function readFlag(value: unknown, name: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new FeedError(`Parameter '${name}' must be a boolean.`);
}
