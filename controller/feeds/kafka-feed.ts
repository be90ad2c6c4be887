// The Kafka feed as users see it: the feed action `/whisk.system/messaging/kafkaFeed` and the lifecycle requests it
// takes (OpenWhisk's feed protocol, as `wsk trigger create --feed` and the `openwhisk` client's `feeds.*` send them):
//   {lifecycleEvent: CREATE|READ|UPDATE|DELETE, triggerName: "/ns/trigger", authKey, topic, isJSONData, ...}
// Without `brokers` a feed reads a topic of the platform's own Kafka; with `brokers` (OpenWhisk's generic kafkaFeed,
// or `kafka_brokers_sasl` as Message Hub's feed names them) it reads the user's own cluster, optionally over TLS and
// with a SASL login (`username`/`password`, `user` as Message Hub names it).
// Parsing and validation only; feed-service.ts carries the requests out.
import { isHostPort } from '../../shared/config.ts';
import { isLegalTopicName } from '../../shared/topics.ts';
import { FeedError, readFlag, readLifecycle } from './feed-lifecycle.ts';
import { SYSTEM_NAMESPACE } from '../../shared/entity-names.ts';

export { FeedError } from './feed-lifecycle.ts';

export const KAFKA_FEED_NAMESPACE = SYSTEM_NAMESPACE;
export const KAFKA_FEED_PACKAGE = 'messaging';
export const KAFKA_FEED_ACTION = 'kafkaFeed';
export const KAFKA_FEED = `/${KAFKA_FEED_NAMESPACE}/${KAFKA_FEED_PACKAGE}/${KAFKA_FEED_ACTION}`;

/** The events the Kafka feed serves (its feed is never paused). */
export type KafkaLifecycleEvent = 'CREATE' | 'READ' | 'UPDATE' | 'DELETE';

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

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslLogin {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** The user's own Kafka cluster, as a CREATE names it. */
export interface OwnCluster {
  brokers: string[];
  /** Connect with TLS; on by default when a login is given, so a password never crosses the network in clear. */
  tls: boolean;
  sasl?: SaslLogin;
}

export interface FeedRequest {
  event: KafkaLifecycleEvent;
  /** The trigger the feed fires, in the caller's namespace. */
  trigger: { namespace: string; name: string };
  /** Given options only (UPDATE changes just these). */
  options: Partial<FeedOptions>;
  /** CREATE only: the user's own cluster; absent for a topic of the platform's Kafka. */
  cluster?: OwnCluster;
}

const EVENTS: readonly KafkaLifecycleEvent[] = ['CREATE', 'READ', 'UPDATE', 'DELETE'];

/** Reads a lifecycle request made by `callerNamespace`; the trigger must be the caller's own. */
export function readFeedRequest(body: Record<string, unknown>, callerNamespace: string): FeedRequest {
  const { event, trigger } = readLifecycle(body, callerNamespace, EVENTS);
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
  const cluster = readOwnCluster(body);
  if (cluster && event !== 'CREATE') {
    throw new FeedError("A feed's brokers and credentials cannot be changed; delete the feed and create it again.");
  }
  return { event, trigger, options, ...(cluster ? { cluster } : {}) };
}

const BROKERS_TEXT = "Parameter 'brokers' must list your Kafka brokers as host:port, in an array or separated by commas.";

function readBrokers(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (!items || !items.every((b) => typeof b === 'string')) throw new FeedError(BROKERS_TEXT);
  const brokers = items.map((b) => b.trim()).filter((b) => b !== '');
  if (brokers.length === 0 || !brokers.every(isHostPort)) throw new FeedError(BROKERS_TEXT);
  return brokers;
}

function readText(body: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value === '') throw new FeedError(`Parameter '${name}' must be a non-empty string.`);
    return value;
  }
  return undefined;
}

/** The user's own cluster from `brokers` (or `kafka_brokers_sasl`), `username` (or `user`), `password`, `saslMechanism`, `tls`. */
function readOwnCluster(body: Record<string, unknown>): OwnCluster | undefined {
  const brokers = readBrokers(body.brokers ?? body.kafka_brokers_sasl);
  const username = readText(body, 'username', 'user');
  const password = readText(body, 'password');
  const mechanism = readText(body, 'saslMechanism')?.toLowerCase();
  const tls = readFlag(body.tls, 'tls');
  if ((username === undefined) !== (password === undefined)) {
    throw new FeedError("Parameters 'username' and 'password' go together: give both or neither.");
  }
  if (mechanism !== undefined && !SASL_MECHANISMS.includes(mechanism as SaslMechanism)) {
    throw new FeedError(`Parameter 'saslMechanism' must be one of ${SASL_MECHANISMS.join(', ')}.`);
  }
  if (!brokers) {
    if (username !== undefined || mechanism !== undefined || tls !== undefined) {
      throw new FeedError("Parameters 'username', 'password', 'saslMechanism' and 'tls' are for your own cluster: give its 'brokers' too.");
    }
    return undefined;
  }
  const sasl = username !== undefined && password !== undefined ? { mechanism: (mechanism ?? 'plain') as SaslMechanism, username, password } : undefined;
  return { brokers, tls: tls ?? sasl !== undefined, ...(sasl ? { sasl } : {}) };
}

/** Fills in the defaults of a new feed. */
export function feedOptions(given: Partial<FeedOptions> & { topic: string }): FeedOptions {
  return { isJSONData: false, isBinaryValue: false, isBinaryKey: false, ...given };
}
