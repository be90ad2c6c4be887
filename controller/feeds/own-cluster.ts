// The Kafka client of a feed on the user's own cluster: its brokers, TLS and SASL login, every connection through
// the broker guard (broker-guard.ts) so it can never reach the platform's Kafka.
import type { Kafka as KafkaClient, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafka } from '../../shared/kafka/client.ts';
import type { SecretBox } from '../../shared/secret-box.ts';
import { type BrokerGuard, guardedSocketFactory } from './broker-guard.ts';
import { type FeedRegistration, type StoredCluster, feedKey } from './feed-registry.ts';
import type { OwnCluster } from './kafka-feed.ts';

interface Login {
  username: string;
  password: string;
}

/** The cluster as stored: the login sealed for this feed (`feedKey`), so it opens for no other. */
export function storedCluster(cluster: OwnCluster, feed: { namespace: string; trigger: string }, secrets: SecretBox): StoredCluster {
  const { brokers, tls, sasl } = cluster;
  if (!sasl) return { brokers, tls };
  const login: Login = { username: sasl.username, password: sasl.password };
  return { brokers, tls, saslMechanism: sasl.mechanism, sealedLogin: secrets.seal(JSON.stringify(login), feedKey(feed)) };
}

export interface OwnClusterDeps {
  guard: BrokerGuard;
  /** Undefined when the deployment has no secrets key: feeds with a login cannot run. */
  secrets: SecretBox | undefined;
  clientId: string;
  logger: Logger;
}

/** A client for `feed.cluster`; throws when its login cannot be opened. */
export function ownClusterKafka(feed: FeedRegistration & { cluster: StoredCluster }, deps: OwnClusterDeps): KafkaClient {
  const { brokers, tls, saslMechanism, sealedLogin } = feed.cluster;
  let sasl: SASLOptions | undefined;
  if (saslMechanism && sealedLogin) {
    if (!deps.secrets) throw new Error('the feed has a login but no secrets key is configured (ISOWHISK_SECRETS_KEY)');
    const { username, password } = JSON.parse(deps.secrets.open(sealedLogin, feedKey(feed))) as Login;
    sasl = { mechanism: saslMechanism, username, password } as SASLOptions;
  }
  return createKafka({
    brokers,
    clientId: deps.clientId,
    logger: deps.logger,
    connection: { ssl: tls, ...(sasl ? { sasl } : {}), socketFactory: guardedSocketFactory(deps.guard) },
  });
}
