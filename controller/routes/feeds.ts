// `POST /api/v1/namespaces/whisk.system/actions/<package>/<feed>`: the built-in feed actions (the Kafka feed
// `messaging/kafkaFeed`, the alarms `alarms/alarm`, `alarms/interval`, `alarms/once`). Feed lifecycle requests
// arrive as invokes of these actions (that is how wsk and the openwhisk client configure a trigger's feed); the
// controller carries them out itself and answers like an invoke, with an activation record stored for each.
// A request the feed refuses is an application error; a failure to reach Kafka or Redis a whisk internal error.
import { newRouter } from './router.ts';
import {
  type ActivationRecord,
  type StoredActivationResponse,
  STATUS_APPLICATION_ERROR,
  STATUS_SUCCESS,
  STATUS_WHISK_ERROR,
} from '../../shared/activation-record.ts';
import { newActivationId } from '../../shared/ids.ts';
import { activeTraceId } from '../../shared/tracing.ts';
import type { StoreRecord } from '../invoke/record-writer.ts';
import { FeedError } from '../feeds/feed-lifecycle.ts';
import type { FeedProvider } from '../feeds/feed-service.ts';
import type { SystemLimits } from '../entities/models/limits.ts';
import { invokePayloadLimit, readInvokePayload } from '../middleware/body.ts';
import type { Logger } from '../middleware/logging.ts';
import { type AppRouter, identityOf } from '../middleware/state.ts';
import { answerInvoke } from './actions.ts';
import { booleanParam } from './query.ts';

/** One built-in feed action and the provider that carries out its requests. */
export interface FeedAction {
  namespace: string;
  pkg: string;
  action: string;
  provider: FeedProvider;
  /** Names the feed in the error of a request that failed on the platform's side, e.g. "The Kafka feed". */
  title: string;
}

export interface FeedRoutesDeps {
  feeds: readonly FeedAction[];
  storeRecord: StoreRecord;
  limits: SystemLimits;
  logger: Logger;
}

export function feedRoutes(deps: FeedRoutesDeps): AppRouter {
  const router = newRouter();
  for (const feed of deps.feeds) serveFeed(router, feed, deps);
  return router;
}

function serveFeed(router: AppRouter, feed: FeedAction, deps: FeedRoutesDeps): void {
  const path = `/api/v1/namespaces/${feed.namespace}/actions/${feed.pkg}/${feed.action}`;
  router.post(path, invokePayloadLimit(deps.limits), async (ctx) => {
    const blocking = booleanParam(ctx, 'blocking', false);
    const resultOnly = booleanParam(ctx, 'result', false);
    const payload = await readInvokePayload(ctx, deps.limits);
    const identity = identityOf(ctx);
    const start = Date.now();

    let response: StoredActivationResponse;
    try {
      response = { statusCode: STATUS_SUCCESS, result: await feed.provider.handle(identity, payload) };
    } catch (err) {
      if (err instanceof FeedError) {
        response = { statusCode: STATUS_APPLICATION_ERROR, result: { error: err.message } };
      } else {
        deps.logger.error({ err, feed: feed.action }, 'a feed request failed');
        response = { statusCode: STATUS_WHISK_ERROR, result: { error: `${feed.title} could not be configured: ${(err as Error).message}` } };
      }
    }
    const traceId = activeTraceId();
    const record: ActivationRecord = {
      namespace: identity.namespace,
      name: feed.action,
      subject: identity.subject,
      activationId: newActivationId(),
      start,
      end: Date.now(),
      response,
      logs: [],
      version: '0.0.1',
      publish: false,
      annotations: [{ key: 'path', value: `${feed.namespace}/${feed.pkg}/${feed.action}` }, ...(traceId ? [{ key: 'traceId', value: traceId }] : [])],
    };
    await deps.storeRecord(record);

    answerInvoke(ctx, record.activationId, blocking ? record : undefined, resultOnly);
  });
}
