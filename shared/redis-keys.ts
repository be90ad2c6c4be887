// Every Redis key Isowhisk uses is built here, so the layout of the store can be read in one place.
// All keys share a prefix (default "iw:") so the store can live beside other data in one Redis.
//
// Redis Cluster runs a Lua script, a MULTI or a multi-key command only when all its keys hash to one slot, so on a
// Cluster (`hashTags`, ISOWHISK_REDIS_MODE=cluster) keys used together carry one hash tag, `{group}` right after the
// prefix (only the tag is hashed). Standalone and Sentinel deployments keep the untagged names, so the data of an
// existing deployment stays where it is:
//   {registry}     identities and entities: the identity scripts span namespaces, subjects and keys, and an
//                  entity's write checks its namespace (controller/entities/entity-store.ts)
//   {activations}  records, summaries and their indexes, completion streams and the pending table: the invoker
//                  stores a record, indexes it, adds its completion and clears its pending entry in one script
//                  (shared/activation-store.ts)
//   {runs}         sequence and composition state with the per-controller run sets (one MULTI, SMOVE)
//   {feeds}, {alarms}, {controllers}   each group's scripts and MULTIs
// Keys only ever used alone (claims, throttle counters, leases) carry no tag and spread over the slots.

export type Collection = 'actions' | 'triggers' | 'rules' | 'packages';

export interface RedisKeys {
  /** Hash: uuid → {subject, namespace, keyHash[, blocked]} for Basic auth `uuid:key`; `blocked` while its subject is. */
  authKey(uuid: string): string;
  /** Hash: namespace → {subject, uuid}, the key the namespace acts with on its own (feed fires). */
  namespace(namespace: string): string;
  /** Set of all namespace names. */
  namespaces(): string;
  /** Set of the uuids of every key of a namespace (one per subject that has the namespace, as in OpenWhisk). */
  namespaceKeys(namespace: string): string;
  /** Hash: a subject's namespaces → the uuid of its key for each (OpenWhisk's subject document). */
  subjectNamespaces(subject: string): string;
  /** Set of all subject names. */
  subjects(): string;
  /** Set of the blocked subjects (`wskadmin user block`): their keys authenticate nothing. */
  blockedSubjects(): string;
  /** JSON: per-namespace limit overrides. */
  namespaceLimits(namespace: string): string;
  /** JSON document of one entity; `path` is `name` or `pkg/name`. */
  entity(namespace: string, collection: Collection, path: string): string;
  /** JSON list form of one entity (no code, no parameters): what listings read. */
  entityListing(namespace: string, collection: Collection, path: string): string;
  /** Sorted set of a namespace's entity paths in one collection, scored by `updated`. */
  entityIndex(namespace: string, collection: Collection): string;
  /** JSON activation record, with a TTL. */
  activation(activationId: string): string;
  /** JSON list item of the record (no logs, no result), with the record's TTL: what listings read. */
  activationSummary(activationId: string): string;
  /** Sorted set of a namespace's activation ids, scored by `start`. */
  activationsByNamespace(namespace: string): string;
  /** Sorted set of a namespace's activation ids for one entity name (`name` or `pkg/name`), scored by `start`. */
  activationsByName(namespace: string, name: string): string;
  /** String set with NX + expiry by the invoker that runs an activation (at-most-once execution). */
  activationClaim(activationId: string): string;
  /** Stream of completions read by one controller. */
  completions(controllerId: number): string;
  /** Hash: `ns/trigger` → JSON registration of the trigger's Kafka feed. */
  feeds(): string;
  /** Set of a namespace's trigger names that have a Kafka feed (counted against its feed limit). */
  namespaceFeeds(namespace: string): string;
  /** Set of the feeds (`ns/trigger`) reading a topic of the platform's Kafka; all of one namespace, its owner. */
  feedTopic(topic: string): string;
  /** Hash: `ns/trigger` → JSON schedule of the trigger's alarm (controller/alarms/alarm-store.ts). */
  alarms(): string;
  /** Sorted set of the active alarms (`ns/trigger`), scored by their next tick (epoch ms): what the schedulers wake for. */
  alarmsDue(): string;
  /** Set of a namespace's trigger names that have an alarm (counted against its feed limit). */
  namespaceAlarms(namespace: string): string;
  /** Hash: `ns/trigger@tick` → JSON of a claimed tick not yet fired to the end, with the controller that claimed it. */
  alarmFires(): string;
  /** Counter of one throttle window. */
  throttle(kind: 'invoke' | 'fire', namespace: string, window: number): string;
  /** String with a short expiry, refreshed by a live controller (controller/cluster/liveness.ts). */
  controllerAlive(controllerId: number): string;
  /** Set of every controller id ever seen alive. */
  controllers(): string;
  /** String `SET NX PX` by whoever holds the lease named `name` (shared/lease.ts). */
  lease(name: string): string;
  /** Hash: an accepted activation not completed yet (controller/durability/pending-table.ts), with an expiry. */
  pending(activationId: string): string;
  /** Sorted set of one controller's pending activation ids, scored by the time it gives up on their completion. */
  pendingByController(controllerId: number): string;
  /** Sorted set of the pending activation ids published to one invoker, scored by their start deadline. */
  pendingByInvoker(invokerId: number): string;
  /** Set of the invoker ids that have had pending activations (so a restarted controller finds their backlogs). */
  pendingInvokers(): string;
  /**
   * Hash: the state of a running sequence or composition (field `state`, JSON), so any controller can resume it;
   * a top-level run's hash also holds its budget counters (`actions`, `conductorRuns`). Deleted once the run's
   * record is stored (controller/runs/run-store.ts).
   */
  run(activationId: string): string;
  /** Set of the top-level runs (activation ids) a controller owns: what it resumes when restarted, or others when it is dead. */
  controllerRuns(controllerId: number): string;
  /** Keys carry hash tags (a Cluster): only keys of one group may meet in one script or MULTI. */
  readonly hashTags: boolean;
}

