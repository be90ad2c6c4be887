// The Kafka feed provider inside the controller: it carries out the feed action's lifecycle requests, and runs one
// consumer per registered feed. Registrations live in Redis (feed-registry.ts); every controller reconciles its
// consumers with them every few seconds, and at once after a change it made itself.
//
// Tenant safety (docs/tenant-isolation.md): no feed reads a topic the platform uses itself (shared/topics.ts), a
// topic of the platform's Kafka belongs to the namespace whose feeds read it (feed-registry.ts), a feed on the
// user's own cluster never reaches the platform's brokers (broker-guard.ts) and keeps its login sealed, and each
// namespace has a feed limit.
//
// A fire from a feed is traced as the Kafka CONSUMER span of the batch (joining the producer's trace when the first
// record carries a `traceparent` header), with the trigger's rules and their actions beneath it.
import { randomBytes } from 'node:crypto';
import type { Kafka as KafkaClient, IHeaders } from 'kafkajs';
import type { Logger } from 'pino';
import { newTransactionId } from '../../shared/ids.ts';
import { TOPIC_SETTLE_MS, ensureTopics } from '../../shared/kafka/client.ts';
import { retryUntil } from '../../shared/retry.ts';
import type { SecretBox } from '../../shared/secret-box.ts';
import type { Topics } from '../../shared/topics.ts';
import { SpanKind, extractContext, inSpan, tenantContext } from '../../shared/tracing.ts';
import type { IdentityStore } from '../../shared/identities.ts';
import type { Identity } from '../../shared/identity.ts';
import { type SystemLimits, effectiveLimits } from '../entities/models/limits.ts';
import type { TriggerService } from '../entities/trigger-service.ts';
import type { FireTrigger } from '../triggers/fire.ts';
import { type BrokerGuard, PLATFORM_BROKERS_TEXT, namesPlatformBroker } from './broker-guard.ts';
import { FeedConsumer, type FireOutcome } from './feed-consumer.ts';
import type { FeedMessage } from './feed-messages.ts';
import { type FeedRegistration, type FeedRegistry, feedGroupId, feedKey } from './feed-registry.ts';
import { FeedError, type FeedRequest, type OwnCluster, feedOptions, readFeedRequest } from './kafka-feed.ts';
import { ownClusterKafka, storedCluster } from './own-cluster.ts';

