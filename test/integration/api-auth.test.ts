// Cross-cutting API rules (`CTL/RestAPIs.scala`, `CTL/AuthenticatedRoute.scala`, `CTL/Entitlement.scala`): authentication, entitlement, X-Request-ID, CORS, the
// error body, namespaces and limits, and the unauthenticated platform routes.
import assert from 'node:assert/strict';
import openwhisk from 'openwhisk';
import { type ApiHarness, type Tenant, call, randomName, useApi } from '../support/api-harness.ts';
import { OPENWHISK_GUEST_KEY, ensureGuest, identityStore } from '../../shared/identities.ts';
import { redisKeys } from '../../shared/redis-keys.ts';

const CODE = 'function main() { return {}; }';
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('api: authentication, entitlement and cross-cutting rules', () => {
  let api: ApiHarness;
  let t: Tenant;

  useApi((a, tenant) => {
    api = a;
    t = tenant;
  });

  describe('401', () => {
    it('without credentials', async () => {
      const res = await call(`${api.url}/api/v1/namespaces/_/actions`);
      assert.equal(res.status, 401);
      assert.equal(res.json.error, 'The resource requires authentication, which was not supplied with the request');
      assert.equal(res.json.code, res.headers.get('x-request-id'));
      assert.equal(res.headers.get('www-authenticate'), 'Basic realm="OpenWhisk secure realm"');
    });

    it('with a non-Basic scheme', async () => {
      const res = await call(`${api.url}/api/v1/namespaces`, { auth: 'Bearer abc' });
      assert.equal(res.status, 401);
      assert.equal(res.json.error, 'The resource requires authentication, which was not supplied with the request');
    });

    it('with a wrong key, a short key, an unknown uuid or garbage', async () => {
      const [uuid] = t.apiKey.split(':');
      for (const credentials of [`${uuid}:${'x'.repeat(64)}`, `${uuid}:short`, `00000000-0000-4000-8000-000000000000:${'k'.repeat(64)}`, 'nocolon']) {
        const res = await call(`${api.url}/api/v1/namespaces/_/actions`, { auth: basic(credentials) });
        assert.equal(res.status, 401, credentials);
        assert.equal(res.json.error, 'The supplied authentication is invalid');
        assert.equal(res.headers.get('www-authenticate'), 'Basic realm="OpenWhisk secure realm"');
      }
    });

    it('through the openwhisk client', async () => {
      const [uuid] = t.apiKey.split(':');
      const ow = openwhisk({ apihost: api.url, api_key: `${uuid}:${'z'.repeat(64)}` });
      await assert.rejects(ow.actions.list(), (err: any) => err.statusCode === 401 && /The supplied authentication is invalid/.test(err.message));
    });

    it('stores keys hashed, never in plain text', async () => {
      const [uuid, key] = t.apiKey.split(':') as [string, string];
      const stored = await api.redis.hgetall(api.keys.authKey(uuid));
      assert.equal(stored.namespace, t.namespace);
      assert.ok(stored.keyHash?.startsWith('sha256$'));
      assert.ok(!JSON.stringify(stored).includes(key));
    });
  });

  describe('403 and namespace resolution', () => {
    it('refuses another namespace with OpenWhisk text', async () => {
      const other = await api.newNamespace();
      await other.ow.actions.create({ name: 'theirs', action: CODE });
      const cases: [string, string, string][] = [
        ['GET', `/api/v1/namespaces/${other.namespace}/actions`, other.namespace],
        ['GET', `/api/v1/namespaces/${other.namespace}/actions/theirs`, `${other.namespace}/theirs`],
        ['DELETE', `/api/v1/namespaces/${other.namespace}/actions/theirs`, `${other.namespace}/theirs`],
        ['POST', `/api/v1/namespaces/${other.namespace}/actions/theirs`, `${other.namespace}/theirs`],
        // an action in a package is entitled through the package, which the refusal names (missing or private alike)
        ['GET', `/api/v1/namespaces/${other.namespace}/actions/pkg/theirs`, `${other.namespace}/pkg`],
        ['GET', `/api/v1/namespaces/${other.namespace}/activations`, other.namespace],
        ['GET', `/api/v1/namespaces/${other.namespace}/limits`, other.namespace],
      ];
      for (const [method, path, resource] of cases) {
        const res = await call(`${api.url}${path}`, { method, auth: t.auth });
        assert.equal(res.status, 403, `${method} ${path}`);
        assert.equal(res.json.error, `The supplied authentication is not authorized to access '${resource}'.`);
      }
      const put = await call(`${api.url}/api/v1/namespaces/${other.namespace}/actions/mine`, {
        method: 'PUT',
        auth: t.auth,
        body: { exec: { kind: 'nodejs:24', code: CODE } },
      });
      assert.equal(put.status, 403);
    });

    it('resolves _ and the explicit own namespace alike', async () => {
      await t.ow.actions.create({ name: 'a', action: CODE });
      const own = await call(`${api.url}/api/v1/namespaces/${t.namespace}/actions/a`, { auth: t.auth });
      const underscore = await call(`${api.url}/api/v1/namespaces/_/actions/a`, { auth: t.auth });
      assert.equal(own.status, 200);
      assert.deepEqual(own.json, underscore.json);
    });

    it('lets one key see exactly one namespace', async () => {
      const res = await call(`${api.url}/api/v1/namespaces`, { auth: t.auth });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, [t.namespace]);
      assert.deepEqual(await t.ow.namespaces.list(), [t.namespace]);
    });
  });

  describe('namespace limits', () => {
    it('answers the effective limits', async () => {
      const res = await call(`${api.url}/api/v1/namespaces/_/limits`, { auth: t.auth });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {
        invocationsPerMinute: 60,
        concurrentInvocations: 30,
        firesPerMinute: 60,
        minActionMemory: 128,
        maxActionMemory: 512,
        minActionLogs: 0,
        maxActionLogs: 10,
        minActionTimeout: 100,
        maxActionTimeout: 300000,
        minActionConcurrency: 1,
        maxActionConcurrency: 1,
        maxParameterSize: '1 MB',
        maxActionInstances: 30,
        maxFeeds: 10,
      });
    });

    it('includes overrides', async () => {
      await api.identities.setLimits(t.namespace, { invocationsPerMinute: 10, concurrentInvocations: 5, allowedKinds: ['nodejs:24'], maxPayloadSize: '2 MB', maxFeeds: 3 });
      const res = await call(`${api.url}/api/v1/namespaces/${t.namespace}/limits`, { auth: t.auth });
      assert.equal(res.json.invocationsPerMinute, 10);
      assert.equal(res.json.concurrentInvocations, 5);
      assert.equal(res.json.maxActionInstances, 5);
      assert.deepEqual(res.json.allowedKinds, ['nodejs:24']);
      assert.equal(res.json.maxPayloadSize, '2 MB');
      assert.equal(res.json.maxFeeds, 3);
      const kind = await call(`${api.url}/api/v1/namespaces/_/actions/k`, {
        method: 'PUT',
        auth: t.auth,
        body: { exec: { kind: 'nodejs:20', code: CODE } },
      });
      assert.equal(kind.status, 403);
      assert.equal(kind.json.error, "The supplied authentication is not authorized to access actions of kind 'nodejs:20'.");
    });
  });

  describe('X-Request-ID', () => {
    it('echoes an incoming id and uses it as the error code', async () => {
      const res = await call(`${api.url}/api/v1/namespaces/_/actions/missing`, { auth: t.auth, headers: { 'X-Request-ID': 'my-trace-123' } });
      assert.equal(res.headers.get('x-request-id'), 'my-trace-123');
      assert.equal(res.json.code, 'my-trace-123');
    });

    it('generates a 32-character id otherwise, and for sid_ ids', async () => {
      const variants: Record<string, string>[] = [{}, { 'X-Request-ID': 'sid_internal' }];
      for (const headers of variants) {
        const res = await call(`${api.url}/ping`, { headers });
        assert.match(res.headers.get('x-request-id') ?? '', /^[A-Za-z0-9]{32}$/);
      }
    });
  });

  describe('CORS', () => {
    const expectCors = (headers: Headers) => {
      assert.equal(headers.get('access-control-allow-origin'), '*');
      assert.equal(headers.get('access-control-allow-methods'), 'GET, DELETE, POST, PUT, HEAD');
      assert.equal(headers.get('access-control-allow-headers'), 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent');
    };

    it('answers OPTIONS without credentials', async () => {
      const res = await call(`${api.url}/api/v1/namespaces/_/actions/x`, { method: 'OPTIONS' });
      assert.equal(res.status, 200);
      expectCors(res.headers);
    });

    it('adds the headers to API responses, errors included', async () => {
      expectCors((await call(`${api.url}/api/v1/namespaces`, { auth: t.auth })).headers);
      expectCors((await call(`${api.url}/api/v1/namespaces`)).headers);
    });
  });

  describe('platform routes', () => {
    it('GET /ping', async () => {
      const res = await call(`${api.url}/ping`);
      assert.equal(res.status, 200);
      assert.equal(res.text, 'pong');
    });

    it('GET /api/v1 without credentials', async () => {
      const res = await call(`${api.url}/api/v1`);
      assert.equal(res.status, 200);
      assert.equal(res.json.description, 'OpenWhisk API');
      assert.equal(res.json.api_version, '1.0.0');
      assert.equal(res.json.api_version_path, 'v1');
      assert.deepEqual(res.json.swagger_paths, { ui: '/docs', 'api-docs': '/api-docs' });
      assert.equal(typeof res.json.build, 'string');
      assert.equal(typeof res.json.buildno, 'string');
    });

    it('GET / with limits in bytes and the runtimes', async () => {
      const res = await call(`${api.url}/`);
      assert.equal(res.status, 200);
      assert.equal(res.json.description, 'OpenWhisk');
      assert.deepEqual(res.json.api_paths, ['/api/v1']);
      assert.equal(res.json.limits.max_action_memory, 512 * 1024 * 1024);
      assert.equal(res.json.limits.max_action_duration, 300000);
      assert.equal(res.json.limits.max_action_logs, 10 * 1024 * 1024);
      assert.equal(res.json.limits.sequence_length, 50);
      const kinds = res.json.runtimes.nodejs.map((r: any) => r.kind);
      assert.deepEqual(kinds, ['nodejs:24', 'nodejs:22', 'nodejs:20']);
      assert.equal(res.json.runtimes.nodejs[0].default, true);
    });

    it('GET /invokers from the health seam', async () => {
      api.invokers['invoker0/0'] = 'up';
      api.invokers['invoker1/1'] = 'down';
      try {
        assert.deepEqual((await call(`${api.url}/invokers`)).json, { 'invoker0/0': 'up', 'invoker1/1': 'down' });
        assert.equal((await call(`${api.url}/invokers/healthy/count`)).json, 1);
        const ready = await call(`${api.url}/invokers/ready`);
        assert.equal(ready.status, 500);
        assert.deepEqual(ready.json, { unhealthy: '1/2' });
      } finally {
        delete api.invokers['invoker0/0'];
        delete api.invokers['invoker1/1'];
      }
    });
  });

  describe('identities', () => {
    it('refuses to create a namespace twice', async () => {
      await assert.rejects(api.identities.createNamespace(t.namespace), /already exists/);
    });

    it('rotates a key: the old one stops working', async () => {
      const fresh = await api.identities.rotateKey(t.namespace);
      const res = await call(`${api.url}/api/v1/namespaces`, { auth: basic(fresh) });
      assert.deepEqual(res.json, [t.namespace]);
      const old = await call(`${api.url}/api/v1/namespaces`, { auth: t.auth });
      assert.equal(old.status, 401);
    });

    it('ensureGuest creates guest once and keeps its key stable', async () => {
      // a throwaway key prefix, so the shared test Redis' real guest is untouched
      const prefix = `iw-test-${randomName('guest')}:`;
      const keys = redisKeys(prefix);
      try {
        const first = await ensureGuest(api.redis, keys);
        assert.equal(first, OPENWHISK_GUEST_KEY);
        assert.equal(await ensureGuest(api.redis, keys), first);
        const custom = `${crypto.randomUUID()}:${'g'.repeat(64)}`;
        assert.equal(await ensureGuest(api.redis, keys, custom), custom);
        const [uuid] = custom.split(':') as [string];
        assert.equal(await api.redis.hget(keys.authKey(uuid), 'namespace'), 'guest');
        const [oldUuid] = OPENWHISK_GUEST_KEY.split(':') as [string];
        assert.equal(await api.redis.exists(keys.authKey(oldUuid)), 0);
        assert.equal(await ensureGuest(api.redis, keys, custom), custom);
        const sameUuid = `${uuid}:${'h'.repeat(64)}`;
        assert.equal(await ensureGuest(api.redis, keys, sameUuid), sameUuid);
        const guest = identityStore(api.redis, keys, { cacheTtlMs: 0 });
        assert.equal((await guest.authenticate(uuid, 'h'.repeat(64)))?.namespace, 'guest');
        assert.equal(await guest.authenticate(uuid, 'g'.repeat(64)), undefined);
      } finally {
        const stale = await api.redis.keys(`${prefix}*`);
        if (stale.length > 0) await api.redis.del(...stale);
      }
    });
  });
});
