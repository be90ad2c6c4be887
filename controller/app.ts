// The controller's HTTP application: OpenWhisk's REST API v1 and the platform routes, as a Koa app built from
// small middleware. Reading order of a request:
//   trace span → request id → logging → errors → CORS (+ OPTIONS) → platform routes (/ping, /, /api/v1, /invokers)
//   → auth (Basic) → no HEAD → namespaces, actions, triggers, rules, activations routers → 404/405 (in the error
//   middleware)
// Everything the app needs comes in through AppDeps, so tests can run it against a real Redis with a fake
// activator, and main can wire the real one.
import Koa from 'koa';
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import type { Router } from '@koa/router';
import type { RedisKeys } from '../shared/redis-keys.ts';
import { MethodNotAllowedError, NotFoundError } from '../shared/errors.ts';
import { identityStore, type IdentityStore } from './auth/identities.ts';
import { actionInvoker } from './activation/invoke-action.ts';
import { actionService } from './entities/actions.ts';
import { ruleService } from './entities/rules.ts';
import { triggerService } from './entities/triggers.ts';
import { activationStore, type ActivationStore } from '../shared/activation-store.ts';
import type { Activator } from './entities/activator.ts';
import type { SystemLimits } from './entities/limits.ts';
import { authenticate } from './middleware/auth.ts';
import { cors } from './middleware/cors.ts';
import { errorHandler } from './middleware/errors.ts';
import { type Logger, requestLogger } from './middleware/logging.ts';
import { requestId } from './middleware/request-id.ts';
import { httpServerSpan } from './middleware/tracing.ts';
import { actionRoutes } from './routes/actions.ts';
import { activationRoutes } from './routes/activations.ts';
import { namespaceRoutes } from './routes/namespaces.ts';
import { ruleRoutes } from './routes/rules.ts';
import { triggerRoutes } from './routes/triggers.ts';
import { triggerFirer } from './triggers/fire.ts';
import { type BuildInfo, type InvokerHealth, systemRoutes } from './routes/system.ts';

export type { Logger } from './middleware/logging.ts';

export const API_PREFIX = '/api/v1';
const DEFAULT_RECORD_TTL_SECONDS = 7 * 24 * 3600;

export interface AppDeps {
  redis: Redis;
  keys: RedisKeys;
  /** A pino logger fits. */
  logger: Logger;
  /** System limits; `DEFAULT_LIMITS` from entities/limits.ts are OpenWhisk's defaults. */
  limits: SystemLimits;
  activator: Activator;
  /** Backs `GET /invokers`, `/invokers/healthy/count`, `/invokers/ready`; none → no invokers. */
  invokerHealth?: InvokerHealth;
  /** Defaults to a store on `redis`/`keys` with a 5 s identity cache. */
  identities?: IdentityStore;
  /** Defaults to a store on `redis`/`keys`. */
  activations?: ActivationStore;
  /** How long stored records live (trigger activations are recorded by the controller); 7 days by default. */
  recordTtlSeconds?: number;
  /** `build`/`buildno` of `GET /api/v1`. */
  build?: BuildInfo;
}

/**
 * HEAD is not served on the REST API (OpenWhisk runs with `transparent-head-requests = off`); the router would
 * answer it as a GET, so it is refused first: 405 listing the methods the path has, or 404.
 */
function noHead(routers: readonly Router[]): Middleware {
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
function underPrefix(prefix: string, middleware: Middleware): Middleware {
  return (ctx, next) => (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, next) : next());
}

export function createApp(deps: AppDeps): Koa {
  const identities = deps.identities ?? identityStore(deps.redis, deps.keys);
  const activations = deps.activations ?? activationStore(deps.redis, deps.keys);
  const actions = actionService(deps.redis, deps.keys, deps.limits);
  const invoke = actionInvoker(actions, deps.activator);
  const triggers = triggerService(deps.redis, deps.keys, deps.limits);
  const fire = triggerFirer({
    invoke,
    activations,
    recordTtlSeconds: deps.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS,
    waitMs: deps.limits.maxWaitForBlockingActivation,
    onError: (err, trigger) => deps.logger.error({ err, trigger }, 'storing a trigger activation record failed'),
  });

  const system = systemRoutes({
    limits: deps.limits,
    build: deps.build ?? { date: new Date().toISOString().slice(0, 10), buildno: 'isowhisk' },
    invokerHealth: deps.invokerHealth,
  });
  const api = [
    namespaceRoutes(deps.limits),
    actionRoutes({ actions, invoke, limits: deps.limits }),
    triggerRoutes({ triggers, fire, limits: deps.limits }),
    ruleRoutes(ruleService(deps.redis, deps.keys, triggers, actions)),
    activationRoutes(activations),
  ];

  const app = new Koa();
  app.proxy = false;
  app.silent = true; // errors are logged by the error middleware
  app.use(httpServerSpan());
  app.use(requestId());
  app.use(requestLogger(deps.logger));
  app.use(errorHandler(deps.logger));
  app.use(cors(API_PREFIX));
  app.use(system.routes());
  app.use(underPrefix(API_PREFIX, authenticate(identities)));
  app.use(underPrefix(API_PREFIX, noHead(api)));
  for (const router of api) app.use(router.routes());
  app.use(system.allowedMethods()); // reads the matches of every router above: sets 405 + Allow
  return app;
}
