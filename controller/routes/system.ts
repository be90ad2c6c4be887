// Routes outside the authenticated REST API (`CTL/Controller.scala`, `CTL/RestAPIs.scala`):
// `GET /ping`, `GET /` (platform description), `GET /api/v1` (API description), the invoker health seam and
// `GET /metrics` (Prometheus), and the API's OpenAPI document (`GET /api/v1/api-docs`) with its page (`GET /api/v1/docs`),
// the `swagger_paths` of `GET /api/v1`, open without credentials as in OpenWhisk.
import { newRouter } from './router.ts';
import type { AppRouter } from '../middleware/state.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { RUNTIMES } from '../entities/models/runtimes.ts';
import { exposition, type Registry } from '../../shared/metrics.ts';
import { API_DOCS_PATH, DOCS_PAGE_PATH, openApiDocument } from '../api-docs/openapi.ts';
import { docsPage } from '../api-docs/docs-page.ts';

export type InvokerStatus = 'up' | 'unhealthy' | 'unresponsive' | 'down';

/** Invoker health as the load balancer sees it: `{"invoker0/<id>": "up", ...}`. */
export type InvokerHealth = () => Promise<Record<string, InvokerStatus>>;

export interface BuildInfo {
  /** Build date (OpenWhisk's `build`). */
  date: string;
  /** Build number (OpenWhisk's `buildno`). */
  buildno: string;
}

export interface SystemRoutesDeps {
  limits: SystemLimits;
  build: BuildInfo;
  invokerHealth: InvokerHealth | undefined;
  /** Served at `GET /metrics`; none → no such route. */
  metrics?: Registry | undefined;
  /** Public base URL of the web actions, shown as `web_url` in `GET /api/v1`. */
  webUrl: string;
}

const MB = 1024 * 1024;

/** The body of `GET /` (`Controller.info`); memory and log sizes in bytes, durations in ms. */
export function platformInfo(limits: SystemLimits): Record<string, unknown> {
  const { actionTimeout: t, actionMemory: m, actionLogs: l } = limits;
  return {
    description: 'OpenWhisk',
    support: { github: 'https://github.com/apache/openwhisk/issues', slack: 'http://slack.openwhisk.org' },
    api_paths: ['/api/v1'],
    limits: {
      actions_per_minute: limits.invocationsPerMinute,
      triggers_per_minute: limits.firesPerMinute,
      concurrent_actions: limits.concurrentInvocations,
      sequence_length: limits.sequenceMaxLength,
      // this platform has one set of bounds; OpenWhisk distinguishes namespace defaults from system bounds
      default_min_action_duration: t.min,
      default_max_action_duration: t.max,
      default_min_action_memory: m.min * MB,
      default_max_action_memory: m.max * MB,
      default_min_action_logs: l.min * MB,
      default_max_action_logs: l.max * MB,
      min_action_duration: t.min,
      max_action_duration: t.max,
      min_action_memory: m.min * MB,
      max_action_memory: m.max * MB,
      min_action_logs: l.min * MB,
      max_action_logs: l.max * MB,
    },
    runtimes: RUNTIMES,
  };
}

/**
 * The body of `GET /api/v1`. `web_url` is Isowhisk's own: the base URL of the web actions' origin, so a client can
 * print `<web_url>/api/v1/web/<namespace>/<package>/<action>`; OpenWhisk's clients ignore it.
 */
export function apiInfo(build: BuildInfo, webUrl: string): Record<string, unknown> {
  return {
    description: 'OpenWhisk API',
    api_version: '1.0.0',
    api_version_path: 'v1',
    build: build.date,
    buildno: build.buildno,
    swagger_paths: { ui: '/docs', 'api-docs': '/api-docs' },
    web_url: webUrl,
  };
}

export function systemRoutes(deps: SystemRoutesDeps): AppRouter {
  const router = newRouter();

  router.get('/ping', (ctx) => {
    ctx.type = 'text/plain';
    ctx.body = 'pong';
  });
  router.get('/', (ctx) => {
    ctx.body = platformInfo(deps.limits);
  });
  router.get(['/api/v1', '/api/v1/'], (ctx) => {
    ctx.body = apiInfo(deps.build, deps.webUrl);
  });

  const apiDocs = openApiDocument(deps.build);
  const page = docsPage(apiDocs, API_DOCS_PATH);
  router.get(API_DOCS_PATH, (ctx) => {
    ctx.body = apiDocs;
  });
  router.get(DOCS_PAGE_PATH, (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    // the page is self-contained: its own inline style, no scripts, nothing loaded from elsewhere
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.body = page;
  });

  const health = async (): Promise<Record<string, InvokerStatus>> => (deps.invokerHealth ? deps.invokerHealth() : {});
  router.get(['/invokers', '/invokers/'], async (ctx) => {
    ctx.body = await health();
  });
  router.get('/invokers/healthy/count', async (ctx) => {
    ctx.type = 'application/json';
    ctx.body = String(Object.values(await health()).filter((s) => s === 'up').length);
  });
  router.get('/invokers/ready', async (ctx) => {
    const all = Object.values(await health());
    const healthy = all.filter((s) => s === 'up').length;
    if (all.length > 0 && healthy === all.length) {
      ctx.body = { healthy: `${healthy}/${all.length}` };
    } else {
      ctx.status = 500;
      ctx.body = { unhealthy: `${all.length - healthy}/${all.length}` };
    }
  });
  const { metrics } = deps;
  if (metrics) {
    router.get('/metrics', async (ctx) => {
      const { contentType, body } = await exposition(metrics);
      ctx.type = contentType;
      ctx.body = body;
    });
  }
  return router;
}
