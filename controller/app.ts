// The controller's HTTP applications, each a Koa app built from small middleware:
//   - the REST API: OpenWhisk's API v1 and the platform routes;
//   - the web origin: web actions (/api/v1/web/...) on a listener of their own, so that a tenant's page never runs
//     on the API's origin (docs/tenant-isolation.md).
// Reading order of a request to the API:
//   trace span → metrics → request id → logging → errors → web actions' redirect (/api/v1/web/... → web origin)
//   → refusal of browser pages (web origin, non-JSON POST) → CORS (+ OPTIONS)
//   → platform routes (/ping, /, /api/v1, /invokers, /metrics)
//   → auth (Basic) → trace tenant → no HEAD → namespaces, actions, triggers, rules, activations routers → 404/405 (in the error
//   middleware)
// and to the web origin:
//   trace span → metrics → request id → logging → no platform-realm challenge → errors → web actions → 404
// Everything the apps need comes in through AppDeps, so tests can run them against a real Redis with a fake
// activator, and main can wire the real one.
import Koa from 'koa';
import { MethodNotAllowedError, NotFoundError } from '../shared/errors.ts';
import { authenticate } from './middleware/auth.ts';
import { cors } from './middleware/cors.ts';
import { errorHandler } from './middleware/errors.ts';
import { requestLogger } from './middleware/logging.ts';
import { requestId } from './middleware/request-id.ts';
import type { AppMiddleware, AppRouter, AppState } from './middleware/state.ts';
import { httpServerSpan, traceTenant } from './middleware/tracing.ts';
import { httpMetrics } from './middleware/metrics.ts';
import { redirectWebActions, refuseBrowserPages } from './middleware/web-origin.ts';
import { noPlatformChallenge } from './web/platform-realm.ts';
import type { Registry } from '../shared/metrics.ts';
import type { FeedProvider } from './feeds/feed-service.ts';
import { actionRoutes } from './routes/actions.ts';
import { activationRoutes } from './routes/activations.ts';
import type { TraceReader } from './traces/trace-reader.ts';
import { type FeedAction, feedRoutes } from './routes/feeds.ts';
import { type AlarmFeeds, alarmFeedActions } from './alarms/alarm-feeds.ts';
import { KAFKA_FEED_ACTION, KAFKA_FEED_NAMESPACE, KAFKA_FEED_PACKAGE } from './feeds/kafka-feed.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { packageRoutes } from './routes/packages.ts';
import { packageService } from './entities/package-service.ts';
import { ruleRoutes } from './routes/rules.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { webRoutes } from './routes/web.ts';
import { type BuildInfo, type InvokerHealth, systemRoutes } from './routes/system.ts';
import { createServices, type ServiceDeps, type Services } from './services.ts';

export type { Logger } from './middleware/logging.ts';

export const API_PREFIX = '/api/v1';

export interface AppDeps extends ServiceDeps {
  /** Backs `GET /invokers`, `/invokers/healthy/count`, `/invokers/ready`; none → no invokers. */
  invokerHealth?: InvokerHealth;
  /** `build`/`buildno` of `GET /api/v1`. */
  build?: BuildInfo;
  /** Services built beforehand (main shares them with the feed consumers); built from the deps otherwise. */
  services?: Services;
  /** Serves the Kafka feed action `/whisk.system/messaging/kafkaFeed`; without it that action does not exist. */
  feeds?: FeedProvider;
  /** Serve the alarm feed actions `/whisk.system/alarms/{alarm,interval,once}`; without them those actions do not exist. */
  alarms?: AlarmFeeds;
  /** Prometheus registry: requests are measured into it and `GET /metrics` serves it; none → neither. */
  metrics?: Registry;
  /** Backs `GET .../activations/{id}/trace`; none → that route answers 503. */
  traces?: TraceReader;
  /** Public base URL of the web origin (`ISOWHISK_WEB_URL`): the API redirects web action URLs there and refuses its pages. */
  webUrl: string;
}

