// Completions travel from invokers to the controller that accepted the activation through that controller's own
// Redis stream (`completions:<controllerId>`), written with XADD ... MAXLEN ~ and read with a blocking XREAD.
import type { RedisClient } from './redis-connection.ts';
import type { Logger } from 'pino';
import type { RedisKeys } from './redis-keys.ts';

export interface Completion {
  activationId: string;
  invokerId: number;
  /** 0 success, 1 application error, 2 developer error, 3 whisk internal error. */
  statusCode: number;
  /**
   * The invoker recorded it without running it, past its start deadline (status 3): a backlog after an outage, not
   * a failure of that invoker, so it does not count against the invoker's health.
   */
  expired?: true;
  /** The stored record as JSON, sent for blocking activations so the waiting request needs no extra read. */
  record?: string;
  /**
   * The activation's pending-table entry (controller/durability/pending-table.ts) was removed with the record, in
   * the same script: the controller has nothing left to clean up.
   */
  pendingCleared?: true;
}

/**
 * How long an invoker keeps retrying to store a record and publish its completion (a Redis restart). A controller
 * that finds an activation claimed by an invoker but unrecorded waits this long before writing its own record.
 */
export const RECORD_STORE_RETRY_MS = 120_000;

/** The stream keeps about this many entries; a reader that falls further behind has lost its waiters anyway. */
const STREAM_MAX_LENGTH = 10_000;

/**
 * A completion as the stream entry it becomes: which stream, its fields, and the stream's trim length; with
 * `pending`, the keys of the activation's pending-table entry to remove as the record is stored.
 */
export interface CompletionEntry {
  stream: string;
  fields: string[];
  maxLength: number;
  /** The entry, the controller's index and the invoker's index (see redis-keys.ts `pending*`). */
  pending?: [entry: string, byController: string, byInvoker: string];
}

export function completionEntry(keys: RedisKeys, controllerId: number, completion: Completion): CompletionEntry {
  const fields = ['id', completion.activationId, 'invoker', String(completion.invokerId), 'status', String(completion.statusCode)];
  if (completion.expired) fields.push('expired', '1');
  if (completion.record !== undefined) fields.push('record', completion.record);
  const entry: CompletionEntry = { stream: keys.completions(controllerId), fields, maxLength: STREAM_MAX_LENGTH };
  if (completion.pendingCleared) {
    fields.push('cleared', '1');
    entry.pending = [keys.pending(completion.activationId), keys.pendingByController(controllerId), keys.pendingByInvoker(completion.invokerId)];
  }
  return entry;
}

export async function publishCompletion(redis: RedisClient, keys: RedisKeys, controllerId: number, completion: Completion): Promise<void> {
  const { stream, fields, maxLength } = completionEntry(keys, controllerId, completion);
  await redis.xadd(stream, 'MAXLEN', '~', maxLength, '*', ...fields);
}

/**
 * Reads one controller's completion stream from the moment it starts, handing each completion to `onCompletion`.
 * It needs a connection of its own: XREAD BLOCK holds the connection while it waits.
 */
export class CompletionReader {
  readonly #redis: RedisClient;
  readonly #key: string;
  readonly #logger: Logger;
  readonly #onCompletion: (c: Completion) => void;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(redis: RedisClient, keys: RedisKeys, controllerId: number, logger: Logger, onCompletion: (c: Completion) => void) {
    this.#redis = redis;
    this.#key = keys.completions(controllerId);
    this.#logger = logger;
    this.#onCompletion = onCompletion;
  }

  /** Resolves once the reader has fixed its starting point: every completion published after that is delivered. */
  async start(): Promise<void> {
    this.#running = true;
    const from = await this.#newestId();
    this.#loop = this.#read(from);
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#redis.disconnect();
    await this.#loop;
  }

  async #read(from: string): Promise<void> {
    let lastId = from;
    while (this.#running) {
      try {
        const reply = await this.#redis.xread('COUNT', 512, 'BLOCK', 1000, 'STREAMS', this.#key, lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            this.#deliver(fields);
          }
        }
      } catch (err) {
        if (!this.#running) return;
        // Redis restarting: ioredis reconnects by itself; wait a moment instead of spinning.
        this.#logger.warn({ err }, 'reading completions failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** The newest entry's id ('$' on every XREAD call would skip entries added between two calls). */
  async #newestId(): Promise<string> {
    for (;;) {
      try {
        const newest = await this.#redis.xrevrange(this.#key, '+', '-', 'COUNT', 1);
        return newest[0]?.[0] ?? '0-0';
      } catch (err) {
        if (!this.#running) return '0-0';
        this.#logger.warn({ err }, 'reading the completion stream failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  #deliver(fields: string[]): void {
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
    const activationId = map.get('id');
    if (!activationId) return;
    const record = map.get('record');
    this.#onCompletion({
      activationId,
      invokerId: Number(map.get('invoker')),
      statusCode: Number(map.get('status')),
      ...(map.get('expired') === '1' ? { expired: true as const } : {}),
      ...(map.get('cleared') === '1' ? { pendingCleared: true as const } : {}),
      ...(record !== undefined ? { record } : {}),
    });
  }
}
