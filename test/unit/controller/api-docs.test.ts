// The OpenAPI document (controller/api-docs/openapi.ts) against the routers the REST API really registers: every
// route is documented and every documented operation is routed, so the two cannot drift apart. The apps are built
// with every optional router present (feeds, metrics) on a Redis that is never connected: building them reads
// nothing, and the documentation routes read nothing either.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '@koa/router';
import { Redis } from 'ioredis';
import type Koa from 'koa';
import { createApps } from '../../../controller/app.ts';
import { API_DOCS_PATH, DOCS_PAGE_PATH, openApiDocument } from '../../../controller/api-docs/openapi.ts';
import type { Activator } from '../../../controller/activator/activator.ts';
import { DEFAULT_LIMITS } from '../../../controller/entities/models/limits.ts';
import type { FeedProvider } from '../../../controller/feeds/feed-service.ts';
import { silentLogger } from '../../../controller/middleware/logging.ts';
import { apiInfo } from '../../../controller/routes/system.ts';
import { createRegistry } from '../../../shared/metrics.ts';
import { redisKeys } from '../../../shared/redis-keys.ts';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** `/a/:ns/b` → `/a/{ns}/b`, as OpenAPI writes path templates. */
const template = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** Every `METHOD path` the app's routers register, read from each router's layer stack. */
function registeredRoutes(app: Koa): Set<string> {
  const routes = new Set<string>();
  for (const middleware of app.middleware) {
    const router = (middleware as { router?: Router }).router;
    if (!router) continue;
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue; // the router adds HEAD to every GET; the API refuses it (app.ts, noHead)
        routes.add(`${method} ${template(layer.path as string)}`);
      }
    }
  }
  return routes;
}

function documentedRoutes(document: Record<string, unknown>): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(item)) {
      assert.ok(HTTP_METHODS.includes(method), `${path}: ${method} is no HTTP method`);
      routes.add(`${method.toUpperCase()} ${path}`);
    }
  }
  return routes;
}

/** A route registered both with and without a trailing slash is documented once, without it. */
function covered(route: string, documented: Set<string>): boolean {
  return documented.has(route) || (route.endsWith('/') && documented.has(route.replace(/\/$/, '')));
}

describe('OpenAPI document of the REST API', () => {
  const redis = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const build = { date: '2026-01-01', buildno: 'test' };
  const feeds: FeedProvider = { handle: async () => ({}) };
  const activator: Activator = {
    activate: async () => {
      throw new Error('not used');
    },
    inFlightFor: () => 0,
  } as unknown as Activator;
  const apps = createApps({
    redis,
    keys: redisKeys(),
    logger: silentLogger,
    limits: DEFAULT_LIMITS,
    activator,
    webUrl: 'http://127.0.0.1:1',
    build,
    feeds,
    metrics: createRegistry(),
  });
  const document = openApiDocument(build);
  let server: Server;
  let url: string;

  before(async () => {
    server = createServer(apps.api.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    redis.disconnect();
  });

  it('documents every registered route, and routes every documented one', () => {
    const registered = registeredRoutes(apps.api);
    const documented = documentedRoutes(document);
    assert.ok(registered.size > 30, `the routers' stacks were read (${registered.size} routes)`);
    const undocumented = [...registered].filter((r) => !covered(r, documented));
    assert.deepEqual(undocumented, [], 'routes missing from controller/api-docs/openapi.ts');
    const unrouted = [...documented].filter((r) => !registered.has(r));
    assert.deepEqual(unrouted, [], 'documented operations no router registers');
  });

  it('names every path parameter of an operation, and only those', () => {
    const doc = document.paths as Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; operationId: string }>>;
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const op of Object.values(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
        assert.deepEqual(declared, inPath, `${path} ${op.operationId}`);
        assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is used twice`);
        ids.add(op.operationId);
      }
    }
  });

  it('resolves every schema reference', () => {
    const schemas = (document.components as { schemas: Record<string, unknown> }).schemas;
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1] ?? '');
    assert.ok(refs.length > 10);
    for (const name of refs) assert.ok(name in schemas, `no schema ${name}`);
  });

  it('is served at the swagger_paths GET /api/v1 advertises, without credentials', async () => {
    const info = apiInfo(build, 'http://127.0.0.1:1') as { swagger_paths: { ui: string; 'api-docs': string } };
    assert.equal(`/api/v1${info.swagger_paths['api-docs']}`, API_DOCS_PATH);
    assert.equal(`/api/v1${info.swagger_paths.ui}`, DOCS_PAGE_PATH);

    const docs = await fetch(`${url}${API_DOCS_PATH}`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /^application\/json/);
    const served = (await docs.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(served.openapi, '3.0.3');
    assert.deepEqual(served, JSON.parse(JSON.stringify(document)));

    const page = await fetch(`${url}${DOCS_PAGE_PATH}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('content-security-policy'), "default-src 'none'; style-src 'unsafe-inline'");
    const html = await page.text();
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!127\.0\.0\.1)[^"<\s]*\.(js|css)\b/, 'nothing to fetch from elsewhere');
    // every operation of the document is on the page
    for (const [path, item] of Object.entries(served.paths)) {
      for (const method of Object.keys(item as object)) {
        assert.ok(html.includes(`${method.toUpperCase()}</span> <code>${path.replace(/&/g, '&amp;')}</code>`), `${method} ${path} on the page`);
      }
    }
  });
});
