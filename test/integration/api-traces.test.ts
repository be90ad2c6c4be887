// `GET /api/v1/namespaces/{ns}/activations/{id}/trace` on the real Koa app and the test Redis: ownership is
// checked before the trace backend is asked (403/404 exactly as for the record, whatever the backend's state);
// the reader is asked for the caller's namespace, with the activation's id when it ran; and the answers when the
// trace is missing, tracing was off, or the backend is down or not configured.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { createApps } from '../../controller/app.ts';
import { identityStore } from '../../shared/identities.ts';
import { DEFAULT_LIMITS } from '../../controller/entities/models/limits.ts';
import { silentLogger } from '../../controller/middleware/logging.ts';
import type { Trace } from '../../controller/traces/tenant-trace.ts';
import { jaegerTraceReader, type TraceQuery, type TraceReader } from '../../controller/traces/trace-reader.ts';
import { activationStore } from '../../shared/activation-store.ts';
import type { ActivationRecord } from '../../shared/activation-record.ts';
import { newActivationId } from '../../shared/ids.ts';
import { redisKeys } from '../../shared/redis-keys.ts';
import { call, randomName, ScriptedActivator } from '../support/api-harness.ts';
import { testRedis } from '../support/stack.ts';

const TRACE_ID = 'c'.repeat(32);

/** A reader that remembers its queries and answers with `answer`. */
class ScriptedReader implements TraceReader {
  queries: TraceQuery[] = [];
  answer: () => Promise<Trace | undefined> = async () => undefined;
  read(query: TraceQuery): Promise<Trace | undefined> {
    this.queries.push(query);
    return this.answer();
  }
}

describe('api: activation traces', () => {
  let redis: Redis;
  const servers: Server[] = [];
  const keys = redisKeys();

  before(async () => {
    redis = new Redis(await testRedis());
  });
  after(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    redis.disconnect();
  });

  /** The app with `traces` behind it, and a fresh namespace's Basic auth. */
  async function app(traces: TraceReader | undefined) {
    const activations = activationStore(redis, keys);
    const identities = identityStore(redis, keys);
    // The web origin is never served here: only the API is under test.
    const koa = createApps({ redis, keys, logger: silentLogger, limits: DEFAULT_LIMITS, activator: new ScriptedActivator(), identities, activations, webUrl: 'http://127.0.0.1:1', ...(traces ? { traces } : {}) }).api;
    const server: Server = await new Promise((resolve) => {
      const s = koa.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/namespaces`;
    const tenant = async () => {
      const namespace = randomName();
      const key = await identities.createNamespace(namespace);
      return { namespace, auth: `Basic ${Buffer.from(key).toString('base64')}` };
    };
    const store = async (namespace: string, annotations: ActivationRecord['annotations']): Promise<string> => {
      const activationId = newActivationId();
      const start = Date.now();
      await activations.putRecord(
        { namespace, name: 'hello', subject: namespace, activationId, start, end: start + 1, response: { statusCode: 0, result: {} }, logs: [], version: '0.0.1', publish: false, annotations },
        60,
      );
      return activationId;
    };
    return { base, tenant, store };
  }

  it("asks the reader for the caller's spans only after the ownership checks, which answer as for the record", async () => {
    const reader = new ScriptedReader();
    const { base, tenant, store } = await app(reader);
    const [owner, other] = await Promise.all([tenant(), tenant()]);
    const ran = await store(owner.namespace, [{ key: 'kind', value: 'nodejs:24' }, { key: 'traceId', value: TRACE_ID }]);
    const fired = await store(owner.namespace, [{ key: 'traceId', value: TRACE_ID }]);
    const view: Trace = { traceID: TRACE_ID, spans: [], processes: {} };
    reader.answer = async () => view;

    const got = await call(`${base}/_/activations/${ran}/trace`, { auth: owner.auth });
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, view);
    assert.equal((await call(`${base}/${owner.namespace}/activations/${fired}/trace`, { auth: owner.auth })).status, 200);
    assert.deepEqual(reader.queries, [
      { traceId: TRACE_ID, namespace: owner.namespace, ranAs: ran },
      { traceId: TRACE_ID, namespace: owner.namespace }, // a trigger's record: no run to wait for
    ]);

    reader.queries = [];
    const notFound = await call(`${base}/_/activations/${ran}/trace`, { auth: other.auth });
    assert.equal(notFound.status, 404);
    assert.equal(notFound.json.error, 'The requested resource does not exist.');
    const forbidden = await call(`${base}/${owner.namespace}/activations/${ran}/trace`, { auth: other.auth });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.json.error, `The supplied authentication is not authorized to access '${owner.namespace}/${ran}'.`);
    assert.equal((await call(`${base}/_/activations/${ran}/trace`)).status, 401);
    assert.equal((await call(`${base}/_/activations/not-an-id/trace`, { auth: owner.auth })).status, 400);
    assert.deepEqual(reader.queries, [], 'the backend is never asked for another namespace\'s activation');
  });

  it('says when the trace is not there, tracing was off, or the backend is down or not configured', async () => {
    const reader = new ScriptedReader();
    const { base, tenant, store } = await app(reader);
    const owner = await tenant();
    const traced = await store(owner.namespace, [{ key: 'kind', value: 'nodejs:24' }, { key: 'traceId', value: TRACE_ID }]);
    const untraced = await store(owner.namespace, [{ key: 'kind', value: 'nodejs:24' }]);

    const missing = await call(`${base}/_/activations/${traced}/trace`, { auth: owner.auth });
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, `The trace of activation ${traced} is not in the trace backend (yet); try again later.`);
    const off = await call(`${base}/_/activations/${untraced}/trace`, { auth: owner.auth });
    assert.equal(off.status, 404);
    assert.equal(off.json.error, 'The activation has no trace: it ran while tracing was off.');

    const down = await app(jaegerTraceReader({ url: 'http://127.0.0.1:1', waitMs: 0 }));
    const downOwner = await down.tenant();
    const downId = await down.store(downOwner.namespace, [{ key: 'kind', value: 'nodejs:24' }, { key: 'traceId', value: TRACE_ID }]);
    const unavailable = await call(`${down.base}/_/activations/${downId}/trace`, { auth: downOwner.auth });
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.json.error, 'The trace backend is not available; try again later.');
    assert.match(String(unavailable.json.code), /\S/);

    const none = await app(undefined);
    const noneOwner = await none.tenant();
    const noneId = await none.store(noneOwner.namespace, [{ key: 'traceId', value: TRACE_ID }]);
    const unconfigured = await call(`${none.base}/_/activations/${noneId}/trace`, { auth: noneOwner.auth });
    assert.equal(unconfigured.status, 503);
    assert.equal(unconfigured.json.error, 'Traces are not available: this deployment reads no trace backend.');
  });
});
