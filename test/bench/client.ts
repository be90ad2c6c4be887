// The bench's HTTP side: a keep-alive undici Pool, a namespace of its own on the bench stack, and the calls the
// figures make (create an action, invoke it blocking).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { createNamespace } from '../../shared/identities.ts';
import { redisKeys } from '../../shared/redis-keys.ts';

/** The trivial action every latency figure runs. */
export const TRIVIAL_ACTION = 'function main(params) { return { ok: true, n: params.n ?? 0 }; }';
/** The request body of every invoke (and of the HTTP floor). */
export const INVOKE_BODY = JSON.stringify({ n: 1 });
/** Every HTTP call gives up after this long, so no loop can hang. */
const HTTP_TIMEOUT_MS = 30_000;

/** A keep-alive pool of `connections` to `origin` (one per concurrent client). */
export function httpPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: HTTP_TIMEOUT_MS, bodyTimeout: HTTP_TIMEOUT_MS });
}

/**
 * A fresh namespace for this run. Its per-namespace rate limits are lifted (OpenWhisk's default of 60 invokes a
 * minute would otherwise cap the sustained figure at 1/s once throttling is enforced): the bench measures the
 * platform, not a quota.
 */
export async function benchNamespace(redisUrl: string): Promise<{ name: string; apiKey: string }> {
  const keys = redisKeys();
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    const apiKey = await createNamespace(redis, keys, name);
    await redis.set(keys.namespaceLimits(name), JSON.stringify({ invocationsPerMinute: 10_000_000, concurrentInvocations: 100_000 }));
    return { name, apiKey };
  } finally {
    redis.disconnect();
  }
}

export class BenchClient {
  readonly pool: Pool;
  readonly #auth: string;

  constructor(apiHost: string, apiKey: string, connections: number) {
    this.pool = httpPool(apiHost, connections);
    this.#auth = `Basic ${Buffer.from(apiKey).toString('base64')}`;
  }

  /** `web`: annotated `web-export` true, a web action (controller/routes/web.ts), as `wsk action create --web true`. */
  async createAction(name: string, code: string, memoryMB = 256, web = false): Promise<void> {
    const annotations = web ? [{ key: 'web-export', value: true }] : [];
    const body = JSON.stringify({ exec: { kind: 'nodejs:default', code }, limits: { memory: memoryMB }, annotations });
    const res = await this.pool.request({
      method: 'PUT',
      path: `/api/v1/namespaces/_/actions/${name}?overwrite=true`,
      headers: { authorization: this.#auth, 'content-type': 'application/json' },
      body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`creating action ${name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  }

  /** One blocking invoke that must answer 200; returns the response body's length. */
  async invoke(name: string): Promise<number> {
    const res = await this.pool.request({
      method: 'POST',
      path: `/api/v1/namespaces/_/actions/${name}?blocking=true&result=true`,
      headers: { authorization: this.#auth, 'content-type': 'application/json' },
      body: INVOKE_BODY,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`invoke ${name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    return Buffer.byteLength(text);
  }

  /** One non-blocking invoke that must answer 202; returns the activation's id. */
  async invokeNonBlocking(name: string): Promise<string> {
    const res = await this.pool.request({
      method: 'POST',
      path: `/api/v1/namespaces/_/actions/${name}`,
      headers: { authorization: this.#auth, 'content-type': 'application/json' },
      body: INVOKE_BODY,
    });
    const text = await res.body.text();
    if (res.statusCode !== 202) throw new Error(`non-blocking invoke ${name}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    return (JSON.parse(text) as { activationId: string }).activationId;
  }

  /** The activation's record, or undefined while it is not stored yet (404). */
  async activation(id: string): Promise<{ start: number; end: number } | undefined> {
    const res = await this.pool.request({ method: 'GET', path: `/api/v1/namespaces/_/activations/${id}`, headers: { authorization: this.#auth } });
    const text = await res.body.text();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw new Error(`activation ${id}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
    return JSON.parse(text) as { start: number; end: number };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
