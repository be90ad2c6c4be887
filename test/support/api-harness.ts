// Test harness for the controller's HTTP API: the real apps (REST API and web origin) on ephemeral ports against the
// shared test Redis, with an in-test Activator whose behaviour each test sets. Used by test/integration/api-*.test.ts.
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import openwhisk from 'openwhisk';
import { createApps } from '../../controller/app.ts';
import { identityStore, type IdentityStore } from '../../shared/identities.ts';
import { activationStore, type ActivationStore } from '../../shared/activation-store.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import type { ActivationPlan, ActivationStarted, Activator } from '../../controller/activator/activator.ts';
import { DEFAULT_LIMITS, type SystemLimits } from '../../controller/entities/models/limits.ts';
import { silentLogger } from '../../controller/middleware/logging.ts';
import type { InvokerHealth } from '../../controller/routes/system.ts';
import { testRedis } from './stack.ts';
import { redisKeys, type RedisKeys } from '../../shared/redis-keys.ts';

/** An Activator whose answer each test chooses; it remembers every plan it was given. */
export class ScriptedActivator implements Activator {
  plans: ActivationPlan[] = [];
  handler = ScriptedActivator.accept;

  /** The default answer: accepted, never completed. */
  static async accept(plan: ActivationPlan): Promise<ActivationStarted> {
    return { activationId: plan.activationId, result: Promise.resolve(undefined) };
  }

  /** What `inFlightFor` answers, per namespace (the concurrency throttle reads it). */
  inFlight = new Map<string, number>();

  inFlightFor(namespace: string): number {
    return this.inFlight.get(namespace) ?? 0;
  }

  /** Forgets the plans and goes back to the default answer (before each test). */
  reset(): void {
    this.plans = [];
    this.handler = ScriptedActivator.accept;
    this.inFlight.clear();
  }

  async activate(plan: ActivationPlan): Promise<ActivationStarted> {
    this.plans.push(plan);
    return this.handler(plan);
  }

  /** Completes every activation with a record built from the plan. */
  completeWith(make: (plan: ActivationPlan) => Partial<ActivationRecord> & Pick<ActivationRecord, 'response'>): void {
    this.handler = async (plan) => ({ activationId: plan.activationId, result: Promise.resolve(recordFor(plan, make(plan))) });
  }
}

export function recordFor(plan: ActivationPlan, fields: Partial<ActivationRecord> & Pick<ActivationRecord, 'response'>): ActivationRecord {
  const start = Date.now();
  return {
    namespace: plan.identity.namespace,
    name: plan.action.name,
    subject: plan.identity.subject,
    activationId: plan.activationId,
    start,
    end: start + 5,
    logs: [],
    version: plan.action.version,
    publish: false,
    annotations: [
      { key: 'path', value: plan.action.path },
      { key: 'kind', value: plan.action.kind },
      { key: 'limits', value: plan.limits },
    ],
    ...fields,
  };
}

export interface ApiHarness {
  /** The REST API's base URL. */
  url: string;
  /** The web origin's base URL (web actions: `<webUrl>/api/v1/web/...`). */
  webUrl: string;
  redis: Redis;
  keys: RedisKeys;
  identities: IdentityStore;
  activations: ActivationStore;
  activator: ScriptedActivator;
  invokers: Record<string, 'up' | 'unhealthy' | 'unresponsive' | 'down'>;
  /** A fresh namespace with its key and an `openwhisk` client for it. */
  newNamespace(): Promise<Tenant>;
  close(): Promise<void>;
}

export interface Tenant {
  namespace: string;
  apiKey: string;
  auth: string;
  ow: openwhisk.Client;
}

export const randomName = (prefix = 'ns'): string => `${prefix}-${randomBytes(6).toString('hex')}`;

export async function startApi(limits: SystemLimits = DEFAULT_LIMITS): Promise<ApiHarness> {
  const redisUrl = await testRedis();
  const redis = new Redis(redisUrl);
  const keys = redisKeys();
  const identities = identityStore(redis, keys);
  const activations = activationStore(redis, keys);
  const activator = new ScriptedActivator();
  const invokers: ApiHarness['invokers'] = {};
  const invokerHealth: InvokerHealth = async () => ({ ...invokers });
  const listen = (server: Server): Promise<string> =>
    new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  const webServer = createServer(); // listening first: the API redirects to its URL
  const webUrl = await listen(webServer);
  const apps = createApps({ redis, keys, logger: silentLogger, limits, activator, identities, activations, invokerHealth, webUrl });
  webServer.on('request', apps.web.callback());
  const server = createServer(apps.api.callback());
  const url = await listen(server);
  return {
    url,
    webUrl,
    redis,
    keys,
    identities,
    activations,
    activator,
    invokers,
    async newNamespace() {
      const namespace = randomName();
      const apiKey = await identities.createNamespace(namespace);
      return {
        namespace,
        apiKey,
        auth: `Basic ${Buffer.from(apiKey).toString('base64')}`,
        ow: openwhisk({ apihost: url, api_key: apiKey }),
      };
    },
    async close() {
      for (const s of [server, webServer]) s.closeAllConnections();
      await Promise.all([server, webServer].map((s) => new Promise((resolve) => s.close(resolve))));
      redis.disconnect();
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** A raw HTTP request with fetch; `body` objects are sent as JSON. */
export async function call(
  url: string,
  options: { method?: string; auth?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.Authorization = options.auth;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(url, { method: options.method ?? 'GET', headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * Registers a suite's hooks: one API server for the suite (closed after it) and a fresh namespace before each
 * test, handed to `bind` so the suite keeps them in its own variables.
 */
export function useApi(bind: (api: ApiHarness, tenant: Tenant) => void): void {
  let api: ApiHarness | undefined;
  before(async () => {
    api = await startApi();
  });
  after(async () => {
    await api?.close();
  });
  beforeEach(async () => {
    api!.activator.reset();
    bind(api!, await api!.newNamespace());
  });
}
