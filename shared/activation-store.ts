// The one home of activation records in Redis. Writers: the invoker (every completed activation) and the
// controller (whisk-internal-error records for activations that never complete). Readers: the activations API
// and the blocking-invoke path.
//
// Layout (keys from shared/redis-keys.ts):
//   keys.activation(id)                       record JSON (stored form, `response.statusCode`), EX ttl
//   keys.activationSummary(id)                the record's list item (activationSummary: no logs, no result), EX ttl
//   keys.activationsByNamespace(ns)           sorted set of ids scored by `start`, ns = the INVOKING namespace
//   keys.activationsByName(ns, filterName)    the same per `name`, `pkg/name` or `binding/name` (see activationFilterName)
// The indexes expire with the newest record written to them, and entries older than a put's retention are
// trimmed on that put; ids whose record already expired are dropped when a read meets them. Retention is meant to
// be one configured value (OpenWhisk's default is 7 days).
// A listing without `docs` reads only the summaries, so a page of records with megabytes of logs costs a page of
// small documents; a record stored before summaries existed is summarised from its full record when met.
import type { RedisClient } from './redis-connection.ts';
import type { RedisKeys } from './redis-keys.ts';
import { luaScript, runScript } from './redis-script.ts';
import { type ActivationRecord, type ActivationSummary, activationFilterName, activationSummary } from './activation-record.ts';
import type { CompletionEntry } from './completions.ts';

export const DEFAULT_ACTIVATION_TTL_SECONDS = 7 * 24 * 3600;

export interface ActivationQuery {
  /** `name` or `pkg/name` (see activationFilterName). */
  name?: string;
  /** Inclusive lower bound on `start`, epoch ms. */
  since?: number;
  /** Inclusive upper bound on `start`, epoch ms. */
  upto?: number;
  skip: number;
  limit: number;
}

export interface ActivationStore {
  /**
   * Stores a record (stored form) for `ttlSeconds` and indexes it for listing, unless the activation already has
   * one: a record, once stored, never changes (a late invoker cannot replace the record a controller wrote for a
   * lost activation, which its caller may already have been given). Resolves whether this record was stored.
   */
  putRecord(record: ActivationRecord, ttlSeconds: number): Promise<boolean>;
  /**
   * `putRecord`, then the completion's stream entry, in one round trip (the invoker's last step: the waiting
   * controller reads the entry only after the record is there). The entry is added whether or not the record was
   * stored; so is the activation's pending-table entry removed when the completion names it (a stored record leaves
   * it nothing to guarantee). All keys must live on one Redis node.
   */
  putRecordAndComplete(record: ActivationRecord, ttlSeconds: number, completion: CompletionEntry, json?: string): Promise<boolean>;
  /** The record, whatever its namespace; callers check `record.namespace`. */
  getRecord(activationId: string): Promise<ActivationRecord | undefined>;
  /** Records of the invoking namespace, newest `start` first. */
  list(namespace: string, query: ActivationQuery): Promise<ActivationRecord[]>;
  /** The same page as `list`, as list items: reads the stored summaries, never the records' logs or results. */
  listSummaries(namespace: string, query: ActivationQuery): Promise<ActivationSummary[]>;
  count(namespace: string, query: Omit<ActivationQuery, 'limit'>): Promise<number>;
}

// KEYS, ARGV and result: the file's header.
const PUT_ONCE = luaScript(import.meta.dirname, 'put-record.lua');

export function activationStore(redis: RedisClient, keys: RedisKeys): ActivationStore {
  const indexKey = (namespace: string, name: string | undefined) =>
    name === undefined ? keys.activationsByNamespace(namespace) : keys.activationsByName(namespace, name);
  const bounds = (q: { since?: number; upto?: number }) =>
    [q.upto === undefined ? '+inf' : String(q.upto), q.since === undefined ? '-inf' : String(q.since)] as const;

  const page = async (namespace: string, query: ActivationQuery) => {
    const index = indexKey(namespace, query.name);
    const [max, min] = bounds(query);
    return { index, ids: await redis.zrevrangebyscore(index, max, min, 'LIMIT', query.skip, query.limit) };
  };
  const dropExpired = async (index: string, ids: string[]): Promise<void> => {
    if (ids.length > 0) await redis.zrem(index, ...ids);
  };

  /** `json`: the record's JSON when the caller made it already (a blocking invoke's completion carries it too). */
  const put = async (record: ActivationRecord, ttlSeconds: number, completion: CompletionEntry | undefined, json = JSON.stringify(record)): Promise<boolean> => {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    const cutoff = Date.now() - ttl * 1000;
    const keyList = [
      keys.activation(record.activationId),
      keys.activationSummary(record.activationId),
      keys.activationsByNamespace(record.namespace),
      keys.activationsByName(record.namespace, activationFilterName(record)),
    ];
    const args = [json, String(ttl), String(record.start), record.activationId, String(cutoff), JSON.stringify(activationSummary(record))];
    if (completion) {
      keyList.push(completion.stream, ...(completion.pending ?? []));
      args.push(String(completion.maxLength), ...completion.fields);
    }
    return (await runScript(redis, PUT_ONCE, keyList, args)) === 1;
  };

  return {
    putRecord: (record, ttlSeconds) => put(record, ttlSeconds, undefined),
    putRecordAndComplete: (record, ttlSeconds, completion, json) => put(record, ttlSeconds, completion, json),

    async getRecord(activationId) {
      const json = await redis.get(keys.activation(activationId));
      return json === null ? undefined : (JSON.parse(json) as ActivationRecord);
    },

    async list(namespace, query) {
      const { index, ids } = await page(namespace, query);
      if (ids.length === 0) return [];
      const docs = await redis.mget(ids.map((id) => keys.activation(id)));
      await dropExpired(index, ids.filter((_, i) => docs[i] === null));
      return docs.flatMap((json) => (json === null ? [] : [JSON.parse(json) as ActivationRecord]));
    },

    async listSummaries(namespace, query) {
      const { index, ids } = await page(namespace, query);
      if (ids.length === 0) return [];
      const summaries = await redis.mget(ids.map((id) => keys.activationSummary(id)));
      // Records stored before summaries existed: summarised from the full record (only those are read whole).
      const older = ids.filter((_, i) => summaries[i] === null);
      const records = new Map<string, string | null>();
      if (older.length > 0) {
        const docs = await redis.mget(older.map((id) => keys.activation(id)));
        older.forEach((id, i) => records.set(id, docs[i] ?? null));
        await dropExpired(index, older.filter((id) => records.get(id) === null));
      }
      return ids.flatMap((id, i) => {
        const summary = summaries[i];
        if (summary !== null && summary !== undefined) return [JSON.parse(summary) as ActivationSummary];
        const record = records.get(id);
        return record ? [activationSummary(JSON.parse(record) as ActivationRecord)] : [];
      });
    },

    async count(namespace, query) {
      const [max, min] = bounds(query);
      const n = await redis.zcount(indexKey(namespace, query.name), min, max);
      return Math.max(0, n - query.skip);
    },
  };
}