export function redisKeys(prefix = 'iw:', options: { hashTags?: boolean } = {}): RedisKeys {
  const group = (tag: string) => (options.hashTags ? `${prefix}{${tag}}:` : prefix);
  const registry = group('registry');
  const activations = group('activations');
  const runs = group('runs');
  const feeds = group('feeds');
  const alarms = group('alarms');
  const controllers = group('controllers');
  return {
    authKey: (uuid) => `${registry}auth:${uuid}`,
    namespace: (ns) => `${registry}ns:${ns}`,
    namespaces: () => `${registry}namespaces`,
    namespaceKeys: (ns) => `${registry}ns-keys:${ns}`,
    subjectNamespaces: (subject) => `${registry}subject:${subject}`,
    subjects: () => `${registry}subjects`,
    blockedSubjects: () => `${registry}subjects:blocked`,
    namespaceLimits: (ns) => `${registry}ns:${ns}:limits`,
    entity: (ns, collection, path) => `${registry}entity:${ns}:${collection}:${path}`,
    entityListing: (ns, collection, path) => `${registry}listing:${ns}:${collection}:${path}`,
    entityIndex: (ns, collection) => `${registry}index:${ns}:${collection}`,
    activation: (id) => `${activations}activation:${id}`,
    activationSummary: (id) => `${activations}activation-summary:${id}`,
    activationsByNamespace: (ns) => `${activations}activations:${ns}`,
    activationsByName: (ns, name) => `${activations}activations:${ns}:${name}`,
    activationClaim: (id) => `${prefix}claim:${id}`,
    completions: (controllerId) => `${activations}completions:${controllerId}`,
    feeds: () => `${feeds}feeds`,
    namespaceFeeds: (ns) => `${feeds}feeds:ns:${ns}`,
    feedTopic: (topic) => `${feeds}feeds:topic:${topic}`,
    alarms: () => `${alarms}alarms`,
    alarmsDue: () => `${alarms}alarms:due`,
    namespaceAlarms: (ns) => `${alarms}alarms:ns:${ns}`,
    alarmFires: () => `${alarms}alarms:fires`,
    throttle: (kind, ns, window) => `${prefix}throttle:${kind}:${ns}:${window}`,
    controllerAlive: (controllerId) => `${controllers}controller-alive:${controllerId}`,
    controllers: () => `${controllers}controllers`,
    lease: (name) => `${prefix}lease:${name}`,
    pending: (id) => `${activations}pending:${id}`,
    pendingByController: (controllerId) => `${activations}pending:controller:${controllerId}`,
    pendingByInvoker: (invokerId) => `${activations}pending:invoker:${invokerId}`,
    pendingInvokers: () => `${activations}pending:invokers`,
    run: (id) => `${runs}run:${id}`,
    controllerRuns: (controllerId) => `${runs}runs:controller${controllerId}`,
    hashTags: options.hashTags === true,
  };
}

/** The keys of a deployment whose Redis is reached in `mode`: hash-tagged on a Cluster only. */
export const redisKeysFor = (mode: string, prefix?: string): RedisKeys => redisKeys(prefix, { hashTags: mode === 'cluster' });