/** What the feed action's route needs. */
export interface FeedProvider {
  /** Carries out a lifecycle request; throws FeedError for requests it refuses. */
  handle(identity: Identity, body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface KafkaFeedServiceDeps {
  /** The platform's Kafka. */
  kafka: KafkaClient;
  /** The platform's topic names: feeds may read none of its system topics. */
  topics: Topics;
  /** The platform's brokers, which feeds on users' own clusters may never reach. */
  guard: BrokerGuard;
  /** Seals the logins of feeds on users' own clusters; without it such feeds are refused. */
  secrets: SecretBox | undefined;
  /** The Kafka client id of this controller, also used for the clients of users' clusters. */
  clientId: string;
  registry: FeedRegistry;
  identities: IdentityStore;
  triggers: TriggerService;
  fire: FireTrigger;
  /** The payload size limit cuts batches into fires; the feed limit bounds each namespace's feeds. */
  limits: SystemLimits;
  logger: Logger;
  /** How often the consumers are matched against the registrations (default 5 s). */
  reconcileMs?: number;
}

const NEW_TOPIC_PARTITIONS = 1;

/** Does not say whose it is: another namespace's topic names are none of the caller's business. */
const topicTakenText = (topic: string) => `Topic '${topic}' is in use by another namespace; choose another topic.`;
const systemTopicText = (topic: string) => `Topic '${topic}' is reserved for the platform; choose another topic.`;

export class KafkaFeedService implements FeedProvider {
  readonly #deps: KafkaFeedServiceDeps;
  readonly #consumers = new Map<string, FeedConsumer>();
  #reconciling: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(deps: KafkaFeedServiceDeps) {
    this.#deps = deps;
  }

  async start(): Promise<void> {
    await this.reconcile();
    this.#timer = setInterval(() => void this.reconcile(), this.#deps.reconcileMs ?? 5_000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#reconciling;
    await Promise.allSettled([...this.#consumers.values()].map((c) => c.stop()));
    this.#consumers.clear();
  }

  /** Starts consumers for new or changed registrations and stops those of removed ones; runs one at a time. */
  reconcile(): Promise<void> {
    this.#reconciling = this.#reconciling.then(() => this.#reconcileOnce()).catch((err) => {
      this.#deps.logger.warn({ err }, 'matching feed consumers to registrations failed; will retry');
    });
    return this.#reconciling;
  }

  async #reconcileOnce(): Promise<void> {
    if (this.#stopped) return;
    const wanted = new Map((await this.#deps.registry.all()).map((f) => [feedKey(f), f]));
    for (const [key, consumer] of this.#consumers) {
      const feed = wanted.get(key);
      if (feed && JSON.stringify(feed) === JSON.stringify(consumer.feed)) continue;
      this.#consumers.delete(key);
      await consumer.stop().catch((err) => this.#deps.logger.warn({ err, feed: key }, 'stopping a feed consumer failed'));
    }
    for (const [key, feed] of wanted) {
      if (this.#consumers.has(key)) continue;
      let kafka: KafkaClient;
      try {
        kafka = this.#kafkaOf(feed);
      } catch (err) {
        this.#deps.logger.error({ err, feed: key }, 'the feed cannot connect to its cluster');
        continue;
      }
      const consumer = new FeedConsumer(feed, {
        kafka,
        fire: (f, messages, headers) => this.#fire(f, messages, headers),
        onGone: (f) => void this.#drop(f),
        onCrash: (crashed) => {
          // the next reconcile starts a fresh consumer for the feed
          if (this.#consumers.get(key) === crashed) this.#consumers.delete(key);
          this.#deps.logger.warn({ feed: key }, 'a feed consumer stopped after repeated failures; it will be restarted');
        },
        maxPayloadBytes: this.#deps.limits.maxPayloadSize,
        logger: this.#deps.logger,
      });
      // Started side by side, not awaited: a cluster that does not answer (a user's own brokers) must not hold up
      // the other namespaces' feeds. A start that fails is retried by the next reconcile.
      this.#consumers.set(key, consumer);
      consumer.start().catch(async (err: unknown) => {
        this.#deps.logger.warn({ err, feed: key }, 'starting a feed consumer failed; will retry');
        if (this.#consumers.get(key) === consumer) this.#consumers.delete(key);
        await consumer.stop().catch(() => {});
      });
    }
  }

  async handle(identity: Identity, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const request = readFeedRequest(body, identity.namespace);
    const { namespace, name } = request.trigger;
    const existing = await this.#deps.registry.get(namespace, name);
    const triggerName = `/${namespace}/${name}`;
    switch (request.event) {
      case 'CREATE':
        return this.#create(identity, request, existing);
      case 'READ':
        if (!existing) throw new FeedError(`Trigger ${triggerName} has no Kafka feed.`);
        return { config: configOf(existing), status: { active: true, dateChanged: existing.updated } };
      case 'UPDATE':
        if (!existing) throw new FeedError(`Trigger ${triggerName} has no Kafka feed.`);
        return this.#update(existing, request);
      case 'DELETE': {
        const removed = await this.#deps.registry.remove(namespace, name);
        if (!removed) throw new FeedError(`Trigger ${triggerName} has no Kafka feed.`);
        void this.#forget(removed); // the consumer leaves its group in the background
        return { triggerName, deleted: true };
      }
    }
  }

  async #create(identity: Identity, request: FeedRequest, existing: FeedRegistration | undefined): Promise<Record<string, unknown>> {
    const { namespace, name } = request.trigger;
    if (existing) throw new FeedError(`Trigger /${namespace}/${name} already has a Kafka feed; delete it first or send UPDATE.`);
    if (!(await this.#deps.triggers.find(namespace, name))) throw new FeedError(`Trigger /${namespace}/${name} does not exist.`);
    const limit = effectiveLimits(this.#deps.limits, identity.limits).maxFeeds;
    // checked again, atomically, when the feed is registered; this only spares creating a topic for nothing
    if ((await this.#deps.registry.count(namespace)) >= limit) throw new FeedError(feedLimitText(limit));
    const feed: FeedRegistration = {
      namespace,
      trigger: name,
      id: randomBytes(8).toString('hex'),
      updated: Date.now(),
      ...feedOptions({ ...request.options, topic: request.options.topic! }),
    };
    if (request.cluster) {
      feed.cluster = await this.#checkOwnCluster(request.cluster, feed);
    } else {
      await this.#checkPlatformTopic(feed.topic, namespace);
      await this.#startAtEnd(feed);
    }
    const outcome = await this.#deps.registry.create(feed, limit);
    if (outcome !== 'created') {
      if (!feed.cluster) void this.#deleteGroup(feed);
      if (outcome === 'limit') throw new FeedError(feedLimitText(limit));
      if (outcome === 'taken') throw new FeedError(topicTakenText(feed.topic));
      throw new FeedError(`Trigger /${namespace}/${name} already has a Kafka feed.`);
    }
    void this.reconcile(); // joining the group takes seconds; the committed start offsets make waiting unnecessary
    return { config: configOf(feed), created: true };
  }

  async #update(existing: FeedRegistration, request: FeedRequest): Promise<Record<string, unknown>> {
    const feed: FeedRegistration = { ...existing, ...request.options, updated: Date.now() };
    if (feed.topic !== existing.topic) {
      feed.id = randomBytes(8).toString('hex'); // a new topic is read from its end, by a new group
      if (!feed.cluster) {
        await this.#checkPlatformTopic(feed.topic, feed.namespace);
        await this.#startAtEnd(feed);
      }
    }
    const outcome = await this.#deps.registry.update(existing, feed);
    if (outcome !== 'updated') {
      if (feed.id !== existing.id && !feed.cluster) void this.#deleteGroup(feed);
      throw new FeedError(outcome === 'taken' ? topicTakenText(feed.topic) : 'The feed changed while it was being updated; try again.');
    }
    await this.reconcile(); // this controller reads with the new options from the next batch on
    if (feed.id !== existing.id) void this.#deleteGroup(existing);
    return { config: configOf(feed), updated: true };
  }

  /** A topic of the platform's Kafka may be read by a feed if it is no system topic and no other namespace's. */
  async #checkPlatformTopic(topic: string, namespace: string): Promise<void> {
    if (this.#deps.topics.isSystem(topic)) throw new FeedError(systemTopicText(topic));
    if (await this.#deps.registry.takenByOther(topic, namespace)) throw new FeedError(topicTakenText(topic));
  }

  /**
   * The user's cluster as it is stored, once its brokers are known not to be the platform's and its login sealed.
   * Like OpenWhisk's kafkaFeed, CREATE does not connect to it: the consumer starts at the topic's end when it joins.
   */
  async #checkOwnCluster(cluster: OwnCluster, feed: FeedRegistration): Promise<FeedRegistration['cluster']> {
    for (const broker of cluster.brokers) {
      if (await namesPlatformBroker(this.#deps.guard, broker)) throw new FeedError(PLATFORM_BROKERS_TEXT);
    }
    if (cluster.sasl && !this.#deps.secrets) {
      throw new FeedError('This deployment cannot keep Kafka credentials (it has no secrets key); a feed with a login cannot be created.');
    }
    return this.#deps.secrets ? storedCluster(cluster, feed, this.#deps.secrets) : { brokers: cluster.brokers, tls: cluster.tls };
  }

  /** The platform's Kafka, or a guarded client of the feed's own cluster. */
  #kafkaOf(feed: FeedRegistration): KafkaClient {
    if (!feed.cluster) return this.#deps.kafka;
    const { guard, secrets, clientId, logger } = this.#deps;
    return ownClusterKafka({ ...feed, cluster: feed.cluster }, { guard, secrets, clientId, logger });
  }

  /**
   * Creates the topic when it does not exist and commits the group's offsets at the topic's current end, so every
   * record produced after the feed was created is delivered, even before this controller's consumer has joined.
   * Only for topics of the platform's Kafka.
   */
  async #startAtEnd(feed: FeedRegistration): Promise<void> {
    await ensureTopics(this.#deps.kafka, [{ topic: feed.topic, partitions: NEW_TOPIC_PARTITIONS }]);
    const admin = this.#deps.kafka.admin();
    await admin.connect();
    try {
      // A topic created a moment ago may not be in every broker's metadata yet ("This server does not host this
      // topic-partition"), more so while several feeds are created at once: retried for a few seconds.
      await retryUntil(
        async () => {
          const offsets = await admin.fetchTopicOffsets(feed.topic);
          await admin.setOffsets({ groupId: feedGroupId(feed), topic: feed.topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: o.high })) });
        },
        { giveUpAt: Date.now() + TOPIC_SETTLE_MS },
      );
    } finally {
      await admin.disconnect();
    }
  }

  async #forget(feed: FeedRegistration): Promise<void> {
    await this.reconcile();
    await this.#deleteGroup(feed);
  }

  /** Best effort: another controller may still be a member until its next reconcile; the group then expires. */
  async #deleteGroup(feed: FeedRegistration): Promise<void> {
    let admin: ReturnType<KafkaClient['admin']>;
    try {
      admin = this.#kafkaOf(feed).admin();
    } catch {
      return; // a cluster we cannot reach: its group expires there
    }
    try {
      await admin.connect();
      await admin.deleteGroups([feedGroupId(feed)]);
    } catch (err) {
      this.#deps.logger.debug({ err, group: feedGroupId(feed) }, 'feed consumer group not deleted');
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  /** The trigger of a feed was deleted without the feed: drop the feed too. */
  async #drop(feed: FeedRegistration): Promise<void> {
    this.#deps.logger.info({ feed: feedKey(feed) }, 'the feed trigger no longer exists; removing its Kafka feed');
    const current = await this.#deps.registry.get(feed.namespace, feed.trigger);
    if (current?.id === feed.id) await this.#deps.registry.remove(feed.namespace, feed.trigger);
    await this.#forget(feed);
  }

  #fire(feed: FeedRegistration, messages: FeedMessage[], headers: IHeaders[]): Promise<FireOutcome> {
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': feed.topic,
      'messaging.batch.message_count': messages.length,
      'messaging.consumer.group.name': feedGroupId(feed),
      'isowhisk.trigger': feedKey(feed),
    };
    // The feed's spans belong to the namespace that owns it (see shared/tracing.ts); its topic is that tenant's own setting.
    const parent = tenantContext(extractContext((headers[0] ?? {}) as Record<string, unknown>), feed.namespace);
    return inSpan(`process ${feed.topic}`, { kind: SpanKind.CONSUMER, attributes, parent }, async () => {
      const identity = await this.#deps.identities.namespaceIdentity(feed.namespace);
      const trigger = identity && (await this.#deps.triggers.find(feed.namespace, feed.trigger));
      if (!identity || !trigger) return 'gone';
      if (identity.blocked) return 'held';
      const fired = await this.#deps.fire({
        identity,
        trigger,
        payload: { messages },
        headers: {},
        transactionId: newTransactionId(),
        receivedAt: Date.now(),
      });
      // the trigger record is written with retries of its own; its failure is logged by the firer
      if (fired) await fired.recorded.catch(() => {});
      return 'fired';
    });
  }
}

const feedLimitText = (limit: number) => `The namespace may have at most ${limit} Kafka feeds; delete one before creating another.`;

/** A feed's settings as READ shows them: a cluster's brokers and how it is reached, never its login. */
function configOf(feed: FeedRegistration): Record<string, unknown> {
  const cluster = feed.cluster;
  return {
    triggerName: `/${feed.namespace}/${feed.trigger}`,
    topic: feed.topic,
    isJSONData: feed.isJSONData,
    isBinaryValue: feed.isBinaryValue,
    isBinaryKey: feed.isBinaryKey,
    ...(cluster ? { brokers: cluster.brokers, tls: cluster.tls, ...(cluster.saslMechanism ? { saslMechanism: cluster.saslMechanism } : {}) } : {}),
  };
}
