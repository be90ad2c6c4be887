// Helpers for end-to-end suites: a fresh namespace on the shared test platform and an `openwhisk` client for it
// (records are waited for with test/support/records.ts).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import openwhisk from 'openwhisk';
import { createNamespace } from '../../shared/identities.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { testPlatform } from './stack.ts';

export type Client = ReturnType<typeof openwhisk>;

export interface TestNamespace {
  name: string;
  apiKey: string;
  apiHost: string;
  /** Base URL of the web actions' origin: `<webUrl>/api/v1/web/<namespace>/...`. */
  webUrl: string;
  ow: Client;
}

/** A namespace of its own for one suite or test, so tests never see each other's entities. */
export async function freshNamespace(prefix = 'ns'): Promise<TestNamespace> {
  return namedNamespace(freshName(prefix));
}

/** A name no namespace has yet: `<prefix>-<8 hex digits>`. */
export const freshName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** Creates namespace `name` (chosen beforehand with `freshName`) on the shared test platform. */
export async function namedNamespace(name: string): Promise<TestNamespace> {
  const platform = await testPlatform();
  const redis = new Redis(platform.redisUrl);
  try {
    const apiKey = await createNamespace(redis, redisKeys(), name);
    return { name, apiKey, apiHost: platform.apiHost, webUrl: platform.webUrl, ow: openwhisk({ apihost: platform.apiHost, api_key: apiKey }) };
  } finally {
    redis.disconnect();
  }
}

/** The extended activation record as the API returns it. */
export interface Activation {
  activationId: string;
  namespace: string;
  name: string;
  subject: string;
  start: number;
  end: number;
  duration: number;
  logs: string[];
  response: { result: unknown; success: boolean; status: string; size?: number };
  annotations: Array<{ key: string; value: unknown }>;
}

export function annotation(record: Activation, key: string): unknown {
  return record.annotations.find((a) => a.key === key)?.value;
}

/** Raw HTTP to the API with a namespace's key, for what the client library hides (status codes, headers). */
export async function api(ns: TestNamespace, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${ns.apiHost}/api/v1${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(ns.apiKey).toString('base64')}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body } : {}),
  });
}