export interface Apps {
  /** The REST API. */
  api: Koa<AppState>;
  /** The web actions, on an origin of their own. */
  web: Koa<AppState>;
}

/**
 * HEAD is not served on the REST API (OpenWhisk runs with `transparent-head-requests = off`); the router would
 * answer it as a GET, so it is refused first: 405 listing the methods the path has, or 404.
 */
function noHead(routers: readonly AppRouter[]): AppMiddleware {
  return async (ctx, next) => {
    if (ctx.method !== 'HEAD') return next();
    const methods = new Set<string>();
    for (const router of routers) {
      for (const layer of router.match(ctx.path, 'HEAD').path) {
        for (const m of layer.methods) if (m !== 'HEAD') methods.add(m);
      }
    }
    if (methods.size === 0) throw NotFoundError.route();
    throw new MethodNotAllowedError([...methods]);
  };
}

/** Only requests under the API prefix need credentials; others fall through to the 404 handling. */
function underPrefix(prefix: string, middleware: AppMiddleware): AppMiddleware {
  return (ctx, next) => (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, next) : next());
}

/** A Koa app with the head every request meets: trace span, metrics, request id, logging. */
function platformApp(deps: AppDeps, measure: AppMiddleware | undefined): Koa<AppState> {
  const app = new Koa<AppState>();
  app.proxy = false;
  app.silent = true; // errors are logged by the error middleware
  app.use(httpServerSpan());
  if (measure) app.use(measure);
  app.use(requestId());
  app.use(requestLogger(deps.logger));
  return app;
}

export function createApps(deps: AppDeps): Apps {
  const { identities, activations, actions, invoke, triggers, rules, fire, storeRecord } = deps.services ?? createServices(deps);
  const measure = deps.metrics ? httpMetrics(deps.metrics) : undefined; // one set of metrics for both listeners

  const system = systemRoutes({
    limits: deps.limits,
    build: deps.build ?? { date: new Date().toISOString().slice(0, 10), buildno: 'isowhisk' },
    invokerHealth: deps.invokerHealth,
    metrics: deps.metrics,
    webUrl: deps.webUrl,
  });
  const feedActions: FeedAction[] = [
    ...(deps.feeds ? [{ namespace: KAFKA_FEED_NAMESPACE, pkg: KAFKA_FEED_PACKAGE, action: KAFKA_FEED_ACTION, provider: deps.feeds, title: 'The Kafka feed' }] : []),
    ...(deps.alarms ? alarmFeedActions(deps.alarms) : []),
  ];
  const routers = [
    namespaceRoutes(deps.limits),
    ...(feedActions.length > 0 ? [feedRoutes({ feeds: feedActions, storeRecord, limits: deps.limits, logger: deps.logger })] : []),
    actionRoutes({ actions, invoke, limits: deps.limits }),
    packageRoutes(packageService(deps.redis, deps.keys, deps.limits)),
    triggerRoutes({ triggers, fire, limits: deps.limits }),
    ruleRoutes(rules),
    activationRoutes(activations, deps.traces),
  ];

  const api = platformApp(deps, measure);
  api.use(errorHandler(deps.logger));
  api.use(redirectWebActions(deps.webUrl));
  api.use(refuseBrowserPages(deps.webUrl));
  api.use(cors(API_PREFIX));
  api.use(system.routes());
  api.use(underPrefix(API_PREFIX, authenticate(identities)));
  api.use(underPrefix(API_PREFIX, traceTenant()));
  api.use(underPrefix(API_PREFIX, noHead(routers)));
  for (const router of routers) api.use(router.routes());
  api.use(system.allowedMethods()); // reads the matches of every router above: sets 405 + Allow

  const web = platformApp(deps, measure);
  web.use(noPlatformChallenge());
  web.use(errorHandler(deps.logger));
  web.use(webRoutes({ identities, actions, invoke, limits: deps.limits })); // own CORS, credentials optional
  return { api, web };
}
